"""Staff sessions and failed-login counters as stored rows, shared by every web worker process.

SQL only: a session is a row keyed by the sha-256 of its cookie token (the token itself is never
stored), so logging out, a new password, disabling or removing an account ends it in every
process at once. Counters of failed logins live here for the same reason. Deciding who may log
in and how long one must wait belongs to :mod:`lifecircle.staff.sessions`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update

from lifecircle.errors import StoreError
from lifecircle.store.engine import DRIVER_ERRORS, driver_message, transaction, utc_timestamp
from lifecircle.store.schema import login_failures, staff_sessions


def token_hash(token: str) -> str:
    """Return the stored form of a session token (hex sha-256).

    >>> len(token_hash("abc")), token_hash("abc") == token_hash("abc")
    (64, True)
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionRow:
    """A stored staff session: whose, its CSRF token, when it ends (seconds since the epoch)."""

    user: str
    csrf: str
    created_at: str
    expires_s: float
    ip: str


@dataclass(frozen=True)
class FailureCount:
    """Failed logins counted for one key (``ip:…`` or ``ip+name:…``) and when the last was."""

    key: str
    failures: int
    last_s: float


def end_sessions_of(conn: Connection, user: str) -> int:
    """Delete every session of ``user`` inside the caller's transaction; return how many."""
    done = conn.execute(delete(staff_sessions).where(staff_sessions.c.user_name == user))
    return int(done.rowcount or 0)


class Sessions:
    """The staff_sessions and login_failures tables of one store (``store.sessions``)."""

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

    def add(self, token: str, row: SessionRow, *, now_s: float) -> None:
        """Store a new session (and drop sessions that have expired)."""
        with self._tx(write=True) as conn:
            conn.execute(delete(staff_sessions).where(staff_sessions.c.expires_s <= now_s))
            conn.execute(
                insert(staff_sessions).values(
                    token_hash=token_hash(token),
                    user_name=row.user,
                    csrf=row.csrf,
                    created_at=row.created_at or utc_timestamp(),
                    expires_s=row.expires_s,
                    ip=row.ip,
                )
            )

    def get(self, token: str, *, now_s: float) -> SessionRow | None:
        """Return the live session of a cookie token, or ``None`` (unknown, ended, expired)."""
        query = select(staff_sessions).where(staff_sessions.c.token_hash == token_hash(token))
        with self._tx(write=False) as conn:
            row = conn.execute(query).mappings().first()
        if row is None or row["expires_s"] <= now_s:
            return None
        return SessionRow(
            row["user_name"], row["csrf"], row["created_at"], row["expires_s"], row["ip"]
        )

    def end(self, token: str) -> bool:
        """End one session (logout); ``False`` when it was not there."""
        with self._tx(write=True) as conn:
            done = conn.execute(
                delete(staff_sessions).where(staff_sessions.c.token_hash == token_hash(token))
            )
        return bool(done.rowcount)

    def end_all(self, user: str) -> int:
        """End every session of ``user``; return how many there were."""
        with self._tx(write=True) as conn:
            return end_sessions_of(conn, user)

    def count(self, user: str, *, now_s: float) -> int:
        """Count the live sessions of ``user``."""
        query = select(staff_sessions.c.token_hash).where(
            staff_sessions.c.user_name == user, staff_sessions.c.expires_s > now_s
        )
        with self._tx(write=False) as conn:
            return len(conn.execute(query).all())

    # -- failed logins -----------------------------------------------------------------------

    def failures(self, keys: Sequence[str]) -> list[FailureCount]:
        """Return the stored counts of these keys (keys never counted are left out)."""
        query = select(login_failures).where(login_failures.c.key.in_(list(keys)))
        with self._tx(write=False) as conn:
            rows = conn.execute(query).mappings().all()
        return [FailureCount(r["key"], int(r["failures"]), float(r["last_s"])) for r in rows]

    def count_attempt(
        self,
        keys: Sequence[str],
        *,
        now_s: float,
        forget_before_s: float,
        allowed: Callable[[list[FailureCount]], bool],
    ) -> list[FailureCount]:
        """Count one attempt for every key unless ``allowed(counts)`` says no; one transaction.

        ``allowed`` gets the current counts (after counts older than ``forget_before_s`` are
        dropped) and returns ``True`` to count the attempt. Under the store's write lock, so
        parallel attempts are counted one after another. Returns the counts it saw.
        """
        with self._tx(write=True) as conn:
            conn.execute(delete(login_failures).where(login_failures.c.last_s < forget_before_s))
            rows = conn.execute(
                select(login_failures).where(login_failures.c.key.in_(list(keys)))
            ).mappings()
            seen = [FailureCount(r["key"], int(r["failures"]), float(r["last_s"])) for r in rows]
            if not allowed(seen):
                return seen
            known = {c.key for c in seen}
            for key in keys:
                if key in known:
                    conn.execute(
                        update(login_failures)
                        .where(login_failures.c.key == key)
                        .values(failures=login_failures.c.failures + 1, last_s=now_s)
                    )
                else:
                    conn.execute(insert(login_failures).values(key=key, failures=1, last_s=now_s))
        return seen

    def forgive(self, forget: Sequence[str], lower: Sequence[str]) -> None:
        """After a good login: drop the counts of ``forget``, take one off those of ``lower``."""
        with self._tx(write=True) as conn:
            conn.execute(delete(login_failures).where(login_failures.c.key.in_(list(forget))))
            for key in lower:
                conn.execute(
                    update(login_failures)
                    .where(login_failures.c.key == key, login_failures.c.failures > 0)
                    .values(failures=login_failures.c.failures - 1)
                )
