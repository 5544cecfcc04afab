"""Compounds derived from OSM: named residential areas, then street blocks with other homes."""

from __future__ import annotations

import dataclasses
import doctest
import itertools
import math
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
import shapely

from lifecircle.errors import ConfigError
from lifecircle.geo import LocalMetric, local_metric_transformer
from lifecircle.io import osm_compounds as compounds_module
from lifecircle.io.osm import OsmExtract, read_osm
from lifecircle.io.osm_compounds import ENTRANCE_MERGE_M, MAX_ENTRANCES, derive_compounds
from lifecircle.io.osm_residents import building_levels
from lifecircle.io.osm_tags import NON_RESIDENTIAL_KEYS, RESIDENTIAL_BUILDINGS
from lifecircle.jobs.demo import demo_file
from lifecircle.model import Building, Compound, ResidentialArea, WalkWay

DATA = Path(__file__).parents[1] / "data" / "osm"
HEXI = DATA / "hexi_synthetic.osm"
HELSINKI = demo_file("helsinki.osm.pbf")  # the packaged demo extract (real OSM)
FINLAND = DATA / "test.osm.pbf"

#: m² per square degree at the Hexi fixture's latitude (sphere of radius 6,371,008.8 m); the
#: ellipsoid differs by < 0.3 %, hence the 1 % tolerance of the hand-computed numbers below.
_DEG_M = 2 * math.pi * 6_371_008.8 / 360
HEXI_M2_PER_DEG2 = _DEG_M * _DEG_M * math.cos(math.radians(39.1075))
PERSONS_PER_DEG2 = HEXI_M2_PER_DEG2 / 35.0

_CACHE: dict[str, OsmExtract] = {}


def no_facilities(tags: Mapping[str, str]) -> str | None:
    return None


def read(path: Path) -> OsmExtract:
    if str(path) not in _CACHE:
        _CACHE[str(path)] = read_osm(path, match_type=no_facilities)
    return _CACHE[str(path)]


def by_name(compounds: tuple[Compound, ...]) -> dict[str, Compound]:
    return {c.name: c for c in compounds}


def without_named_areas(extract: OsmExtract) -> OsmExtract:
    unnamed = tuple(a for a in extract.residential_areas if not a.name)
    return dataclasses.replace(extract, residential_areas=unnamed)


def box_wkt(lon_min: float, lat_min: float, lon_max: float, lat_max: float) -> str:
    return shapely.box(lon_min, lat_min, lon_max, lat_max).wkt


def with_buildings(extract: OsmExtract, *added: Building, drop: tuple[str, ...] = ()) -> OsmExtract:
    """The extract with hand-made buildings added (and some removed), in memory only."""
    kept = tuple(b for b in extract.buildings if b.osm_id not in drop)
    return dataclasses.replace(extract, buildings=kept + added)


def hand_made_ways(
    first_id: int, *segments: tuple[float, float, float, float]
) -> tuple[WalkWay, ...]:
    """Footways from (lon, lat) to (lon, lat), hand-made for one test."""
    return tuple(
        WalkWay(first_id + n, (first_id * 10 + 2 * n, first_id * 10 + 2 * n + 1),
                ((x0, y0), (x1, y1)), {"highway": "footway"})
        for n, (x0, y0, x1, y1) in enumerate(segments)
    )  # fmt: skip


def metric_of(extract: OsmExtract) -> LocalMetric:
    lon_min, lat_min, lon_max, lat_max = extract.bounds
    return local_metric_transformer((lon_min + lon_max) / 2, (lat_min + lat_max) / 2)


def entrance_gaps_m(extract: OsmExtract, compound: Compound) -> list[float]:
    """Distance in metres from each entrance to the nearest walk way."""
    metric = metric_of(extract)
    network = metric.geometry_to_metres(shapely.MultiLineString([w.coords for w in extract.ways]))
    return [
        network.distance(metric.geometry_to_metres(shapely.Point(p))) for p in compound.entrances
    ]


