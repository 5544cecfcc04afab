"""Visits: log one (when, how, who, outcome, needs → a desk case or a referral); list who is due.

A 微网格长 may log visits to the people of its micro-grid; needs found become a private desk case
filed through the desk's own intake (:mod:`lifecircle.desk.intake`), routed to the person's
grid, naming the register number and the compound only (the rest stays sealed here).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from lifecircle.care.access import require_care_role, scope
from lifecircle.care.context import Care
from lifecircle.care.records import compound_names, due_of, last_reached, person_view
from lifecircle.care.register import MAX_TEXT, get_row, open_person
from lifecircle.care.schedule import NOT_REACHED
from lifecircle.desk.intake import IntakeIn, file_case
from lifecircle.desk.lifecycle import Actor
from lifecircle.errors import CareError
from lifecircle.i18n import t
from lifecircle.staff.accounts import User
from lifecircle.store.care import AccessEntry

MODES = ("in_person", "phone", "video", "alarm")
OUTCOMES = ("well", "needs", "unwell", NOT_REACHED)
#: A visit may be logged this many days after it happened, not later (nor in the future).
MAX_LATE_D = 31


@dataclass(frozen=True)
class VisitIn:
    """A visit as sent: to whom, how, with what outcome; needs found and what to do with them."""

    person_id: int
    mode: str
    outcome: str
    at: int | None = None
    note: str = ""
    needs: str = ""
    case_category: str = ""
    referral: str = ""


@dataclass(frozen=True)
class Logged:
    """A logged visit: its id, the desk case it filed (if any), the person's next due day."""

    visit_id: int
    case_id: int | None
    due_on: dt.date


def _check(care: Care, visit: VisitIn) -> int:
    if visit.mode not in MODES:
        raise CareError("error.care.choice", field="mode", value=visit.mode, known=MODES)
    if visit.outcome not in OUTCOMES:
        raise CareError("error.care.choice", field="outcome", value=visit.outcome, known=OUTCOMES)
    for name in ("note", "needs", "referral"):
        if len(getattr(visit, name)) > MAX_TEXT:
            raise CareError("error.care.too_long", field=name, n=MAX_TEXT)
    if visit.case_category and not visit.needs.strip():
        raise CareError("error.care.required", field="needs")
    now = care.now()
    at = now if visit.at is None else visit.at
    if not now - MAX_LATE_D * 86400 <= at <= now + 300:
        raise CareError("error.care.visit_time", field="at", days=MAX_LATE_D)
    return min(at, now)


def _file_case(
    care: Care, user: User, role: str, person_id: int, visit: VisitIn, compound: str
) -> int:
    """File the needs found as a private desk case routed to the person's grid."""
    lang = care.desk.settings.language
    intake = IntakeIn(
        category=care.desk.config.category(visit.case_category, field="case_category").code,
        source="walk_in" if visit.mode == "in_person" else "phone",
        details=t("care.case.needs_details", lang, person=person_id, needs=visit.needs.strip()),
        summary=t("care.case.needs_summary", lang, person=person_id),
        compound=compound,
        not_duplicate=True,
        private=True,
    )
    filed = file_case(care.desk, intake, actor=Actor(user.name, role))  # type: ignore[arg-type]
    assert filed.case is not None
    return filed.case.id


def log_visit(care: Care, user: User, visit: VisitIn) -> Logged:
    """Log a visit to one of the user's people (and file a desk case for needs found).

    Raises
    ------
    CareError
        No such person, a bad mode, outcome or time, or needs missing for a case.
    DeskError
        The case category is unknown.
    AccessDenied
        Not one of the user's people; nothing is written.
    """
    row = get_row(care, visit.person_id)
    role = require_care_role(user, row)
    at = _check(care, visit)
    person = open_person(care, row)
    if person.forgotten_at is not None or person.left_at is not None:
        raise CareError("error.care.left", person=person.id)
    case_id = None
    if visit.case_category:
        case_id = _file_case(care, user, role, person.id, visit, person.compound_key or "")
    uid = secrets.token_hex(8)
    sealed = {
        f"{name}_enc": care.keys.encrypt(text, f"visit:{uid}:{name}") if text else None
        for name, text in (
            ("note", visit.note.strip()),
            ("needs", visit.needs.strip()),
            ("referral", visit.referral.strip()),
        )
    }
    values = {
        "uid": uid,
        "person_id": person.id,
        "at": at,
        "mode": visit.mode,
        "outcome": visit.outcome,
        "by_user": user.name,
        "case_id": case_id,
        **sealed,
    }
    detail = {"mode": visit.mode, "outcome": visit.outcome, "case_id": case_id}
    entry = AccessEntry(user.name, "visit", "visit", person.id, detail)
    visit_id = care.tables.add_visit(values, [entry], now_s=care.now())
    due = due_of(care, person, last_reached(care).get(person.id))
    return Logged(visit_id, case_id, due.on)


def due_list(
    care: Care, user: User, *, lang: str, grid: str | None = None, only_due: bool = False
) -> list[dict[str, Any]]:
    """List the user's people (of one grid or micro-grid if asked) with when each is due.

    ``only_due``: those due today or overdue. Sorted by due day; one access-log row names the
    people listed.
    """
    limit = scope(user)
    rows = care.tables.people(
        column=limit[0] if limit else None, values=limit[1] if limit else (), active_only=True
    )
    if grid:
        rows = [r for r in rows if grid in (r.get("grid"), r.get("microgrid"))]
    last = last_reached(care)
    names = compound_names(care)
    shown = []
    for row in rows:
        role = require_care_role(user, row)
        person = open_person(care, row)
        view = person_view(
            care, person, role, names=names, last_reached_at=last.get(person.id), lang=lang
        )
        if not only_due or view["due_status"] in ("today", "overdue"):
            shown.append(view)
    shown.sort(key=lambda v: (v["due_on"], v["id"]))
    detail = {"ids": [v["id"] for v in shown], "grid": grid or "", "only_due": only_due}
    care.tables.log([AccessEntry(user.name, "list", "visit", None, detail)], now_s=care.now())
    return shown
