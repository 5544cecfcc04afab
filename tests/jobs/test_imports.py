"""Import use cases end to end on a real small OSM extract plus hand-written sheets."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lifecircle.errors import (
    BadRowsError,
    ConfigError,
    LocationError,
    RemovalError,
    UnknownTypeError,
)
from lifecircle.jobs.area import read_area
from lifecircle.jobs.imports import FEW_REMOVALS, import_osm, import_sheet
from lifecircle.model import CompleteType, Compound, Facility, WalkWay
from tests.conftest import DATA, SMALL_OSM

HEADER = ["编号", "名称", "类型", "经度", "纬度", "地址", "电话"]


def _street_points(project, n):
    """n distinct points that lie on walkable ways of the imported network."""
    with project.open_store() as store:
        ways = sorted(
            (w for w in store.records("walk_way") if isinstance(w, WalkWay)), key=lambda w: w.osm_id
        )
    return [way.coords[len(way.coords) // 2] for way in ways[:: max(1, len(ways) // n)]][:n]


def _write_csv(path: Path, rows, header=HEADER, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def osm_project(make_project):
    return make_project(osm=SMALL_OSM)


def test_osm_import_makes_one_version_and_reimport_changes_nothing(osm_project):
    with osm_project.open_store() as store:
        assert len(store.versions()) == 1
        assert store.count("walk_way") > 100
        assert store.count("compound") > 0  # derived: no compound sheet
    again = import_osm(osm_project, SMALL_OSM)
    assert again.version is None and again.summary.is_empty


def test_facility_sheet_import_diff_and_idempotence(osm_project, tmp_path):
    (a, b, c) = _street_points(osm_project, 3)
    rows = [
        ["F1", "幼儿园甲", "幼儿园", a[0], a[1], "路1号", "022-1"],
        ["F2", "药店乙", "药店", b[0], b[1], "路2号", ""],
        ["F3", "老人家食堂丙", "老人家食堂", c[0], c[1], "", ""],
    ]
    sheet = _write_csv(tmp_path / "设施.csv", rows, encoding="gb18030")
    first = import_sheet(osm_project, "facilities", sheet)
    assert first.version is not None
    [kind] = first.summary.kinds
    assert len(kind.added) == 3
    assert import_sheet(osm_project, "facilities", sheet).version is None
    rows[1][6] = "022-2"
    del rows[2]
    second = import_sheet(osm_project, "facilities", _write_csv(sheet, rows))
    [kind] = second.summary.kinds
    assert (len(kind.added), len(kind.changed), len(kind.removed)) == (0, 1, 1)
    with osm_project.open_store() as store:
        names = {f.name for f in store.records("facility", scope="sheet:设施")}
        assert names == {"幼儿园甲", "药店乙"}
        assert store.count("facility", scope="osm") > 0  # OSM facilities untouched


def test_bad_rows_import_nothing_and_name_file_row_column(osm_project, tmp_path):
    (a, b) = _street_points(osm_project, 2)
    rows = [
        ["F1", "幼儿园甲", "幼儿园", a[0], a[1], "", ""],
        ["F2", "药店乙", "幼儿圆", b[0], b[1], "", ""],  # typo in the type
        ["F3", "无坐标", "药店", "", b[1], "", ""],
    ]
    sheet = _write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(BadRowsError) as info:
        import_sheet(osm_project, "facilities", sheet)
    problems = {p.row: p for p in info.value.problems}
    assert set(problems) == {3, 4}
    assert problems[3].file == "bad.csv" and problems[3].column == "类型"
    assert "幼儿园" in problems[3].message  # the closest known type is suggested
    assert problems[4].column == "经度"
    with osm_project.open_store() as store:
        assert store.count("facility", scope="sheet:bad") == 0
        assert len(store.versions()) == 1


def test_skip_bad_rows_imports_the_rest_and_keeps_existing(osm_project, tmp_path):
    (a, b) = _street_points(osm_project, 2)
    good = [
        ["F1", "幼儿园甲", "幼儿园", a[0], a[1], "", ""],
        ["F2", "药店乙", "药店", b[0], b[1], "", ""],
    ]
    sheet = _write_csv(tmp_path / "s.csv", good)
    import_sheet(osm_project, "facilities", sheet)
    broken = [good[0], ["F2", "药店乙", "药店", "abc", b[1], "", ""]]
    report = import_sheet(osm_project, "facilities", _write_csv(sheet, broken), skip_bad_rows=True)
    assert [p.row for p in report.skipped] == [3]
    assert report.removals_held
    with osm_project.open_store() as store:
        assert store.count("facility", scope="sheet:s") == 2  # F2 not removed by its bad row


def test_dry_run_writes_nothing(osm_project, tmp_path):
    (a,) = _street_points(osm_project, 1)
    sheet = _write_csv(tmp_path / "d.csv", [["F1", "药店", "药店", a[0], a[1], "", ""]])
    report = import_sheet(osm_project, "facilities", sheet, dry_run=True)
    assert report.dry_run and report.version is None and not report.summary.is_empty
    with osm_project.open_store() as store:
        assert store.count("facility", scope="sheet:d") == 0


def test_outside_and_swapped_points_are_bad_rows(osm_project, tmp_path):
    (a,) = _street_points(osm_project, 1)
    rows = [["F1", "外地", "药店", 117.2, 39.1, "", ""], ["F2", "颠倒", "药店", a[1], a[0], "", ""]]
    with pytest.raises(BadRowsError) as info:
        import_sheet(osm_project, "facilities", _write_csv(tmp_path / "o.csv", rows))
    problems = sorted(info.value.problems, key=lambda p: p.row)
    assert [p.row for p in problems] == [2, 3]
    assert "swapped" in problems[1].hint


def test_gcj02_sheet_on_chinese_streets_is_caught(make_project, tmp_path):
    project = make_project(osm=DATA / "osm" / "hexi_synthetic.osm")
    points = _street_points(project, 4)
    from lifecircle.geo import wgs84_to_gcj02

    rows = []
    for n, (lon, lat) in enumerate(points):
        glon, glat = wgs84_to_gcj02(lon, lat)
        rows.append(
            [f"F{n}", f"设施{n}", "药店", f"{float(glon):.7f}", f"{float(glat):.7f}", "", ""]
        )
    sheet = _write_csv(tmp_path / "amap.csv", rows)
    with pytest.raises(LocationError, match="--crs gcj02"):
        import_sheet(project, "facilities", sheet)  # declared WGS-84 by default
    report = import_sheet(project, "facilities", sheet, crs="gcj02")
    assert report.version is not None
    with project.open_store() as store:
        stored = {
            f.name: f
            for f in store.records("facility", scope="sheet:amap")
            if isinstance(f, Facility)
        }
    for n, (lon, lat) in enumerate(points):
        assert abs(stored[f"设施{n}"].lon - lon) < 1e-5 and abs(stored[f"设施{n}"].lat - lat) < 1e-5


def test_compound_sheet_replaces_derived_compounds(osm_project, tmp_path):
    (a, b) = _street_points(osm_project, 2)
    header = ["名称", "所属社区", "经度", "纬度", "户数", "人口", "60岁以上", "0-6岁", "出入口"]
    rows = [["一号小区", "甲社区", a[0], a[1], 300, 800, 200, 40, f"{a[0]},{a[1]};{b[0]},{b[1]}"]]
    report = import_sheet(osm_project, "compounds", _write_csv(tmp_path / "c.csv", rows, header))
    kinds = {k.kind: k for k in report.summary.kinds}
    assert len(kinds["compound"].added) == 1 and len(kinds["compound"].removed) > 0
    with osm_project.open_store() as store:
        [compound] = [c for c in store.records("compound") if isinstance(c, Compound)]
    assert (compound.residents, compound.elderly, len(compound.entrances)) == (800, 200, 2)
    assert compound.estimate_method is None
    # a later OSM re-import keeps the sheet's compounds instead of deriving new ones
    assert import_osm(osm_project, SMALL_OSM).summary.is_empty


# -- removals need --replace; complete types; hints in the area's own numbers (issue 12) --------


def _pharmacies(points):
    return [[f"F{n}", f"药店{n}", "药店", lon, lat, "", ""] for n, (lon, lat) in enumerate(points)]


def test_a_header_only_sheet_cannot_silently_empty_a_dataset(osm_project, tmp_path):
    sheet = _write_csv(tmp_path / "s.csv", _pharmacies(_street_points(osm_project, 3)))
    import_sheet(osm_project, "facilities", sheet)
    empty = _write_csv(tmp_path / "s.csv", [])  # the header row only
    with pytest.raises(RemovalError) as caught:
        import_sheet(osm_project, "facilities", empty)
    assert "remove 3 of the 3 stored records" in str(caught.value) and "--replace" in str(
        caught.value
    )
    assert "删除数据集「s」已有 3 条记录中的 3 条" in caught.value.message("zh")
    with osm_project.open_store() as store:
        assert store.count("facility", scope="sheet:s") == 3 and len(store.versions()) == 2
    dry = import_sheet(osm_project, "facilities", empty, dry_run=True)  # shows it, refuses nothing
    assert (dry.needs_replace, dry.removed_rows, dry.stored_rows) == (True, 3, 3)
    done = import_sheet(osm_project, "facilities", empty, replace=True)
    assert done.version is not None and done.needs_replace
    with osm_project.open_store() as store:
        assert store.count("facility", scope="sheet:s") == 0


def test_removing_a_few_rows_needs_no_replace_but_many_do(osm_project, tmp_path):
    points = _street_points(osm_project, FEW_REMOVALS + 4)
    rows = _pharmacies(points)
    import_sheet(osm_project, "facilities", _write_csv(tmp_path / "m.csv", rows))
    few = import_sheet(osm_project, "facilities", _write_csv(tmp_path / "m.csv", rows[2:]))
    assert (few.removed_rows, few.needs_replace) == (2, False)  # two closed: an ordinary update
    with pytest.raises(RemovalError):
        import_sheet(osm_project, "facilities", _write_csv(tmp_path / "m.csv", rows[-1:]))


def test_a_compound_sheet_replacing_derived_compounds_needs_no_replace(osm_project, tmp_path):
    (a,) = _street_points(osm_project, 1)
    header = ["名称", "经度", "纬度"]
    report = import_sheet(
        osm_project, "compounds", _write_csv(tmp_path / "c.csv", [["一号", a[0], a[1]]], header)
    )
    assert report.removed_rows == 0 and not report.needs_replace  # derived ones are not its rows


def test_complete_types_are_declared_with_the_import_and_kept_across_reimports(
    osm_project, tmp_path
):
    rows = _pharmacies(_street_points(osm_project, 2))
    sheet = _write_csv(tmp_path / "社区设施.csv", rows)
    first = import_sheet(
        osm_project, "facilities", sheet, complete_types=["早餐店", "community_health_station"]
    )
    assert {k.kind: len(k.added) for k in first.summary.kinds} == {
        "facility": 2,
        "complete_type": 2,
    }
    with osm_project.open_store() as store:
        declared = [d for d in store.records("complete_type") if isinstance(d, CompleteType)]
        assert len(store.versions()) == 2  # one version: facilities and declarations together
    assert {(d.type_code, d.dataset, d.source) for d in declared} == {
        ("breakfast_shop", "社区设施", "社区设施.csv"),
        ("community_health_station", "社区设施", "社区设施.csv"),
    }
    again = import_sheet(osm_project, "facilities", _write_csv(sheet, rows[:1]))
    assert [k.kind for k in again.summary.kinds] == ["facility"]  # declarations untouched
    area = read_area(osm_project)
    assert {"breakfast_shop", "community_health_station", "pharmacy"} <= area.collected_types
    assert area.complete_types == {"breakfast_shop", "community_health_station"}


def test_complete_types_are_checked_before_anything_is_written(osm_project, tmp_path):
    sheet = _write_csv(tmp_path / "x.csv", _pharmacies(_street_points(osm_project, 1)))
    with pytest.raises(UnknownTypeError, match="早饭铺"):
        import_sheet(osm_project, "facilities", sheet, complete_types=["早饭铺"])
    with pytest.raises(ConfigError, match="--complete-types is for facility sheets"):
        import_sheet(osm_project, "compounds", sheet, complete_types=["早餐店"])
    with osm_project.open_store() as store:
        assert len(store.versions()) == 1


def test_the_swapped_hint_speaks_of_the_areas_own_coordinates(osm_project, tmp_path):
    (a,) = _street_points(osm_project, 1)  # south-east Finland: lon ~26.9, lat ~60.5
    rows = [["F1", "颠倒", "药店", a[1], a[0], "", ""]]  # lat 60.5 read as lon: still on Earth
    rows.append(["F2", "超界", "药店", 26.95, 126.95, "", ""])  # latitude out of range
    with pytest.raises(BadRowsError) as info:
        import_sheet(osm_project, "facilities", _write_csv(tmp_path / "h.csv", rows))
    hint = next(p for p in info.value.problems if p.row == 3).render("zh")
    assert "本区域经度约 26.9、纬度约 60.5" in hint and "117" not in hint


def test_free_text_hours_are_kept_and_reported_and_progress_is_told(osm_project, tmp_path):
    (a, b) = _street_points(osm_project, 2)
    header = [*HEADER, "开放时间"]
    rows = [
        ["F1", "药店甲", "药店", a[0], a[1], "", "", "夏季 8:30-17:00，冬季 9:00-16:30"],
        ["F2", "药店乙", "药店", b[0], b[1], "", "", "周一至周五 8:30-17:00"],  # understood
    ]
    heard = []
    report = import_sheet(
        osm_project,
        "facilities",
        _write_csv(tmp_path / "h.csv", rows, header),
        progress=lambda stage, n: heard.append((stage, n)),
    )
    assert [(f.row, f.label, f.text) for f in report.free_hours] == [
        (2, "药店甲", "夏季 8:30-17:00，冬季 9:00-16:30")
    ]
    assert heard == [("read", 0), ("check", 2), ("write", 2)]