def entrance_spacing_m(extract: OsmExtract, compound: Compound) -> float:
    """Smallest distance in metres between two entrances of a compound (inf for one)."""
    metric = metric_of(extract)
    points = [metric.geometry_to_metres(shapely.Point(p)) for p in compound.entrances]
    return min((a.distance(b) for a, b in itertools.combinations(points, 2)), default=math.inf)


def floor_m2(compound: Compound) -> int:
    """The floor area a compound's estimate_method says it counted."""
    found = re.search(r"about ([\d,]+) m² of floor area", compound.estimate_method or "")
    return int(found.group(1).replace(",", "")) if found else 0


def home_floor_m2(extract: OsmExtract) -> float:
    """Footprint × levels of every home, computed here independently of the module."""
    metric = metric_of(extract)
    land = [metric.geometry_to_metres(shapely.from_wkt(a.outline_wkt))
            for a in extract.residential_areas]  # fmt: skip
    total = 0.0
    for building in extract.buildings:
        outline = metric.geometry_to_metres(shapely.from_wkt(building.outline_wkt))
        kind = building.tags.get("building", "yes")
        on_land = any(area.intersects(outline.point_on_surface()) for area in land)
        other_use = any(building.tags.get(k, "no") != "no" for k in NON_RESIDENTIAL_KEYS)
        if not other_use and (kind in RESIDENTIAL_BUILDINGS or (kind == "yes" and on_land)):
            total += outline.area * building_levels(building.tags)[0]
    return total


#: Hand-made apartment block (6 levels, 0.001° × 0.001°) in the north street block of the Hexi
#: fixture, east of the named compound: a home that stands in no named area.
NORTH_HOME = Building(
    "osm:way/9001",
    box_wkt(117.2035, 39.1070, 117.2045, 39.1080),
    {"building": "apartments", "building:levels": "6"},
)


# --------------------------------------------------------------------------- named areas (Hexi)


def test_named_area_becomes_a_compound_with_hand_computed_residents() -> None:
    garden = derive_compounds(read(HEXI))[0]  # the unnamed area 140 is no compound
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
    assert garden.residents == pytest.approx(floor_deg2 * PERSONS_PER_DEG2, rel=0.01)
    assert 3000 < garden.residents < 3200
    assert garden.households is None and garden.elderly is None and garden.children is None
    outline = shapely.from_wkt(garden.outline_wkt)
    assert outline.contains(shapely.Point(garden.lon, garden.lat))


def test_named_area_entrances_are_its_gates() -> None:
    garden = derive_compounds(read(HEXI))[0]
    # west gate where the service road crosses, east side gate where the footway crosses
    assert garden.entrances == ((117.2005, 39.1075), (117.2025, 39.108))


def test_estimate_method_says_how_in_numbers() -> None:
    garden = derive_compounds(read(HEXI))[0]
    text = garden.estimate_method or ""
    assert "not a census figure" in text and "非普查数据" in text
    assert "5 residential buildings wholly or partly inside the area" in text
    assert "building=yes on residential land" in text
    assert "35 m² per person" in text
    assert "building:levels for 3, height ÷ 3 m for 1, the default 3 for 1" in text
    assert f"≈ {garden.residents} residents" in text
    assert floor_m2(garden) / 35.0 == pytest.approx(garden.residents, abs=0.5)


def test_settings_change_the_estimate() -> None:
    extract = read(HEXI)
    base = derive_compounds(extract)[0]
    roomy = derive_compounds(extract, floor_area_per_person_m2=70.0)[0]
    assert roomy.residents == pytest.approx(base.residents / 2, abs=1)
    low = derive_compounds(extract, default_levels=1)[0]
    # only way 133 uses the default: 0.0004° × 0.0004° × (3 − 1) levels fewer
    assert base.residents - low.residents == pytest.approx(
        0.0004 * 0.0004 * 2 * PERSONS_PER_DEG2, rel=0.02
    )
    assert "the default 1 for 1" in (low.estimate_method or "")
    with pytest.raises(ConfigError, match="must be positive"):
        derive_compounds(extract, floor_area_per_person_m2=0)


