"""The urgent "can't reach" check: a 2-hour desk case, timed steps, an answer revealing nothing."""

from __future__ import annotations

import pytest

from lifecircle.care.context import Care
from lifecircle.care.urgent import (
    CheckIn,
    check_by_token,
    close_check,
    open_checks,
    raise_check,
    record_step,
)
from lifecircle.errors import AccessDenied, CareError
from tests.care.conftest import person_id
from tests.desk.conftest import Clock, at

DAUGHTER = CheckIn(
    compound="桃园里",
    name="王桂兰",
    raised_by="family",
    raiser_name="张红",
    raiser_phone="13900001111",
    relation="女儿",
    said="从昨晚起打电话没人接",
)


def test_a_raised_check_is_a_two_hour_case_routed_to_the_grid(care: Care) -> None:
    seen = raise_check(care, DAUGHTER, user=None)
    [row] = care.tables.checks()
    assert row["person_id"] == person_id(care, "王桂兰") and row["grid"] == "G1"
    case = care.desk.store.cases.get(row["case_id"])
    assert case is not None
    assert (case.category, case.is_private, case.grid, case.microgrid) == (
        "family_contact",
        True,
        "G1",
        "G1-1",
    )
    assert case.due_resolution_at == at("2026-11-02 11:00")  # raised 09:00, emergency tier 2 h
    assert "王桂兰" not in case.details and case.reporter_phone is None
    assert set(seen) == {"token", "state", "outcome", "raised_at", "closed_at"}
    assert seen["state"] == "received"


def test_the_raiser_learns_nothing_about_whether_the_person_is_registered(care: Care) -> None:
    known = raise_check(care, DAUGHTER, user=None)
    unknown = raise_check(care, CheckIn(compound="桃园里", name="不在名册的人"), user=None)
    assert known.keys() == unknown.keys()
    assert {k: v for k, v in known.items() if k != "token"} == {
        k: v for k, v in unknown.items() if k != "token"
    }
    assert care.tables.checks()[0]["person_id"] is None  # the newest: not on the register


def test_each_step_is_timed_against_its_limit(care: Care, staff, clock: Clock) -> None:
    token = raise_check(care, DAUGHTER, user=None)["token"]
    check_id = care.tables.checks()[0]["id"]
    clock.advance(minutes=10)
    record_step(care, staff("zhao"), check_id, "ring", "no_answer")
    with pytest.raises(CareError, match="ring → door → contacts"):
        record_step(care, staff("zhao"), check_id, "contacts", "reached")
    clock.advance(minutes=60)  # 70 minutes after raising: the door was due within 60
    view = record_step(care, staff("zhao"), check_id, "door", "found_well")
    steps = {s["step"]: s for s in view["steps"]}
    assert (steps["ring"]["minutes"], steps["ring"]["late"]) == (10, False)
    assert (steps["door"]["minutes"], steps["door"]["late"]) == (70, True)
    assert check_by_token(care, token)["state"] == "checking"
    close_check(care, staff("zhao"), check_id, "safe")
    answer = check_by_token(care, token)
    assert (answer["state"], answer["outcome"]) == ("closed", "safe")
    assert not any(s in repr(answer) for s in ("138", "王桂兰", "found_well", "zhao"))


def test_only_the_grid_of_the_check_may_work_it(care: Care, staff) -> None:
    raise_check(care, DAUGHTER, user=None)
    check_id = care.tables.checks()[0]["id"]
    with pytest.raises(AccessDenied):
        record_step(care, staff("li"), check_id, "ring", "answered")
    assert care.tables.check(check_id=check_id)["ring_at"] is None  # type: ignore[index]


def test_a_check_for_an_unknown_compound_is_refused_and_nothing_filed(care: Care) -> None:
    with pytest.raises(CareError, match="compound"):
        raise_check(care, CheckIn(compound="无此小区", name="某人"), user=None)
    assert care.tables.checks() == []


def test_the_grid_sees_who_and_where_and_the_look_is_logged(care: Care, staff) -> None:
    raise_check(care, DAUGHTER, user=None)
    raise_check(care, CheckIn(compound="桃园里", name="不在名册的人", unit="9单元"), user=None)
    found = open_checks(care, staff("zhao"), "zh")
    assert [(c["who"], c["where"]) for c in found] == [
        ("", "不在名册的人 9单元"),
        ("王桂兰", "桃园里 3号楼 2单元301"),
    ]
    assert found[1]["raised_by_name"] == "家属求助"
    reads = [a for a in care.tables.access_log() if a["action"] == "urgent.read"]
    assert [(a["user_name"], a["reason"]) for a in reads] == [("zhao", "urgent")] * 2
    assert open_checks(care, staff("li"), "zh") == []
