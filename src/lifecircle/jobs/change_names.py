"""Name the records an import would add, change or remove, for a person to read before confirming.

A count alone ("删除 9") hides what goes: a dry run names the first few of each and says how
many in all, and how many removals are compounds derived from OSM (a compounds sheet replaces
them all). Reads the store; writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lifecircle.model import Record
from lifecircle.store import ChangeSummary, Store

#: How many names of each list a report carries (the rest is a number: "等 M 个").
FIRST_N = 12


@dataclass(frozen=True)
class NamedKeys:
    """The first names of some records (a record without a name shows its key) and their total."""

    names: tuple[str, ...] = ()
    total: int = 0


@dataclass(frozen=True)
class NamedChanges:
    """What a write does to one kind, by name; ``derived_removed``: OSM-derived ones removed."""

    kind: str
    added: NamedKeys = NamedKeys()
    changed: NamedKeys = NamedKeys()
    removed: NamedKeys = NamedKeys()
    derived_removed: int = 0


def label_of(record: Record | None, key: str) -> str:
    """Return what a person calls a record: its name, else its key.

    >>> label_of(None, "osm:way/1")
    'osm:way/1'
    """
    name = getattr(record, "name", "") if record is not None else ""
    return str(name) if name else key


def named_keys(keys: Sequence[str], records: Mapping[str, Record], *, first: int) -> NamedKeys:
    """Name the first ``first`` of ``keys`` from ``records`` (by key).

    >>> named_keys(["a", "b", "c"], {}, first=2)
    NamedKeys(names=('a', 'b'), total=3)
    """
    return NamedKeys(tuple(label_of(records.get(k), k) for k in keys[:first]), len(keys))


def name_changes(
    store: Store,
    summary: ChangeSummary,
    new: Sequence[Record],
    *,
    derived_scope: str = "",
    first: int = FIRST_N,
) -> tuple[NamedChanges, ...]:
    """Name what ``summary`` (a planned write of ``new`` records) would do, kind by kind.

    Added and changed records are named from ``new`` (the names they will have), removed ones
    from the store (the names they have now); call it before the write commits.
    ``derived_scope`` names the scope of OSM-derived compounds, counted apart.
    """
    incoming = {r.key: r for r in new}
    out = []
    for kind in summary.kinds:
        stored: dict[str, Record] = {}
        derived: set[str] = set()
        if kind.removed:
            stored = {r.key: r for r in store.records(kind.kind)}
            if derived_scope:
                derived = {r.key for r in store.records(kind.kind, scope=derived_scope)}
        out.append(
            NamedChanges(
                kind.kind,
                added=named_keys(kind.added, incoming, first=first),
                changed=named_keys(kind.changed, incoming, first=first),
                removed=named_keys(kind.removed, stored, first=first),
                derived_removed=sum(1 for k in kind.removed if k in derived),
            )
        )
    return tuple(out)
