"""pandana (AGPL, benchmark only) on the benchmark graph: nearest POIs and counts within 15 min.

Its contraction hierarchy and its range precomputation count as its preparation time. It must
never be imported from ``src/lifecircle``.
"""

from __future__ import annotations

import time

import numpy as np
import pandana
import pandas as pd

from benchmarks.common import LIMIT_S, PANDANA_MAXDIST_S, Run
from benchmarks.networks import TYPE_NAMES, Points
from lifecircle.engine.graph import WalkGraph

#: nearest_pois fills nodes with no POI within the radius with this value.
_NONE = -1.0


#: Networks built in this process, with their build time (one process may run t1 then t2).
_BUILT: dict[int, tuple[pandana.Network, float]] = {}


def _network(graph: WalkGraph, run: Run) -> pandana.Network:
    """pandana's network (contraction hierarchy), built once per process.

    Its build time is added to the prep of every task that uses it, as each would pay it alone.
    """
    if id(graph) not in _BUILT:
        start = time.perf_counter()
        loop = graph.edge_u == graph.edge_v  # a self-loop never shortens a path
        ids = pd.RangeIndex(graph.n_nodes)
        net = pandana.Network(
            pd.Series(graph.node_xy[:, 0], index=ids),
            pd.Series(graph.node_xy[:, 1], index=ids),
            pd.Series(graph.edge_u[~loop]),
            pd.Series(graph.edge_v[~loop]),
            pd.DataFrame({"cost_s": graph.edge_cost[~loop]}),
            twoway=True,
        )
        _BUILT[id(graph)] = (net, time.perf_counter() - start)
    else:
        run.notes.append("contraction shared with the previous task; its time counts here too")
    net, build_s = _BUILT[id(graph)]
    run.prep_s += build_s
    return net


def shared_prep_s() -> float:
    """Build time of the networks already built in this process (counted in a stopped task)."""
    return sum(build_s for _, build_s in _BUILT.values())


def task1(graph: WalkGraph, points: Points) -> Run:
    run = Run(computed=graph.n_nodes, total=graph.n_nodes)
    run.notes.append(f"search radius {PANDANA_MAXDIST_S / 60:g} min; float32 costs")
    net = _network(graph, run)
    rows = []
    with run.timing("query"):
        for name in TYPE_NAMES:
            xy = graph.node_xy[points.facilities[name]]
            net.set_pois(  # type: ignore[attr-defined]
                category=name,
                maxdist=PANDANA_MAXDIST_S,
                maxitems=1,
                x_col=pd.Series(xy[:, 0]),
                y_col=pd.Series(xy[:, 1]),
            )
            found = net.nearest_pois(  # type: ignore[attr-defined]
                PANDANA_MAXDIST_S, name, num_pois=1, max_distance=_NONE
            )
            rows.append(found[1].to_numpy(dtype=float))
    cost = np.stack(rows)
    cost[cost == _NONE] = np.inf
    run.arrays["cost_s"] = cost
    return run


def task2(graph: WalkGraph, points: Points) -> Run:
    run = Run(computed=graph.n_nodes, total=graph.n_nodes)
    run.notes.append("precompute(15 min) included; float32 costs")
    net = _network(graph, run)
    with run.timing("prep"):
        net.precompute(LIMIT_S)  # type: ignore[attr-defined]
    rows = []
    with run.timing("query"):
        for name in TYPE_NAMES:
            net.set(pd.Series(points.facilities[name]), name=name)  # type: ignore[attr-defined]
            found = net.aggregate(  # type: ignore[attr-defined]
                LIMIT_S, type="count", decay="flat", name=name
            )
            rows.append(found.to_numpy(dtype=float))
    run.arrays["count"] = np.rint(np.stack(rows)).astype(np.int32)
    return run


TASKS = {"t1": task1, "t2": task2}
