"""cityseer (AGPL, benchmark only) on the benchmark graph: counts within 15 minutes.

cityseer walks edge *lengths* and places data by geometry, so each edge is given a two-leg
polyline whose length equals its cost at the profile's speed (see README). It must never be
imported from ``src/lifecircle``.
"""

from __future__ import annotations

import numpy as np
from cityseer import rustalgos

from benchmarks.common import LIMIT_S, Run
from benchmarks.networks import TYPE_NAMES, Points, sample_nodes
from lifecircle.engine.graph import WalkGraph

#: Facilities sit exactly on nodes; any assignment distance above zero finds them.
_ASSIGN_M = 5.0
_CANDIDATES = 6


def cost_lines(graph: WalkGraph, speed_mps: float) -> list[str]:
    """WKT of each edge as a polyline from u to v whose length is ``cost * speed_mps``.

    A straight segment when the cost equals the straight distance, else a "V" whose apex is
    offset sideways so the two legs add up to the cost-length (costs include crossing waits).
    """
    a, b = graph.node_xy[graph.edge_u], graph.node_xy[graph.edge_v]
    length = np.maximum(graph.edge_cost * speed_mps, 1e-3)
    delta = b - a
    d = np.hypot(*delta.T)
    length = np.maximum(length, d)
    normal = np.where(d[:, None] > 0, np.column_stack([-delta[:, 1], delta[:, 0]]), [[1.0, 0.0]])
    normal /= np.hypot(*normal.T)[:, None]
    h = np.sqrt(np.maximum((length / 2) ** 2 - (d / 2) ** 2, 0.0))
    apex = (a + b) / 2 + normal * h[:, None]
    bent = h > 1e-6
    return [
        f"LINESTRING ({p[0]!r} {p[1]!r}, {m[0]!r} {m[1]!r}, {q[0]!r} {q[1]!r})"
        if bend
        else f"LINESTRING ({p[0]!r} {p[1]!r}, {q[0]!r} {q[1]!r})"
        for p, m, q, bend in zip(a.tolist(), apex.tolist(), b.tolist(), bent.tolist(), strict=True)
    ]


def reversed_line(wkt: str) -> str:
    """The same polyline drawn from its other end."""
    pts = wkt[len("LINESTRING (") : -1].split(", ")
    return "LINESTRING (" + ", ".join(reversed(pts)) + ")"


def build(graph: WalkGraph, live: np.ndarray, speed_mps: float) -> rustalgos.graph.NetworkStructure:
    """A cityseer NetworkStructure with both directions of every edge (self-loops left out)."""
    ns = rustalgos.graph.NetworkStructure()
    xs, ys, lv = graph.node_xy[:, 0].tolist(), graph.node_xy[:, 1].tolist(), live.tolist()
    for i in range(graph.n_nodes):
        ns.add_street_node(i, xs[i], ys[i], lv[i], 1.0)
    lines = cost_lines(graph, speed_mps)
    us, vs = graph.edge_u.tolist(), graph.edge_v.tolist()
    for e, (u, v, wkt) in enumerate(zip(us, vs, lines, strict=True)):
        if u == v:
            continue
        ns.add_street_edge(u, v, e, u, v, wkt)
        ns.add_street_edge(v, u, e, v, u, reversed_line(wkt))
    ns.build_edge_rtree()
    return ns


def task2(graph: WalkGraph, points: Points, *, sample: int = 0) -> Run:
    """Counts (and nearest distance within the limit) of each type at live nodes."""
    speed = graph.profile.speed_mps
    nodes = sample_nodes(graph, sample) if sample else np.arange(graph.n_nodes)
    run = Run(computed=len(nodes), total=graph.n_nodes)
    if len(nodes) < graph.n_nodes:
        run.notes.append(f"{len(nodes):,} sampled live nodes; structure built for all")
    live = np.zeros(graph.n_nodes, dtype=bool)
    live[nodes] = True
    limit_m = round(LIMIT_S * speed)
    with run.timing("prep"):
        ns = build(graph, live, speed)
        data = rustalgos.data.DataMap()
        landuse = {}
        for name in TYPE_NAMES:
            for node in points.facilities[name].tolist():
                key = f"{name}:{node}"
                x, y = graph.node_xy[node].tolist()
                data.insert(key, f"POINT ({x!r} {y!r})")
                landuse[key] = name
        data.assign_data_to_network(ns, _ASSIGN_M, _CANDIDATES)
    with run.timing("query"):
        result = data.accessibility(
            ns, landuse, list(TYPE_NAMES), distances=[limit_m], pbar_disabled=True
        )
    count = np.stack([np.asarray(result.result[n].count[limit_m])[nodes] for n in TYPE_NAMES])
    near = np.stack([np.asarray(result.result[n].distance[limit_m])[nodes] for n in TYPE_NAMES])
    run.arrays |= {
        "nodes": nodes,
        "count": np.rint(count).astype(np.int32),
        "near_s": near / speed,
    }
    return run


TASKS = {"t2": task2}
