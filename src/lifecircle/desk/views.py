"""What each reader sees of a case: staff (by role), the public token page, and the masks.

Phones and e-mail addresses are masked here, on the server, in every answer (GB/T 35273 §7.2);
the clear number is only given by :func:`lifecircle.desk.privacy.reveal_contact`, which logs
who asked and why. The public view holds no personal data: no reporter, no details, no
building or unit, the place at compound level, and only public notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from lifecircle.desk.access import sees_restricted
from lifecircle.desk.context import Desk
from lifecircle.desk.machine import OPEN_STATES, RUNNING_STATES, allowed_actions, role_allows
from lifecircle.desk.notices import place_text, public_summary
from lifecircle.i18n import t
from lifecircle.store.case_rows import CaseRow, EventRow, LinkRow, SummonsRow

#: Staff steps the public page shows by name and time (without their notes) as progress.
PUBLIC_MILESTONES = frozenset(
    {
        "intake",
        "dispatch",
        "return",
        "visit",
        "whistle",
        "hold",
        "resume",
        "finish",
        "close",
        "reopen",
        "merge",
    }
)


def mask_phone(phone: str | None) -> str | None:
    """Mask a phone number, keeping its first three and last four digits.

    >>> mask_phone("13812341234"), mask_phone("022-2735 0001")
    ('138****1234', '022****0001')
    >>> mask_phone("12345"), mask_phone(None)
    ('****', None)
    """
    if phone is None:
        return None
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_email(email: str | None) -> str | None:
    """Mask an e-mail address, keeping its first character and domain.

    >>> mask_email("wangfang@example.cn"), mask_email(None)
    ('w***@example.cn', None)
    """
    if email is None:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def iso(desk: Desk, at_s: int | None) -> str | None:
    """Return a time as ISO 8601 with the desk's UTC offset (``2026-11-06T14:30:00+08:00``)."""
    if at_s is None:
        return None
    return dt.datetime.fromtimestamp(at_s, desk.config.working_time.zone).isoformat()


def is_overdue(case: CaseRow, now: int) -> bool:
    """Tell whether a case is past its due time and its clock runs (挂账 is never overdue)."""
    due = case.due_resolution_at
    return case.state in RUNNING_STATES and due is not None and now > due


def _labels(desk: Desk, case: CaseRow, lang: str) -> dict[str, Any]:
    category = desk.config.category(case.category)
    return {
        "category": case.category,
        "category_name": category.name(lang),
        "group": category.group,
        "state": case.state,
        "state_name": t(f"desk.state.{case.state}", lang),
        "open": case.state in OPEN_STATES,
    }


def case_summary(desk: Desk, case: CaseRow, lang: str) -> dict[str, Any]:
    """Describe a case for staff lists (no details, contact masked)."""
    now = desk.now()
    return {
        "id": case.id,
        **_labels(desk, case, lang),
        "private": case.is_private,
        "source": case.source,
        "summary": public_summary(desk, case, lang),
        "place": place_text(case),
        "grid": case.grid,
        "microgrid": case.microgrid,
        "community": case.community,
        "assignee": case.assignee,
        "received_at": iso(desk, case.received_at),
        "due_response_at": iso(desk, case.due_response_at),
        "due_resolution_at": iso(desk, case.due_resolution_at),
        "overdue": is_overdue(case, now),
        "on_hold": case.state == "on_hold",
        "outside_grid_m": case.outside_grid_m,
        "reporter_phone": mask_phone(case.reporter_phone),
        "lon": case.lon,
        "lat": case.lat,
    }


def event_json(desk: Desk, event: EventRow, lang: str, *, restricted: bool) -> dict[str, Any]:
    """Describe one event for staff (restricted ones blank unless the reader may see them)."""
    hidden = event.visibility == "restricted" and not restricted
    return {
        "id": event.id,
        "at": iso(desk, event.at),
        "action": event.action,
        "action_name": t(f"desk.action.{event.action}", lang),
        "actor": event.actor,
        "actor_role": event.actor_role,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "visibility": event.visibility,
        "note": "" if hidden else event.note,
        "data": {} if hidden else dict(event.data),
        "photos": [] if hidden else list(event.photos),
        "hidden": hidden,
    }


