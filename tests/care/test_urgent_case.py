"""The urgent check's desk case follows the check: response, visit, then finished or escalated.

Raised at 09:00 (Monday 2026-11-02) by 王桂兰's daughter on the public page; the case is
dispatched to grid G1. The micro-grid head zhao works the check (a private case he never sees
on the desk), so the case records him as its helper.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lifecircle.care import urgent_case
from lifecircle.care.context import Care, care_from_desk
from lifecircle.care.urgent import CheckIn, check_by_token, close_check, raise_check, record_step
from lifecircle.desk.lifecycle import fold, milestones_of
from lifecircle.errors import ConfigError, DeskError
from lifecircle.store.case_rows import CaseRow
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


def raised(care: Care) -> tuple[str, int, int]:
    """Raise the daughter's check; return its token, its id and its case's id."""
    token = raise_check(care, DAUGHTER, user=None)["token"]
    row = care.tables.checks()[0]
    return token, int(row["id"]), int(row["case_id"])


def case_of(care: Care, case_id: int) -> CaseRow:
    found = care.desk.store.cases.get(case_id)
    assert found is not None
    assert milestones_of(found) == fold(care.desk.store.cases.events(case_id))  # replayable
    return found


def test_a_reached_person_finishes_the_case_with_the_outcome(
    care: Care, staff, clock: Clock
) -> None:
    token, check_id, case_id = raised(care)
    assert case_of(care, case_id).state == "dispatched"
    clock.advance(minutes=10)
    record_step(care, staff("zhao"), check_id, "ring", "no_answer")
    case = case_of(care, case_id)
    assert (case.state, case.first_response_at) == ("responded", at("2026-11-02 09:10"))
    clock.advance(minutes=25)
    record_step(care, staff("zhao"), check_id, "door", "found_well")
    case = case_of(care, case_id)
    assert (case.state, case.first_visit_at) == ("in_progress", at("2026-11-02 09:35"))
    clock.advance(minutes=5)
    close_check(care, staff("zhao"), check_id, "safe")
    case = case_of(care, case_id)
    assert (case.state, case.done_at, case.first_done_at) == (
        "done",
        at("2026-11-02 09:40"),
        case.done_at,
    )
    assert case.done_at <= case.due_resolution_at  # type: ignore[operator]
    finish = care.desk.store.cases.events(case_id)[-1]
    assert (finish.action, finish.actor, finish.actor_role) == ("finish", "zhao", "helper")
    assert finish.visibility == "public"
    assert finish.note == "紧急核查结束：已联系上本人，平安。"
    assert finish.data == {"check": check_id, "outcome": "safe"}
    answer = check_by_token(care, token)
    assert (answer["state"], answer["outcome"]) == ("closed", "safe")
    public = " ".join(
        e.note for e in care.desk.store.cases.events(case_id) if e.visibility == "public"
    )
    for secret in ("王桂兰", "13812341234", "3号楼", "found_well", "高血压"):
        assert secret not in public and secret not in repr(answer)


def test_a_person_still_not_found_escalates_the_case_to_the_police(
    care: Care, staff, clock: Clock
) -> None:
    token, check_id, case_id = raised(care)
    for minutes, step, result in ((10, "ring", "no_answer"), (30, "door", "no_answer")):
        clock.advance(minutes=minutes)
        record_step(care, staff("zhao"), check_id, step, result)
    clock.advance(minutes=20)
    record_step(care, staff("wang"), check_id, "contacts", "not_reached")
    clock.advance(minutes=5)  # 09:65 = 10:05
    close_check(care, staff("wang"), check_id, "not_found")
    case = case_of(care, case_id)
    assert (case.state, case.done_at) == ("in_progress", None)  # still open, for the grid
    [summons] = care.desk.store.cases.summons(case_id)
    assert (summons.department, summons.summoned_at) == ("police", at("2026-11-02 10:05"))
    assert summons.due_at == at("2026-11-02 10:35")  # 派出所: 30 minutes in an emergency
    whistle = care.desk.store.cases.events(case_id)[-1]
    assert (whistle.action, whistle.actor, whistle.actor_role) == ("whistle", "wang", "worker")
    assert "报请派出所协助" in whistle.note and whistle.visibility == "staff"
    assert whistle.data == {"check": check_id, "outcome": "not_found", "departments": ["police"]}
    answer = check_by_token(care, token)
    assert (answer["state"], answer["outcome"]) == ("closed", "not_found")
    assert "派出所" not in repr(answer) and "王桂兰" not in repr(answer)


def test_a_check_closed_at_once_still_answers_and_finishes_the_case(
    care: Care, staff, clock: Clock
) -> None:
    _, check_id, case_id = raised(care)
    clock.advance(minutes=3)  # the daughter got through herself; the worker closes it
    close_check(care, staff("wang"), check_id, "safe")
    case = case_of(care, case_id)
    assert (case.state, case.first_response_at, case.done_at) == (
        "done",
        at("2026-11-02 09:03"),
        at("2026-11-02 09:03"),
    )
    actions = [e.action for e in care.desk.store.cases.events(case_id)]
    assert actions == ["intake", "dispatch", "respond", "finish"]


def test_a_case_the_desk_closed_is_left_alone(care: Care, staff, clock: Clock) -> None:
    _, check_id, case_id = raised(care)
    before = care.desk.store.cases.events(case_id)
    with care.desk.store.cases.tx(write=True) as conn:  # the desk merged it into another case
        from sqlalchemy import update

        from lifecircle.store.schema import desk_cases

        conn.execute(update(desk_cases).where(desk_cases.c.id == case_id).values(state="duplicate"))
    close_check(care, staff("wang"), check_id, "safe")
    assert care.desk.store.cases.events(case_id) == before
    assert care.tables.check(check_id=check_id)["outcome"] == "safe"  # type: ignore[index]


def test_when_the_case_refuses_the_check_is_not_closed_either(
    care: Care, staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, check_id, case_id = raised(care)
    before = care.desk.store.cases.events(case_id)

    def refuse(*_args: object, **_kw: object) -> None:
        raise DeskError("error.desk.missing", field="note")

    monkeypatch.setattr(urgent_case, "perform_for", refuse)
    with pytest.raises(DeskError):
        close_check(care, staff("wang"), check_id, "safe")
    row = care.tables.check(check_id=check_id)
    assert row is not None and row["closed_at"] is None and row["outcome"] is None
    assert care.desk.store.cases.events(case_id) == before
    assert not [a for a in care.tables.access_log() if a["action"] == "urgent.close"]


def test_escalating_to_a_department_the_desk_lacks_is_refused_at_opening(
    care: Care, tmp_path: Path
) -> None:
    from lifecircle.care.config import packaged_care_text

    own = tmp_path / "care.toml"
    own.write_text(
        packaged_care_text().replace('escalate_to = ["police"]', 'escalate_to = ["fire"]'),
        encoding="utf-8",
    )
    project = care.desk.project
    settings = replace(project.settings, care_config_path=str(own))
    desk = replace(care.desk, project=replace(project, settings=settings))
    with pytest.raises(ConfigError) as caught:
        care_from_desk(desk)
    text = str(caught.value)
    assert "escalate_to" in text and "fire" in text and str(own) in text
