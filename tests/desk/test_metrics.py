# ruff: noqa: E501 — the hand-built month reads best as one wide table
"""The figures on a hand-built month (November 2026, as of 1 December 09:00), each worked out by
hand below — invented cases, not real data. Times are Tianjin local.

    case grid category  source  received     1st answer  resp. due   done (1st)  done due    closed      callback         state
    A    G1   water     phone   11-02 09:00  09:30       11:00       11-02 20:00 11-03 09:00 11-03 10:00 11-03 ✓ 满意     closed
    B    G1   sanit.    form    11-05 10:00  14:00 late  12:00       11-14 10:00 11-12 10:00 —           —                done
    C    G2   sanit.    phone   11-10 09:00  09:00       11:00       —           (11-17)     —           —                in_progress
    D    G2   path      patrol  11-12 09:00  —           —           —           (11-19)     —           —                on_hold
    E    G1   water     form    11-02 09:30  —           —           —           —           —           —                duplicate
    F    G1   noise     phone   10-28 09:00  09:00       —           11-03 09:00 11-04 09:00 11-06 12:00 11-06 ✓ 基本满意 closed
    G    G2   water     phone   11-20 09:00  09:00       11:00       11-21 08:00 11-21 09:00 —           11-22 ✗ 不满意   in_progress (reopened)
    H    G1   sanit.    phone   11-29 16:00  16:10       11-30 10:30 —           (12-06)     —           —                responded
    I    G2   sanit.    form    11-30 17:00  —           12-01 10:00 —           (12-07)     —           —                dispatched
    J    G1   sanit.    phone   11-24 10:00  10:00       12:00       —           (12-01 10:00) —         —                responded
    K    G2   path      phone   11-01 09:00  09:30       11-02 10:30 11-10 09:00 11-10 09:00 11-11 09:00 11-11 ✓ 满意     closed (48 h on hold)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lifecircle.desk import metrics
from lifecircle.desk.facts import CASE_COLUMNS, Facts
from lifecircle.desk.metrics import SUMMONS_COLUMNS, Rate
from tests.desk.conftest import at

PERIOD = (at("2026-11-01 00:00"), at("2026-12-01 00:00"))
AS_OF = at("2026-12-01 09:00")
SOON_S = 24 * 3600


def _case(grid: str, category: str, source: str, state: str, **times: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(CASE_COLUMNS)
    row.update(
        is_private=0, microgrid=None, grid=grid, category=category, source=source, state=state
    )
    row.update(
        community={"G1": "桃园社区", "G2": "华苑社区"}[grid],
        subdistrict="桃园街道",
        held_s=0,
        reopen_count=0,
    )
    for name, value in times.items():
        row[name] = at(value) if name.endswith("_at") else value
    return row


CASES = {
    "A": _case(
        "G1",
        "water_leak",
        "phone",
        "closed",
        received_at="2026-11-02 09:00",
        first_response_at="2026-11-02 09:30",
        due_response_at="2026-11-02 11:00",
        first_done_at="2026-11-02 20:00",
        done_due_at="2026-11-03 09:00",
        due_resolution_at="2026-11-03 09:00",
        closed_at="2026-11-03 10:00",
        callback_at="2026-11-03 10:00",
        solved=1,
        satisfaction="satisfied",
    ),
    "B": _case(
        "G1",
        "sanitation",
        "resident_form",
        "done",
        received_at="2026-11-05 10:00",
        first_response_at="2026-11-05 14:00",
        due_response_at="2026-11-05 12:00",
        first_done_at="2026-11-14 10:00",
        done_due_at="2026-11-12 10:00",
        due_resolution_at="2026-11-12 10:00",
    ),
    "C": _case(
        "G2",
        "sanitation",
        "phone",
        "in_progress",
        received_at="2026-11-10 09:00",
        first_response_at="2026-11-10 09:00",
        due_response_at="2026-11-10 11:00",
        due_resolution_at="2026-11-17 09:00",
    ),
    "D": _case(
        "G2",
        "path_damage",
        "patrol",
        "on_hold",
        received_at="2026-11-12 09:00",
        due_resolution_at="2026-11-19 09:00",
    ),
    "E": _case(
        "G1",
        "water_leak",
        "resident_form",
        "duplicate",
        received_at="2026-11-02 09:30",
        due_response_at="2026-11-02 11:30",
        due_resolution_at="2026-11-03 09:30",
    ),
    "F": _case(
        "G1",
        "noise",
        "phone",
        "closed",
        received_at="2026-10-28 09:00",
        first_response_at="2026-10-28 09:00",
        due_response_at="2026-10-28 11:00",
        first_done_at="2026-11-03 09:00",
        done_due_at="2026-11-04 09:00",
        due_resolution_at="2026-11-04 09:00",
        closed_at="2026-11-06 12:00",
        callback_at="2026-11-06 12:00",
        solved=1,
        satisfaction="basically",
    ),
    "G": _case(
        "G2",
        "water_leak",
        "phone",
        "in_progress",
        received_at="2026-11-20 09:00",
        first_response_at="2026-11-20 09:00",
        due_response_at="2026-11-20 11:00",
        first_done_at="2026-11-21 08:00",
        done_due_at="2026-11-21 09:00",
        due_resolution_at="2026-11-21 09:00",
        callback_at="2026-11-22 10:00",
        solved=0,
        satisfaction="dissatisfied",
        reopen_count=1,
    ),
    "H": _case(
        "G1",
        "sanitation",
        "phone",
        "responded",
        received_at="2026-11-29 16:00",
        first_response_at="2026-11-29 16:10",
        due_response_at="2026-11-30 10:30",
        due_resolution_at="2026-12-06 16:00",
    ),
    "I": _case(
        "G2",
        "sanitation",
        "resident_form",
        "dispatched",
        received_at="2026-11-30 17:00",
        due_response_at="2026-12-01 10:00",
        due_resolution_at="2026-12-07 17:00",
    ),
    "J": _case(
        "G1",
        "sanitation",
        "phone",
        "responded",
        received_at="2026-11-24 10:00",
        first_response_at="2026-11-24 10:00",
        due_response_at="2026-11-24 12:00",
        due_resolution_at="2026-12-01 10:00",
    ),
    "K": _case(
        "G2",
        "path_damage",
        "phone",
        "closed",
        received_at="2026-11-01 09:00",
        first_response_at="2026-11-01 09:30",
        due_response_at="2026-11-02 10:30",
        first_done_at="2026-11-10 09:00",
        done_due_at="2026-11-10 09:00",
        due_resolution_at="2026-11-10 09:00",
        closed_at="2026-11-11 09:00",
        callback_at="2026-11-11 09:00",
        solved=1,
        satisfaction="satisfied",
        held_s=48 * 3600,
    ),
}
for number, row in enumerate(CASES.values(), start=1):
    row["id"] = number
FACTS = Facts.from_rows([[row[c] for c in CASE_COLUMNS] for row in CASES.values()], CASE_COLUMNS)


def figures(groups=None, n=1) -> list[dict[str, Any]]:
    groups = metrics.one_group(len(FACTS)) if groups is None else groups
    return metrics.case_figures(FACTS, groups, n, period=PERIOD, as_of=AS_OF, soon_s=SOON_S)


def test_the_whole_area_by_hand():
    (f,) = figures()
    # received in November: A B C D E G H I J K (F came in October) = 10; E is a duplicate;
    # D came from a patrol: 1 of 10.
    assert (f["received"], f["duplicates"], f["patrol"]) == (10, 1, Rate(1, 10))
    # due a response: received in Nov, not a duplicate (E), not a patrol finding (D), answered
    # or due by 12-01 09:00 (I is due at 10:00 and unanswered: not yet) → A B C G H J K = 7.
    # On time: all but B (answered 14:00, due 12:00) → 6/7. Answered at all: 7/7.
    assert f["due_response"] == 7
    assert f["response_rate"] == Rate(6, 7) and f["answered_rate"] == Rate(7, 7)
    # hours to answer: A 0.5, B 4, C 0, G 0, H 1/6, J 0, K 0.5 → sorted 0 0 0 ⅙ ½ ½ 4 → ⅙
    assert f["median_response_h"] == pytest.approx(1 / 6)
    # due to be handled: first handled in Nov A B F G K, plus C (unhandled, due 11-17, past);
    # D is on hold, E a duplicate, H I J due in December → 6. On time: A F G K (K's due time
    # already moved by its 48 h on hold) → 4/6. Closed now: A F K → 3/6. Reopened: G → 1.
    assert f["due_done"] == 6
    assert (f["on_time_rate"], f["closed_rate"], f["reopened"]) == (Rate(4, 6), Rate(3, 6), 1)
    # follow-ups answered in Nov: A ✓, F ✓, G ✗, K ✓ → solved 3/4; satisfied (满意 or
    # 基本满意): A F K → 3/4. First handled in Nov: A B F G K; of them followed up A F G K → 4/5.
    assert f["callbacks"] == 4
    assert (f["solved_rate"], f["satisfied_rate"], f["callback_rate"]) == (
        Rate(3, 4),
        Rate(3, 4),
        Rate(4, 5),
    )
    # closed in Nov: A 25 h; F 10-28 09:00 → 11-06 12:00 = 219 h; K 240 h − 48 h on hold = 192 h
    # → median 192 h.
    assert f["median_close_h"] == pytest.approx(192.0)
    # now (12-01 09:00): overdue C (due 11-17) and G (reopened, due 11-21); J due at 10:00 is
    # soon overdue; D on hold is never overdue.
    assert (f["overdue"], f["soon_overdue"], f["on_hold"]) == (2, 1, 1)


def test_by_grid_by_hand():
    keys, groups = FACTS.groups("grid")
    assert keys == ["G1", "G2"]
    g1, g2 = figures(groups, 2)
    # G1: received A B E H J = 5 (1 duplicate); due a response A B H J, on time A H J → 3/4;
    # due to be handled A B F, on time A F, closed A F → 2/3 and 2/3; follow-ups A F → 2/2.
    assert (g1["received"], g1["duplicates"], g1["response_rate"]) == (5, 1, Rate(3, 4))
    assert (g1["on_time_rate"], g1["closed_rate"]) == (Rate(2, 3), Rate(2, 3))
    assert (g1["solved_rate"], g1["satisfied_rate"], g1["overdue"], g1["soon_overdue"]) == (
        Rate(2, 2),
        Rate(2, 2),
        0,
        1,
    )
    # G2: received C D G I K = 5 (D from a patrol); due a response C G K, all on time → 3/3;
    # due to be handled C G K, on time G K → 2/3, closed K → 1/3; follow-ups G ✗ K ✓ → 1/2.
    assert (g2["received"], g2["patrol"], g2["response_rate"]) == (5, Rate(1, 5), Rate(3, 3))
    assert (g2["on_time_rate"], g2["closed_rate"], g2["solved_rate"]) == (
        Rate(2, 3),
        Rate(1, 3),
        Rate(1, 2),
    )
    assert (g2["overdue"], g2["on_hold"]) == (2, 1)


def test_a_month_without_cases_has_no_rates():
    empty = Facts.from_rows([], CASE_COLUMNS)
    (f,) = metrics.case_figures(
        empty, metrics.one_group(0), 1, period=PERIOD, as_of=AS_OF, soon_s=SOON_S
    )
    assert f["received"] == 0 and f["response_rate"] == Rate(0, 0)
    assert f["response_rate"].value is None and f["median_close_h"] is None


def test_departments_report_in_by_hand():
    def summons(department: str, summoned: str, due: str, reported: str | None) -> list[Any]:
        row = {
            "department": department,
            "summoned_at": at(summoned),
            "due_at": at(due),
            "reported_at": at(reported) if reported else None,
            "grid": "G1",
            "community": "桃园社区",
            "subdistrict": "桃园街道",
            "category": "water_leak",
            "microgrid": None,
            "is_private": 0,
        }
        return [row[c] for c in SUMMONS_COLUMNS]

    rows = [
        summons(
            "water", "2026-11-02 10:30", "2026-11-03 10:30", "2026-11-02 14:00"
        ),  # 210 min, on time
        summons(
            "property", "2026-11-02 10:30", "2026-11-03 10:30", "2026-11-04 09:00"
        ),  # 2,790 min, late
        summons("property", "2026-11-28 09:00", "2026-11-29 09:00", None),  # missing
        summons("police", "2026-11-30 20:00", "2026-11-30 20:30", None),  # missing
        summons("water", "2026-11-30 23:00", "2026-12-01 23:00", None),  # not due yet
    ]
    f = Facts.from_rows(rows, SUMMONS_COLUMNS)
    keys, groups = f.groups("department")
    assert keys == ["police", "property", "water"]
    police, prop, water = metrics.department_figures(f, groups, 3, period=PERIOD, as_of=AS_OF)
    assert (
        water["summoned"],
        water["due_report"],
        water["report_rate"],
        water["median_report_min"],
    ) == (2, 1, Rate(1, 1), 210.0)
    assert (prop["due_report"], prop["report_rate"], prop["late"], prop["missing"]) == (
        2,
        Rate(0, 2),
        1,
        1,
    )
    assert prop["median_report_min"] == pytest.approx(2790.0)
    assert (police["report_rate"], police["missing"], police["median_report_min"]) == (
        Rate(0, 1),
        1,
        None,
    )


def test_medians_of_even_groups_average_the_middle_two():
    groups = Facts.from_rows([("a",)] * 4, ("grid",)).groups("grid")[1]
    values = np.array([4.0, 1.0, 3.0, 2.0])
    assert metrics.medians_of(groups, values, 1) == [2.5]
    assert metrics.medians_of(np.array([0, 0, 1, 1]), values, 2) == [2.5, 2.5]
    assert metrics.medians_of(np.zeros(0, dtype=np.int64), np.zeros(0), 0) == []
