"""Attach points (compound gates, facility entrances) to the walk graph on their nearest *edge*.

The edge is split where the point projects onto it, so the partial edge length counts, and a
short connector edge walks from the street to the point. Points too far away are reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import shapely
import shapely.ops

from lifecircle.engine.graph import MIN_COST, WalkGraph, extend_graph
from lifecircle.model import LonLat


@dataclass(frozen=True, eq=False)
class AttachedPoints:
    """The graph with the points added, and where each point went.

    ``node[i]`` is the graph node of point ``i`` (``-1`` when it lay farther than the limit from
    every usable edge); ``snap_dist_m[i]`` its straight distance to the edge.
    """

    graph: WalkGraph
    node: np.ndarray
    snap_dist_m: np.ndarray


def _edge_lines(graph: WalkGraph) -> np.ndarray:
    starts = graph.coord_start
    sizes = np.diff(starts)
    index = np.repeat(np.arange(graph.n_edges), sizes)
    return np.asarray(shapely.linestrings(graph.coords_xy, indices=index))


def _substring(line: shapely.LineString, start: float, end: float) -> np.ndarray:
    piece = shapely.ops.substring(line, start, end, normalized=True)
    coords = np.asarray(piece.coords) if not piece.is_empty else np.zeros((0, 2))
    if len(coords) == 1:  # a zero-length piece is a point: keep it a two-vertex line
        coords = np.vstack([coords, coords])
    return coords


def attach_points(
    graph: WalkGraph, lon: np.ndarray, lat: np.ndarray, *, max_snap_m: float = 300.0
) -> AttachedPoints:
    """Attach WGS-84 points to their nearest edges, splitting those edges.

    Examples
    --------
    See ``tests/engine/test_network.py``: a point 10 m beside the middle of a 100 m edge joins a new
    node at 50 m, with a 10 m connector.
    """
    x, y = graph.metric.to_metres(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    points = shapely.points(np.asarray(x), np.asarray(y))
    lines = _edge_lines(graph)
    tree = shapely.STRtree(lines)
    point_idx, edge_idx = tree.query_nearest(points, all_matches=False)
    dist = np.full(len(points), np.inf)
    nearest = np.full(len(points), -1, dtype=np.int64)
    nearest[point_idx] = edge_idx
    dist[point_idx] = shapely.distance(points[point_idx], lines[edge_idx])
    ok = dist <= max_snap_m
    frac = np.zeros(len(points))
    frac[ok] = shapely.line_locate_point(lines[nearest[ok]], points[ok], normalized=True)
    by_edge: dict[int, list[int]] = defaultdict(list)
    for i in np.flatnonzero(ok):
        by_edge[int(nearest[i])].append(int(i))
    return _split(graph, lines, by_edge, frac, np.column_stack([x, y]), dist, ok)


def _split(
    graph: WalkGraph,
    lines: np.ndarray,
    by_edge: dict[int, list[int]],
    frac: np.ndarray,
    point_xy: np.ndarray,
    dist: np.ndarray,
    ok: np.ndarray,
) -> AttachedPoints:
    n0 = graph.n_nodes
    new_xy: list[np.ndarray] = []
    u: list[int] = []
    v: list[int] = []
    cost: list[float] = []
    length: list[float] = []
    way: list[int] = []
    geoms: list[np.ndarray] = []
    node_of_point = np.full(len(point_xy), -1, dtype=np.int64)
    speed = graph.profile.metres_per_unit
    for edge, members in by_edge.items():
        line = lines[edge]
        stops = sorted(set(float(frac[i]) for i in members))
        stop_node = {}
        chain = [int(graph.edge_u[edge])]
        for f in stops:
            if f <= 0.0:
                stop_node[f] = int(graph.edge_u[edge])
                continue
            if f >= 1.0:
                stop_node[f] = int(graph.edge_v[edge])
                continue
            stop_node[f] = n0 + len(new_xy)
            new_xy.append(
                np.asarray(shapely.line_interpolate_point(line, f, normalized=True).coords[0])
            )
            chain.append(stop_node[f])
        chain.append(int(graph.edge_v[edge]))
        cuts = [0.0] + [f for f in stops if 0.0 < f < 1.0] + [1.0]
        for (a, b), (fa, fb) in zip(pairwise(chain), pairwise(cuts), strict=True):
            u.append(a)
            v.append(b)
            cost.append(max(float(graph.edge_cost[edge]) * (fb - fa), 1e-6))
            length.append(float(graph.edge_length_m[edge]) * (fb - fa))
            way.append(int(graph.edge_way[edge]))
            geoms.append(_substring(line, fa, fb))
        for i in members:
            on_edge = stop_node[float(frac[i])]
            if dist[i] < 0.5:
                node_of_point[i] = on_edge
                continue
            node_of_point[i] = n0 + len(new_xy)  # the point itself, with a connector
            new_xy.append(point_xy[i])
            u.append(on_edge)
            v.append(int(node_of_point[i]))
            cost.append(max(float(dist[i]) / speed, 1e-6))
            length.append(float(dist[i]))
            way.append(-1)
            start = (
                new_xy[stop_node[float(frac[i])] - n0] if on_edge >= n0 else graph.node_xy[on_edge]
            )
            geoms.append(np.vstack([start, point_xy[i]]))
    extended = extend_graph(
        graph,
        u,
        v,
        cost,
        length,
        way,
        geoms,
        new_nodes_xy=np.array(new_xy, dtype=float).reshape(-1, 2),
        drop_edges=np.array(list(by_edge), dtype=np.int64),
    )
    dist_out = np.where(ok, dist, np.inf)
    return AttachedPoints(extended, node_of_point, dist_out)


def add_links(
    graph: WalkGraph, links: Sequence[tuple[LonLat, LonLat]], *, max_snap_m: float = 50.0
) -> WalkGraph:
    """Add straight walking links between pairs of WGS-84 points, attached to the nearest edges."""
    lon = np.array([p[0] for link in links for p in link], dtype=float)
    lat = np.array([p[1] for link in links for p in link], dtype=float)
    attached = attach_points(graph, lon, lat, max_snap_m=max_snap_m)
    g = attached.graph
    new_u, new_v, new_cost, new_len, geoms = [], [], [], [], []
    for i in range(len(links)):
        a, b = attached.node[2 * i], attached.node[2 * i + 1]
        if a < 0 or b < 0:
            continue
        xy = g.node_xy[[a, b]]
        length = float(np.hypot(*(xy[1] - xy[0])))
        cost = length / g.profile.metres_per_unit
        new_u.append(a)
        new_v.append(b)
        new_cost.append(max(cost, MIN_COST))
        new_len.append(length)
        geoms.append(xy)
    return extend_graph(g, new_u, new_v, new_cost, new_len, [-1] * len(new_u), geoms)
