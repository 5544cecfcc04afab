"""Readable history: which fields of a record changed between two payloads of a data version.

Pure functions over the store's :class:`~lifecircle.store.Change` values; no database access.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lifecircle.store import Change

#: Fields not worth showing to staff (they change with every re-import of the same row).
_QUIET_FIELDS = frozenset({"source"})


@dataclass(frozen=True)
class FieldChange:
    """One field of one record: its value before and after."""

    field: str
    before: Any
    after: Any


def field_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[FieldChange]:
    """List the fields whose values differ, in a stable order.

    >>> field_changes({"name": "A", "phone": "1"}, {"name": "A", "phone": "2"})
    [FieldChange(field='phone', before='1', after='2')]
    >>> field_changes(None, {"name": "A"})
    []
    """
    if before is None or after is None:
        return []
    names = sorted(set(before) | set(after))
    return [
        FieldChange(name, before.get(name), after.get(name))
        for name in names
        if name not in _QUIET_FIELDS and before.get(name) != after.get(name)
    ]


def change_label(change: Change) -> str:
    """Name the record for people (its name, else its key).

    >>> from lifecircle.store import Change
    >>> change_label(Change(1, "facility", "osm:node/1", "added", None, {"name": "药店"}))
    '药店'
    """
    payload = change.after or change.before or {}
    name = str(payload.get("name") or "")
    return name or change.key


def change_json(change: Change) -> dict[str, Any]:
    """Turn a change into JSON-ready values, with the changed fields spelled out."""
    return {
        "kind": change.kind,
        "key": change.key,
        "scope": change.scope,
        "action": change.action,
        "label": change_label(change),
        "fields": [
            {"field": f.field, "before": f.before, "after": f.after}
            for f in field_changes(change.before, change.after)
        ],
    }
