"""The desk's links to the outside as rows: Open311 API keys and the notification outbox.

SQL only. A key is kept as its SHA-256 hash, never in clear. A notice is queued in the same
transaction as the case event it reports, and marked sent (or failed, with the reason) by the
sender; the rows are the delivery log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, insert, select

from lifecircle.store.accounts import AuditEntry, write_audit
from lifecircle.store.schema import desk_api_keys, desk_outbox
from lifecircle.store.tables import TableGroup


@dataclass(frozen=True)
class ApiKeyRow:
    """An Open311 client allowed to post requests (its key is stored hashed)."""

    name: str
    key_hash: str
    created_at: int
    created_by: str
    disabled: bool


@dataclass(frozen=True)
class Notice:
    """A message to send on one channel (``event``: intake, whistle, overdue, finish)."""

    channel: str
    event: str
    text: str
    case_id: int | None = None


@dataclass(frozen=True)
class OutboxRow:
    """A queued or sent notice: attempts so far, when it went, the last error."""

    id: int
    case_id: int | None
    channel: str
    event: str
    text: str
    created_at: int
    attempts: int
    sent_at: int | None
    error: str | None


def queue_notices(conn: Connection, notices: Sequence[Notice], *, now_s: int) -> None:
    """Queue notices inside the caller's transaction."""
    rows = [
        {
            "case_id": notice.case_id,
            "channel": notice.channel,
            "event": notice.event,
            "text": notice.text,
            "created_at": now_s,
            "attempts": 0,
        }
        for notice in notices
    ]
    if rows:
        conn.execute(insert(desk_outbox), rows)


def _outbox(row: RowMapping) -> OutboxRow:
    return OutboxRow(
        id=int(row["id"]),
        case_id=None if row["case_id"] is None else int(row["case_id"]),
        channel=row["channel"],
        event=row["event"],
        text=row["text"],
        created_at=int(row["created_at"]),
        attempts=int(row["attempts"]),
        sent_at=None if row["sent_at"] is None else int(row["sent_at"]),
        error=row["error"],
    )


class Outbox(TableGroup):
    """The desk_outbox table (``store.outbox``)."""

    def queue(self, notices: Sequence[Notice], *, now_s: int) -> None:
        """Queue notices in a transaction of their own (reminders made outside a case event)."""
        with self.tx(write=True) as conn:
            queue_notices(conn, notices, now_s=now_s)

    def pending(self, *, max_attempts: int, limit: int = 100) -> list[OutboxRow]:
        """Return notices not sent yet and tried fewer than ``max_attempts`` times."""
        query = (
            select(desk_outbox)
            .where(desk_outbox.c.sent_at.is_(None), desk_outbox.c.attempts < max_attempts)
            .order_by(desk_outbox.c.id)
            .limit(limit)
        )
        with self.tx(write=False) as conn:
            return [_outbox(r) for r in conn.execute(query).mappings()]

    def claim(self, row: OutboxRow) -> bool:
        """Count a new attempt at a notice; ``False`` when another sender got to it first.

        Senders in several processes may read the same pending notice: only the one whose
        claim finds the attempts as it read them sends it.
        """
        table = desk_outbox
        with self.tx(write=True) as conn:
            done = conn.execute(
                table.update()
                .where(
                    table.c.id == row.id,
                    table.c.attempts == row.attempts,
                    table.c.sent_at.is_(None),
                )
                .values(attempts=row.attempts + 1)
            )
            return done.rowcount == 1

    def mark(self, row_id: int, *, sent_at: int | None, error: str | None) -> None:
        """Record how a claimed attempt went: sent (``sent_at``) or failed (``error``)."""
        table = desk_outbox
        with self.tx(write=True) as conn:
            conn.execute(
                table.update().where(table.c.id == row_id).values(sent_at=sent_at, error=error)
            )

    def log(self, *, limit: int = 100, case_id: int | None = None) -> list[OutboxRow]:
        """Return the newest notices first (optionally of one case)."""
        query = select(desk_outbox).order_by(desk_outbox.c.id.desc()).limit(limit)
        if case_id is not None:
            query = query.where(desk_outbox.c.case_id == case_id)
        with self.tx(write=False) as conn:
            return [_outbox(r) for r in conn.execute(query).mappings()]


def _key(row: RowMapping) -> ApiKeyRow:
    return ApiKeyRow(
        name=row["name"],
        key_hash=row["key_hash"],
        created_at=int(row["created_at"]),
        created_by=row["created_by"],
        disabled=bool(row["disabled"]),
    )


class ApiKeys(TableGroup):
    """The desk_api_keys table (``store.api_keys``)."""

    def add(self, row: ApiKeyRow, *, audit: AuditEntry) -> bool:
        """Store a new key; ``False`` (nothing written) when the name is taken."""
        with self.tx(write=True) as conn:
            taken = conn.execute(
                select(desk_api_keys.c.name).where(desk_api_keys.c.name == row.name)
            ).first()
            if taken is not None:
                return False
            values = {**row.__dict__, "disabled": int(row.disabled)}
            conn.execute(insert(desk_api_keys).values(**values))
            write_audit(conn, audit, version_id=None)
        return True

    def find(self, key_hash: str) -> ApiKeyRow | None:
        """Return the enabled key with this hash, or ``None``."""
        query = select(desk_api_keys).where(
            desk_api_keys.c.key_hash == key_hash, desk_api_keys.c.disabled == 0
        )
        with self.tx(write=False) as conn:
            found = conn.execute(query).mappings().first()
        return None if found is None else _key(found)

    def all(self) -> list[ApiKeyRow]:
        """Return every key, by name."""
        with self.tx(write=False) as conn:
            rows = conn.execute(select(desk_api_keys).order_by(desk_api_keys.c.name)).mappings()
            return [_key(r) for r in rows]

    def disable(self, name: str, *, audit: AuditEntry) -> bool:
        """Stop a key from working; ``False`` when there is no such key."""
        table = desk_api_keys
        with self.tx(write=True) as conn:
            done = conn.execute(table.update().where(table.c.name == name).values(disabled=1))
            if done.rowcount == 0:
                return False
            write_audit(conn, audit, version_id=None)
        return True
