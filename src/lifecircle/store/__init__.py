"""The data store: records, data versions with diffs, and project metadata in SQLite or PostgreSQL.

Importers hand complete :class:`Snapshot` s to :meth:`Store.commit`; everything else reads.
Importing this package opens nothing.
"""

from __future__ import annotations

from lifecircle.store.database import Store
from lifecircle.store.engine import sqlite_url
from lifecircle.store.versions import (
    Change,
    ChangeSummary,
    DataVersion,
    ImportOutcome,
    KindChanges,
    Snapshot,
)

__all__ = [
    "Change",
    "ChangeSummary",
    "DataVersion",
    "ImportOutcome",
    "KindChanges",
    "Snapshot",
    "Store",
    "sqlite_url",
]
