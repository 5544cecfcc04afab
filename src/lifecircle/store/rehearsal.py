"""A rehearsal of case writes: the store's own statements on its own engine, always rolled back.

Also :func:`fill_pool`: the connections a burst of requests needs, opened before it comes.

The web app files one case this way when it starts (:mod:`lifecircle.api.warmup`), so the
first real case finds every statement already compiled (SQLAlchemy keeps them per engine) and
each connection's first use done. Nothing is kept: every transaction of the rehearsal's
``cases`` is rolled back, whatever its block did. On PostgreSQL the case and event id sequences
move on (as after any failed insert): case numbers may show a gap, no case is lost.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from sqlalchemy import Connection, select

from lifecircle.store.cases import Cases
from lifecircle.store.database import Store
from lifecircle.store.schema import desk_cases


class _Undo(Exception):
    """Raised inside a rehearsal's transaction so that it is rolled back."""


class RolledBackCases(Cases):
    """``store.cases`` whose every transaction is rolled back at its end (reads as usual)."""

    @contextmanager
    def tx(self, *, write: bool) -> Iterator[Connection]:
        """One transaction under the usual locks, always rolled back."""
        try:
            with super().tx(write=write) as conn:
                yield conn
                raise _Undo
        except _Undo:
            pass


def rehearsal_store(store: Store) -> Store:
    """Return ``store`` whose ``cases`` roll every transaction back (the same engine and locks).

    Only ``cases`` rehearses; the other table groups are the store's own. Do not close it: it
    shares the store's connections.
    """
    dry = copy.copy(store)
    dry.cases = RolledBackCases(store._engine, store.url)
    return dry


def fill_pool(store: Store) -> int:
    """Open as many connections as the store's pool keeps, each used once; return how many.

    A burst of requests right after a start would otherwise open them one by one while it
    waits (each new connection sets itself up and, on SQLite, reads the schema on first use).
    """
    engine = store._engine
    size = getattr(engine.pool, "size", lambda: 1)()
    with ExitStack() as held:
        for _ in range(max(1, size)):
            conn = held.enter_context(engine.connect())
            conn.execute(select(desk_cases.c.id).where(desk_cases.c.id < 0)).all()
            conn.rollback()
    return max(1, size)
