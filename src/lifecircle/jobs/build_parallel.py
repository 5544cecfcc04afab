"""Spread one build over worker processes: each profile's access tables, then its walking areas.

Tracing the walking areas is most of a district's build, so it is cut into chunks that any
worker may take; three profiles on two cores then keep both busy to the end. The workers start
first and read the store while this process builds the network and attaches the points, and
each profile's result is handed back (to be cached) as soon as its last chunk is in. Called by
:mod:`lifecircle.jobs.build`; results equal the one-process build.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np

from lifecircle.cache.entries import read_entry, write_entry
from lifecircle.engine import costs
from lifecircle.engine.area import AreaData
from lifecircle.engine.entrance import SetCounts
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.profiles import WalkProfile
from lifecircle.engine.results import (
    COMPOUND_CELL_M,
    ProfileResult,
    compound_targets,
    compute_access,
    load_kernels,
    origin_sets,
    trace_walksheds,
    with_compound_counts,
)
from lifecircle.engine.rules import level_limits
from lifecircle.engine.walk import load_attached
from lifecircle.engine.walksheds import CELL_M
from lifecircle.errors import StoreError
from lifecircle.jobs.area import read_area
from lifecircle.project import Project

#: Walking-area chunks per worker and profile: more chunks balance better, each costs a graph
#: load and a spatial index.
CHUNKS_PER_WORKER = 2


#: How much lower than the parent's the workers' CPU priority is (Unix ``nice``): the parent
#: reads and attaches on its own core while they start.
WORKER_NICENESS = 19

#: The area data a worker process read, kept for its next task (one entry: the newest).
_READ: dict[tuple[str, int], AreaData] = {}
#: The walk graph this worker traced areas on last (its lookups are kept with it).
_GRAPH: dict[Path, WalkGraph] = {}
#: Why this worker's first read (at its start) failed: raised again by its first task.
_START_FAILED: list[BaseException] = []


def _start_worker(project: Project) -> None:
    """Lower this worker's priority, read the area, get ready to price it and trace areas.

    The parent attaches the points meanwhile: the compiled kernels are loaded and what pricing
    needs of the area whatever the profile is worked out (:func:`costs.prepare`).

    An error is kept for the worker's first task to raise: one raised here would only break
    the pool, and say nothing of why.
    """
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    try:
        data = read_area(project)
        gc.freeze()  # kept for the worker's life: no collection need walk its 280,000 records
        costs.prepare(data.ways, data.nodes)  # 0.6 s on a district, saved in its profiles
    except Exception as exc:  # kept, and raised again by the worker's first task
        _START_FAILED.append(exc)
        return
    _READ.clear()
    _READ[(str(project.root), data.data_version)] = data
    load_kernels()


def _started() -> None:
    """Do nothing: one such task per worker, submitted at once, starts them all."""


def _worker_area(project: Project, data_version: int) -> AreaData:
    """Return the area data, read by this worker from the store once per build.

    Reading it here costs less than pickling it to every task (50 MB for a district), and the
    workers read in parallel. The store must still hold the version the build started from.
    """
    if _START_FAILED:
        raise _START_FAILED.pop()
    key = (str(project.root), data_version)
    data = _READ.get(key)
    if data is None:
        data = read_area(project)
        if data.data_version != data_version:
            raise StoreError(
                "error.build.data_changed", started=data_version, now=data.data_version
            )
        _READ.clear()
        _READ[key] = data
    return data


@dataclasses.dataclass(frozen=True)
class _Access:
    result: ProfileResult  # its compounds' counts still 0: the area chunks count them
    graph_file: Path
    gate_sets: list[np.ndarray]
    board_sets: list[np.ndarray]
    targets: list[tuple[np.ndarray, np.ndarray]]  # what the compounds count, by type


def _access_task(
    data_version: int, profile: WalkProfile, project: Project, folder: Path
) -> _Access:
    data = _worker_area(project, data_version)
    partial, walk = compute_access(
        data,
        profile,
        snap_max_m=project.settings.snap_max_m,
        cache_dir=project.cache_dir,
        count_compounds=False,
    )
    graph_file = folder / f"{profile.name}.npz"
    write_entry(graph_file, *walk.graph.to_arrays())  # the attached graph, for area workers
    _GRAPH.clear()  # and this worker's own next chunks trace on it as it is
    _GRAPH[graph_file] = walk.graph
    gate_sets, board_sets = origin_sets(walk)
    targets = compound_targets(walk, data.type_codes)
    return _Access(partial, graph_file, gate_sets, board_sets, targets)


def _areas_task(
    graph_file: Path,
    profile: WalkProfile,
    sets: list[np.ndarray],
    cell_m: float,
    targets: list[tuple[np.ndarray, np.ndarray]] | None,
) -> tuple[list[Any], np.ndarray | None, float]:
    """Trace a chunk's areas; with ``targets`` (compounds), count their facilities too."""
    started = time.perf_counter()
    graph = _GRAPH.get(graph_file)
    if graph is None:
        found = read_entry(graph_file)
        if found is None:  # written moments ago by this build: only a disk fault gets here
            raise OSError(f"cannot read the walk graph {graph_file} this build just wrote")
        graph = WalkGraph.from_arrays(*found, profile)
        _GRAPH.clear()  # one graph at a time: a profile's chunks come one after another
        _GRAPH[graph_file] = graph
    limits = level_limits(profile)
    counts = None if targets is None else SetCounts(targets, limits, len(sets))
    areas = trace_walksheds(graph, sets, limits, cell_m, counts=counts)
    return areas, None if counts is None else counts.counts, time.perf_counter() - started


