"""The urgent check's grid-desk case: filed when the check is raised, worked as the check is.

The case follows the check through the desk's own lifecycle (:mod:`lifecircle.desk.lifecycle`),
so the desk's clock and metrics (first response, visit, done: ``CASE_MILESTONES``) tell the
truth about the 2-hour case:

- ringing the registered phone is the case's response (``respond``), knocking on the door its
  visit (``visit``), each by whoever did it, at that time;
- closing the check with the person reached (平安, 已协助, 已呼叫急救) finishes the case
  (``finish``) with the outcome in words as its public note — only the outcome, never a name,
  phone or what was found;
- closing it with the person still not found escalates the case instead: it calls in the
  ``urgent.escalate_to`` departments (吹哨, e.g. 派出所) and stays open for the grid worker.

Each of these is written in the check's own transaction (nothing half-done). A case the desk
already finished, closed or merged is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from lifecircle.care.context import Care
from lifecircle.desk.intake import IntakeIn, file_case
from lifecircle.desk.lifecycle import Actor, perform_for
from lifecircle.desk.machine import OPEN_STATES
from lifecircle.desk.steps import StepIn
from lifecircle.i18n import t
from lifecircle.staff.accounts import User
from lifecircle.store.care import Row
from lifecircle.store.case_rows import CaseRow
from lifecircle.store.cases import CaseReader

#: Outcomes that mean the person was reached (the case is finished); the others escalate it.
REACHED = ("safe", "helped", "emergency")
#: States from which a step makes the case's first response, or its visit.
_RESPONDS = frozenset({"dispatched"})
_VISITS = frozenset({"dispatched", "responded", "in_progress"})


def file_urgent_case(care: Care, check_id: int, compound_key: str, user: User | None) -> int:
    """File the check's 2-hour desk case: the check's number and the compound, nothing else."""
    lang = care.desk.settings.language
    intake = IntakeIn(
        category=care.config.urgent.desk_category,
        source="resident_form" if user is None else "phone",
        details=t("care.case.urgent_details", lang, check=check_id),
        summary=t("care.case.urgent_summary", lang, check=check_id) if user else "",
        compound=compound_key,
        not_duplicate=True,
        private=True,
    )
    actor = Actor("resident", "resident") if user is None else Actor(user.name, "worker")
    filed = file_case(care.desk, intake, actor=actor)
    assert filed.case is not None
    return filed.case.id


def step_on_case(care: Care, actor: Actor, row: Row, step: str) -> Callable[[Connection], None]:
    """Return the hook writing a check's step on its case: ring responds, the door is a visit."""
    lang = care.desk.settings.language
    data = {"check": row["id"], "step": step}

    def write(conn: Connection) -> None:
        case = _open_case(conn, row)
        if case is None:
            return
        if step == "ring" and case.state in _RESPONDS:
            note = t("care.case.urgent_checking", lang)
            perform_for(care.desk, conn, actor, case.id, "respond", StepIn(note=note), data=data)
        elif step == "door" and case.state in _VISITS:
            perform_for(care.desk, conn, actor, case.id, "visit", StepIn(), data=data)

    return write


def close_on_case(care: Care, actor: Actor, row: Row, outcome: str) -> Callable[[Connection], None]:
    """Return the hook finishing the check's case (person reached) or escalating it (not)."""
    lang = care.desk.settings.language
    data = {"check": row["id"], "outcome": outcome}

    def write(conn: Connection) -> None:
        case = _open_case(conn, row)
        if case is None:
            return
        state = case.state
        if state in _RESPONDS:
            note = t("care.case.urgent_checking", lang)
            state = perform_for(
                care.desk, conn, actor, case.id, "respond", StepIn(note=note), data=data
            ).state
        if state == "received":
            return  # not routed to a grid: the desk's head dispatches it first
        if outcome in REACHED:
            note = t(f"care.case.outcome.{outcome}", lang)
            perform_for(care.desk, conn, actor, case.id, "finish", StepIn(note=note), data=data)
            return
        departments = care.config.urgent.escalate_to
        names = t("boards.list_sep", lang).join(
            care.desk.config.department(d).name(lang) for d in departments
        )
        step = StepIn(
            note=t("care.case.escalated", lang, departments=names), departments=departments
        )
        perform_for(care.desk, conn, actor, case.id, "whistle", step, data=data)

    return write


def _open_case(conn: Connection, row: Row) -> CaseRow | None:
    """Return the check's case as it is in the transaction, if it is still open."""
    case_id = row.get("case_id")
    case = CaseReader(conn).get(int(case_id)) if case_id is not None else None
    return case if case is not None and case.state in OPEN_STATES else None
