"""Carry out a step on a case: check the role and the state machine, write the event, and fold it.

The case's milestone columns (received, first response, done, closed, due times, time on hold
…) are a projection of its events: :func:`apply_event` folds one event into them and
:func:`fold` replays a whole history, so a case can always be rebuilt from its events (a test
holds that the stored columns equal the replay). Every step is one transaction with its audit
row; a refused step writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection

from lifecircle.desk import steps
from lifecircle.desk.access import require_role
from lifecircle.desk.context import Desk
from lifecircle.desk.machine import ACTIONS, Role, next_state
from lifecircle.errors import DeskError
from lifecircle.staff.accounts import User
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.case_rows import CaseRow, CaseWrite, EventRow, NewEvent
from lifecircle.store.cases import CaseReader
from lifecircle.store.schema import CASE_MILESTONES

#: The case fields the fold rebuilds from events.
FOLDED = (
    "state",
    "grid",
    "microgrid",
    "community",
    "subdistrict",
    "outside_grid_m",
    "assignee",
    *CASE_MILESTONES,
    "held_s",
    "extended_s",
    "solved",
    "satisfaction",
    "duplicate_of",
    "reopen_count",
    "return_count",
)
_ROUTE_FIELDS = ("grid", "microgrid", "community", "subdistrict", "outside_grid_m", "assignee")
_STAFF = ("helper", "worker", "head")


def empty_milestones() -> dict[str, Any]:
    """Return the milestones of a case before its first event."""
    out: dict[str, Any] = dict.fromkeys(FOLDED)
    out.update(held_s=0, extended_s=0, reopen_count=0, return_count=0, community="", subdistrict="")
    return out


def apply_event(m: Mapping[str, Any], e: NewEvent) -> dict[str, Any]:
    """Fold one event into the milestones (pure; what the event's ``data`` says is trusted).

    >>> from lifecircle.store.case_rows import NewEvent
    >>> m = apply_event(empty_milestones(), NewEvent(100, "intake", "resident", "resident",
    ...     None, "received", data={"due_response_at": 200, "due_resolution_at": 900}))
    >>> m = apply_event(m, NewEvent(150, "respond", "wang", "worker", "received", "responded"))
    >>> m["received_at"], m["first_response_at"], m["due_resolution_at"]
    (100, 150, 900)
    """
    out, data, at = dict(m), e.data, e.at
    out["state"] = e.to_state
    action = e.action
    if action == "intake":
        out.update(received_at=at, due_response_at=data.get("due_response_at"))
        out["due_resolution_at"] = data.get("due_resolution_at")
    if action in ("intake", "dispatch", "return") and "grid" in data:
        out.update({k: data.get(k) for k in _ROUTE_FIELDS})
        out["community"] = out["community"] or ""
        out["subdistrict"] = out["subdistrict"] or ""
    if action in ("dispatch", "return") and out["dispatched_at"] is None:
        out["dispatched_at"] = at
    if action == "return":
        out["return_count"] += 1
    spec = ACTIONS.get(action)
    if spec is not None and spec.counts_as_response and e.actor_role in _STAFF:
        out["first_response_at"] = out["first_response_at"] or at
    if action == "visit":
        out["first_visit_at"] = out["first_visit_at"] or at
    _fold_clock(out, e)
    _fold_outcome(out, e)
    return out


def _fold_clock(out: dict[str, Any], e: NewEvent) -> None:
    data = e.data
    if e.action == "hold":
        out["hold_since"] = e.at
    elif e.action == "resume":
        out["held_s"] += e.at - (out["hold_since"] or e.at)
        out["hold_since"] = None
        out["due_resolution_at"] = data.get("due_resolution_at", out["due_resolution_at"])
    elif e.action == "decide_extension" and data.get("approved"):
        out["due_resolution_at"] = data["due_resolution_at"]
        out["extended_s"] += int(data.get("seconds", 0))


def _fold_outcome(out: dict[str, Any], e: NewEvent) -> None:
    data = e.data
    if e.action == "finish":
        out["done_at"] = e.at
        if out["first_done_at"] is None:
            out["first_done_at"] = e.at
            out["done_due_at"] = out["due_resolution_at"]
    elif e.action == "close":
        out["closed_at"] = e.at
    elif e.action == "callback":
        out.update(callback_at=e.at, solved=data.get("solved"))
        out["satisfaction"] = data.get("satisfaction")
    elif e.action == "reopen":
        out["reopen_count"] += 1
    elif e.action == "merge":
        out["duplicate_of"] = data.get("into")


def fold(events: Sequence[NewEvent]) -> dict[str, Any]:
    """Replay a case's events into its milestones."""
    out = empty_milestones()
    for event in events:
        out = apply_event(out, event)
    return out


def milestones_of(case: CaseRow) -> dict[str, Any]:
    """Return the stored values of the fields :func:`fold` rebuilds."""
    return {name: getattr(case, name) for name in FOLDED}


def folded_write(
    case: CaseRow, events: Sequence[NewEvent], extra: CaseWrite | None = None
) -> CaseWrite:
    """Return a write appending ``events`` and setting the milestones they fold to."""
    current = milestones_of(case)
    after = current
    for event in events:
        after = apply_event(after, event)
    changed = {k: v for k, v in after.items() if current[k] != v}
    base = extra or CaseWrite()
    return CaseWrite(
        values={**changed, **base.values},
        events=tuple(events),
        summons=base.summons,
        reported=base.reported,
        links=base.links,
        lifted=base.lifted,
        audits=base.audits,
        notices=base.notices,
    )


@dataclass(frozen=True)
class Actor:
    """Who takes a step: a staff member (with their role on the case), a resident, the desk."""

    name: str
    role: Role


def chain(
    case: CaseRow, first: NewEvent, follow: Sequence[tuple[str, str, Mapping[str, Any]]]
) -> list[NewEvent]:
    """Return ``first`` and the system's follow-up events ``(action, note, data)`` in order.

    Each follow-up is checked against the machine from the state the previous one left.
    """
    events = [first]
    for action, note, data in follow:
        state = events[-1].to_state
        events.append(
            NewEvent(
                at=first.at,
                action=action,
                actor="system",
                actor_role="system",
                from_state=state,
                to_state=next_state(action, state),
                visibility=ACTIONS[action].visibility,
                note=note,
                data=data,
            )
        )
    del case
    return events


def _actor(desk: Desk, user: User | None, case_id: int, action: str, token: str) -> Actor:
    """Who takes the step, with their role on the case (refusing those the case is not for)."""
    found = desk.store.cases.get(case_id)
    if found is None or (user is None and (not token or found.token != token)):
        raise DeskError("error.desk.no_case", case_id=case_id)
    if user is not None:
        return Actor(user.name, require_role(user, found, action))
    if ACTIONS[action].role == "resident":
        return Actor("resident", "resident")
    raise DeskError("error.desk.no_case", case_id=case_id)


def _write_step(
    built: steps.Built, case: CaseRow, action: str, actor: Actor, now: int
) -> CaseWrite:
    """Return the write of a built step: its event and the follow-ups, folded, audited."""
    first = NewEvent(
        at=now,
        action=action,
        actor=actor.name,
        actor_role=actor.role,
        from_state=case.state,
        to_state=next_state(action, case.state),
        visibility=built.visibility,
        note=built.note,
        data=built.data,
        photos=built.photos,
    )
    audit = AuditEntry(actor.name, f"desk.{action}", f"case:{case.id}", built.audit_detail)
    extra = CaseWrite(
        values=built.values,
        summons=built.summons,
        reported=built.reported,
        audits=(audit,),
        notices=built.notices,
    )
    return folded_write(case, chain(case, first, built.follow), extra)


def perform(
    desk: Desk, user: User | None, case_id: int, action: str, step: steps.StepIn, *, token: str = ""
) -> tuple[CaseRow, list[EventRow]]:
    """Take ``action`` on case ``case_id`` as ``user`` (or as the resident holding ``token``).

    Raises
    ------
    DeskError
        No such case (404), a bad field (422, naming it), or a step the case's state does not
        allow (409, listing the steps it does).
    AccessDenied
        The case is not the user's, or the action needs a stronger role.
    """
    actor = _actor(desk, user, case_id, action, token)
    prepared = steps.prepare(desk, action, step)
    now = desk.now()

    def decide(case: CaseRow, reader: CaseReader) -> CaseWrite:
        who = (actor.name, actor.role)
        built = steps.build(desk, case, reader, action, step, at=now, actor=who, prepared=prepared)
        return _write_step(built, case, action, actor, now)

    return desk.store.cases.change(case_id, decide, now_s=now)


def perform_for(
    desk: Desk,
    conn: Connection,
    actor: Actor,
    case_id: int,
    action: str,
    step: steps.StepIn,
    *,
    data: Mapping[str, Any] | None = None,
) -> CaseRow:
    """Take ``action`` on a case for ``actor``, whom another part of the system allowed to.

    Written inside the caller's write transaction ``conn``, so the other part's own rows and
    the case's step are stored together or not at all. The welfare register's urgent check
    (:mod:`lifecircle.care.urgent_case`) works its desk case this way: the register's roles (by
    grid and micro-grid) decide who may ring, knock and close, and the case records who did and
    when. The step is checked against the state machine and its fields like every step, but
    not against the desk's roles (a 微网格长 never sees a private case on the desk). ``data`` is
    added to the event's data. Returns the case as it is after the step.

    Raises
    ------
    DeskError
        A bad field, or a step the case's state does not allow (nothing is written).
    StoreError
        There is no such case.
    """
    prepared = steps.prepare(desk, action, step)
    now = desk.now()

    def decide(case: CaseRow, reader: CaseReader) -> CaseWrite:
        who = (actor.name, actor.role)
        built = steps.build(desk, case, reader, action, step, at=now, actor=who, prepared=prepared)
        built = replace(built, data={**built.data, **(data or {})})
        return _write_step(built, case, action, actor, now)

    return desk.store.cases.change_in(conn, case_id, decide, now_s=now)[0]
