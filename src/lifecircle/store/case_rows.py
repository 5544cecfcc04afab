"""Grid-desk case rows as the store reads and writes them: the case, events, summons, links.

Plain frozen dataclasses and their column conversions; no query runs here
(:mod:`lifecircle.store.cases` writes, :mod:`lifecircle.store.case_queries` lists and counts).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import RowMapping

from lifecircle.errors import StoreError
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.outbox import Notice
from lifecircle.store.tables import dumps


@dataclass(frozen=True)
class CaseRow:
    """A stored case (see :data:`lifecircle.store.schema.desk_cases` for the columns)."""

    id: int
    token: str
    category: str
    source: str
    state: str
    is_private: bool
    grid: str | None
    microgrid: str | None
    community: str
    subdistrict: str
    outside_grid_m: float | None
    lon: float | None
    lat: float | None
    compound_key: str | None
    compound_name: str | None
    building: str
    unit: str
    place: str
    summary: str
    details: str
    reporter_name: str | None
    reporter_phone: str | None
    reporter_email: str | None
    channel_ref: str | None
    photos: tuple[str, ...]
    created_by: str
    assignee: str | None
    received_at: int | None
    dispatched_at: int | None
    first_response_at: int | None
    first_visit_at: int | None
    first_done_at: int | None
    done_due_at: int | None
    done_at: int | None
    closed_at: int | None
    callback_at: int | None
    due_response_at: int | None
    due_resolution_at: int | None
    hold_since: int | None
    held_s: int
    extended_s: int
    solved: bool | None
    satisfaction: str | None
    callback_comment: str | None
    duplicate_of: int | None
    reopen_count: int
    return_count: int
    pending_extension: Mapping[str, Any] | None
    updated_at: int
    anonymised_at: int | None


CASE_FIELDS = tuple(f.name for f in fields(CaseRow))


@dataclass(frozen=True)
class NewEvent:
    """One event to append: what happened, who did it, the state it left, who may read it."""

    at: int
    action: str
    actor: str
    actor_role: str
    from_state: str | None
    to_state: str
    visibility: str = "staff"
    note: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    photos: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventRow(NewEvent):
    """A stored event with its id and case."""

    id: int = 0
    case_id: int = 0


@dataclass(frozen=True)
class SummonsRow:
    """A department called in (吹哨): when, due to report in by, when it did (报到)."""

    id: int
    case_id: int
    department: str
    summoned_at: int
    due_at: int
    reported_at: int | None
    summoned_by: str


@dataclass(frozen=True)
class LinkRow:
    """A case linked to a walking-network edit or a facility whose status it changed."""

    id: int
    case_id: int
    kind: str
    target: str
    created_at: int
    created_by: str
    lifted_at: int | None
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class CaseWrite:
    """Everything one step writes: case columns, events, summons, links, audit rows, notices."""

    values: Mapping[str, Any] = field(default_factory=dict)
    events: tuple[NewEvent, ...] = ()
    summons: tuple[Mapping[str, Any], ...] = ()
    reported: tuple[tuple[int, int], ...] = ()  # (summons id, reported_at)
    links: tuple[Mapping[str, Any], ...] = ()
    lifted: tuple[tuple[int, int], ...] = ()  # (link id, lifted_at)
    audits: tuple[AuditEntry, ...] = ()
    notices: tuple[Notice, ...] = ()


def case_from_row(row: RowMapping) -> CaseRow:
    """Build a case from its stored row (JSON columns decoded, 0/1 as booleans)."""
    values = {name: row[name] for name in CASE_FIELDS}
    values["photos"] = tuple(json.loads(values["photos"]))
    values["is_private"] = bool(values["is_private"])
    if values["solved"] is not None:
        values["solved"] = bool(values["solved"])
    pending = values["pending_extension"]
    values["pending_extension"] = None if pending is None else json.loads(pending)
    return CaseRow(**values)


def column_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Case fields as column values (tuples and mappings as JSON text, booleans as 0/1)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in CASE_FIELDS or name == "id":
            raise StoreError("error.store.desk_column", name=name)
        if name == "photos":
            value = dumps(list(value))
        elif name == "pending_extension" and value is not None:
            value = dumps(dict(value))
        elif isinstance(value, bool):
            value = int(value)
        out[name] = value
    return out


def event_from_row(row: RowMapping) -> EventRow:
    """Build an event from its stored row."""
    return EventRow(
        id=int(row["id"]),
        case_id=int(row["case_id"]),
        at=int(row["at"]),
        action=row["action"],
        actor=row["actor"],
        actor_role=row["actor_role"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        visibility=row["visibility"],
        note=row["note"],
        data=json.loads(row["data"]),
        photos=tuple(json.loads(row["photos"])),
    )


def summons_from_row(row: RowMapping) -> SummonsRow:
    """Build a summons from its stored row."""
    reported = row["reported_at"]
    return SummonsRow(
        id=int(row["id"]),
        case_id=int(row["case_id"]),
        department=row["department"],
        summoned_at=int(row["summoned_at"]),
        due_at=int(row["due_at"]),
        reported_at=None if reported is None else int(reported),
        summoned_by=row["summoned_by"],
    )


def link_from_row(row: RowMapping) -> LinkRow:
    """Build a walking link from its stored row."""
    lifted = row["lifted_at"]
    return LinkRow(
        id=int(row["id"]),
        case_id=int(row["case_id"]),
        kind=row["kind"],
        target=row["target"],
        created_at=int(row["created_at"]),
        created_by=row["created_by"],
        lifted_at=None if lifted is None else int(lifted),
        detail=json.loads(row["detail"]),
    )


def example_case(**changes: Any) -> CaseRow:
    """Return a case with every field empty but ``changes`` (for examples and tests).

    >>> example_case(id=7, category="water_leak").state
    'received'
    """
    values: dict[str, Any] = {name: None for name in CASE_FIELDS} | {
        "id": 0,
        "token": "",
        "category": "other",
        "source": "phone",
        "state": "received",
        "is_private": False,
        "community": "",
        "subdistrict": "",
        "building": "",
        "unit": "",
        "place": "",
        "summary": "",
        "details": "",
        "photos": (),
        "created_by": "",
        "held_s": 0,
        "extended_s": 0,
        "reopen_count": 0,
        "return_count": 0,
        "updated_at": 0,
    }
    return CaseRow(**{**values, **changes})
