"""What each lifecycle step needs and writes: its fields checked, its event data, its side rows.

:func:`build` turns a person's :class:`StepIn` into a :class:`Built` for one action on one case
as it is stored now (called under the write lock by :func:`lifecircle.desk.lifecycle.perform`).
Text is kept as the person wrote it (HTML is text, escaped by whoever shows it); only control
characters and overlong text are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lifecircle.desk import clock, grids, notices, photos
from lifecircle.desk.config import Limit, limit_seconds
from lifecircle.desk.context import Desk
from lifecircle.desk.machine import ACTIONS, Visibility
from lifecircle.errors import DeskError
from lifecircle.store.case_rows import CaseRow, SummonsRow
from lifecircle.store.cases import CaseReader
from lifecircle.store.outbox import Notice

NOTE_MAX = 2000
SATISFACTION = ("satisfied", "basically", "dissatisfied")
MAX_EXTENSION_DAYS = 60


@dataclass(frozen=True)
class StepIn:
    """What a person sends with a step; each action reads its own fields."""

    note: str = ""
    visibility: str | None = None
    photos: tuple[str, ...] = ()
    people_met: str = ""
    departments: tuple[str, ...] = ()
    department: str = ""
    parties: str = ""
    agreement: str = ""
    days: int | None = None
    approve: bool | None = None
    grid: str = ""
    into: int | None = None
    solved: bool | None = None
    satisfaction: str = ""
    summary: str = ""


@dataclass(frozen=True)
class Built:
    """What a step writes besides its event's header."""

    note: str = ""
    visibility: Visibility = "staff"
    data: Mapping[str, Any] = field(default_factory=dict)
    photos: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    summons: tuple[Mapping[str, Any], ...] = ()
    reported: tuple[tuple[int, int], ...] = ()
    notices: tuple[Notice, ...] = ()
    follow: tuple[tuple[str, str, Mapping[str, Any]], ...] = ()
    audit_detail: Mapping[str, Any] = field(default_factory=dict)


def clean_text(value: str, name: str, *, max_chars: int = NOTE_MAX, required: bool = False) -> str:
    r"""Return text as written (stripped), refusing control characters and overlong text.

    >>> clean_text("  <b>漏水</b>\n三楼 ", "note")
    '<b>漏水</b>\n三楼'

    Raises
    ------
    DeskError
        Missing (when required), too long, or holding control characters.
    """
    text = (value or "").strip()
    if required and not text:
        raise DeskError("error.desk.missing", field=name)
    bad = any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in text)
    if len(text) > max_chars or bad:
        raise DeskError("error.desk.text", field=name, n=max_chars, got=len(text))
    return text


def _note(step: StepIn, action: str) -> tuple[str, Visibility]:
    spec = ACTIONS[action]
    note = clean_text(step.note, "note", required=spec.note in ("required", "public"))
    visibility: Visibility = spec.visibility
    if step.visibility is not None and step.visibility != visibility:
        if action != "note" or step.visibility not in ("staff", "restricted"):
            raise DeskError("error.desk.visibility", field="visibility", value=step.visibility)
        visibility = "restricted"
    return note, visibility


def _resolution_clock(desk: Desk, case: CaseRow) -> Limit:
    category = desk.config.category(case.category)
    return desk.config.tier_of(category).resolution


def prepare(desk: Desk, action: str, step: StepIn) -> dict[str, Any]:
    """Work out, before the write lock is taken, what a step reads from elsewhere.

    A named grid's route (dispatch, return) needs the routing index and the accounts; the
    photos must exist. Done outside the lock because the index may open the store itself.
    """
    for name in step.photos:
        photos.require_photo(desk.photo_dir, name)
    if action in ("dispatch", "return"):
        route = grids.route_to(desk.grid_index(), clean_text(step.grid, "grid", required=True))
        return grids.route_fields(desk.users(), route)
    return {}


