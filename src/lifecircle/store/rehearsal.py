"""A rehearsal of case writes: the store's own statements on its own engine, always rolled back.

The web app files one case this way when it starts (:mod:`lifecircle.api.warmup`), so the
first real case finds every statement already compiled (SQLAlchemy keeps them per engine) and
each connection's first use done. Nothing is kept: every transaction of the rehearsal's
``cases`` is rolled back, whatever its block did. On PostgreSQL the case and event id sequences
move on (as after any failed insert): case numbers may show a gap, no case is lost.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from lifecircle.store.cases import Cases
from lifecircle.store.database import Store


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
