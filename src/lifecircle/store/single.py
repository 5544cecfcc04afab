"""Single-record writes (staff edits): plan adding one new numbered record, or removing one.

Unlike a snapshot commit these touch one key and leave the rest of the kind alone. Functions
here run inside a write transaction they are given; they never open, commit or roll back one.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from lifecircle.errors import StoreError
from lifecircle.model import Record
from lifecircle.store.schema import KindSpec, changes
from lifecircle.store.versions import (
    KindPlan,
    NewRow,
    Plan,
    StoredRow,
    canonical_payload,
    content_hash,
)


def key_number(key: str) -> int | None:
    """Return the number that ends a key such as ``edit:12``, or ``None``.

    >>> key_number("edit:12"), key_number("osm:way/5"), key_number("edit:x")
    (12, None, None)
    """
    tail = key.rsplit(":", 1)[-1]
    return int(tail) if tail.isdecimal() else None


def next_number(conn: Connection, spec: KindSpec) -> int:
    """Return 1 + the highest key number of this kind stored now or ever (so none is reused).

    Removed records still count, read from the change history: an id that once meant one
    edit never comes to mean another.
    """
    table = spec.table
    stored = conn.execute(select(table.c.key)).scalars()
    history = conn.execute(select(changes.c.key).where(changes.c.kind == spec.kind)).scalars()
    numbers = [key_number(key) for keys in (stored, history) for key in keys]
    return max((n for n in numbers if n is not None), default=0) + 1


def plan_add(spec: KindSpec, record: Record, *, scope: str) -> Plan:
    """Plan adding one record (its key must be new: :func:`next_number` makes sure).

    Raises
    ------
    StoreError
        The record is of another kind.
    """
    if record.kind != spec.kind:
        raise StoreError(
            "error.store.add_wrong_kind",
            type=type(record).__name__,
            key=record.key,
            kind=spec.kind,
        )
    payload = canonical_payload(record)
    columns = {name: getattr(record, name) for name in spec.columns}
    row = NewRow(record.key, scope, content_hash(payload), payload, columns)
    return Plan((KindPlan(spec, added=(row,)),))


def plan_remove(conn: Connection, spec: KindSpec, key: str) -> Plan:
    """Plan removing one stored record.

    Raises
    ------
    StoreError
        No record of this kind has that key (perhaps someone removed it a moment ago).
    """
    table = spec.table
    found = conn.execute(
        select(table.c.scope, table.c.content_hash, table.c.payload).where(table.c.key == key)
    ).first()
    if found is None:
        raise StoreError("error.store.nothing_to_remove", kind=spec.kind, key=key)
    scope, digest, payload = found
    stored = StoredRow(key, scope, digest, payload if spec.keep_history else None)
    return Plan((KindPlan(spec, removed=(stored,)),))


def load_one(conn: Connection, spec: KindSpec, key: str) -> StoredRow | None:
    """Read one stored record's row (with its payload) under the caller's transaction."""
    table = spec.table
    found = conn.execute(
        select(table.c.scope, table.c.content_hash, table.c.payload).where(table.c.key == key)
    ).first()
    if found is None:
        return None
    scope, digest, payload = found
    return StoredRow(key, scope, digest, payload)


def plan_change(spec: KindSpec, stored: StoredRow, record: Record) -> Plan:
    """Plan replacing one stored record by ``record`` (same key; it keeps its scope).

    An identical record plans nothing (an empty plan).

    Raises
    ------
    StoreError
        The new record is of another kind or has another key.
    """
    if record.kind != spec.kind or record.key != stored.key:
        raise StoreError(
            "error.store.add_wrong_kind", type=type(record).__name__, key=record.key, kind=spec.kind
        )
    payload = canonical_payload(record)
    digest = content_hash(payload)
    if digest == stored.content_hash:
        return Plan((KindPlan(spec),))
    columns = {name: getattr(record, name) for name in spec.columns}
    new = NewRow(record.key, stored.scope, digest, payload, columns)
    kept = (
        stored
        if spec.keep_history
        else StoredRow(stored.key, stored.scope, stored.content_hash, None)
    )
    return Plan((KindPlan(spec, changed=((kept, new),)),))