def _whistle(
    desk: Desk, case: CaseRow, step: StepIn, at: int, reader: CaseReader, by: str
) -> Built:
    if not step.departments:
        raise DeskError("error.desk.missing", field="departments")
    waiting = {s.department for s in reader.summons(case.id) if s.reported_at is None}
    emergency = desk.config.category(case.category).tier == "emergency"
    rows: list[dict[str, Any]] = []
    for code in dict.fromkeys(step.departments):
        department = desk.config.department(code)
        if code in waiting:
            raise DeskError("error.desk.already_summoned", field="departments", value=code)
        limit = department.report_in_emergency if emergency else department.report_in
        due = clock.add_limit(at, limit, desk.config.working_time)
        rows.append({"department": code, "summoned_at": at, "due_at": due, "summoned_by": by})
    notes = tuple(
        notices.for_event(desk, case, "whistle", departments=[r["department"] for r in rows])
    )
    return Built(
        data={"departments": [r["department"] for r in rows]},
        summons=tuple(rows),
        notices=notes,
    )


def _report_in(desk: Desk, case: CaseRow, step: StepIn, at: int, reader: CaseReader) -> Built:
    code = clean_text(step.department, "department", required=True)
    desk.config.department(code)
    open_summons: list[SummonsRow] = [
        s for s in reader.summons(case.id) if s.department == code and s.reported_at is None
    ]
    if not open_summons:
        raise DeskError("error.desk.not_summoned", field="department", value=code)
    summons = open_summons[-1]
    late_s = max(0, at - summons.due_at)
    return Built(
        data={"department": code, "summons_id": summons.id, "late_s": late_s},
        reported=((summons.id, at),),
    )


def _request_extension(desk: Desk, case: CaseRow, step: StepIn) -> Built:
    if case.pending_extension:
        raise DeskError("error.desk.extension_pending", field="days")
    days = step.days
    if days is None or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DeskError("error.desk.days", field="days", value=str(days), n=MAX_EXTENSION_DAYS)
    return Built(data={"days": days}, values={"pending_extension": {"days": days}})


def _decide_extension(desk: Desk, case: CaseRow, step: StepIn) -> Built:
    pending = case.pending_extension
    if not pending:
        raise DeskError("error.desk.no_extension", field="approve")
    if step.approve is None:
        raise DeskError("error.desk.missing", field="approve")
    data: dict[str, Any] = {"approved": step.approve, "days": pending["days"]}
    if step.approve and case.due_resolution_at is not None:
        limit = _resolution_clock(desk, case)
        per_day = Limit(float(pending["days"]), "d", limit.clock)
        seconds = limit_seconds(per_day, desk.config.working_time)
        due = clock.shift_due(
            case.due_resolution_at, seconds, limit.clock, desk.config.working_time
        )
        data.update(due_resolution_at=due, seconds=seconds)
    return Built(data=data, values={"pending_extension": None})


def _resume(desk: Desk, case: CaseRow, at: int) -> Built:
    if case.hold_since is None or case.due_resolution_at is None:
        return Built()
    limit = _resolution_clock(desk, case)
    due = clock.resume_due(
        case.due_resolution_at, case.hold_since, at, limit.clock, desk.config.working_time
    )
    return Built(data={"due_resolution_at": due})


def _callback(case: CaseRow, step: StepIn, role: str) -> Built:
    if step.solved is None:
        raise DeskError("error.desk.missing", field="solved")
    if step.satisfaction not in SATISFACTION:
        raise DeskError(
            "error.desk.satisfaction",
            field="satisfaction",
            value=step.satisfaction,
            known=SATISFACTION,
        )
    comment = clean_text(step.note, "note", max_chars=500)
    data = {"solved": step.solved, "satisfaction": step.satisfaction, "by": role}
    follow: tuple[tuple[str, str, Mapping[str, Any]], ...] = ()
    if case.state == "done":
        follow = (
            (("close", "", {"after": "callback"}),)
            if step.solved
            else (("reopen", "", {"after": "callback"}),)
        )
    return Built(data=data, values={"callback_comment": comment or None}, follow=follow)


