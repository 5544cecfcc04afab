"""Tests for lifecircle.compounds: compounds from named residential land, else street blocks."""

from __future__ import annotations

import dataclasses
import doctest
import math
from collections.abc import Mapping
from pathlib import Path

import pytest
import shapely

from lifecircle import compounds as compounds_module
from lifecircle.compounds import building_levels, derive_compounds
from lifecircle.demo import demo_file
from lifecircle.errors import ConfigError
from lifecircle.io.crs import local_metric_transformer
from lifecircle.io.osm import OsmExtract, read_osm
from lifecircle.model import Compound

DATA = Path(__file__).parent / "data" / "osm"
HEXI = DATA / "hexi_synthetic.osm"
HELSINKI = demo_file("helsinki.osm.pbf")  # the packaged demo extract (real OSM)
FINLAND = DATA / "test.osm.pbf"

#: m² per square degree at the Hexi fixture's latitude (sphere of radius 6,371,008.8 m); the
#: ellipsoid differs by < 0.3 %, hence the 1 % tolerance of the hand-computed numbers below.
_DEG_M = 2 * math.pi * 6_371_008.8 / 360
HEXI_M2_PER_DEG2 = _DEG_M * _DEG_M * math.cos(math.radians(39.1075))

_CACHE: dict[str, OsmExtract] = {}


def no_facilities(tags: Mapping[str, str]) -> str | None:
    return None


def read(path: Path) -> OsmExtract:
    if str(path) not in _CACHE:
        _CACHE[str(path)] = read_osm(path, match_type=no_facilities)
    return _CACHE[str(path)]


def without_named_areas(extract: OsmExtract) -> OsmExtract:
    unnamed = tuple(a for a in extract.residential_areas if not a.name)
    return dataclasses.replace(extract, residential_areas=unnamed)


def entrance_gaps_m(extract: OsmExtract, compound: Compound) -> list[float]:
    """Distance in metres from each entrance to the nearest walk way."""
    lon_min, lat_min, lon_max, lat_max = extract.bounds
    metric = local_metric_transformer((lon_min + lon_max) / 2, (lat_min + lat_max) / 2)
    network = metric.geometry_to_metres(shapely.MultiLineString([w.coords for w in extract.ways]))
    return [
        network.distance(metric.geometry_to_metres(shapely.Point(p))) for p in compound.entrances
    ]


# --------------------------------------------------------------------------- named areas (Hexi)


def test_named_area_becomes_one_compound_with_hand_computed_residents() -> None:
    (garden,) = derive_compounds(read(HEXI))  # the unnamed area 140 is no compound
    assert (garden.source_id, garden.name) == ("osm:way/120", "示例花园")
    assert garden.source == "osm:hexi_synthetic.osm"
    # footprint (degrees²) × levels of the homes inside the compound:
    floor_deg2 = (
        0.0004 * 0.0007 * 6  # way 130, residential, building:levels=6
        + 0.0006 * 0.0006 * 18  # way 131, apartments, 18 levels
        + 0.0004 * 0.0006 * 10  # way 132, yes, height=30 → 10 levels
        + 0.0004 * 0.0004 * 3  # way 133, yes, no levels → default 3
        + 0.0002 * 0.0004 * 4  # way 135, residential, 4 levels, half of it inside
    )  # way 134 (retail) is not a home
    expected = floor_deg2 * HEXI_M2_PER_DEG2 / 35.0
    assert garden.residents == pytest.approx(expected, rel=0.01)
    assert 3000 < garden.residents < 3200
    assert garden.households is None and garden.elderly is None and garden.children is None
    outline = shapely.from_wkt(garden.outline_wkt)
    assert outline.contains(shapely.Point(garden.lon, garden.lat))


def test_named_area_entrances_are_its_gates() -> None:
    (garden,) = derive_compounds(read(HEXI))
    # west gate where the service road crosses, east side gate where the footway crosses
    assert garden.entrances == ((117.2005, 39.1075), (117.2025, 39.108))


def test_estimate_method_says_how_in_numbers() -> None:
    (garden,) = derive_compounds(read(HEXI))
    text = garden.estimate_method or ""
    assert "not a census figure" in text and "非普查数据" in text
    assert "5 residential buildings" in text
    assert "35 m² per person" in text
    assert "building:levels for 3, height ÷ 3 m for 1, the default 3 for 1" in text
    assert f"≈ {garden.residents} residents" in text
    floor_m2 = int(text.split("about ")[1].split(" m²")[0].replace(",", ""))
    assert floor_m2 / 35.0 == pytest.approx(garden.residents, abs=0.5)


def test_settings_change_the_estimate() -> None:
    extract = read(HEXI)
    (base,) = derive_compounds(extract)
    (roomy,) = derive_compounds(extract, floor_area_per_person_m2=70.0)
    assert roomy.residents == pytest.approx(base.residents / 2, abs=1)
    (low,) = derive_compounds(extract, default_levels=1)
    # only way 133 uses the default: 0.0004° × 0.0004° × (3 − 1) levels fewer
    lost = 0.0004 * 0.0004 * 2 * HEXI_M2_PER_DEG2 / 35.0
    assert base.residents - low.residents == pytest.approx(lost, rel=0.02)
    assert "the default 1 for 1" in (low.estimate_method or "")
    with pytest.raises(ConfigError, match="must be positive"):
        derive_compounds(extract, floor_area_per_person_m2=0)


