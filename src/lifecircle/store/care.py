"""Stored welfare register rows (``store.care``): people, visits, urgent checks, the access log.

SQL only, on rows as plain mappings. Encryption, roles and schedules are
:mod:`lifecircle.care`'s; here every write is one transaction with its access-log rows, or
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from lifecircle.store.care_rates import MonthQuery, Tally, month_tallies
from lifecircle.store.care_schema import (
    CHECK_SECRETS,
    SECRETS,
    care_access,
    care_checks,
    care_people,
    care_visits,
)
from lifecircle.store.tables import TableGroup, dumps

Row = dict[str, Any]


@dataclass(frozen=True)
class AccessEntry:
    """One access-log row: who did what to whose record, why, with what detail."""

    user: str
    action: str
    reason: str
    person_id: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


def _log(conn: Connection, entries: Iterable[AccessEntry], now_s: int) -> None:
    rows = [
        {
            "at": now_s,
            "user_name": e.user,
            "action": e.action,
            "reason": e.reason,
            "person_id": e.person_id,
            "detail": dumps(dict(e.detail)),
        }
        for e in entries
    ]
    if rows:
        conn.execute(insert(care_access), rows)


def _new_id(conn: Connection, table: Table, values: Mapping[str, Any]) -> int:
    key = conn.execute(insert(table), dict(values)).inserted_primary_key
    assert key is not None
    return int(key[0])


class CareTables(TableGroup):
    """The register's tables of one store."""

    def add_people(
        self, rows: Sequence[Mapping[str, Any]], access: Sequence[AccessEntry], *, now_s: int
    ) -> list[int]:
        """Insert people (and the access-log rows) as one transaction; return their ids."""
        with self.tx(write=True) as conn:
            ids = [_new_id(conn, care_people, {**r, "updated_at": now_s}) for r in rows]
            _log(conn, access, now_s)
        return ids

    def people(
        self,
        *,
        ids: Iterable[int] | None = None,
        column: str | None = None,
        values: Iterable[str] = (),
        active_only: bool = False,
    ) -> list[Row]:
        """Return people rows, optionally by id or limited to a column's values (grid …)."""
        query = select(care_people).order_by(care_people.c.id)
        if ids is not None:
            query = query.where(care_people.c.id.in_(list(ids)))
        if column is not None:
            query = query.where(care_people.c[column].in_(list(values)))
        if active_only:
            query = query.where(care_people.c.left_at.is_(None))
        with self.tx(write=False) as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def person(self, person_id: int) -> Row | None:
        """Return one person row, or ``None``."""
        found = self.people(ids=[person_id])
        return found[0] if found else None

    def update_person(
        self,
        person_id: int,
        values: Mapping[str, Any],
        access: Sequence[AccessEntry],
        *,
        now_s: int,
        visits: Mapping[int, Mapping[str, Any]] | None = None,
        checks: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> None:
        """Change one person (and, anonymising, their visits and checks) with the log rows."""
        with self.tx(write=True) as conn:
            conn.execute(
                care_people.update()
                .where(care_people.c.id == person_id)
                .values(**values, updated_at=now_s)
            )
            for visit_id, changed in (visits or {}).items():
                conn.execute(
                    care_visits.update().where(care_visits.c.id == visit_id).values(**changed)
                )
            for check_id, changed in (checks or {}).items():
                conn.execute(
                    care_checks.update().where(care_checks.c.id == check_id).values(**changed)
                )
            _log(conn, access, now_s)

    def add_visit(
        self, values: Mapping[str, Any], access: Sequence[AccessEntry], *, now_s: int
    ) -> int:
        """Insert a visit with its access-log rows; return its id."""
        with self.tx(write=True) as conn:
            new_id = _new_id(conn, care_visits, {**values, "logged_at": now_s})
            _log(conn, access, now_s)
        return new_id

    def visits(
        self,
        *,
        person_ids: Iterable[int] | None = None,
        since_s: int | None = None,
        until_s: int | None = None,
    ) -> list[Row]:
        """Return visits (oldest first), optionally of some people and in ``[since, until)``."""
        query = select(care_visits).order_by(care_visits.c.at, care_visits.c.id)
        if person_ids is not None:
            query = query.where(care_visits.c.person_id.in_(list(person_ids)))
        if since_s is not None:
            query = query.where(care_visits.c.at >= since_s)
        if until_s is not None:
            query = query.where(care_visits.c.at < until_s)
        with self.tx(write=False) as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def last_visits(self, *, except_outcome: str | None = None) -> dict[int, int]:
        """Return each person's latest visit time, leaving out visits with one outcome."""
        query = select(care_visits.c.person_id, func.max(care_visits.c.at)).group_by(
            care_visits.c.person_id
        )
        if except_outcome is not None:
            query = query.where(care_visits.c.outcome != except_outcome)
        with self.tx(write=False) as conn:
            return {int(p): int(at) for p, at in conn.execute(query)}

    def month_tallies(self, month: MonthQuery) -> list[Tally]:
        """Count 应探访, 已探访 and 逾期 per grid, community, 街道 and level, in the database.

        One query (:func:`lifecircle.store.care_rates.month_tallies`): no visit row is read
        into Python.
        """
        with self.tx(write=False) as conn:
            return month_tallies(conn, month)

    def log(self, entries: Sequence[AccessEntry], *, now_s: int) -> None:
        """Write access-log rows (a read, a list, a reveal) in their own transaction."""
        with self.tx(write=True) as conn:
            _log(conn, entries, now_s)

    def access_log(
        self,
        *,
        since_s: int | None = None,
        until_s: int | None = None,
        person_id: int | None = None,
    ) -> list[Row]:
        """Return access-log rows, oldest first."""
        query = select(care_access).order_by(care_access.c.at, care_access.c.id)
        if since_s is not None:
            query = query.where(care_access.c.at >= since_s)
        if until_s is not None:
            query = query.where(care_access.c.at < until_s)
        if person_id is not None:
            query = query.where(care_access.c.person_id == person_id)
        with self.tx(write=False) as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def add_check(
        self, values: Mapping[str, Any], access: Sequence[AccessEntry], *, now_s: int
    ) -> int:
        """Insert an urgent check with its access-log rows; return its id."""
        with self.tx(write=True) as conn:
            new_id = _new_id(conn, care_checks, values)
            _log(conn, access, now_s)
        return new_id

    def check(self, *, check_id: int | None = None, token: str | None = None) -> Row | None:
        """Return one urgent check by id or token, or ``None``."""
        query = select(care_checks)
        if check_id is not None:
            query = query.where(care_checks.c.id == check_id)
        if token is not None:
            query = query.where(care_checks.c.token == token)
        with self.tx(write=False) as conn:
            found = conn.execute(query).mappings().first()
        return None if found is None else dict(found)

    def checks(self, *, open_only: bool = False, person_id: int | None = None) -> list[Row]:
        """Return the urgent checks, newest first."""
        query = select(care_checks).order_by(care_checks.c.id.desc())
        if person_id is not None:
            query = query.where(care_checks.c.person_id == person_id)
        if open_only:
            query = query.where(care_checks.c.closed_at.is_(None))
        with self.tx(write=False) as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def update_check(
        self,
        check_id: int,
        values: Mapping[str, Any],
        access: Sequence[AccessEntry],
        *,
        now_s: int,
        also: Callable[[Connection], None] | None = None,
    ) -> None:
        """Change one urgent check with its access-log rows (and ``also``'s, e.g. its case's).

        ``also(conn)`` writes in the same transaction; when it raises, nothing is written.
        """
        with self.tx(write=True) as conn:
            conn.execute(care_checks.update().where(care_checks.c.id == check_id).values(**values))
            _log(conn, access, now_s)
            if also is not None:
                also(conn)

    def expire(
        self,
        *,
        checks_closed_before: int,
        access_before: int,
        access: Callable[[list[int], int], Sequence[AccessEntry]],
        now_s: int,
        dry_run: bool = False,
    ) -> tuple[list[int], int]:
        """Blank the sealed texts of urgent checks closed before a time; delete old log rows.

        One transaction: the checks closed before ``checks_closed_before`` that still hold a
        raiser's details lose them, the access-log rows older than ``access_before`` are
        deleted, and ``access(check_ids, rows_deleted)``'s rows (the purge's own record) are
        written. Returns the checks' ids and the number of log rows deleted (``dry_run``: that
        would be, writing nothing).
        """
        sealed = care_checks.c.raiser_enc.is_not(None) | care_checks.c.said_enc.is_not(None)
        old_checks = (
            select(care_checks.c.id)
            .where(care_checks.c.closed_at < checks_closed_before, sealed)
            .order_by(care_checks.c.id)
        )
        old_log = care_access.c.at < access_before
        with self.tx(write=not dry_run) as conn:
            ids = [int(i) for i in conn.execute(old_checks).scalars()]
            count = select(func.count()).select_from(care_access).where(old_log)
            rows = int(conn.execute(count).scalar_one())
            if dry_run:
                return ids, rows
            if ids:
                blank = {f"{n}_enc": None for n in CHECK_SECRETS}
                conn.execute(care_checks.update().where(care_checks.c.id.in_(ids)).values(blank))
            conn.execute(care_access.delete().where(old_log))
            _log(conn, access(ids, rows), now_s)
        return ids, rows

    def reseal(
        self,
        change: Callable[[str, Row], dict[str, Any]],
        access: Sequence[AccessEntry],
        *,
        now_s: int,
    ) -> int:
        """Rewrite every row's encrypted columns as ``change(table, row)`` says, in one transaction.

        Returns the number of rows rewritten. ``change`` may raise to leave everything as it was.
        """
        done = 0
        tables = {
            "care_people": care_people,
            "care_visits": care_visits,
            "care_checks": care_checks,
        }
        with self.tx(write=True) as conn:
            for name, table in tables.items():
                for row in [dict(r) for r in conn.execute(select(table)).mappings()]:
                    values = change(name, row)
                    if values:
                        conn.execute(table.update().where(table.c.id == row["id"]).values(**values))
                        done += 1
            _log(conn, access, now_s)
        return done

    def purge(self) -> None:
        """Overwrite what deleted or replaced values leave behind in the database files.

        SQLite keeps old pages in its write-ahead log and free lists, PostgreSQL keeps dead row
        versions, until they are reused: after forgetting a person or rotating the key, the old
        ciphertexts would still be in the files. This checkpoints and rewrites them (SQLite
        ``VACUUM``; PostgreSQL ``VACUUM FULL`` of the register's tables).
        """
        with self._writer:
            if self._engine.dialect.name == "sqlite":
                raw = self._engine.raw_connection()  # VACUUM runs outside any transaction
                try:
                    for statement in ("PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM"):
                        raw.driver_connection.execute(statement)  # type: ignore[union-attr]
                    raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
                finally:
                    raw.close()
                return
            with self._engine.connect() as conn:
                auto = conn.execution_options(isolation_level="AUTOCOMMIT")
                auto.exec_driver_sql("VACUUM FULL care_people, care_visits, care_checks")


__all__ = ["SECRETS", "AccessEntry", "CareTables", "MonthQuery", "Row", "Tally"]
