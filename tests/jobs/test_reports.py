"""The gap report on real Chinese OSM (Beijing 五道口): "not collected" is not "missing".

OSM holds no 社区卫生服务站 and no 早餐店 in the extract; until a sheet is declared complete for
them they are 未采集 in every row and summary, and after it the compounds without one within
the level are gaps. The one sheet row is invented for the test and says so.
"""

from __future__ import annotations

import pytest

from lifecircle.engine.coverage import WHOLE_AREA
from lifecircle.jobs.build import build
from lifecircle.jobs.imports import import_sheet
from lifecircle.jobs.reports import access_lines, gap_report
from tests.conftest import DATA

BEIJING = DATA / "osm" / "beijing_wudaokou.osm.pbf"
#: An invented station in the east of the extract, ~170 m from 西王庄小区's gate (the sheet row
#: says it is not real).
STATION = (116.33090, 39.99700)


@pytest.fixture(scope="module")
def beijing(tmp_path_factory):
    from lifecircle.jobs.imports import import_osm
    from lifecircle.project import init_project

    project = init_project(tmp_path_factory.mktemp("bj") / "p", name="北京五道口（测试）")
    import_osm(project, BEIJING, author="test")
    return project


def _report(project):
    data, results = build(project, ("standard",))
    return data, results, gap_report(data, results, taxonomy=project.taxonomy())


def test_types_osm_lacks_are_not_collected_not_missing(beijing):
    data, results, report = _report(beijing)
    unknown = {u.type for u in report.not_collected}
    assert {"community_health_station", "breakfast_shop"} <= unknown
    assert "bus_stop" not in unknown and "kindergarten" not in unknown  # OSM has those here
    rows = [r for r in report.rows if r.type == "community_health_station"]
    assert len(rows) == len(data.compounds) == 9
    assert {(r.reach, r.missing) for r in rows} == {("not_collected", False)}
    assert not unknown & {m.type for m in report.top_missing}
    by_type = {c.type: c for c in report.by_type if c.group == WHOLE_AREA}
    assert by_type["community_health_station"].share_residents is None
    assert by_type["bus_stop"].collected and by_type["bus_stop"].compounds_within > 0
    health = next(c for c in report.coverage if c.content_area == "health")
    assert "community_health_station" in health.not_collected
    lines = access_lines(results["standard"], 0, data=data, taxonomy=beijing.taxonomy())
    assert {line.reach for line in lines if line.type in unknown} == {"not_collected"}


def test_declaring_the_types_complete_turns_them_into_gaps(beijing, tmp_path):
    sheet = tmp_path / "卫生站.csv"
    sheet.write_text(
        "名称,类型,经度,纬度,备注\n"
        f"【示例】卫生服务站（测试数据）,社区卫生服务站,{STATION[0]},{STATION[1]},编造的测试数据\n",
        encoding="utf-8",
    )
    import_sheet(
        beijing, "facilities", sheet, complete_types=["社区卫生服务站", "早餐店"], author="test"
    )
    data, _, report = _report(beijing)
    unknown = {u.type for u in report.not_collected}
    assert not {"community_health_station", "breakfast_shop"} & unknown
    breakfast = [r for r in report.rows if r.type == "breakfast_shop"]
    assert {(r.reach, r.missing) for r in breakfast} == {("missing", True)}  # none at all
    station = [r for r in report.rows if r.type == "community_health_station"]
    reaches = {r.reach for r in station}
    assert reaches == {"within", "missing"}  # near compounds reach it, the others lack it
    near = [r for r in station if r.reach == "within"]
    assert all(r.nearest_min is not None and r.nearest_min <= 10 for r in near)
    top = {m.type for m in report.top_missing}
    assert "breakfast_shop" in top
    by_type = {c.type: c for c in report.by_type if c.group == WHOLE_AREA}
    assert 0 < by_type["community_health_station"].compounds_within < len(data.compounds)
