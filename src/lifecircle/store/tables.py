"""A group of tables the store hands out (``store.accounts``, ``store.cases`` …): transactions.

Wraps :func:`lifecircle.store.engine.transaction` so a driver failure becomes a
:class:`~lifecircle.errors.StoreError` naming the database; knows no table itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine

from lifecircle.errors import StoreError
from lifecircle.store.engine import DRIVER_ERRORS, driver_message, transaction

_WRITERS: dict[int, threading.Lock] = {}
_WRITERS_LOCK = threading.Lock()


def _writer_lock(engine: Engine) -> threading.Lock:
    """One lock per engine: this process's writers queue here, not in SQLite's busy loop.

    SQLite lets a blocked writer sleep and retry (up to 100 ms a try); under many writers a
    thread's write then waits far longer than the writes ahead of it take.
    """
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(id(engine), threading.Lock())


class TableGroup:
    """Base of the store's table groups: one engine, its safe URL, transactions."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url
        self._writer = _writer_lock(engine)

    @contextmanager
    def tx(self, *, write: bool) -> Iterator[Connection]:
        """One transaction (``write``: the single-writer lock); driver errors as StoreError."""
        try:
            if write:
                with self._writer, transaction(self._engine, write=True) as conn:
                    yield conn
            else:
                with transaction(self._engine, write=False) as conn:
                    yield conn
        except DRIVER_ERRORS as exc:
            raise StoreError(
                "error.store.write_failed", url=self._url, detail=driver_message(exc)
            ) from exc


def dumps(value: Any) -> str:
    """JSON text of a value as the desk tables keep it (UTF-8 kept, keys sorted)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
