"""月探访率 and overdue counts on a hand-built November, kept when a person is forgotten."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lifecircle.care.access import scope
from lifecircle.care.context import Care
from lifecircle.care.rates import GROUPS, Figure, month_figures, month_span, rates_json, write_rates
from lifecircle.care.register import PersonIn, add_person
from lifecircle.care.rights import forget_person
from lifecircle.care.schedule import NOT_REACHED, next_due
from lifecircle.care.visits import VisitIn, log_visit
from tests.care.conftest import PEOPLE, person_id
from tests.desk.conftest import Clock, at


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


# --- the SQL count against the Python count it replaced, on a random register --------------

#: Outcomes of visits: ``not_reached`` does not count (and does not restart the interval).
OUTCOMES = ("well", "needs", "unwell", "not_reached")


def python_figures(care: Care, month: str, user=None) -> list[Figure]:
    """The previous count, person by person in Python with :func:`next_due` (the reference).

    Loads every person and visit of the scope and works out each person's due day; kept here
    as the oracle the SQL count must agree with.
    """
    span = month_span(month, care.zone)
    start, end = span
    moment = min(end, care.now() + 1)
    limit = scope(user) if user is not None else None
    people = care.tables.people(
        column=limit[0] if limit else None, values=limit[1] if limit else ()
    )
    visits = care.tables.visits(person_ids=[int(p["id"]) for p in people], until_s=end)
    last: dict[int, int] = {}
    for v in visits:
        if v["outcome"] != NOT_REACHED and int(v["at"]) < moment:
            last[int(v["person_id"])] = max(int(v["at"]), last.get(int(v["person_id"]), 0))
    reached_in = {
        int(v["person_id"])
        for v in visits
        if v["outcome"] != NOT_REACHED and start <= v["at"] < end
    }
    tallies: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in people:
        left = row.get("left_at")
        if not (row["registered_at"] < start and (left is None or left >= end)):
            continue
        changed = row.get("changed_at")
        due = next_due(
            care.config,
            level=row["level"],
            registered_at=row["registered_at"],
            last_reached_at=last.get(int(row["id"])),
            changed_at=changed if (changed or 0) < moment else None,
            zone=care.zone,
        )
        marks = (1, int(row["id"]) in reached_in, due.by_s <= moment)
        for key in [("total", ""), *((g, str(row.get(g) or "")) for g in GROUPS)]:
            for i, mark in enumerate(marks):
                tallies[key][i] += int(mark)
    order = ("total", *GROUPS)
    return [
        Figure(level, code, *tallies[(level, code)])
        for level, code in sorted(tallies, key=lambda k: (order.index(k[0]), k[1]))
    ]


def random_register(care: Care, clock: Clock, seed: int) -> None:
    """60 invented people over the three compounds, registered, changed, left and visited at
    random times between 2026-07 and 2027-01 (visits on day boundaries too)."""
    rng = random.Random(seed)
    first, last = at("2026-07-01 00:00"), at("2027-01-10 00:00")
    levels = [lv.code for lv in care.config.levels]
    for i in range(60):
        base = rng.choice(list(PEOPLE.values()))
        clock.now = rng.randrange(first, at("2026-11-15 00:00"))
        person = PersonIn(**{**base.__dict__, "name": f"示例{i}", "level": rng.choice(levels)})
        pid = add_person(care, person, by="test")
        changes: dict[str, int] = {}
        if rng.random() < 0.3:
            changes["changed_at"] = rng.randrange(clock.now, last)
        if rng.random() < 0.2:
            changes["left_at"] = rng.randrange(clock.now, last)
        if changes:
            care.tables.update_person(pid, changes, [], now_s=clock.now)
        for _ in range(rng.randrange(0, 8)):
            when = rng.randrange(clock.now, last)
            if rng.random() < 0.2:  # exactly on a local midnight
                when = at(dt.datetime.fromtimestamp(when, care.zone).strftime("%Y-%m-%d 00:00"))
            care.tables.add_visit(
                {"uid": f"v{i}-{_}-{when}", "person_id": pid, "at": when, "mode": "phone",
                 "outcome": rng.choice(OUTCOMES), "by_user": "test"},
                [], now_s=when,
            )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_count_equals_the_python_count_on_a_random_register(
    care: Care, staff, clock: Clock, seed: int
) -> None:
    random_register(care, clock, seed)
    for now in ("2026-10-15 12:00", "2026-11-30 23:59", "2026-12-01 00:00", "2027-01-20 09:00"):
        clock.set(now)
        for month in ("2026-08", "2026-10", "2026-11", "2026-12"):
            for user in (None, staff("zhao"), staff("wang"), staff("li"), staff("sun")):
                assert month_figures(care, month, user=user) == python_figures(care, month, user)
    assert any(f.overdue for f in month_figures(care, "2026-11"))  # the register is not trivial
    assert any(f.visited < f.on_register for f in month_figures(care, "2026-11"))
