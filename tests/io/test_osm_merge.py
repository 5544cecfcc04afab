"""One facility per place: OSM points folded into the area of their type (hand-made, then real)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from lifecircle.io.osm import read_osm
from lifecircle.io.osm_merge import merge_points_into_areas
from lifecircle.model import Facility
from lifecircle.taxonomy import load_taxonomy
from tests.conftest import DATA
from tests.sketch import lonlat


def box(x0: float, y0: float, x1: float, y1: float) -> str:
    corners = [lonlat(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]
    return "POLYGON ((" + ", ".join(f"{lon} {lat}" for lon, lat in corners) + "))"


def point(source_id: str, code: str, x: float, y: float, name: str = "", **fields) -> Facility:
    return Facility(source_id, name, code, *lonlat(x, y), **fields)


def area(source_id: str, code: str, outline: str, name: str = "", **fields) -> Facility:
    return Facility(source_id, name, code, *lonlat(20, 20), outline_wkt=outline, **fields)


def test_a_pharmacy_node_in_its_building_is_one_pharmacy_with_the_richer_record():
    node = point("osm:node/1", "pharmacy", 10, 10, "益丰大药房", phone="025-8", opening_hours="8")
    building = area("osm:way/2", "pharmacy", box(0, 0, 40, 40), "益丰大药房（新街口店）")
    merged, pairs = merge_points_into_areas([node, building])
    (one,) = merged
    assert one.source_id == "osm:node/1" and one.phone == "025-8"  # the richer record
    assert one.outline_wkt == building.outline_wkt and (one.lon, one.lat) == lonlat(20, 20)
    assert one.extra["merged"] == "osm:way/2"
    assert [(p.kept, p.dropped) for p in pairs] == [("osm:node/1", "osm:way/2")]


def test_the_area_keeps_its_record_and_takes_the_missing_fields():
    node = point("osm:node/1", "library", 10, 10, "", phone="025-1")
    hall = area("osm:way/2", "library", box(0, 0, 40, 40), "南京图书馆", address="中山东路189号")
    (one,), _ = merge_points_into_areas([node, hall])
    assert (one.source_id, one.name, one.address, one.phone) == (
        "osm:way/2", "南京图书馆", "中山东路189号", "025-1",
    )  # fmt: skip


def test_a_stop_node_beside_its_platform_is_one_stop():
    platform = area("osm:way/5", "bus_stop", box(0, 10, 60, 14), "新街口")
    stop = point("osm:node/6", "bus_stop", 30, 0, "新街口")  # on the road, 10 m off
    far_stop = point("osm:node/7", "bus_stop", 30, -25, "新街口")  # the other direction's
    merged, pairs = merge_points_into_areas([platform, stop, far_stop])
    assert sorted(f.source_id for f in merged) == ["osm:node/7", "osm:way/5"]
    assert len(pairs) == 1


@pytest.mark.parametrize(
    "others",
    [
        [point("osm:node/1", "catering", 10, 10, "食堂")],  # another type
        [point("osm:node/1", "pharmacy", 10, 10, "老百姓大药房")],  # another name
        [  # two different pharmacies in one unnamed building
            point("osm:node/1", "pharmacy", 10, 10, "老百姓大药房"),
            point("osm:node/3", "pharmacy", 30, 30, "益丰大药房"),
        ],
        [point("osm:node/1", "pharmacy", 10, 80, "国大药房")],  # 40 m away
    ],
)
def test_points_that_are_other_facilities_stay(others):
    named = "国大药房" if others[0].name != "国大药房" else ""
    building = area("osm:way/2", "pharmacy", box(0, 0, 40, 40), named if len(others) == 1 else "")
    merged, pairs = merge_points_into_areas([*others, building])
    assert len(merged) == len(others) + 1 and pairs == ()


def _taxonomy_match():
    taxonomy = load_taxonomy()

    def match(tags: Mapping[str, str]) -> str | None:
        found = taxonomy.match_osm(tags)
        return found.code if found is not None else None

    return match


@pytest.mark.parametrize(
    ("name", "before", "after", "pair"),
    [
        ("nanjing_xinjiekou", 324, 318, ("osm:way/94327966", "osm:node/3833385921")),
        ("beijing_wudaokou_tsinghua", 283, 276, ("osm:way/488681528", "osm:node/4809750294")),
    ],
)
def test_real_extracts_count_each_mapped_twice_facility_once(name, before, after, pair):
    extract = read_osm(DATA / "osm" / f"{name}.osm.bz2", match_type=_taxonomy_match())
    assert len(extract.facilities) + len(extract.merged) == before
    assert len(extract.facilities) == after
    kept = {f.source_id: f for f in extract.facilities}
    assert pair[1] not in kept and pair[1] in kept[pair[0]].extra["merged"].split(";")
    again, pairs = merge_points_into_areas(extract.facilities)
    assert pairs == () and len(again) == after  # nothing left to merge
