"""A group of tables the store hands out (``store.accounts``, ``store.cases`` …): transactions.

Wraps :func:`lifecircle.store.engine.transaction` so a driver failure becomes a
:class:`~lifecircle.errors.StoreError` naming the database; knows no table itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine

from lifecircle.errors import StoreError
from lifecircle.store.engine import DRIVER_ERRORS, driver_message, transaction


class TableGroup:
    """Base of the store's table groups: one engine, its safe URL, transactions."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url

    @contextmanager
    def tx(self, *, write: bool) -> Iterator[Connection]:
        """One transaction (``write``: the single-writer lock); driver errors as StoreError."""
        try:
            with transaction(self._engine, write=write) as conn:
                yield conn
        except DRIVER_ERRORS as exc:
            raise StoreError(
                "error.store.write_failed", url=self._url, detail=driver_message(exc)
            ) from exc


def dumps(value: Any) -> str:
    """JSON text of a value as the desk tables keep it (UTF-8 kept, keys sorted)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
