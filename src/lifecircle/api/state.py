"""The area the web app serves: its data, built results and point engines, kept current.

One :class:`AreaState` per app (``app.state.area``). Requests read an immutable
:class:`Snapshot`; :meth:`AreaState.refresh` rebuilds in a background thread when the store's
data version moved and swaps the snapshot in, so requests never wait for a rebuild.
It does no HTTP parsing and no engine maths of its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from fastapi import Request

from lifecircle.engine.area import AreaData
from lifecircle.engine.point import PointEngine, build_point_engine
from lifecircle.engine.profiles import PROFILES
from lifecircle.engine.results import ProfileResult
from lifecircle.jobs.build import build
from lifecircle.project import Project
from lifecircle.taxonomy import Taxonomy

_LOG = logging.getLogger("lifecircle.api")
#: How often (seconds) requests may trigger a look at the store's data version.
CHECK_INTERVAL_S = 10.0
#: Memory for answers kept per snapshot (plain + gzipped bodies), bytes.
ANSWERS_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Kept:
    """A 200 answer kept for replay: its ETag, headers and body (and the body gzipped)."""

    etag: bytes
    meta: list[tuple[bytes, bytes]]
    body: bytes
    gzipped: bytes | None

    @property
    def size(self) -> int:
        """Bytes held."""
        return len(self.body) + len(self.gzipped or b"")


@dataclass(eq=False)
class Snapshot:
    """One consistent view: the area data and results of one data version.

    ``engines`` (per profile, built on first use) and ``answers`` (kept by
    :mod:`lifecircle.api.fastpath`) belong to this version; a new version gets a new snapshot.
    """

    data: AreaData
    results: dict[str, ProfileResult]
    taxonomy: Taxonomy
    engines: dict[str, PointEngine] = field(default_factory=dict)
    answers: OrderedDict[Hashable, Kept] = field(default_factory=OrderedDict)
    answers_bytes: int = 0
    #: Small derived values handlers keep for this version (e.g. facility rows per language).
    memo: dict[Hashable, Any] = field(default_factory=dict)
    #: The project, whose graph cache the point engines load from (None: graphs are built).
    project: Project | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def data_version(self) -> int:
        """The store's data version these results were built from."""
        return self.data.data_version

    @property
    def data_date(self) -> str:
        """When that version was written (ISO 8601 UTC), for 数据更新于 …."""
        return self.data.data_date

    @cached_property
    def facility_index(self) -> dict[str, int]:
        """Position of each facility by its id."""
        return {f.source_id: i for i, f in enumerate(self.data.facilities)}

    @cached_property
    def type_code_array(self) -> np.ndarray:
        """Type code of every facility, as an array (for masks by type)."""
        return np.array([f.type_code for f in self.data.facilities], dtype=object)

    @cached_property
    def compound_index(self) -> dict[str, int]:
        """Position of each compound by its id."""
        return {c.source_id: i for i, c in enumerate(self.data.compounds)}

    @cached_property
    def board_index(self) -> dict[str, int]:
        """Position of each board by its id."""
        return {b.board_id: i for i, b in enumerate(self.data.boards)}

    def result(self, profile: str) -> ProfileResult:
        """Return the built results of ``profile`` (KeyError for an unknown one)."""
        return self.results[profile]

    def engine(self, profile: str, *, snap_max_m: float) -> PointEngine:
        """Return the point engine of ``profile``, built on first use (once, under a lock)."""
        found = self.engines.get(profile)
        if found is not None:
            return found
        with self.lock:
            found = self.engines.get(profile)
            if found is None:
                found = build_point_engine(
                    self.data,
                    self.result(profile).profile,
                    snap_max_m=snap_max_m,
                    cache_dir=None if self.project is None else self.project.cache_dir,
                )
                self.engines[profile] = found
        return found

    def answer(self, key: Hashable) -> Kept | None:
        """Return the answer kept for a request ``key``, if any."""
        return self.answers.get(key)

    def keep_answer(self, key: Hashable, kept: Kept) -> None:
        """Keep an answer; the least recently kept go beyond :data:`ANSWERS_MAX_BYTES`."""
        with self.lock:
            old = self.answers.pop(key, None)
            self.answers_bytes += kept.size - (old.size if old else 0)
            self.answers[key] = kept
            while self.answers_bytes > ANSWERS_MAX_BYTES and self.answers:
                _, dropped = self.answers.popitem(last=False)
                self.answers_bytes -= dropped.size


class AreaState:
    """The project being served and its current :class:`Snapshot`.

    Parameters
    ----------
    project
        The opened project.
    profiles
        Walking profiles to build and serve (by default every registered one).
    """

    def __init__(self, project: Project, *, profiles: Sequence[str] = tuple(PROFILES)) -> None:
        self.project = project
        self.profiles = tuple(profiles)
        self._refresh_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._dirty = False
        self._last_check = time.monotonic()
        self.current = self._load()

    def _load(self) -> Snapshot:
        data, results = build(self.project, self.profiles)
        snapshot = Snapshot(
            data=data, results=results, taxonomy=self.project.taxonomy(), project=self.project
        )
        for profile in self.profiles:  # before it is served, so no request waits for one
            snapshot.engine(profile, snap_max_m=self.project.settings.snap_max_m)
        return snapshot

    @property
    def data_version(self) -> int:
        """Data version currently served."""
        return self.current.data_version

    @property
    def data_date(self) -> str:
        """Date of the data currently served (ISO 8601 UTC)."""
        return self.current.data_date

    def stored_version(self) -> int:
        """Return the store's latest data version (0 when empty)."""
        with self.project.open_store() as store:
            latest = store.latest_version()
        return latest.id if latest else 0

    def refresh(self, *, wait: bool = False) -> None:
        """Rebuild in the background if the store moved on; ``wait=True`` blocks until done.

        The previous snapshot is served while rebuilding. Calls during a rebuild are not lost:
        the worker looks at the store again before it stops.
        """
        with self._refresh_lock:
            self._dirty = True
            if self._worker is None:
                self._worker = threading.Thread(target=self._rebuild, daemon=True)
                self._worker.start()
            worker = self._worker
        if wait:
            worker.join()

    def _rebuild(self) -> None:
        try:
            while True:
                with self._refresh_lock:
                    if not self._dirty:
                        self._worker = None
                        return
                    self._dirty = False
                self._last_check = time.monotonic()
                if self.stored_version() != self.current.data_version:
                    self.current = self._load()
        except Exception:  # keep serving the previous results; the log says why
            _LOG.exception("rebuilding the served results failed")
            with self._refresh_lock:
                self._worker = None

    def wait(self, timeout_s: float | None = None) -> None:
        """Block until a running rebuild has finished."""
        with self._refresh_lock:
            worker = self._worker
        if worker is not None:
            worker.join(timeout_s)

    def check_now_and_then(self) -> None:
        """Look for a new data version at most every :data:`CHECK_INTERVAL_S` (non-blocking)."""
        if time.monotonic() - self._last_check >= CHECK_INTERVAL_S:
            self._last_check = time.monotonic()
            self.refresh()


def get_state(request: Request) -> AreaState:
    """FastAPI dependency: the app's :class:`AreaState`."""
    state: AreaState = request.app.state.area
    state.check_now_and_then()
    return state


def get_snapshot(request: Request) -> Snapshot:
    """FastAPI dependency: the snapshot this request reads (one consistent version)."""
    return get_state(request).current
