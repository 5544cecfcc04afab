"""The OSM reader keeps places that could host a new facility but are no facility themselves."""

from __future__ import annotations

from pathlib import Path

import shapely

from lifecircle.io.osm import read_osm

HEXI = Path(__file__).parents[1] / "data" / "osm" / "hexi_synthetic.osm"


def test_candidates_are_kept_apart_from_facilities_with_a_point_inside_areas() -> None:
    extract = read_osm(
        HEXI,
        match_type=lambda tags: tags.get("amenity"),
        keep_candidate=lambda tags: (
            tags.get("leisure") == "playground"
            or tags.get("landuse") == "residential"
            or tags.get("amenity") == "pharmacy"
        ),
    )
    found = {c.source_id: c for c in extract.candidates}
    assert "osm:node/55" in found and found["osm:node/55"].tags == {"leisure": "playground"}
    garden = found["osm:way/120"]
    assert garden.name == "示例花园" and garden.tags["landuse"] == "residential"
    outline = next(a for a in extract.residential_areas if a.osm_id == "osm:way/120")
    assert shapely.from_wkt(outline.outline_wkt).contains(shapely.Point(garden.lon, garden.lat))
    # a facility is never also a candidate, even when the candidate test says yes
    assert "osm:node/50" not in found
    assert "osm:node/50" in {f.source_id for f in extract.facilities}


def test_without_a_candidate_test_nothing_extra_is_kept() -> None:
    assert read_osm(HEXI, match_type=lambda tags: tags.get("amenity")).candidates == ()
