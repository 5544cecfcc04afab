"""Grids: importing them from GeoJSON or a sheet, and routing a place to its grid.

Distances are checked by hand: at 39.1° N one degree of longitude is 111,320 × cos 39.1° ≈
86,370 m, one degree of latitude ≈ 111,000 m.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lifecircle.desk.grids import GridIndex, checked_route, import_grids, route_to
from lifecircle.errors import BadRowsError, DeskError, LocationError
from tests.desk.conftest import COMPOUNDS, GRIDS, file

COMPOUNDS_BY_KEY = {c.key: c for c in COMPOUNDS}


@pytest.fixture
def index() -> GridIndex:
    return GridIndex(GRIDS, COMPOUNDS_BY_KEY)


def test_a_point_in_the_square_goes_to_its_grid(index: GridIndex):
    route = index.route(lon=117.1910, lat=39.1095)
    assert (route.grid.code, route.microgrid, route.outside_m) == ("G1", None, None)
    assert route.community == "桃园社区" and route.subdistrict == "桃园街道"


def test_a_compound_listed_by_a_microgrid_goes_to_the_microgrid_and_its_grid(index: GridIndex):
    route = index.route(lon=None, lat=None, compound_key="sheet:test:C1")
    assert (route.grid.code, route.microgrid.code) == ("G1", "G1-1")
    # and its point too: 桃园里's point lies inside the micro-grid's 40 m disc
    route = index.route(lon=117.1899, lat=39.1090)
    assert (route.grid.code, route.microgrid.code) == ("G1", "G1-1")


def test_a_grid_without_outline_is_the_compounds_it_lists(index: GridIndex):
    # 华苑 at 117.1950; 20 m east of it is still inside its 40 m disc
    assert index.route(lon=117.1950 + 20 / 86_370, lat=39.1100).grid.code == "G2"


def test_outside_every_grid_goes_to_the_nearest_and_says_how_far(index: GridIndex):
    # 117.2000 is 0.005° = ~432 m east of 华苑; minus the 40 m disc: ~392 m outside G2
    route = index.route(lon=117.2000, lat=39.1100)
    assert route.grid.code == "G2"
    assert route.outside_m == pytest.approx(0.005 * 86_370 - 40, abs=3)


def test_far_outside_is_refused(index: GridIndex):
    with pytest.raises(LocationError) as info:
        checked_route(index, lon=117.30, lat=39.1100, max_outside_m=1000)
    assert info.value.msg.key == "error.desk.outside_grids"
    assert "117.300000,39.110000" in str(info.value) and "二网格" in str(info.value)
    assert "check the place" in str(info.value)
    # 1 km is the line: 117.2000 (~392 m outside) passes
    assert checked_route(index, lon=117.2000, lat=39.1100, max_outside_m=1000).grid.code == "G2"


def test_routing_by_code_names_the_known_grids(index: GridIndex):
    assert route_to(index, "G1-1").grid.code == "G1"
    with pytest.raises(DeskError) as info:
        route_to(index, "G9")
    assert info.value.field == "grid" and "G1" in str(info.value)


def _write(path: Path, features: list[dict]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def _square(lon: float, lat: float, side: float) -> dict:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_geojson_file_replaces_the_grids_in_one_write(desk, tmp_path):
    path = _write(
        tmp_path / "网格.geojson",
        [
            {
                "type": "Feature",
                "properties": {
                    "网格编码": "G1",
                    "网格名称": "一网格",
                    "社区": "桃园社区",
                    "街道": "桃园街道",
                },
                "geometry": _square(117.188, 39.108, 0.004),
            },
            {
                "type": "Feature",
                "properties": {
                    "网格编码": "G1-2",
                    "网格名称": "一网格2号",
                    "类型": "微网格",
                    "所属网格": "G1",
                    "包含小区": ["桃园西里"],
                },
                "geometry": None,
            },
            {
                "type": "Feature",
                "properties": {"网格编码": "G3", "网格名称": "三网格", "社区": "华苑社区"},
                "geometry": _square(117.194, 39.109, 0.002),
            },
        ],
    )
    _, changes = import_grids(desk.store, path, author="test", now_s=desk.now())
    assert (changes.added, changes.changed, changes.retired) == (
        ("G1-2", "G3"),
        ("G1",),
        ("G1-1", "G2"),
    )
    stored = {g.code: g for g in desk.store.grids.all()}
    assert set(stored) == {"G1", "G1-2", "G3"}
    assert stored["G1-2"].compounds == ("sheet:test:C3",)
    assert stored["G1-2"].community == "桃园社区"  # from its grid
    assert desk.store.grids.get("G2").retired  # kept for old cases, no longer routed
    # the routing index follows the import
    assert desk.grid_index().route(lon=117.1885, lat=39.1100).microgrid.code == "G1-2"
    audit = desk.store.accounts.audit(limit=1)[0]
    assert (audit.action, audit.detail["added"], audit.detail["retired"]) == (
        "desk.grids.import",
        2,
        2,
    )


def test_a_sheet_listing_compounds_per_grid(desk, tmp_path):
    path = tmp_path / "网格.csv"
    path.write_text(
        "网格编码,网格名称,类型,所属网格,社区,街道,包含小区\n"
        "G1,一网格,网格,,桃园社区,桃园街道,桃园里、桃园西里\n"
        "G2,二网格,网格,,华苑社区,桃园街道,华苑\n",
        encoding="utf-8",
    )
    grids, _ = import_grids(desk.store, path, author="test", now_s=desk.now())
    assert [(g.code, g.compounds) for g in grids] == [
        ("G1", ("sheet:test:C1", "sheet:test:C3")),
        ("G2", ("sheet:test:C2",)),
    ]


def test_bad_rows_are_named_and_nothing_is_imported(desk, tmp_path):
    path = tmp_path / "网格.csv"
    path.write_text(
        "网格编码,网格名称,类型,所属网格,社区,包含小区\n"
        "G1,一网格,网格,,桃园社区,桃园里\n"
        ",无编码,网格,,桃园社区,华苑\n"
        "G5,五网格,楼院,,桃园社区,华苑\n"
        "G6,六网格,微网格,G9,桃园社区,华苑\n"
        "G7,七网格,网格,,桃园社区,桃园襄里\n",
        encoding="utf-8",
    )
    before = {g.code for g in desk.store.grids.all()}
    with pytest.raises(BadRowsError) as info:
        import_grids(desk.store, path, author="test", now_s=desk.now())
    lines = [str(p) for p in info.value.problems]
    assert lines[0].startswith("网格.csv, row 3, column '网格编码': missing grid code")
    assert any("row 4" in line and "网格 (grid) or 微网格" in line for line in lines)
    assert any("row 5" in line and "'G9' is not in the file" in line for line in lines)
    assert any(
        "row 6" in line and "桃园襄里" in line and "closest: 桃园里, 桃园西里" in line
        for line in lines
    )
    assert {g.code for g in desk.store.grids.all()} == before


def test_a_grid_with_open_cases_cannot_disappear(desk, tmp_path):
    file(desk, compound="华苑", category="sanitation")
    path = _write(
        tmp_path / "g.geojson",
        [
            {
                "type": "Feature",
                "properties": {"网格编码": "G1", "网格名称": "一网格"},
                "geometry": _square(117.188, 39.108, 0.004),
            }
        ],
    )
    with pytest.raises(DeskError) as info:
        import_grids(desk.store, path, author="test", now_s=desk.now())
    assert info.value.msg.key == "error.desk.grids_in_use" and "G2 (1)" in str(info.value)
    assert {g.code for g in desk.store.grids.all()} == {"G1", "G1-1", "G2"}
