"""Stored grid-desk cases: create a case and change it, one transaction per step.

SQL only. The lifecycle (which event may happen, what it changes) is
:mod:`lifecircle.desk.lifecycle`; here a change is a :class:`CaseWrite` written under the
single-writer lock with its events, summons, links, audit rows and queued notices, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from typing import Any

from sqlalchemy import Connection, CursorResult, bindparam, insert, select

from lifecircle.errors import StoreError
from lifecircle.store.accounts import write_audit
from lifecircle.store.case_queries import CaseQueries
from lifecircle.store.case_rows import (
    CASE_FIELDS,
    CaseRow,
    CaseWrite,
    EventRow,
    LinkRow,
    NewEvent,
    SummonsRow,
    case_from_row,
    column_values,
    event_from_row,
    link_from_row,
    summons_from_row,
)
from lifecircle.store.outbox import Notice, queue_notices
from lifecircle.store.schema import desk_cases, desk_events, desk_links, desk_summons
from lifecircle.store.tables import dumps


class CaseReader:
    """Reads inside a running transaction (what a step may look at before it decides)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, case_id: int) -> CaseRow | None:
        """Return one case, or ``None``."""
        row = self.conn.execute(select(desk_cases).where(desk_cases.c.id == case_id)).mappings()
        found = row.first()
        return None if found is None else case_from_row(found)

    def summons(self, case_id: int) -> list[SummonsRow]:
        """Return the case's summons, oldest first."""
        query = select(desk_summons).where(desk_summons.c.case_id == case_id)
        return [
            summons_from_row(r)
            for r in self.conn.execute(query.order_by(desk_summons.c.id)).mappings()
        ]

    def links(self, case_id: int) -> list[LinkRow]:
        """Return the case's walking links, oldest first."""
        query = select(desk_links).where(desk_links.c.case_id == case_id)
        return [
            link_from_row(r) for r in self.conn.execute(query.order_by(desk_links.c.id)).mappings()
        ]


#: Statements with their parameters passed apart, so SQLAlchemy compiles each shape once.
_UPDATE_CASE = desk_cases.update().where(desk_cases.c.id == bindparam("case_key"))
_INSERT_EVENT = insert(desk_events)
_INSERT_SUMMONS = insert(desk_summons)
_REPORTED = desk_summons.update().where(desk_summons.c.id == bindparam("summons_key"))
_INSERT_LINK = insert(desk_links)
_LIFTED = desk_links.update().where(desk_links.c.id == bindparam("link_key"))


def _write(conn: Connection, case_id: int, write: CaseWrite, *, now_s: int) -> list[EventRow]:
    """Apply a :class:`CaseWrite` to case ``case_id`` inside the caller's transaction.

    The case's ``updated_at`` moves with every write (report caches refresh from it).
    """
    values = {**column_values(write.values), "updated_at": now_s, "case_key": case_id}
    conn.execute(_UPDATE_CASE, values)
    made = []
    for event in write.events:
        values = {
            **{f.name: getattr(event, f.name) for f in fields(NewEvent)},
            "case_id": case_id,
            "data": dumps(dict(event.data)),
            "photos": dumps(list(event.photos)),
        }
        new_id = _new_id(conn.execute(_INSERT_EVENT, values))
        made.append(EventRow(**{**event.__dict__, "id": new_id, "case_id": case_id}))
    for row in write.summons:
        conn.execute(_INSERT_SUMMONS, {**row, "case_id": case_id})
    for summons_id, at in write.reported:
        conn.execute(_REPORTED, {"reported_at": at, "summons_key": summons_id})
    for row in write.links:
        conn.execute(_INSERT_LINK, {**row, "case_id": case_id, "detail": dumps(row["detail"])})
    for link_id, at in write.lifted:
        conn.execute(_LIFTED, {"lifted_at": at, "link_key": link_id})
    for entry in write.audits:
        write_audit(conn, entry, version_id=None)
    queue_notices(conn, [_with_case(n, case_id) for n in write.notices], now_s=now_s)
    return made


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _with_case(notice: Notice, case_id: int) -> Notice:
    return (
        notice
        if notice.case_id is not None
        else Notice(notice.channel, notice.event, notice.text, case_id)
    )


Decide = Callable[[CaseRow, CaseReader], CaseWrite]


class Cases(CaseQueries):
    """The desk's case tables of one store (``store.cases``)."""

    def create(
        self, values: Mapping[str, Any], first: Callable[[CaseRow], CaseWrite], *, now_s: int
    ) -> tuple[CaseRow, list[EventRow]]:
        """Insert a case and, in the same transaction, what ``first(new case)`` writes."""
        row = {**column_values(values), "updated_at": now_s}
        with self.tx(write=True) as conn:
            new_id = _new_id(conn.execute(insert(desk_cases), row))
            made = CaseRow(
                **{**dict.fromkeys(CASE_FIELDS), **values, "id": new_id, "updated_at": now_s}
            )
            write = first(made)
            events = _write(conn, new_id, write, now_s=now_s)
        final = replace(made, **write.values, updated_at=now_s)
        return final, events

    def change_in(
        self, conn: Connection, case_id: int, decide: Decide, *, now_s: int
    ) -> tuple[CaseRow, list[EventRow]]:
        """Like :meth:`change`, inside a write transaction the caller holds."""
        reader = CaseReader(conn)
        current = reader.get(case_id)
        if current is None:
            raise StoreError("error.store.no_case", case_id=case_id)
        events = _write(conn, case_id, decide(current, reader), now_s=now_s)
        final = reader.get(case_id)
        assert final is not None
        return final, events

    def change(self, case_id: int, decide: Decide, *, now_s: int) -> tuple[CaseRow, list[EventRow]]:
        """Read case ``case_id`` under the write lock, apply ``decide(case, reader)``'s write.

        ``decide`` may raise to refuse; then nothing is written.

        Raises
        ------
        StoreError
            There is no such case, or the database failed.
        """
        with self.tx(write=True) as conn:
            return self.change_in(conn, case_id, decide, now_s=now_s)

    def get(self, case_id: int) -> CaseRow | None:
        """Return one case by id, or ``None``."""
        with self.tx(write=False) as conn:
            return CaseReader(conn).get(case_id)

    def by_token(self, token: str) -> CaseRow | None:
        """Return one case by its public token, or ``None``."""
        with self.tx(write=False) as conn:
            found = conn.execute(select(desk_cases).where(desk_cases.c.token == token)).mappings()
            row = found.first()
        return None if row is None else case_from_row(row)

    def events(self, case_id: int) -> list[EventRow]:
        """Return the case's events in the order they happened."""
        query = select(desk_events).where(desk_events.c.case_id == case_id)
        with self.tx(write=False) as conn:
            rows = conn.execute(query.order_by(desk_events.c.at, desk_events.c.id)).mappings()
            return [event_from_row(r) for r in rows]

    def summons(self, case_id: int) -> list[SummonsRow]:
        """Return the case's summons, oldest first."""
        with self.tx(write=False) as conn:
            return CaseReader(conn).summons(case_id)

    def links(self, *, case_id: int | None = None, target: str | None = None) -> list[LinkRow]:
        """Return the walking links of a case, or those pointing at an edit or facility key."""
        query = select(desk_links).order_by(desk_links.c.id)
        if case_id is not None:
            query = query.where(desk_links.c.case_id == case_id)
        if target is not None:
            query = query.where(desk_links.c.target == target)
        with self.tx(write=False) as conn:
            return [link_from_row(r) for r in conn.execute(query).mappings()]
