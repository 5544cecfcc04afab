"""The cases' facts as arrays for counting, and their cache next to the store.

:class:`Facts` holds the milestone times (int64, :data:`NULL` when none) and the text columns as
small integer codes with their vocabulary, so counting 500,000 cases is array arithmetic.
Reading them row by row from SQLite is most of a report's time (~2.5 µs a case), so
:func:`load_facts` keeps them as a derived cache (``cache/desk/``, never the source of truth):
in the serving process's memory and in an ``.npz`` file, refreshed from the cases whose
``updated_at`` moved since the last read (every case write moves it; a margin covers writes
still in flight when the last read happened).
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lifecircle.bulk import paused_gc
from lifecircle.cache.entries import load_entry, save_entry

#: A missing time in the fact arrays.
NULL = -1
IntArray = NDArray[np.int64]
#: The cases' columns counted by :mod:`lifecircle.desk.metrics` (text ones as codes).
CASE_COLUMNS = (
    "id",
    "is_private",
    "microgrid",
    "category",
    "source",
    "state",
    "grid",
    "community",
    "subdistrict",
    "received_at",
    "first_response_at",
    "due_response_at",
    "first_done_at",
    "done_due_at",
    "closed_at",
    "callback_at",
    "solved",
    "satisfaction",
    "due_resolution_at",
    "held_s",
    "reopen_count",
)
TEXT = frozenset(
    {
        "department",
        "microgrid",
        "category",
        "source",
        "state",
        "grid",
        "community",
        "subdistrict",
        "satisfaction",
    }
)
#: The number columns (times, counts, flags): -1 stands for NULL (:data:`NULL`).
NUMBERS = frozenset(CASE_COLUMNS) - TEXT
#: A read refetches the cases written this many seconds before the previous read began.
MARGIN_S = 300
#: The cache file is rewritten when this many cases changed since it was written.
REWRITE_AFTER = 1000
_KIND = "desk"
#: Per store: the facts, the watermark, the horizon, and cases changed since the file.
_MEMORY: dict[str, tuple[Facts, int, int, int]] = {}
_LOCK = threading.Lock()


def _codes(values: Sequence[Any], vocab: dict[str, int]) -> NDArray[np.int32]:
    """Code text values with a vocabulary (extended with new values); None is ""."""
    index = {v: vocab.setdefault("" if v is None else str(v), len(vocab)) for v in set(values)}
    return np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))


def _numbers(values: Sequence[Any]) -> IntArray:
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    try:  # the store gave -1 for NULL: plain integers, the fast way
        return np.fromiter(values, dtype=np.int64, count=len(values))
    except TypeError:
        floats = np.array(values, dtype=np.float64)  # None → nan; epoch seconds are exact
        return np.where(np.isnan(floats), NULL, floats).astype(np.int64)


@dataclass(frozen=True)
class Facts:
    """Columns of cases: numbers as int64 arrays, text as codes into a vocabulary.

    >>> f = Facts.from_rows([(1, "closed"), (2, "done"), (3, "closed")], ("id", "state"))
    >>> f.eq("state", "closed").tolist(), f.groups("state")
    ([True, False, True], (['closed', 'done'], array([0, 1, 0])))
    """

    numbers: Mapping[str, IntArray]
    codes: Mapping[str, NDArray[np.int32]]
    vocab: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_columns(cls, values: Sequence[Sequence[Any]], columns: Sequence[str]) -> Facts:
        """Build the arrays from the store's columns (``None`` for a missing value)."""
        numbers, codes, vocab = {}, {}, {}
        for name, column in zip(columns, values, strict=True):
            if name in TEXT:
                index: dict[str, int] = {}
                codes[name] = _codes(column, index)
                vocab[name] = tuple(index)
            else:
                numbers[name] = _numbers(column)
        return cls(numbers, codes, vocab)

    @classmethod
    def from_chunks(
        cls, chunks: Iterable[Sequence[Sequence[Any]]], columns: Sequence[str]
    ) -> Facts:
        """Build the arrays from chunks of rows (the store's ``facts_since``), one at a time.

        A chunk's numbers become one int64 block in one pass, and its texts one block of codes
        through one vocabulary (:class:`_Blocks`): no value is handled by Python code of ours.
        The garbage collector is paused meanwhile: half a million rows of Python objects made
        and dropped would otherwise set off full collections over and over.
        """
        blocks = _Blocks(columns)
        with paused_gc():
            for rows in chunks:
                blocks.add(rows)
        return blocks.facts()

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> Facts:
        """Build the arrays from rows of ``columns``."""
        turned = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
        return cls.from_columns(turned, columns)

    def __len__(self) -> int:
        arrays: list[np.ndarray] = [*self.numbers.values(), *self.codes.values()]
        return len(arrays[0]) if arrays else 0

    def __getitem__(self, name: str) -> IntArray:
        return self.numbers[name]

    def code(self, name: str, value: str) -> int:
        """Return the code of a text value (-1 when no case has it)."""
        try:
            return self.vocab[name].index(value)
        except ValueError:
            return -1

    def eq(self, name: str, value: str) -> NDArray[np.bool_]:
        """Tell which cases have ``value`` in text column ``name``."""
        found: NDArray[np.bool_] = self.codes[name] == self.code(name, value)
        return found

    def one_of(self, name: str, values: Iterable[str]) -> NDArray[np.bool_]:
        """Tell which cases have one of ``values`` in text column ``name``."""
        codes = self.codes[name]
        found = np.zeros(len(codes), dtype=bool)
        for code in (self.code(name, v) for v in values):
            if code >= 0:
                found |= codes == code
        return found

    def groups(self, name: str) -> tuple[list[str], NDArray[np.int64]]:
        """Return the distinct values of a text column (sorted) and each case's number."""
        used = np.unique(self.codes[name])
        names = [self.vocab[name][c] for c in used]
        order = np.argsort(names, kind="stable")
        rank = np.empty(len(used), dtype=np.int64)
        rank[order] = np.arange(len(used))
        lookup = np.full(len(self.vocab[name]) or 1, -1, dtype=np.int64)
        lookup[used] = rank
        return sorted(names), lookup[self.codes[name]]

    def subset(self, keep: NDArray[np.bool_]) -> Facts:
        """Return the facts of the cases where ``keep`` holds."""
        return Facts(
            {k: v[keep] for k, v in self.numbers.items()},
            {k: v[keep] for k, v in self.codes.items()},
            self.vocab,
        )