def test_area_without_crossing_ways_gets_the_edge_point_nearest_the_network() -> None:
    extract = read(HEXI)
    no_gates = dataclasses.replace(
        extract, ways=tuple(w for w in extract.ways if w.osm_id not in (121, 122))
    )
    (garden,) = derive_compounds(no_gates)
    assert len(garden.entrances) == 1
    outline = shapely.from_wkt(garden.outline_wkt)
    assert outline.boundary.distance(shapely.Point(garden.entrances[0])) < 1e-7
    # the west and east edges are 0.0005° of longitude (~43 m) from 西街 and footway 114
    gap_m = entrance_gaps_m(no_gates, garden)[0]
    assert gap_m == pytest.approx(0.0005 * _DEG_M * math.cos(math.radians(39.1075)), rel=0.01)


def test_area_without_homes_has_unknown_residents_and_says_why() -> None:
    extract = dataclasses.replace(read(HEXI), buildings=())
    (garden,) = derive_compounds(extract)
    assert garden.residents is None
    assert "No residential buildings are mapped" in (garden.estimate_method or "")


# --------------------------------------------------------------------------- blocks


def test_blocks_when_no_area_is_named_hexi() -> None:
    blocks = derive_compounds(without_named_areas(read(HEXI)))
    assert [c.name for c in blocks] == ["街坊 1", "街坊 2", "街坊 3"]
    north, south_west, south_east = blocks
    assert north.lat > 39.105 > south_west.lat and south_west.lon < south_east.lon
    deg2 = HEXI_M2_PER_DEG2 / 35.0
    # north: ways 130 (6 levels), 131 (18), 135 (4, now wholly inside); the yes-buildings are
    # not homes once the land is not residential
    assert north.residents == pytest.approx(
        (0.0004 * 0.0007 * 6 + 0.0006 * 0.0006 * 18 + 0.0004 * 0.0004 * 4) * deg2, rel=0.01
    )
    assert south_west.residents == pytest.approx(0.0005 * 0.0005 * 12 * deg2, rel=0.01)
    # south-east: way 141 (yes on unnamed residential land, 5 levels) + house 142 (default 3)
    assert south_east.residents == pytest.approx(
        (0.0005 * 0.0005 * 5 + 0.0003 * 0.0003 * 3) * deg2, rel=0.01
    )
    assert north.entrances == ((117.2, 39.1075), (117.203, 39.11))  # service road, footway
    assert south_west.entrances == ((117.203, 39.1),)  # footway to the footbridge
    assert len(south_east.entrances) == 1
    assert north.source_id == f"osm-block:{north.lon:.5f},{north.lat:.5f}"
    assert "the block" in (north.estimate_method or "") and "街坊" in (north.estimate_method or "")


def test_blocks_are_stable_and_sit_on_the_network_finland() -> None:
    extract = read(FINLAND)
    assert not any(a.name for a in extract.residential_areas)
    blocks = derive_compounds(extract)
    assert blocks == derive_compounds(extract)
    assert len(blocks) == 22
    assert [c.name for c in blocks] == [f"街坊 {n}" for n in range(1, 23)]
    assert len({c.source_id for c in blocks}) == 22
    assert [round(c.lat, 5) for c in blocks] == sorted(
        (round(c.lat, 5) for c in blocks), reverse=True
    )
    for block in blocks:
        assert block.entrances
        assert max(entrance_gaps_m(extract, block)) < 1.0
        assert (block.residents or 0) > 0 and "not a census figure" in (block.estimate_method or "")


# --------------------------------------------------------------------------- Helsinki


def test_helsinki_named_city_block() -> None:
    extract = read(HELSINKI)
    (block,) = derive_compounds(extract)
    assert (block.source_id, block.name) == ("osm:way/37286930", "Pääskynen")
    assert block.residents == 495
    assert "8 residential buildings" in (block.estimate_method or "")
    assert block.entrances and max(entrance_gaps_m(extract, block)) < 1.0


def test_helsinki_blocks_lie_inside_the_extract() -> None:
    extract = without_named_areas(read(HELSINKI))
    blocks = derive_compounds(extract)
    assert len(blocks) == 9
    lon_min, lat_min, lon_max, lat_max = extract.bounds
    for block in blocks:
        assert lon_min <= block.lon <= lon_max and lat_min <= block.lat <= lat_max
        assert block.entrances and max(entrance_gaps_m(extract, block)) < 1.0
        assert (block.residents or 0) > 0 and block.estimate_method


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"building:levels": "18"}, (18.0, "levels")),
        ({"building:levels": "5;6"}, (5.0, "levels")),
        ({"building:levels": "0", "height": "9"}, (3.0, "height")),
        ({"height": "20 m"}, (7.0, "height")),
        ({"height": "1"}, (1.0, "height")),
        ({"building:levels": "999"}, (3.0, "default")),
        ({}, (3.0, "default")),
    ],
)
def test_building_levels(tags: dict[str, str], expected: tuple[float, str]) -> None:
    assert building_levels(tags) == expected


def test_docstring_examples_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parent.parent)  # examples use repo-relative paths
    result = doctest.testmod(compounds_module)
    assert result.attempted > 0 and result.failed == 0