def _summons_json(desk: Desk, summons: Sequence[SummonsRow], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "department": s.department,
            "department_name": desk.config.department(s.department).name(lang),
            "summoned_at": iso(desk, s.summoned_at),
            "due_at": iso(desk, s.due_at),
            "reported_at": iso(desk, s.reported_at),
            "on_time": None if s.reported_at is None else s.reported_at <= s.due_at,
        }
        for s in summons
    ]


def _links_json(desk: Desk, links: Sequence[LinkRow]) -> list[dict[str, Any]]:
    return [
        {
            "kind": k.kind,
            "target": k.target,
            "created_at": iso(desk, k.created_at),
            "lifted_at": iso(desk, k.lifted_at),
        }
        for k in links
    ]


def _callback_json(desk: Desk, case: CaseRow) -> dict[str, Any] | None:
    if case.callback_at is None:
        return None
    return {
        "at": iso(desk, case.callback_at),
        "solved": case.solved,
        "satisfaction": case.satisfaction,
        "comment": case.callback_comment,
    }


def staff_case(
    desk: Desk,
    case: CaseRow,
    role: str,
    lang: str,
    *,
    events: Sequence[EventRow],
    summons: Sequence[SummonsRow],
    links: Sequence[LinkRow],
    duplicates: Sequence[int] = (),
) -> dict[str, Any]:
    """Describe a whole case for a staff member with ``role`` on it."""
    restricted = sees_restricted(role)
    steps = [a for a in allowed_actions(case.state) if role_allows(role, a) and a != "callback"]
    return {
        **case_summary(desk, case, lang),
        "details": case.details,
        "summary_set": bool(case.summary),
        "compound_key": case.compound_key,
        "building": case.building,
        "unit": case.unit,
        "address": case.place,
        "reporter_name": case.reporter_name,
        "reporter_email": mask_email(case.reporter_email),
        "has_contact": bool(case.reporter_phone or case.reporter_email),
        "channel_ref": case.channel_ref,
        "photos": list(case.photos),
        "first_response_at": iso(desk, case.first_response_at),
        "first_done_at": iso(desk, case.first_done_at),
        "closed_at": iso(desk, case.closed_at),
        "held_s": case.held_s,
        "pending_extension": case.pending_extension,
        "callback": _callback_json(desk, case),
        "duplicate_of": case.duplicate_of,
        "duplicates": list(duplicates),
        "reopen_count": case.reopen_count,
        "events": [event_json(desk, e, lang, restricted=restricted) for e in events],
        "summons": _summons_json(desk, summons, lang),
        "links": _links_json(desk, links),
        "role": role,
        "actions": steps,
    }


def public_case(
    desk: Desk,
    case: CaseRow,
    events: Sequence[EventRow],
    lang: str,
    *,
    shown: CaseRow | None = None,
) -> dict[str, Any]:
    """Describe a case for the holder of its token: status and public replies, nothing personal.

    ``shown`` is the case whose progress is shown (the original, when this one was merged).
    """
    target = shown or case
    timeline = [
        {
            "at": iso(desk, e.at),
            "action": e.action,
            "action_name": t(f"desk.action.{e.action}", lang),
            "note": e.note if e.visibility == "public" else "",
        }
        for e in events
        if e.visibility == "public" or e.action in PUBLIC_MILESTONES
    ]
    private = target.is_private
    return {
        **_labels(desk, target, lang),
        "case_id": case.id,
        "merged_into": target.id if shown is not None else None,
        "summary": "" if private else public_summary(desk, target, lang),
        "place": "" if private else place_text(target),
        "received_at": iso(desk, case.received_at),
        "due_resolution_at": iso(desk, target.due_resolution_at),
        "timeline": timeline,
        "private": private,
        "can_give_feedback": case.state in ("done", "closed") and shown is None,
        "feedback": None
        if case.callback_at is None
        else {"solved": case.solved, "satisfaction": case.satisfaction},
    }