class _Blocks:
    """Chunks of rows turned into blocks: numbers (rows × number columns) and text codes.

    The text columns share one vocabulary while reading (a dict numbering each new value as
    it is met, so the codes come from C without a Python loop); :meth:`facts` gives each
    column its own vocabulary, None and "" being the same "no value".
    """

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self.number_names = [n for n in columns if n not in TEXT]
        self.text_names = [n for n in columns if n in TEXT]
        self._numbers_of = _picker([self.columns.index(n) for n in self.number_names])
        self._texts_of = _picker([self.columns.index(n) for n in self.text_names])
        self.vocab: defaultdict[Any, int] = defaultdict()
        self.vocab.default_factory = self.vocab.__len__
        self.numbers: list[IntArray] = []
        self.texts: list[NDArray[np.int32]] = []

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        """Add a chunk of rows."""
        if not rows:
            return
        flat = chain.from_iterable(map(self._numbers_of, rows))
        try:  # the store gave -1 for NULL: plain integers, the fast way
            numbers = np.fromiter(flat, dtype=np.int64, count=len(rows) * len(self.number_names))
        except TypeError:  # None among them: column by column
            picked = [self._numbers_of(r) for r in rows]
            numbers = np.stack([_numbers(c) for c in zip(*picked, strict=True)], axis=1)
        self.numbers.append(numbers.reshape(len(rows), len(self.number_names)))
        texts = map(self.vocab.__getitem__, chain.from_iterable(map(self._texts_of, rows)))
        codes = np.fromiter(texts, dtype=np.int32, count=len(rows) * len(self.text_names))
        self.texts.append(codes.reshape(len(rows), len(self.text_names)))

    def facts(self) -> Facts:
        """Return the facts read so far, each text column with its own vocabulary."""
        numbers = np.concatenate(self.numbers) if self.numbers else None
        texts = np.concatenate(self.texts) if self.texts else None
        shared = ["" if v is None else str(v) for v in self.vocab]
        out_numbers: dict[str, IntArray] = {}
        out_codes: dict[str, NDArray[np.int32]] = {}
        out_vocab: dict[str, tuple[str, ...]] = {}
        for j, name in enumerate(self.number_names):
            column = numbers[:, j] if numbers is not None else np.zeros(0, dtype=np.int64)
            out_numbers[name] = np.ascontiguousarray(column)
        for j, name in enumerate(self.text_names):
            codes = texts[:, j] if texts is not None else np.zeros(0, dtype=np.int32)
            used = np.flatnonzero(np.bincount(codes, minlength=len(shared)))
            own: dict[str, int] = {}
            lookup = np.zeros(len(shared) or 1, dtype=np.int32)
            lookup[used] = [own.setdefault(shared[u], len(own)) for u in used]
            out_codes[name] = lookup[codes]
            out_vocab[name] = tuple(own)
        return Facts(out_numbers, out_codes, out_vocab)