def _merge(desk: Desk, case: CaseRow, step: StepIn, reader: CaseReader) -> Built:
    if step.into is None:
        raise DeskError("error.desk.missing", field="into")
    target = reader.get(step.into)
    while target is not None and target.duplicate_of is not None:
        target = reader.get(target.duplicate_of)
    if target is None or target.id == case.id:
        raise DeskError("error.desk.bad_merge", field="into", value=str(step.into))
    return Built(data={"into": target.id})


def _summarise(step: StepIn) -> Built:
    summary = clean_text(step.summary, "summary", max_chars=200, required=True)
    return Built(data={"summary": summary}, values={"summary": summary})


@dataclass(frozen=True)
class _Context:
    """What a step's maker may read: the desk, the case as stored, the time, who acts."""

    desk: Desk
    case: CaseRow
    reader: CaseReader
    step: StepIn
    at: int
    actor: tuple[str, str]
    prepared: Mapping[str, Any]


def _mediate(step: StepIn) -> Built:
    parties = clean_text(step.parties, "parties", max_chars=300)
    return Built(data={"parties": parties, "agreement": clean_text(step.agreement, "agreement")})


#: Each action's maker (actions without one only carry their note).
_MAKERS: Mapping[str, Callable[[_Context], Built]] = {
    "dispatch": lambda c: Built(data=dict(c.prepared)),
    "return": lambda c: Built(data=dict(c.prepared)),
    "whistle": lambda c: _whistle(c.desk, c.case, c.step, c.at, c.reader, c.actor[0]),
    "report_in": lambda c: _report_in(c.desk, c.case, c.step, c.at, c.reader),
    "request_extension": lambda c: _request_extension(c.desk, c.case, c.step),
    "decide_extension": lambda c: _decide_extension(c.desk, c.case, c.step),
    "resume": lambda c: _resume(c.desk, c.case, c.at),
    "callback": lambda c: _callback(c.case, c.step, c.actor[1]),
    "merge": lambda c: _merge(c.desk, c.case, c.step, c.reader),
    "summarise": lambda c: _summarise(c.step),
    "visit": lambda c: Built(
        data={"people_met": clean_text(c.step.people_met, "people_met", max_chars=200)}
    ),
    "mediate": lambda c: _mediate(c.step),
    "finish": lambda c: Built(notices=tuple(notices.for_event(c.desk, c.case, "finish"))),
}
#: Event data kept out of the audit detail (personal: who was met, the parties' agreement).
_NOT_AUDITED = ("parties", "agreement", "people_met")


def build(
    desk: Desk,
    case: CaseRow,
    reader: CaseReader,
    action: str,
    step: StepIn,
    *,
    at: int,
    actor: tuple[str, str],
    prepared: Mapping[str, Any],
) -> Built:
    """Check a step's fields for ``action`` on ``case`` and return what it writes.

    ``actor`` is the name and role of who takes the step; ``prepared`` is what
    :func:`prepare` worked out before the lock (a named grid's route).

    Raises
    ------
    DeskError
        A field is missing or wrong (the error names it).
    """
    note, visibility = _note(step, action) if action != "callback" else ("", "staff")
    maker = _MAKERS.get(action)
    context = _Context(desk, case, reader, step, at, actor, prepared)
    made = maker(context) if maker is not None else Built()
    audited = {k: v for k, v in made.data.items() if k not in _NOT_AUDITED}
    return Built(
        note=note,
        visibility=visibility,
        data=made.data,
        photos=tuple(step.photos),
        values=made.values,
        summons=made.summons,
        reported=made.reported,
        notices=made.notices,
        follow=made.follow,
        audit_detail={"state": case.state, **audited},
    )