def _chunks(sets: list[np.ndarray], n: int) -> list[list[np.ndarray]]:
    size = max(1, -(-len(sets) // n))
    return [sets[i : i + size] for i in range(0, len(sets), size)] or [[]]


class BuildWorkers:
    """Worker processes for one build, started before the parent reads the store.

    Each worker reads the area as it starts (at a lower CPU priority, so the parent's own
    reading and attaching keep a core), and keeps it for its tasks. A context manager: on
    leaving it the pool is shut down (queued tasks dropped on an error) and the scratch
    folder the workers share removed.
    """

    def __init__(self, project: Project, workers: int) -> None:
        self.project = project
        self.workers = workers
        project.cache_dir.mkdir(parents=True, exist_ok=True)
        self._folder = tempfile.TemporaryDirectory(dir=project.cache_dir, prefix="build-")
        # spawn, not fork: a fresh interpreter shares no open database handle (or lock held by
        # another thread of a web server) with this one
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(project,),
        )
        # one task per worker starts them all now (the pool starts a process per waiting task)
        self._started = [self.pool.submit(_started) for _ in range(workers)]

    def __enter__(self) -> BuildWorkers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=kind is not None)
        self._folder.cleanup()

    def compute(self, data: AreaData, profiles: Sequence[WalkProfile]) -> Iterator[ProfileResult]:
        """Compute the profiles of ``data``; yield each result when done (in finishing order)."""
        project = self.project
        if not profiles:  # all cached after all (another build filled the cache meanwhile)
            return
        # every profile walks from the same attached points: attached once, here, meanwhile
        # the workers read the store
        load_attached(data, snap_max_m=project.settings.snap_max_m, cache_dir=project.cache_dir)
        for ready in self._started:
            ready.result()
        try:
            yield from _run(
                self.pool, self.workers, data, profiles, project, Path(self._folder.name)
            )
        except BaseException:  # an error, or the caller stopped reading: drop the queued work
            self.pool.shutdown(wait=True, cancel_futures=True)
            raise


def _run(
    pool: ProcessPoolExecutor,
    workers: int,
    data: AreaData,
    profiles: Sequence[WalkProfile],
    project: Project,
    folder: Path,
) -> Iterator[ProfileResult]:
    """Run each profile's access tables, then its areas in chunks; yield each profile's result."""
    access = {
        pool.submit(_access_task, data.data_version, profile, project, folder)
        for profile in profiles
    }
    parts: dict[str, _Access] = {}
    chunks: dict[str, list[Future[Any]]] = {}
    left: dict[str, int] = {}
    pending: set[Future[Any]] = set(access)
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            if future in access:
                done = future.result()
                name = done.result.profile.name
                parts[name] = done
                sets: list[tuple[Any, ...]] = [
                    (chunk, COMPOUND_CELL_M, done.targets)
                    for chunk in _chunks(done.gate_sets, workers * CHUNKS_PER_WORKER)
                ]
                sets.append((done.board_sets, CELL_M, None))  # the boards': the last chunk
                chunks[name] = [
                    pool.submit(_areas_task, done.graph_file, done.result.profile, *one)
                    for one in sets
                ]
                left[name] = len(chunks[name])
                pending.update(chunks[name])
                continue
            name = next(n for n, futures in chunks.items() if future in futures)
            left[name] -= 1
            if not left[name]:
                yield _assemble(parts[name], chunks[name])


def _assemble(part: _Access, futures: list[Future[Any]]) -> ProfileResult:
    """One profile's result: its access tables, and the areas of its chunks in order.

    The last chunk holds the boards' areas; the others, the compounds' areas and counts in
    order.
    """
    compound_areas: list[Any] = []
    counts: list[np.ndarray] = []
    seconds = part.result.seconds
    for future in futures[:-1]:
        chunk, chunk_counts, took = future.result()
        compound_areas.extend(chunk)
        counts.append(chunk_counts)
        seconds += took
    board_areas, _, took = futures[-1].result()
    return dataclasses.replace(
        with_compound_counts(part.result, np.concatenate(counts)),
        compound_areas=compound_areas,
        board_areas=board_areas,
        seconds=seconds + took,
    )
