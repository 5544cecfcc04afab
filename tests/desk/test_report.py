"""The monthly report from the store: figures by cut, scope, the overdue list, and the XLSX."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from lifecircle.desk.metrics import Rate
from lifecircle.desk.report import build_report, month_period, report_json, write_report
from lifecircle.errors import DeskError
from tests.desk.conftest import at, file, step


@pytest.fixture
def month(desk, user, clock):
    """Four cases in November: two handled (one late), one overdue, one on G2 with a 吹哨."""
    wang, li = user("wang"), user("li")
    a = file(desk, category="sanitation")
    b = file(desk, category="sanitation")
    c = file(desk, category="sanitation", compound="华苑")
    d = file(desk, category="sanitation", compound="华苑", summary='=HYPERLINK("http://x","y")')
    clock.set("2026-11-03 09:00")
    step(desk, wang, a, "finish", note="已清运")  # due 11-09 09:00: on time
    step(desk, li, c, "whistle", departments=("property",), note="物业")
    clock.set("2026-11-04 08:00")
    step(desk, li, c, "report_in", department="property")  # due 11-03 09:00 + 24 h: on time
    clock.set("2026-11-12 09:00")
    step(desk, wang, b, "finish", note="已清运")  # due 11-09 09:00: late
    clock.set("2026-12-01 09:00")
    desk.overdue_ids = {c.id, d.id}  # type: ignore[attr-defined]
    return desk


def test_the_month_s_figures_by_cut(month):
    report = build_report(month, "2026-11")
    f = report.overall
    # 4 received, all by phone and answered at once; due to be handled: a and b (handled),
    # c and d (due 11-09, unhandled) → 4, on time a → 1/4; overdue now c, d
    assert (f["received"], f["response_rate"], f["due_done"]) == (4, Rate(4, 4), 4)
    assert (f["on_time_rate"], f["overdue"]) == (Rate(1, 4), 2)
    grids = {r.key: r for r in report.cuts["grid"]}
    assert (grids["G1"].name, grids["G1"].figures["on_time_rate"]) == ("一网格", Rate(1, 2))
    assert grids["G2"].figures["overdue"] == 2
    assert [r.key for r in report.cuts["community"]] == ["华苑社区", "桃园社区"]
    assert [(r.key, r.name) for r in report.cuts["category"]] == [("sanitation", "环境卫生")]
    ((dept),) = report.departments
    assert (dept.key, dept.figures["report_rate"]) == ("property", Rate(1, 1))
    assert [r.key for r in report.trend][-2:] == ["2026-10", "2026-11"]
    assert report.trend[-1].figures["received"] == 4 and report.trend[0].figures["received"] == 0
    assert {c["id"] for c in report.overdue} == month.overdue_ids


def test_a_grid_worker_s_report_holds_only_their_grid(month):
    report = build_report(month, "2026-11", scope=(("grid", frozenset({"G2"})), True))
    assert report.overall["received"] == 2
    assert [r.key for r in report.cuts["grid"]] == ["G2"]
    assert {c["grid"] for c in report.overdue} == {"G2"}


def test_the_json_puts_each_definition_beside_its_figure(month):
    body = report_json(build_report(month, "2026-11", lang="en"), "en", month)
    assert body["overall"]["on_time_rate"] == {"n": 1, "d": 4, "value": 0.25}
    assert body["definitions"]["on_time_rate"]["label"] == "on-time rate"
    assert "approved extensions included" in body["definitions"]["on_time_rate"]["definition"]
    assert body["from"] == "2026-11-01T00:00:00+08:00" and body["to"] == "2026-12-01T00:00:00+08:00"


def test_the_workbook_has_every_sheet_and_keeps_text_as_text(month, tmp_path):
    report = build_report(month, "2026-11")
    path = write_report(report, tmp_path / "report.xlsx", month)
    book = load_workbook(path)
    assert book.sheetnames == [
        "说明",
        "总览",
        "按网格",
        "按社区",
        "按街道",
        "按类别",
        "按月",
        "部门报到",
        "超期",
        "即将超期",
    ]
    about = [[c.value for c in row] for row in book["说明"].iter_rows()]
    assert [
        "按期办结率",
        about[next(i for i, r in enumerate(about) if r[0] == "按期办结率")][1],
    ] in about
    overall = book["总览"]
    header = [c.value for c in overall[1]]
    column = header.index("按期办结率")
    assert (
        overall.cell(2, column + 1).value == 0.25
        and overall.cell(2, column + 1).number_format == "0.0%"
    )
    assert overall.cell(2, column + 2).value == "1/4"
    # the resident-facing text "=HYPERLINK(...)" is never a formula
    cells = [c for row in book["按网格"].iter_rows() for c in row] + [
        c for row in book["超期"].iter_rows() for c in row
    ]
    assert all(c.data_type != "f" for c in cells)


def test_a_bad_month_is_refused(desk):
    with pytest.raises(DeskError) as info:
        build_report(desk, "2026-13")
    assert info.value.field == "month"
    assert month_period("2026-12", desk) == (at("2026-12-01 00:00"), at("2027-01-01 00:00"))