def test_area_without_crossing_ways_gets_the_edge_point_nearest_the_network() -> None:
    extract = read(HEXI)
    no_gates = dataclasses.replace(
        extract, ways=tuple(w for w in extract.ways if w.osm_id not in (121, 122))
    )
    garden = derive_compounds(no_gates)[0]
    assert len(garden.entrances) == 1
    outline = shapely.from_wkt(garden.outline_wkt)
    assert outline.boundary.distance(shapely.Point(garden.entrances[0])) < 1e-7
    # the west and east edges are 0.0005° of longitude (~43 m) from 西街 and footway 114
    gap_m = entrance_gaps_m(no_gates, garden)[0]
    assert gap_m == pytest.approx(0.0005 * _DEG_M * math.cos(math.radians(39.1075)), rel=0.01)


def test_area_without_homes_has_unknown_residents_and_says_why() -> None:
    extract = dataclasses.replace(read(HEXI), buildings=())
    (garden,) = derive_compounds(extract)  # no homes, so no street block either
    assert garden.residents is None
    assert "No residential buildings are mapped inside the area" in (garden.estimate_method or "")


def test_overlapping_named_areas_count_the_overlap_once() -> None:
    extract = read(HEXI)
    phase = ResidentialArea(  # hand-made: the west part of 示例花园 mapped as its own estate
        "osm:way/9002", "示例花园二期", box_wkt(117.2005, 39.106, 117.2015, 39.109),
        {"landuse": "residential", "name": "示例花园二期"},
    )  # fmt: skip
    split = dataclasses.replace(extract, residential_areas=(*extract.residential_areas, phase))
    before, after = by_name(derive_compounds(extract)), by_name(derive_compounds(split))
    # the phase holds ways 130 (6 levels) and 132 (height 30 m → 10 levels)
    phase_residents = (0.0004 * 0.0007 * 6 + 0.0004 * 0.0006 * 10) * PERSONS_PER_DEG2
    assert after["示例花园二期"].residents == pytest.approx(phase_residents, rel=0.01)
    garden = after["示例花园"]
    assert garden.residents + after["示例花园二期"].residents == pytest.approx(
        before["示例花园"].residents, abs=1
    )
    assert garden.outline_wkt == before["示例花园"].outline_wkt
    assert "3 residential buildings" in (garden.estimate_method or "")
    assert "less smaller named areas" in (garden.estimate_method or "")
    assert "less smaller" not in (after["示例花园二期"].estimate_method or "")


# --------------------------------------------------------------------------- hybrid (Hexi)


def test_homes_outside_named_areas_form_street_blocks_hexi() -> None:
    extract = with_buildings(read(HEXI), NORTH_HOME)
    garden, north, south_west, south_east = derive_compounds(extract)
    assert [c.name for c in (garden, north, south_west, south_east)] == [
        "示例花园", "街坊 1", "街坊 2", "街坊 3",
    ]  # fmt: skip
    assert garden.residents == derive_compounds(read(HEXI))[0].residents
    # north: the new home plus the half of way 135 outside the garden, nothing inside it
    assert north.residents == pytest.approx(
        (0.001 * 0.001 * 6 + 0.0002 * 0.0004 * 4) * PERSONS_PER_DEG2, rel=0.01
    )
    text = north.estimate_method or ""
    assert "2 residential buildings wholly or partly inside the block outside named areas" in text
    # the block less the garden: 0.01° × 0.005° − 0.002° × 0.003°
    outline = shapely.from_wkt(north.outline_wkt)
    assert outline.area == pytest.approx(0.01 * 0.005 - 0.002 * 0.003, rel=1e-6)
    assert outline.intersection(shapely.from_wkt(garden.outline_wkt)).area < 1e-12
    assert outline.contains(shapely.Point(north.lon, north.lat))
    # on the street edge only: the service road from 西街 and footway 114; not the garden's gates
    assert north.entrances == ((117.2, 39.1075), (117.203, 39.11))
    # south-west: way 143 (12 levels); south-east: way 141 (yes on unnamed residential land,
    # 5 levels) + house 142 (default 3)
    assert south_west.residents == pytest.approx(0.0005 * 0.0005 * 12 * PERSONS_PER_DEG2, rel=0.01)
    assert south_east.residents == pytest.approx(
        (0.0005 * 0.0005 * 5 + 0.0003 * 0.0003 * 3) * PERSONS_PER_DEG2, rel=0.01
    )
    assert "inside the block (" in (south_east.estimate_method or "")  # no named area there
    assert sum(floor_m2(c) for c in (garden, north, south_west, south_east)) == pytest.approx(
        home_floor_m2(extract), abs=2
    )


