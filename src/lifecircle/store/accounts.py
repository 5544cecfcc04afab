"""Staff accounts and the audit log as stored rows: users (name, hash, role) and who did what.

SQL only. Hashing passwords and deciding who may edit what belong to
:mod:`lifecircle.staff.accounts`; this module never sees a plain password. Audit rows of data
changes are written by the store in the same transaction as their data version
(:func:`write_audit`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, func, insert, select

from lifecircle.errors import StoreError
from lifecircle.store.engine import DRIVER_ERRORS, driver_message, transaction, utc_timestamp
from lifecircle.store.schema import audit_log, meta, users
from lifecircle.store.sessions import end_sessions_of


@dataclass(frozen=True)
class UserRow:
    """A stored staff account; ``password_hash`` is an argon2 PHC string, never a password."""

    name: str
    password_hash: str
    role_level: str
    area: str
    created_at: str
    disabled: bool = False


@dataclass(frozen=True)
class AuditEntry:
    """One thing a person did: ``action`` (``facility.move``), on ``target``, with ``detail``."""

    user: str
    action: str
    target: str
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditRow:
    """A stored audit entry: when (ISO 8601 UTC) and the data version it made, if any."""

    id: int
    at: str
    user: str
    action: str
    target: str
    detail: Mapping[str, Any]
    data_version: int | None


def write_audit(conn: Connection, entry: AuditEntry, *, version_id: int | None) -> None:
    """Insert one audit row inside the caller's transaction."""
    conn.execute(
        insert(audit_log).values(
            at=utc_timestamp(),
            user_name=entry.user,
            action=entry.action,
            target=entry.target,
            detail=json.dumps(dict(entry.detail), ensure_ascii=False, sort_keys=True),
            data_version=version_id,
        )
    )


class Accounts:
    """The users and audit_log tables of one store (get it as ``store.accounts``)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Connection]:
        try:
            with transaction(self._engine, write=write) as conn:
                yield conn
        except DRIVER_ERRORS as exc:
            raise StoreError(
                "error.store.write_failed", url=self._url, detail=driver_message(exc)
            ) from exc

    def users(self) -> list[UserRow]:
        """Return every account, ordered by name."""
        with self._tx(write=False) as conn:
            rows = conn.execute(select(users).order_by(users.c.name)).mappings()
            return [_user(row) for row in rows]

    def get_user(self, name: str) -> UserRow | None:
        """Return one account by name, or ``None``."""
        with self._tx(write=False) as conn:
            row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
        return None if row is None else _user(row)

    def add_user(self, row: UserRow, *, audit: AuditEntry | None = None) -> bool:
        """Store a new account; ``False`` (nothing written) when the name is taken."""
        with self._tx(write=True) as conn:
            taken = conn.execute(select(users.c.name).where(users.c.name == row.name)).first()
            if taken is not None:
                return False
            values = {**row.__dict__, "disabled": int(row.disabled)}
            conn.execute(insert(users).values(**values))
            if audit is not None:
                write_audit(conn, audit, version_id=None)
        return True

    def update_user(
        self,
        name: str,
        values: Mapping[str, Any],
        *,
        audit: AuditEntry | None = None,
        end_sessions: bool = False,
    ) -> bool:
        """Change columns of one account; ``False`` when there is no such account.

        ``end_sessions`` ends the account's web sessions in the same transaction (a new
        password, a disabled account).
        """
        with self._tx(write=True) as conn:
            done = conn.execute(users.update().where(users.c.name == name).values(**values))
            if done.rowcount == 0:
                return False
            if end_sessions:
                end_sessions_of(conn, name)
            if audit is not None:
                write_audit(conn, audit, version_id=None)
        return True

    def remove_user(self, name: str, *, audit: AuditEntry | None = None) -> bool:
        """Delete one account and its sessions (audit rows stay); ``False`` when there is none."""
        with self._tx(write=True) as conn:
            done = conn.execute(users.delete().where(users.c.name == name))
            if done.rowcount == 0:
                return False
            end_sessions_of(conn, name)
            if audit is not None:
                write_audit(conn, audit, version_id=None)
        return True

    def meta_once(self, key: str, value: str) -> str:
        """Store ``value`` under a meta ``key`` unless one is there; return the stored one.

        Atomic (one write transaction), so several web workers starting at once agree on
        one value (the session-signing secret).
        """
        with self._tx(write=True) as conn:
            found = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
            if found is not None:
                return str(found)
            conn.execute(insert(meta).values(key=key, value=value))
        return value

    def add_audit(self, entry: AuditEntry) -> None:
        """Record something that changed no data (a login, a refused attempt, a dry run)."""
        with self._tx(write=True) as conn:
            write_audit(conn, entry, version_id=None)

    def audit(
        self, *, limit: int = 100, before_id: int | None = None, user: str | None = None
    ) -> list[AuditRow]:
        """Return audit rows newest first (``before_id`` pages back; ``user`` filters)."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(audit_log.c.id < before_id)
        if user is not None:
            query = query.where(audit_log.c.user_name == user)
        with self._tx(write=False) as conn:
            return [_audit(row) for row in conn.execute(query).mappings()]

    def count_audit(self) -> int:
        """Count every audit row."""
        with self._tx(write=False) as conn:
            return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def _user(row: RowMapping) -> UserRow:
    return UserRow(
        name=row["name"],
        password_hash=row["password_hash"],
        role_level=row["role_level"],
        area=row["area"],
        created_at=row["created_at"],
        disabled=bool(row["disabled"]),
    )


def _audit(row: RowMapping) -> AuditRow:
    version = row["data_version"]
    return AuditRow(
        id=int(row["id"]),
        at=row["at"],
        user=row["user_name"],
        action=row["action"],
        target=row["target"],
        detail=json.loads(row["detail"]),
        data_version=int(version) if version is not None else None,
    )
