"""Visits and who sees whom: roles by grid, masked phones, the read log, due dates by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from lifecircle.care.context import Care
from lifecircle.care.records import correct_person, read_person, reveal_phones
from lifecircle.care.visits import VisitIn, due_list, log_visit
from lifecircle.errors import AccessDenied, CareError
from tests.care.conftest import person_id
from tests.desk.conftest import Clock


def names(rows: list[dict]) -> list[str]:
    return sorted(r["name"] for r in rows)


def test_each_role_lists_only_the_people_of_its_grid(care: Care, staff) -> None:
    assert names(due_list(care, staff("zhao"), lang="zh")) == ["王桂兰"]
    assert names(due_list(care, staff("wang"), lang="zh")) == ["李秀英", "王桂兰"]
    assert names(due_list(care, staff("li"), lang="zh")) == ["张淑珍"]
    assert names(due_list(care, staff("sun"), lang="zh")) == ["李秀英", "王桂兰"]
    assert len(due_list(care, staff("boss"), lang="zh")) == 3


def test_a_micro_grid_head_sees_only_what_a_visit_needs(care: Care, staff) -> None:
    [row] = due_list(care, staff("zhao"), lang="zh")
    assert row["phones"] == ["138****1234"]
    assert {"health", "contacts", "categories", "consent"}.isdisjoint(row)
    full = read_person(care, staff("wang"), person_id(care, "王桂兰"), "visit", "zh")
    assert full["health"] == "高血压，独居"
    assert full["contacts"] == [{"name": "张红", "relation": "女儿", "phone": "139****1111"}]


def test_a_record_outside_ones_grid_is_refused_and_nothing_logged(care: Care, staff) -> None:
    before = len(care.tables.access_log())
    with pytest.raises(AccessDenied):
        read_person(care, staff("zhao"), person_id(care, "李秀英"), "visit", "zh")
    with pytest.raises(AccessDenied):
        log_visit(care, staff("li"), VisitIn(person_id(care, "王桂兰"), "phone", "well"))
    assert len(care.tables.access_log()) == before
    assert care.tables.visits() == []


def test_every_read_asks_a_reason_and_is_logged(care: Care, staff) -> None:
    pid = person_id(care, "王桂兰")
    with pytest.raises(CareError, match="reason"):
        read_person(care, staff("wang"), pid, "", "zh")
    read_person(care, staff("wang"), pid, "visit", "zh")
    reveal_phones(care, staff("zhao"), pid, "visit")
    log = [
        (a["user_name"], a["action"], a["reason"]) for a in care.tables.access_log(person_id=pid)
    ]
    assert log[-2:] == [("wang", "read", "visit"), ("zhao", "reveal", "visit")]


def test_a_helper_reveals_the_registered_phone_but_not_the_contacts(care: Care, staff) -> None:
    pid = person_id(care, "王桂兰")
    assert reveal_phones(care, staff("zhao"), pid, "visit") == {"phones": ["13812341234"]}
    assert (
        reveal_phones(care, staff("wang"), pid, "urgent")["contacts"][0]["phone"] == "13900001111"
    )


def due(care: Care, staff, name: str) -> tuple[str, str, str]:
    row = next(r for r in due_list(care, staff("boss"), lang="zh") if r["name"] == name)
    return row["due_on"], row["due_why"], row["due_status"]


def test_due_dates_follow_the_risk_level(care: Care, staff, clock: Clock) -> None:
    # registered Thu 2026-10-01 09:00, never visited: first visit due a week later, now overdue
    assert due(care, staff, "王桂兰") == ("2026-10-08", "first", "overdue")
    log_visit(care, staff("zhao"), VisitIn(person_id(care, "王桂兰"), "phone", "well"))
    assert due(care, staff, "王桂兰") == ("2026-11-09", "interval", "week")  # high: weekly
    log_visit(care, staff("wang"), VisitIn(person_id(care, "李秀英"), "in_person", "well"))
    assert due(care, staff, "李秀英")[:2] == ("2026-12-02", "interval")  # key: monthly
    log_visit(care, staff("li"), VisitIn(person_id(care, "张淑珍"), "video", "well"))
    assert due(care, staff, "张淑珍")[:2] == ("2027-02-02", "interval")  # general: quarterly


def test_a_visit_that_did_not_reach_them_does_not_count(care: Care, staff) -> None:
    log_visit(care, staff("zhao"), VisitIn(person_id(care, "王桂兰"), "phone", "not_reached"))
    assert due(care, staff, "王桂兰")[:2] == ("2026-10-08", "first")


def test_a_major_change_makes_a_high_risk_visit_due_within_24_hours(
    care: Care, staff, clock: Clock
) -> None:
    pid = person_id(care, "王桂兰")
    log_visit(care, staff("zhao"), VisitIn(pid, "in_person", "well"))
    clock.set("2026-11-03 10:00")  # 出院 the next day
    correct_person(
        care, staff("wang"), pid, {"note": "11月3日出院"}, reason="correct", major_change=True
    )
    assert due(care, staff, "王桂兰") == ("2026-11-04", "change", "week")
    clock.set("2026-11-04 10:00")
    assert due(care, staff, "王桂兰")[2] == "overdue"
    log_visit(care, staff("zhao"), VisitIn(pid, "phone", "well"))
    assert due(care, staff, "王桂兰")[:2] == ("2026-11-11", "interval")


def test_a_micro_grid_head_cannot_change_a_record(care: Care, staff) -> None:
    with pytest.raises(AccessDenied):
        correct_person(care, staff("zhao"), 1, {"note": "x"}, reason="correct")


def test_needs_found_become_a_private_desk_case_without_the_name(care: Care, staff) -> None:
    pid = person_id(care, "王桂兰")
    visit = VisitIn(pid, "in_person", "needs", needs="家中暖气不热", case_category="welfare")
    logged = log_visit(care, staff("zhao"), visit)
    assert logged.case_id is not None
    case = care.desk.store.cases.get(logged.case_id)
    assert case is not None
    assert (case.category, case.is_private, case.grid) == ("welfare", True, "G1")
    assert "王桂兰" not in case.details and f"#{pid}" in case.details


def test_a_visit_time_in_the_future_is_refused(care: Care, staff, clock: Clock) -> None:
    later = clock.now + 3600
    with pytest.raises(CareError, match="future"):
        log_visit(care, staff("zhao"), VisitIn(1, "phone", "well", at=later))
    assert dt.date(2026, 11, 2) == care.today()
