"""Lists and counts over stored grid-desk cases: pages for staff, neighbours, report facts.

SQL only, read-mostly (retention's bulk anonymisation is the one write); the rows are
:mod:`lifecircle.store.case_rows`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, case, func, or_, select

from lifecircle.store.accounts import AuditEntry, write_audit
from lifecircle.store.case_rows import CaseRow, case_from_row, column_values
from lifecircle.store.schema import desk_cases, desk_events, desk_summons
from lifecircle.store.tables import TableGroup, dumps


@dataclass(frozen=True)
class CaseQuery:
    """Which cases to list: a scope (column and allowed values), filters, and a page."""

    scope: tuple[str, frozenset[str]] | None = None
    states: frozenset[str] | None = None
    include_private: bool = True
    category: str | None = None
    categories: frozenset[str] | None = None
    grid: str | None = None
    overdue_at: int | None = None
    running_states: frozenset[str] = frozenset()
    due_before: int | None = None
    due_from: int | None = None
    compound_key: str | None = None
    received_since: int | None = None
    received_before: int | None = None
    duplicate_of: int | None = None
    limit: int = 100
    before_id: int | None = None


class CaseQueries(TableGroup):
    """Lists, counts and report facts of the desk's cases (part of ``store.cases``)."""

    def find(self, query: CaseQuery) -> list[CaseRow]:
        """Return the cases matching ``query``, newest id first."""
        with self.tx(write=False) as conn:
            return [case_from_row(r) for r in conn.execute(_select(query)).mappings()]

    def near(
        self, category: str, box: tuple[float, float, float, float], states: frozenset[str]
    ) -> list[CaseRow]:
        """Return cases of a category in some states whose point lies in a lon/lat box."""
        c = desk_cases.c
        query = select(desk_cases).where(
            c.category == category,
            c.state.in_(sorted(states)),
            c.lon.between(box[0], box[2]),
            c.lat.between(box[1], box[3]),
        )
        with self.tx(write=False) as conn:
            return [case_from_row(r) for r in conn.execute(query.limit(200)).mappings()]

    def count_by(
        self, column: str, values: Sequence[str], states: frozenset[str]
    ) -> dict[str, int]:
        """Count cases in some states per value of ``grid``/``microgrid``/``compound_key``."""
        col = desk_cases.c[column]
        query = (
            select(col, func.count())
            .where(col.in_(list(values)), desk_cases.c.state.in_(sorted(states)))
            .group_by(col)
        )
        with self.tx(write=False) as conn:
            return {str(k): int(n) for k, n in conn.execute(query)}

    def counts_since(
        self, column: str, value: str, since_s: int, done_states: frozenset[str]
    ) -> tuple[int, int]:
        """Count cases of one compound (or community) since a time, and how many are done.

        Duplicates are left out: the same problem counts once.
        """
        c = desk_cases.c
        done = func.sum(case((c.state.in_(sorted(done_states)), 1), else_=0))
        query = select(func.count(), done).where(
            c[column] == value, c.received_at >= since_s, c.state != "duplicate"
        )
        with self.tx(write=False) as conn:
            total, finished = conn.execute(query).one()
        return int(total or 0), int(finished or 0)

    def facts_since(
        self,
        columns: Sequence[str],
        *,
        since: int | None,
        horizon: int,
        open_states: frozenset[str],
        numbers: frozenset[str] = frozenset(),
        chunk: int = 50_000,
    ) -> Iterator[Sequence[Sequence[Any]]]:
        """Yield, ``chunk`` cases at a time, the rows (``columns``) of the cases a report counts.

        With ``since`` None: every case received at or after ``horizon``, still open, or with
        a milestone at or after it. Otherwise: every case written at or after ``since``. One
        query, read in chunks so the rows never all exist as Python objects at once, in id
        order, as the driver gives them (:func:`driver_chunks`). The ``numbers`` columns come
        with -1 for NULL (all integers: one array at once).
        """
        c = desk_cases.c
        picked = [func.coalesce(c[n], -1) if n in numbers else c[n] for n in columns]
        query = select(*picked).order_by(c.id)
        if since is not None:
            query = query.where(c.updated_at >= since)
        else:
            query = query.where(
                or_(
                    c.received_at >= horizon,
                    c.state.in_(sorted(open_states)),
                    c.first_done_at >= horizon,
                    c.closed_at >= horizon,
                    c.callback_at >= horizon,
                )
            )
        with self.tx(write=False) as conn:
            yield from driver_chunks(conn, query, chunk)

    def summons_facts(self, window: tuple[int, int]) -> list[tuple[Any, ...]]:
        """Return, column by column, summons made in a window with their case's places.

        Columns: department, summoned_at, due_at, reported_at, grid, community, subdistrict,
        category, microgrid, is_private.
        """
        s, c = desk_summons.c, desk_cases.c
        query = (
            select(
                s.department,
                s.summoned_at,
                s.due_at,
                s.reported_at,
                c.grid,
                c.community,
                c.subdistrict,
                c.category,
                c.microgrid,
                c.is_private,
            )
            .join(desk_cases, c.id == s.case_id)
            .where(s.summoned_at >= window[0], s.summoned_at < window[1])
        )
        with self.tx(write=False) as conn:
            rows = conn.execute(query).all()
        return list(zip(*rows, strict=True)) if rows else [() for _ in range(10)]

    def rewrite(
        self,
        updates: Sequence[tuple[int, Mapping[str, Any]]],
        scrub: Callable[[str, Mapping[str, Any]], tuple[str, Mapping[str, Any]]],
        *,
        now_s: int,
        audit: AuditEntry,
    ) -> int:
        """Overwrite columns of many cases and scrub their events, in one transaction.

        Each update is ``(case id, column values)``; ``scrub(note, data)`` gives each event's
        new note and data, and its photos are dropped (retention's anonymisation). The audit
        row is written with them. Returns how many cases changed.
        """
        e = desk_events.c
        with self.tx(write=True) as conn:
            for case_id, values in updates:
                conn.execute(
                    desk_cases.update()
                    .where(desk_cases.c.id == case_id)
                    .values(**column_values(values), updated_at=now_s)
                )
                rows = conn.execute(select(e.id, e.note, e.data).where(e.case_id == case_id))
                for event_id, note, data in rows.all():
                    new_note, new_data = scrub(note, json.loads(data))
                    conn.execute(
                        desk_events.update()
                        .where(e.id == event_id)
                        .values(note=new_note, data=dumps(dict(new_data)), photos="[]")
                    )
            if updates:
                write_audit(conn, audit, version_id=None)
        return len(updates)

    def photo_names(self) -> set[str]:
        """Return every photo name any case or event refers to."""
        names: set[str] = set()
        with self.tx(write=False) as conn:
            for (text,) in conn.execute(
                select(desk_cases.c.photos).where(desk_cases.c.photos != "[]")
            ):
                names.update(json.loads(text))
            for (text,) in conn.execute(
                select(desk_events.c.photos).where(desk_events.c.photos != "[]")
            ):
                names.update(json.loads(text))
        return names


