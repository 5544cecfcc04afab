"""The walking link: a verified case about walking becomes a barrier or a facility status change.

One action makes the walking-network edit (:mod:`lifecircle.jobs.local_edits`) or the facility
status change, and the case's link and event, in the same transaction: the edit's data version
and the case's event both exist or neither does. The link is kept both ways (the case lists
its edits; :func:`links_to` finds the case of an edit). Lifting undoes the edit (removes the
barrier, puts the facility's previous status back) and marks the link lifted. Only a head
(community, 街道, district) verifies and links, within the places their staff role may edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from sqlalchemy import Connection

from lifecircle.desk.access import require_role
from lifecircle.desk.context import Desk
from lifecircle.desk.lifecycle import folded_write
from lifecircle.desk.machine import next_state
from lifecircle.desk.privacy import get_case
from lifecircle.desk.steps import clean_text
from lifecircle.errors import DeskError, Msg
from lifecircle.jobs import local_edits
from lifecircle.model import Facility, LocalEdit, Record
from lifecircle.staff.accounts import User, require_edit, require_editor
from lifecircle.staff.permissions import edit_location, require_near_own_compounds
from lifecircle.store import DataVersion
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.case_rows import CaseRow, CaseWrite, LinkRow, NewEvent
from lifecircle.store.cases import CaseReader
from lifecircle.store.database import Also

LinkKind = Literal["barrier", "facility"]
FACILITY_STATUSES = ("open", "closed", "planned")


def _event_write(
    desk: Desk,
    user: User,
    case: CaseRow,
    action: str,
    data: dict[str, Any],
    *,
    link: dict[str, Any] | None = None,
    lifted: tuple[tuple[int, int], ...] = (),
) -> CaseWrite:
    now = desk.now()
    event = NewEvent(
        now,
        action,
        user.name,
        "head",
        case.state,
        next_state(action, case.state),
        "staff",
        str(data.get("note", "")),
        data,
    )
    audit = AuditEntry(
        user.name,
        f"desk.{action}",
        f"case:{case.id}",
        {k: v for k, v in data.items() if k != "note"},
    )
    extra = CaseWrite(links=(link,) if link else (), lifted=lifted, audits=(audit,))
    return folded_write(case, [event], extra)


MakeWrite = Callable[[CaseRow, Record, DataVersion], CaseWrite]


def _case_hook(desk: Desk, user: User, case_id: int, make: MakeWrite) -> Also:
    """Return an ``also`` hook writing the case side inside the record's transaction."""
    del user

    def hook(conn: Connection, record: Record, version: DataVersion) -> None:
        def decide(case: CaseRow, reader: CaseReader) -> CaseWrite:
            del reader
            return make(case, record, version)

        desk.store.cases.change_in(conn, case_id, decide, now_s=desk.now())

    return hook


def _link_maker(
    desk: Desk,
    user: User,
    kind: str,
    data: Mapping[str, Any],
    detail: Callable[[Record], Mapping[str, Any]],
) -> MakeWrite:
    """Make the case side of a new link: its ``link_walking`` event and its link row."""

    def make(current: CaseRow, record: Record, version: DataVersion) -> CaseWrite:
        event = {"kind": kind, "target": record.key, "data_version": version.id, **data}
        link = {
            "kind": "local_edit" if kind == "barrier" else "facility",
            "target": record.key,
            "created_at": desk.now(),
            "created_by": user.name,
            "detail": {**detail(record), "data_version": version.id},
        }
        return _event_write(desk, user, current, "link_walking", event, link=link)

    return make


def _checked(desk: Desk, user: User, case_id: int, action: str) -> CaseRow:
    case = get_case(desk, case_id)
    require_role(user, case, action)
    require_editor(user)
    next_state(action, case.state)
    if action == "link_walking" and not desk.config.category(case.category).walking:
        raise DeskError("error.desk.not_walking", field="kind", category=case.category)
    return case


def link_barrier(
    desk: Desk,
    user: User,
    case_id: int,
    *,
    edit_kind: str,
    osm_id: int | None = None,
    coords: Sequence[Sequence[float]] = (),
    note: str = "",
) -> tuple[LocalEdit, LinkRow]:
    """Mark a walking barrier (or link) for a verified case, linked to it, in one transaction.

    Raises
    ------
    DeskError, AccessDenied, EditError, LocationError
        Not a walking case, not the user's, the state forbids it, or the edit itself is bad.
    """
    case = _checked(desk, user, case_id, "link_walking")
    text = clean_text(note, "note", max_chars=150)
    store = desk.store
    if user.level != "district":
        where = edit_location(
            store, edit_kind, osm_id, [(float(p[0]), float(p[1])) for p in coords]
        )
        require_near_own_compounds(desk.project, store, user, where)

    facts = {"edit_kind": edit_kind}
    make = _link_maker(desk, user, "barrier", {**facts, "note": text}, lambda _record: facts)
    edit, _ = local_edits.add_edit(
        store,
        edit_kind=edit_kind,
        osm_id=osm_id,
        coords=coords,
        note=str(Msg("desk.walking_note", id=case.id, note=text).render(desk.settings.language)),
        author=user.name,
        audit=lambda record: AuditEntry(
            user.name, "walking.add", record.key, {"case": case.id, "edit_kind": edit_kind}
        ),
        also=_case_hook(desk, user, case.id, make),
    )
    return edit, store.cases.links(case_id=case.id)[-1]