def test_a_home_standing_in_a_named_area_makes_no_street_block() -> None:
    # way 135 moved so that three quarters of it lie in the garden: it stands there, so the
    # north block holds no home of its own and is no compound; the quarter outside is left out
    moved = Building("osm:way/135", box_wkt(117.2022, 39.1071, 117.2026, 39.1075),
                     {"building": "residential", "building:levels": "4"})  # fmt: skip
    extract = with_buildings(read(HEXI), moved, drop=("osm:way/135",))
    compounds = derive_compounds(extract)
    assert [c.name for c in compounds] == ["示例花园", "街坊 1", "街坊 2"]
    assert all(c.lat < 39.105 for c in compounds[1:])  # both south of 试验大道
    left_out_m2 = 0.0001 * 0.0004 * 4 * HEXI_M2_PER_DEG2
    assert sum(floor_m2(c) for c in compounds) == pytest.approx(
        home_floor_m2(extract) - left_out_m2, rel=0.01
    )


def test_building_yes_is_a_home_only_where_it_stands_on_residential_land() -> None:
    # hand-made building=yes reaching 1/10 of its width into the garden, standing outside it
    shop = Building("osm:way/9003", box_wkt(117.2024, 39.1062, 117.2034, 39.1066),
                    {"building": "yes", "building:levels": "9"})  # fmt: skip
    extract = with_buildings(read(HEXI), shop)
    assert [(c.name, c.residents) for c in derive_compounds(extract)] == [
        (c.name, c.residents) for c in derive_compounds(read(HEXI))
    ]


def test_blocks_when_no_area_is_named_hexi() -> None:
    blocks = derive_compounds(without_named_areas(read(HEXI)))
    assert [c.name for c in blocks] == ["街坊 1", "街坊 2", "街坊 3"]
    north, south_west, south_east = blocks
    assert north.lat > 39.105 > south_west.lat and south_west.lon < south_east.lon
    # north: ways 130 (6 levels), 131 (18), 135 (4, now wholly inside); the yes-buildings are
    # not homes once the land is not residential
    assert north.residents == pytest.approx(
        (0.0004 * 0.0007 * 6 + 0.0006 * 0.0006 * 18 + 0.0004 * 0.0004 * 4) * PERSONS_PER_DEG2,
        rel=0.01,
    )
    assert north.entrances == ((117.2, 39.1075), (117.203, 39.11))  # service road, footway
    assert south_west.entrances == ((117.203, 39.1),)  # footway to the footbridge
    assert len(south_east.entrances) == 1
    assert north.source_id == f"osm-block:{north.lon:.5f},{north.lat:.5f}"
    assert "the block" in (north.estimate_method or "") and "街坊" in (north.estimate_method or "")


# --------------------------------------------------------------------------- entrances


