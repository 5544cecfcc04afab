"""networkx as the reference: plain Dijkstra on a graph built straight from the edge arrays.

It shares no code with lifecircle's engine (not even the CSR matrix). Too slow for every node
on a city, so tasks 2 and 3 run on seeded samples and their times are extrapolated.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from benchmarks.common import ENTRANCE_SAMPLE, LIMIT_S, Run, pack_reached
from benchmarks.networks import TYPE_NAMES, Points, entrance_sample, sample_nodes
from lifecircle.engine.graph import WalkGraph

#: Two costs closer than this (seconds) are a tie: summation order alone can swap them.
TIE_S = 1e-6


def build(graph: WalkGraph) -> nx.Graph:
    """Undirected graph keeping the cheapest of parallel edges; self-loops left out."""
    order = np.argsort(-graph.edge_cost, kind="stable")  # cheapest written last, so it stays
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    u, v, c = graph.edge_u[order], graph.edge_v[order], graph.edge_cost[order]
    keep = u != v
    g.add_weighted_edges_from(
        zip(u[keep].tolist(), v[keep].tolist(), c[keep].tolist(), strict=True)
    )
    return g


def task1(graph: WalkGraph, points: Points) -> Run:
    run = Run(computed=graph.n_nodes, total=graph.n_nodes)
    with run.timing("prep"):
        g = build(graph)
    cost = np.full((len(TYPE_NAMES), graph.n_nodes), np.inf)
    with run.timing("query"):
        for row, name in enumerate(TYPE_NAMES):
            found = nx.multi_source_dijkstra_path_length(g, points.facilities[name].tolist())
            cost[row, list(found)] = list(found.values())
    run.arrays["cost_s"] = cost
    return run


def task2(graph: WalkGraph, points: Points, *, sample: int = 300) -> Run:
    """Counts at a seeded sample of nodes, from one bounded Dijkstra each.

    ``count_lo`` leaves out, and ``count_hi`` keeps, facilities within ``TIE_S`` of the limit,
    so an engine that agrees lies between them.
    """
    nodes = sample_nodes(graph, sample)
    run = Run(computed=len(nodes), total=graph.n_nodes)
    run.notes.append(f"brute force on {len(nodes):,} sampled nodes")
    with run.timing("prep"):
        g = build(graph)
    types_at: dict[int, list[int]] = {}
    for row, name in enumerate(TYPE_NAMES):
        for node in points.facilities[name].tolist():
            types_at.setdefault(node, []).append(row)
    lo = np.zeros((len(TYPE_NAMES), len(nodes)), dtype=np.int32)
    hi = np.zeros_like(lo)
    with run.timing("query"):
        for col, node in enumerate(nodes.tolist()):
            found = nx.single_source_dijkstra_path_length(g, node, cutoff=LIMIT_S + TIE_S)
            for other, cost in found.items():
                for row in types_at.get(other, ()):
                    hi[row, col] += 1
                    lo[row, col] += cost < LIMIT_S - TIE_S
    run.arrays |= {"nodes": nodes, "count_lo": lo, "count_hi": hi}
    return run


def task3(graph: WalkGraph, points: Points, *, sample: int = ENTRANCE_SAMPLE) -> Run:
    picked = entrance_sample(points, sample)
    run = Run(computed=len(picked), total=len(points.entrances))
    run.notes.append(f"reached costs only (no polygons) for {len(picked)} sampled entrances")
    with run.timing("prep"):
        g = build(graph)
    reached = []
    with run.timing("query"):
        for i in picked.tolist():
            found = nx.single_source_dijkstra_path_length(
                g, int(points.entrances[i]), cutoff=LIMIT_S
            )
            reached.append((np.fromiter(found, np.int64), np.fromiter(found.values(), float)))
    run.arrays |= pack_reached(reached)
    return run


TASKS = {"t1": task1, "t2": task2, "t3r": task3}
