"""月探访率 and overdue counts on a hand-built November, kept when a person is forgotten."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from lifecircle.care.context import Care
from lifecircle.care.rates import month_figures, rates_json, write_rates
from lifecircle.care.register import PersonIn, add_person
from lifecircle.care.rights import forget_person
from lifecircle.care.visits import VisitIn, log_visit
from tests.care.conftest import PEOPLE, person_id
from tests.desk.conftest import Clock


def build_november(care: Care, staff, clock: Clock) -> None:
    """The month, by hand.

    - 李秀英 (key) reached on 10-31 (October: not November's), not reached on 11-05;
    - 王桂兰 (high) reached by phone on 11-02; 张淑珍 (general) in person on 11-20;
    - 赵大爷 registered on 11-10 (joined during the month: not counted in November).
    The report is made on 12-05, so it counts at the month's end, 12-01 00:00.
    """
    clock.set("2026-10-31 15:00")
    log_visit(care, staff("wang"), VisitIn(person_id(care, "李秀英"), "in_person", "well"))
    clock.set("2026-11-02 09:30")
    log_visit(care, staff("zhao"), VisitIn(person_id(care, "王桂兰"), "phone", "well"))
    clock.set("2026-11-05 10:00")
    log_visit(care, staff("wang"), VisitIn(person_id(care, "李秀英"), "phone", "not_reached"))
    clock.set("2026-11-10 10:00")
    add_person(care, PersonIn(**{**PEOPLE["张淑珍"].__dict__, "name": "赵大爷"}), by="test")
    clock.set("2026-11-20 16:00")
    log_visit(care, staff("li"), VisitIn(person_id(care, "张淑珍"), "in_person", "well"))
    clock.set("2026-12-05 09:00")


def table(care: Care) -> dict[tuple[str, str], tuple[int, int, float | None, int]]:
    return {
        (r["level"], r["code"]): (r["on_register"], r["visited"], r["rate_pct"], r["overdue"])
        for r in rates_json(month_figures(care, "2026-11"))
    }


EXPECTED = {
    # on the register, visited, rate %, overdue at 12-01 00:00
    ("total", ""): (3, 2, 66.7, 2),  # 王桂兰 due 11-09, 李秀英 due by the end of 11-30
    ("grid", "G1"): (2, 1, 50.0, 2),
    ("grid", "G2"): (1, 1, 100.0, 0),  # 张淑珍 next due 2027-02-20
    ("community", "桃园社区"): (2, 1, 50.0, 2),
    ("community", "华苑社区"): (1, 1, 100.0, 0),
    ("subdistrict", "桃园街道"): (3, 2, 66.7, 2),
}


def test_the_monthly_rate_of_a_hand_built_month(care: Care, staff, clock: Clock) -> None:
    build_november(care, staff, clock)
    assert table(care) == EXPECTED


def test_forgetting_a_person_keeps_the_counts(care: Care, staff, clock: Clock) -> None:
    build_november(care, staff, clock)
    forget_person(care, staff("boss"), person_id(care, "张淑珍"), reason="request")
    assert table(care) == EXPECTED


def test_a_micro_grid_head_counts_only_its_own_people(care: Care, staff, clock: Clock) -> None:
    build_november(care, staff, clock)
    figures = rates_json(month_figures(care, "2026-11", user=staff("zhao")))
    assert figures[0] == {
        "level": "total",
        "code": "",
        "on_register": 1,
        "visited": 1,
        "rate_pct": 100.0,
        "overdue": 1,
    }


def test_the_report_holds_counts_and_definitions_never_names(
    care: Care, staff, clock: Clock, tmp_path: Path
) -> None:
    build_november(care, staff, clock)
    out = write_rates(care, month_figures(care, "2026-11"), tmp_path / "care.xlsx", month="2026-11")
    book = load_workbook(out)
    rates = book["月探访率"]
    assert [c.value for c in rates[2]][:7] == ["合计", None, None, 3, 2, 2 / 3, 2]
    cells = " ".join(str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row)
    assert "已探访人数 ÷ 应探访人数" in cells
    assert not any(name in cells for name in ("王桂兰", "李秀英", "张淑珍", "1381234"))
