"""lifecircle's side of the benchmark: calls into lifecircle.engine.access and .walksheds.

Each task makes the same public calls a project build makes; building the CSR matrix counts as
lifecircle's own preparation. Nothing here reimplements the engine.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import shapely

from benchmarks.common import ENTRANCE_SAMPLE, LIMIT_S, Run, pack_reached
from benchmarks.networks import Points, entrance_sample
from lifecircle.engine import access
from lifecircle.engine import dijkstra as reach
from lifecircle.engine import walksheds as isochrones
from lifecircle.engine.graph import WalkGraph


def _prepared(graph: WalkGraph, total: int) -> Run:
    run = Run(computed=total, total=total)
    with run.timing("prep"):
        graph.matrix  # noqa: B018 -- the cached CSR matrix is lifecircle's preprocessing
        _load_kernels()
    return run


def _load_kernels() -> None:
    """Load the compiled kernels (numba's on-disk cache) once per process, as a build does.

    A fresh process pays this once (about a second, more on a loaded machine; a first run after
    installing also compiles them): it is preparation, not the task.
    """
    from lifecircle.engine.bounded import street_graph
    from lifecircle.engine.results import load_kernels

    load_kernels()  # the build's: searches, entrance tables, walking areas
    access.counts_within(street_graph(0.0, 120.0, 240.0), {"x": np.array([0])}, limit=100.0)


def task1(graph: WalkGraph, points: Points) -> Run:
    """nearest_by_type without a limit: one multi-source search per type."""
    run = _prepared(graph, graph.n_nodes)
    with run.timing("query"):
        result = access.nearest_by_type(graph, points.facilities)
    run.arrays["cost_s"] = np.asarray(result.cost)
    return run


def task2(graph: WalkGraph, points: Points) -> Run:
    """counts_within 15 minutes for every node."""
    run = _prepared(graph, graph.n_nodes)
    with run.timing("query"):
        result = access.counts_within(graph, points.facilities, limit=LIMIT_S)
    run.arrays["count"] = np.asarray(result.counts)
    return run


def task3(graph: WalkGraph, points: Points) -> Run:
    """walksheds: one 15-minute polygon per entrance (reach, trace, buffer, WGS-84)."""
    run = _prepared(graph, len(points.entrances))
    with run.timing("query"):
        polygons = [
            areas[0]
            for areas in isochrones.walksheds(
                graph, [np.array([e]) for e in points.entrances.tolist()], limits=[LIMIT_S]
            )
        ]
    sample = entrance_sample(points, ENTRANCE_SAMPLE)
    metres = [graph.metric.geometry_to_metres(polygons[i]) for i in sample.tolist()]
    run.arrays["area_m2"] = shapely.area(metres)
    run.arrays["cover"] = _coverage(graph, points.entrances[sample], metres)
    run.arrays["empty"] = np.array([p.is_empty for p in polygons])
    return run


#: Entrances per batched search call in t3r: small batches keep the output arrays in cache
#: (one call for all 1,000 wrote 44 MB and was 20 % slower on Helsinki; measured 2026-12-07).
T3R_CHUNK = 64


def task3r(graph: WalkGraph, points: Points) -> Run:
    """One search per entrance, reached nodes and costs only (what plain C is compared with).

    In batches of :data:`T3R_CHUNK` entrances per call of the engine's batched search
    (``dijkstra.reached_each``, which the build's walking areas and entrance tables run on): on
    a 500-node graph a search takes a few microseconds, less than a Python-level call, so one
    call per entrance (``walksheds.reached_nodes``, for a single walking area) would time the
    calls instead.
    """
    run = _prepared(graph, len(points.entrances))
    entrances = points.entrances
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    with run.timing("query"):
        for first in range(0, len(entrances), T3R_CHUNK):
            ptr, nodes, costs = reach.reached_each(
                graph.matrix, entrances[first : first + T3R_CHUNK], LIMIT_S
            )
            rows += [(nodes[a:b], costs[a:b]) for a, b in pairwise(ptr.tolist())]
    sample = entrance_sample(points, ENTRANCE_SAMPLE).tolist()
    run.arrays |= pack_reached([rows[i] for i in sample])
    return run


def _coverage(
    graph: WalkGraph, origins: np.ndarray, polygons: list[shapely.Geometry]
) -> np.ndarray:
    """Share of the nodes reached from each origin that lie in (or within 1 m of) its polygon."""
    shares = []
    for origin, polygon in zip(origins.tolist(), polygons, strict=True):
        cost = isochrones.reached_costs(graph, np.array([origin]), limit=LIMIT_S)
        pts = shapely.points(graph.node_xy[np.isfinite(cost)])
        shares.append(float(np.mean(shapely.dwithin(polygon, pts, 1.0))))
    return np.array(shares)


TASKS = {"t1": task1, "t2": task2, "t3": task3, "t3r": task3r}