def driver_chunks(conn: Connection, query: Select[Any], chunk: int) -> Iterator[Sequence[Any]]:
    """Run ``query`` on the driver's own cursor and yield its rows, ``chunk`` at a time.

    For reads of many plain values (the report's half a million cases): SQLAlchemy's row
    objects and per-value processing are skipped (~10 % of such a read). The statement is
    compiled by SQLAlchemy for the connection's dialect and runs in its transaction;
    PostgreSQL streams it through a server-side cursor.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    driver = conn.connection.dbapi_connection
    assert driver is not None
    postgres = conn.dialect.name == "postgresql"
    cursor = driver.cursor(name="lifecircle_rows") if postgres else driver.cursor()
    try:
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(chunk):
            yield rows
    finally:
        cursor.close()


def _select(query: CaseQuery) -> Select[Any]:
    c = desk_cases.c
    stmt = select(desk_cases).order_by(c.id.desc()).limit(query.limit)
    if query.scope is not None:
        column, allowed = query.scope
        stmt = stmt.where(c[column].in_(sorted(allowed)))
    if query.states is not None:
        stmt = stmt.where(c.state.in_(sorted(query.states)))
    if not query.include_private:
        stmt = stmt.where(c.is_private == 0)
    if query.category is not None:
        stmt = stmt.where(c.category == query.category)
    if query.categories is not None:
        stmt = stmt.where(c.category.in_(sorted(query.categories)))
    if query.received_before is not None:
        stmt = stmt.where(c.received_at < query.received_before)
    if query.grid is not None:
        stmt = stmt.where(or_(c.grid == query.grid, c.microgrid == query.grid))
    if query.overdue_at is not None:
        stmt = stmt.where(
            c.due_resolution_at < query.overdue_at, c.state.in_(sorted(query.running_states))
        )
    if query.due_before is not None:
        stmt = stmt.where(
            c.due_resolution_at < query.due_before, c.state.in_(sorted(query.running_states))
        )
    if query.due_from is not None:
        stmt = stmt.where(c.due_resolution_at >= query.due_from)
    if query.compound_key is not None:
        stmt = stmt.where(c.compound_key == query.compound_key)
    if query.received_since is not None:
        stmt = stmt.where(c.received_at >= query.received_since)
    if query.duplicate_of is not None:
        stmt = stmt.where(c.duplicate_of == query.duplicate_of)
    if query.before_id is not None:
        stmt = stmt.where(c.id < query.before_id)
    return stmt
