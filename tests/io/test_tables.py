"""The gap report's files: XLSX opens on its notes; verdicts are words, shares percentages."""

from __future__ import annotations

import csv

import openpyxl

from lifecircle.engine.coverage import coverage_by_area, coverage_by_type, uncollected_types
from lifecircle.engine.gaps import top_missing
from lifecircle.io.tables import GapReport, write_gap_report
from tests.engine.test_gaps import COLLECTED, TAX, compounds, rows

NOTICE = "演示：南京新街口真实 OSM 数据，非天津数据"


def report() -> GapReport:
    found = rows()
    return GapReport(
        rows=found,
        by_type=coverage_by_type(found),
        by_type_community=coverage_by_type(found, group_by="community"),
        coverage=coverage_by_area(found),
        coverage_by_subdistrict=coverage_by_area(found, group_by="subdistrict"),
        top_missing=top_missing(found),
        not_collected=uncollected_types(TAX, COLLECTED),
        circles={},
        conventions=["elderly: 0.9 m/s"],
        data_date="2026-12-01T00:00:00Z",
        notice=NOTICE,
        area_names={a.code: a.name_zh for a in TAX.areas},
        complete_types=frozenset({"breakfast_shop"}),
    )


def _table(sheet):
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_xlsx_opens_on_its_label_and_says_how_coverage_is_counted(tmp_path):
    [path] = write_gap_report(report(), tmp_path / "gaps.xlsx", compounds=compounds())
    book = openpyxl.load_workbook(path)
    notes = book.worksheets[0]
    assert notes.title == "说明" and notes["A1"].value == NOTICE and notes["A1"].font.b
    text = "\n".join(str(c.value) for c in notes["A"])
    assert "未采集" in text and "按居民数加权" in text and "严格口径" in text
    assert book.properties.title == NOTICE
    assert book.sheetnames[1] == "按设施类型覆盖"


def test_per_type_rows_show_not_collected_as_blank_shares_and_say_what_is_declared(tmp_path):
    [path] = write_gap_report(report(), tmp_path / "gaps.xlsx", compounds=compounds())
    sheet = openpyxl.load_workbook(path)["按设施类型覆盖"]
    by_type = {r["设施类型代码"]: r for r in _table(sheet) if r["社区/街道"] == "全部小区"}
    health = by_type["community_health_station"]
    assert (health["已采集"], health["居民覆盖率（按居民数加权）"]) == ("否", None)
    breakfast = by_type["breakfast_shop"]
    assert (breakfast["已声明完整采集"], breakfast["居民覆盖率（按居民数加权）"]) == ("是", 0)
    assert by_type["kindergarten"]["服务内容"] == "教育"  # content areas by their Chinese name
    share_column = next(c for c in sheet[1] if c.value == "居民覆盖率（按居民数加权）").column
    assert sheet.cell(2, share_column).number_format == "0%"


def test_gap_rows_give_the_verdict_in_words(tmp_path):
    [path] = write_gap_report(report(), tmp_path / "gaps.xlsx", compounds=compounds())
    verdicts = {
        (r["小区编号"], r["设施类型代码"]): r["判定"]
        for r in _table(openpyxl.load_workbook(path)["缺口明细"])
    }
    assert verdicts[("c1", "community_health_station")] == "未采集"
    assert verdicts[("c1", "breakfast_shop")] == "缺"
    assert verdicts[("c1", "kindergarten")] == "可达"
    assert verdicts[("c1", "gym")] == "不可达（按需）"


def test_csv_writes_every_summary_and_the_notes_beside_the_rows(tmp_path):
    written = write_gap_report(report(), tmp_path / "gaps.csv", compounds=compounds())
    names = {p.name for p in written}
    assert {"gaps.csv", "gaps_by_type.csv", "gaps_not_collected.csv", "gaps_notes.txt"} <= names
    assert (tmp_path / "gaps_notes.txt").read_text(encoding="utf-8").startswith(NOTICE)
    with (tmp_path / "gaps.csv").open(encoding="utf-8-sig") as handle:
        first = next(csv.DictReader(handle))
    assert first["reach"] in ("within", "missing", "beyond", "not_collected")  # codes for tools