def test_entrances_are_merged_capped_spread_and_prefer_paths() -> None:
    extract = read(HEXI)
    lons = [117.2006 + 0.0001 * n for n in range(19)]  # a footway every ~8.6 m
    footways = hand_made_ways(
        9100,
        *((x, 39.1095, x, 39.1085) for x in lons),  # across the garden's north edge
        *((x, 39.1055, x, 39.1065) for x in lons),  # across its south edge
    )
    road = WalkWay(9200, (92001, 92002), ((117.2015, 39.1052), (117.2015, 39.1098)),
                   {"highway": "secondary"})  # fmt: skip
    road_crossings = {(117.2015, 39.106), (117.2015, 39.109)}

    only_road = derive_compounds(dataclasses.replace(extract, ways=(*extract.ways, road)))[0]
    # the gates first, the through road's two crossings only after them
    assert only_road.entrances[:2] == ((117.2005, 39.1075), (117.2025, 39.108))
    assert set(only_road.entrances[2:]) == road_crossings

    busy = dataclasses.replace(extract, ways=(*extract.ways, *footways, road))
    garden = derive_compounds(busy)[0]
    assert len(garden.entrances) == MAX_ENTRANCES == 8
    assert garden.entrances[:2] == ((117.2005, 39.1075), (117.2025, 39.108))
    assert entrance_spacing_m(busy, garden) > ENTRANCE_MERGE_M == 40.0
    assert not road_crossings & set(garden.entrances)
    edge = shapely.from_wkt(garden.outline_wkt).boundary
    assert all(edge.distance(shapely.Point(p)) < 1e-7 for p in garden.entrances)
    assert garden == derive_compounds(dataclasses.replace(busy, ways=busy.ways[::-1]))[0]


@pytest.mark.parametrize("path", [HELSINKI, FINLAND], ids=["helsinki", "finland"])
def test_real_entrances_are_few_spread_and_on_the_network(path: Path) -> None:
    extract = read(path)
    compounds = derive_compounds(extract)
    counts = [len(c.entrances) for c in compounds]
    assert min(counts) >= 1 and max(counts) == MAX_ENTRANCES  # big blocks hit the cap
    for compound in compounds:
        assert entrance_spacing_m(extract, compound) > ENTRANCE_MERGE_M
        assert max(entrance_gaps_m(extract, compound)) < 1.0


# --------------------------------------------------------------------------- real extracts


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
    assert sum(c.residents or 0 for c in blocks) == 19_875
    for block in blocks:
        assert (block.residents or 0) > 0 and "not a census figure" in (block.estimate_method or "")


def test_helsinki_named_area_and_the_blocks_around_it() -> None:
    extract = read(HELSINKI)
    compounds = derive_compounds(extract)
    assert compounds == derive_compounds(extract)
    named, *blocks = compounds
    assert (named.source_id, named.name, named.residents) == ("osm:way/37286930", "Pääskynen", 495)
    assert "8 residential buildings" in (named.estimate_method or "")
    assert [b.name for b in blocks] == [f"街坊 {n}" for n in range(1, 9)]
    assert sum(c.residents or 0 for c in compounds) == 7005
    lon_min, lat_min, lon_max, lat_max = extract.bounds
    outlines = [shapely.from_wkt(c.outline_wkt) for c in compounds]
    for block, outline in zip(blocks, outlines[1:], strict=True):
        assert lon_min <= block.lon <= lon_max and lat_min <= block.lat <= lat_max
        assert outline.contains(shapely.Point(block.lon, block.lat))
        assert (block.residents or 0) > 0 and block.estimate_method
    assert all(a.intersection(b).area < 1e-12 for a, b in itertools.combinations(outlines, 2))


@pytest.mark.parametrize("path", [HELSINKI, FINLAND], ids=["helsinki", "finland"])
def test_no_home_is_counted_twice(path: Path) -> None:
    extract = read(path)
    compounds = derive_compounds(extract)
    total_m2 = home_floor_m2(extract)
    # each compound's floor area is rounded to 1 m² in its text
    assert sum(floor_m2(c) for c in compounds) == pytest.approx(total_m2, abs=len(compounds))
    assert sum(c.residents or 0 for c in compounds) == pytest.approx(
        total_m2 / 35.0, abs=len(compounds)
    )


def test_helsinki_blocks_when_no_area_is_named() -> None:
    extract = without_named_areas(read(HELSINKI))
    blocks = derive_compounds(extract)
    assert len(blocks) == 9
    for block in blocks:
        assert block.entrances and max(entrance_gaps_m(extract, block)) < 1.0
        assert (block.residents or 0) > 0 and block.estimate_method


# --------------------------------------------------------------------------- helpers


def test_docstring_examples_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parents[2])  # examples use repo-relative paths
    result = doctest.testmod(compounds_module)
    assert result.attempted > 0 and result.failed == 0