def _picker(indexes: Sequence[int]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """Return a function picking ``indexes`` of a row as a sequence (C's own for two or more)."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    return lambda row: tuple(row[i] for i in indexes)


def _merge(old: Facts, new: Facts) -> Facts:
    """Return ``old`` with the cases of ``new`` replaced or added (both sorted by id)."""
    vocab = {k: {v: i for i, v in enumerate(old.vocab[k])} for k in old.vocab}
    recoded = {k: _codes([new.vocab[k][c] for c in new.codes[k]], vocab[k]) for k in new.codes}
    ids = old["id"]
    keep = ~np.isin(ids, new["id"])
    numbers = {k: np.concatenate([v[keep], new.numbers[k]]) for k, v in old.numbers.items()}
    codes = {k: np.concatenate([v[keep], recoded[k]]) for k, v in old.codes.items()}
    order = np.argsort(numbers["id"], kind="stable")
    return Facts(
        {k: v[order] for k, v in numbers.items()},
        {k: v[order] for k, v in codes.items()},
        {k: tuple(v) for k, v in vocab.items()},
    )


def _arrays(facts: Facts) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {f"n.{k}": v for k, v in facts.numbers.items()}
    out |= {f"c.{k}": v for k, v in facts.codes.items()}
    out |= {f"v.{k}": np.array(v, dtype=str) for k, v in facts.vocab.items()}
    return out


def _facts(arrays: Mapping[str, np.ndarray]) -> Facts | None:
    try:
        return Facts(
            {k[2:]: v for k, v in arrays.items() if k.startswith("n.")},
            {k[2:]: v for k, v in arrays.items() if k.startswith("c.")},
            {k[2:]: tuple(str(x) for x in v) for k, v in arrays.items() if k.startswith("v.")},
        )
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class FactSource:
    """Where facts come from, and as of when.

    ``read(since, horizon)`` gives the rows of the cases written since ``since``, or
    (``since`` None) of the cases touched since ``horizon``; ``now`` is the time of the read.
    The cache covers cases touched since ``horizon``: earlier ones are read again only when a
    report reaches further back.
    """

    url: str
    cache_dir: Path
    read: Callable[[int | None, int], Iterable[Sequence[Sequence[Any]]]]
    now: int
    horizon: int

    @property
    def key(self) -> str:
        """The cache entry's key: the store and the columns."""
        return hashlib.blake2b(f"{self.url}|{CASE_COLUMNS}".encode(), digest_size=8).hexdigest()


def _from_file(source: FactSource) -> tuple[Facts, int, int, int] | None:
    entry = load_entry(source.cache_dir, _KIND, "facts", source.key)
    facts = _facts(entry[0]) if entry else None
    if facts is None or entry is None:
        return None
    if set(facts.numbers) | set(facts.codes) != set(CASE_COLUMNS):
        return None
    return facts, int(entry[1]["watermark"]), int(entry[1]["horizon"]), 0


def load_facts(source: FactSource) -> Facts:
    """Return the facts of every case touched since the horizon, cached, refreshed from the store.

    >>> import tempfile
    >>> rows = {1: (1, 0, "", "other", "phone", "done", "G1", "", "") + (100,) + (None,) * 11}
    >>> def read(since, horizon):
    ...     yield list(rows.values())
    >>> source = FactSource("sqlite:///x", Path(tempfile.mkdtemp()), read, 1000, 0)
    >>> load_facts(source)["received_at"].tolist()
    [100]
    """
    with _LOCK:
        found = _MEMORY.get(source.key)
    if found is None:
        found = _from_file(source)
    if found is not None and found[2] > source.horizon:
        found = None  # the report reaches further back than the cache
    if found is None:
        facts = Facts.from_chunks(source.read(None, source.horizon), CASE_COLUMNS)
        horizon, changed = source.horizon, REWRITE_AFTER
    else:
        delta = Facts.from_chunks(source.read(found[1], found[2]), CASE_COLUMNS)
        facts = _merge(found[0], delta) if len(delta) else found[0]
        horizon, changed = found[2], found[3] + len(delta)
    watermark = source.now - MARGIN_S
    if changed >= REWRITE_AFTER:
        info = {"watermark": watermark, "horizon": horizon, "url": source.url, "cases": len(facts)}
        save_entry(source.cache_dir, _KIND, "facts", source.key, arrays=_arrays(facts), info=info)
        changed = 0
    with _LOCK:
        _MEMORY[source.key] = (facts, watermark, horizon, changed)
    return facts