def link_facility(
    desk: Desk, user: User, case_id: int, *, facility_key: str, status: str, note: str = ""
) -> tuple[Facility, LinkRow]:
    """Change a facility's status for a verified case (a broken footbridge: closed), linked.

    Raises
    ------
    DeskError, AccessDenied
        Not a walking case, not the user's (case or facility), a bad status, the state forbids it.
    """
    case = _checked(desk, user, case_id, "link_walking")
    if status not in FACILITY_STATUSES:
        raise DeskError(
            "error.desk.facility_status", field="status", value=status, known=FACILITY_STATUSES
        )
    text = clean_text(note, "note", max_chars=150)
    before: list[Facility] = []

    def change(record: Record) -> Record:
        assert isinstance(record, Facility)
        require_edit(user, record)
        before.append(record)
        return replace(record, status=status, verified_on=dt.date.today().isoformat())  # type: ignore[arg-type]

    make = _link_maker(
        desk,
        user,
        "facility",
        {"status": status, "note": text},
        lambda _record: {"previous": before[0].status, "status": status},
    )
    made, version = desk.store.update_record(
        "facility",
        facility_key,
        change,
        action="desk facility.status",
        source=f"desk:case/{case.id}",
        author=user.name,
        note=text,
        audit=lambda old, new: AuditEntry(
            user.name,
            "facility.status",
            new.key,
            {"case": case.id, "status": [getattr(old, "status", ""), status]},
        ),
        also=_case_hook(desk, user, case.id, make),
    )
    if version is None:
        raise DeskError("error.desk.facility_unchanged", field="status", value=status)
    assert isinstance(made, Facility)
    return made, desk.store.cases.links(case_id=case.id)[-1]


def lift_links(desk: Desk, user: User, case_id: int) -> list[LinkRow]:
    """Undo every active walking link of a case (barrier removed, facility status restored).

    Raises
    ------
    DeskError, AccessDenied
        No such case or nothing to lift; not the user's case; the state forbids it.
    """
    case = _checked(desk, user, case_id, "lift_walking")
    active = [k for k in desk.store.cases.links(case_id=case.id) if k.lifted_at is None]
    if not active:
        raise DeskError("error.desk.nothing_to_lift", case_id=case.id)
    for link in active:
        _lift(desk, user, case, link)
    return desk.store.cases.links(case_id=case.id)


def _lift(desk: Desk, user: User, case: CaseRow, link: LinkRow) -> None:
    def make(current: CaseRow, record: Record | None, version: DataVersion | None) -> CaseWrite:
        del record
        data = {
            "kind": link.kind,
            "target": link.target,
            "data_version": version.id if version else None,
        }
        return _event_write(
            desk, user, current, "lift_walking", data, lifted=((link.id, desk.now()),)
        )

    def case_only() -> None:  # the edit is gone already, or the status is already back
        desk.store.cases.change(
            case.id, lambda current, _r: make(current, None, None), now_s=desk.now()
        )

    hook = _case_hook(desk, user, case.id, make)
    if link.kind == "local_edit":
        edit_id = int(link.target.split(":")[1])
        if all(e.edit_id != edit_id for e in local_edits.list_edits(desk.store)):
            case_only()
            return
        entry = AuditEntry(user.name, "walking.remove", link.target, {"case": case.id})
        local_edits.remove_edit(desk.store, edit_id, author=user.name, audit=entry, also=hook)
        return
    previous = str(link.detail.get("previous", "open"))

    def restore(record: Record) -> Record:
        assert isinstance(record, Facility)
        require_edit(user, record)
        return replace(record, status=previous)  # type: ignore[arg-type]

    _, version = desk.store.update_record(
        "facility",
        link.target,
        restore,
        action="desk facility.status",
        source=f"desk:case/{case.id}",
        author=user.name,
        audit=lambda old, new: AuditEntry(
            user.name,
            "facility.status",
            new.key,
            {"case": case.id, "status": [getattr(old, "status", ""), previous]},
        ),
        also=hook,
    )
    if version is None:
        case_only()


def links_to(desk: Desk, target: str) -> list[LinkRow]:
    """Return the case links pointing at an edit (``edit:7``) or a facility key."""
    return desk.store.cases.links(target=target)
