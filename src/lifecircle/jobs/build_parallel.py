"""Spread one build over worker processes: each profile's access tables, then its walking areas.

Tracing the walking areas is most of a district's build, so it is cut into chunks that any
worker may take; three profiles on two cores then keep both busy to the end. Called by
:mod:`lifecircle.jobs.build`; results equal the one-process build.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from lifecircle.cache.entries import read_entry, write_entry
from lifecircle.engine.area import AreaData
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.profiles import WalkProfile
from lifecircle.engine.results import (
    COMPOUND_CELL_M,
    ProfileResult,
    compute_access,
    origin_sets,
    trace_walksheds,
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


#: The area data a worker process read, kept for its next task (one entry: the newest).
_READ: dict[tuple[str, int], AreaData] = {}


def _worker_area(project: Project, data_version: int) -> AreaData:
    """Return the area data, read by this worker from the store once per build.

    Reading it here costs less than pickling it to every task (50 MB for a district), and the
    workers read in parallel. The store must still hold the version the build started from.
    """
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
    result: ProfileResult
    graph_file: Path
    gate_sets: list[np.ndarray]
    board_sets: list[np.ndarray]


def _access_task(
    data_version: int, profile: WalkProfile, project: Project, folder: Path
) -> _Access:
    data = _worker_area(project, data_version)
    partial, walk = compute_access(
        data, profile, snap_max_m=project.settings.snap_max_m, cache_dir=project.cache_dir
    )
    graph_file = folder / f"{profile.name}.npz"
    write_entry(graph_file, *walk.graph.to_arrays())  # the attached graph, for area workers
    gate_sets, board_sets = origin_sets(walk)
    return _Access(partial, graph_file, gate_sets, board_sets)


def _areas_task(
    graph_file: Path, profile: WalkProfile, sets: list[np.ndarray], cell_m: float
) -> tuple[list[Any], float]:
    started = time.perf_counter()
    found = read_entry(graph_file)
    if found is None:  # written moments ago by this build: only a disk fault gets here
        raise OSError(f"cannot read the walk graph {graph_file} this build just wrote")
    graph = WalkGraph.from_arrays(*found, profile)
    areas = trace_walksheds(graph, sets, level_limits(profile), cell_m)
    return areas, time.perf_counter() - started


def _chunks(sets: list[np.ndarray], n: int) -> list[list[np.ndarray]]:
    size = max(1, -(-len(sets) // n))
    return [sets[i : i + size] for i in range(0, len(sets), size)] or [[]]


def compute_in_workers(
    data: AreaData, profiles: Sequence[WalkProfile], project: Project, workers: int
) -> list[ProfileResult]:
    """Compute the profiles in ``workers`` spawned processes; results in ``profiles`` order."""
    # spawn, not fork: a fresh interpreter shares no open database handle with this one
    context = multiprocessing.get_context("spawn")
    project.cache_dir.mkdir(parents=True, exist_ok=True)
    # every profile walks from the same attached points: attach them once, for all workers
    load_attached(data, snap_max_m=project.settings.snap_max_m, cache_dir=project.cache_dir)
    with (
        tempfile.TemporaryDirectory(dir=project.cache_dir, prefix="build-") as tmp,
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
    ):
        phase_one = [
            pool.submit(_access_task, data.data_version, profile, project, Path(tmp))
            for profile in profiles
        ]
        parts: dict[str, _Access] = {}
        areas: dict[str, tuple[list[Future[Any]], Future[Any]]] = {}
        for future in as_completed(phase_one):
            done = future.result()
            parts[done.result.profile.name] = done
            gates = [
                pool.submit(
                    _areas_task, done.graph_file, done.result.profile, chunk, COMPOUND_CELL_M
                )
                for chunk in _chunks(done.gate_sets, workers * CHUNKS_PER_WORKER)
            ]
            boards = pool.submit(
                _areas_task, done.graph_file, done.result.profile, done.board_sets, CELL_M
            )
            areas[done.result.profile.name] = (gates, boards)
        return [_assemble(parts[p.name], *areas[p.name]) for p in profiles]


def _assemble(
    part: _Access, gate_futures: list[Future[Any]], board_future: Future[Any]
) -> ProfileResult:
    compound_areas: list[Any] = []
    seconds = part.result.seconds
    for future in gate_futures:
        chunk, took = future.result()
        compound_areas.extend(chunk)
        seconds += took
    board_areas, took = board_future.result()
    return dataclasses.replace(
        part.result,
        compound_areas=compound_areas,
        board_areas=board_areas,
        seconds=seconds + took,
    )
