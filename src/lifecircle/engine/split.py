"""Split edges where attached points' feet lie, and add each point's connector (compiled).

The inner step of :func:`lifecircle.engine.snap.attach_points`: a district's 12,000 points split
about 10,000 edges, which one Python loop took a second and a half to do. One kernel walks the
split edges in order and writes the new nodes, edges and polylines into flat arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lifecircle.engine.graph import MIN_COST, Polylines, WalkGraph, extend_graph
from lifecircle.engine.jit import kernel

#: A point this close to an edge stands on it: it joins the edge without a connector (metres).
ON_EDGE_M = 0.5


@dataclass(frozen=True, eq=False)
class Feet:
    """Where points meet their edges, grouped by edge.

    ``edges`` are the split edges in order; edge ``edges[k]`` takes the points
    ``members[member_ptr[k]:member_ptr[k + 1]]``. ``frac[i]`` is point ``i``'s foot as a fraction
    of its edge's length, ``dist[i]`` its distance from the edge (metres), ``xy[i]`` the point.
    """

    edges: np.ndarray
    member_ptr: np.ndarray
    members: np.ndarray
    frac: np.ndarray
    dist: np.ndarray
    xy: np.ndarray


def split_at_feet(graph: WalkGraph, feet: Feet) -> tuple[WalkGraph, np.ndarray]:
    """Split each edge at its points' feet and join every point off it by a connector.

    New nodes and edges come edge by edge: an edge's cut nodes in order along it, then its
    points' own nodes (those farther than :data:`ON_EDGE_M`); its pieces, then the connectors.
    A piece costs its share (by length) of the edge's cost, a connector its length at the
    profile's speed. Returns the graph and each point's node (``-1`` for points not given).
    """
    n_points = len(feet.frac)
    node_of_point = np.full(n_points, -1, dtype=np.int64)
    if len(feet.edges) == 0:
        return graph, node_of_point
    out = _split(
        (graph.coord_start, graph.coords_xy, graph.node_xy, graph.edge_u, graph.edge_v),
        (graph.edge_cost, graph.edge_length_m),
        (feet.edges, feet.member_ptr, feet.members),
        (feet.frac, feet.dist, feet.xy),
        (float(graph.profile.metres_per_unit), MIN_COST, ON_EDGE_M),
        node_of_point,
    )
    u, v, cost, length, source, sizes, coords, new_xy = out
    way = np.where(source >= 0, graph.edge_way[np.maximum(source, 0)], -1)
    side = np.where(source >= 0, graph.edge_side[np.maximum(source, 0)], 0)
    extended = extend_graph(
        graph,
        u,
        v,
        cost,
        length,
        way,
        Polylines(coords, sizes),
        new_nodes_xy=new_xy,
        drop_edges=feet.edges,
        side=side,
    )
    return extended, node_of_point


@kernel
def _split(
    shape: tuple[np.ndarray, ...],
    costs: tuple[np.ndarray, np.ndarray],
    groups: tuple[np.ndarray, np.ndarray, np.ndarray],
    points: tuple[np.ndarray, np.ndarray, np.ndarray],
    constants: tuple[float, float, float],
    node_of_point: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Run :func:`split_at_feet`'s loop: new edges' ends, costs, source edge and polylines."""
    coord_start, coords_xy, node_xy, edge_u, edge_v = shape
    edge_cost, edge_length = costs
    edges, member_ptr, members = groups
    frac, dist, point_xy = points
    speed, min_cost, on_edge_m = constants
    n0 = len(node_xy)
    n_members = len(members)
    n_out = len(edges) + 2 * n_members
    u = np.empty(n_out, dtype=np.int64)
    v = np.empty(n_out, dtype=np.int64)
    cost = np.empty(n_out)
    length = np.empty(n_out)
    source = np.empty(n_out, dtype=np.int64)  # the split edge, or -1 for a connector
    sizes = np.empty(n_out, dtype=np.int64)
    n_coords = 4 * n_members + 2 * len(edges)
    for e in edges:
        n_coords += coord_start[e + 1] - coord_start[e]
    coords = np.empty((n_coords, 2))
    new_xy = np.empty((2 * n_members, 2))
    n_edges, n_new, n_c = 0, 0, 0
    for k in range(len(edges)):
        e = edges[k]
        mine = members[member_ptr[k] : member_ptr[k + 1]]
        stops = np.unique(frac[mine])  # sorted
        xy = coords_xy[coord_start[e] : coord_start[e + 1]]
        along, step = _along(xy)
        total = along[-1]
        stop_node = np.empty(len(stops), dtype=np.int64)
        # the pieces' bounds (metres along, fraction) and end points (node, x, y): the edge's
        # two ends and each inner cut
        bound = np.empty(len(stops) + 2)
        fracs = np.empty(len(stops) + 2)
        chain = np.empty(len(stops) + 2, dtype=np.int64)
        cut = np.empty((len(stops) + 2, 2))
        bound[0], fracs[0], chain[0], cut[0] = 0.0, 0.0, edge_u[e], xy[0]
        m = 1
        for s in range(len(stops)):
            f = stops[s]
            if f <= 0.0:
                stop_node[s] = edge_u[e]
                continue
            if f >= 1.0:
                stop_node[s] = edge_v[e]
                continue
            at = min(max(f, 0.0), 1.0) * total
            x, y = _point_at(xy, along, step, at)
            stop_node[s] = n0 + n_new
            new_xy[n_new, 0], new_xy[n_new, 1] = x, y
            n_new += 1
            bound[m], fracs[m], chain[m], cut[m, 0], cut[m, 1] = at, f, stop_node[s], x, y
            m += 1
        bound[m], fracs[m], chain[m], cut[m] = total, 1.0, edge_v[e], xy[-1]
        for p in range(m):
            start = n_c
            coords[n_c] = cut[p]
            n_c = _copy_inside(xy, along, bound[p], bound[p + 1], coords, n_c + 1)
            coords[n_c] = cut[p + 1]
            n_c += 1
            share = fracs[p + 1] - fracs[p]
            u[n_edges], v[n_edges], source[n_edges] = chain[p], chain[p + 1], e
            cost[n_edges] = max(edge_cost[e] * share, min_cost)
            length[n_edges] = edge_length[e] * share
            sizes[n_edges] = n_c - start
            n_edges += 1
        for i in mine:
            on_edge = stop_node[np.searchsorted(stops, frac[i])]
            if dist[i] < on_edge_m:
                node_of_point[i] = on_edge
                continue
            node_of_point[i] = n0 + n_new
            new_xy[n_new, 0], new_xy[n_new, 1] = point_xy[i, 0], point_xy[i, 1]
            n_new += 1
            at_node = new_xy[on_edge - n0] if on_edge >= n0 else node_xy[on_edge]
            coords[n_c, 0], coords[n_c, 1] = at_node[0], at_node[1]
            coords[n_c + 1, 0], coords[n_c + 1, 1] = point_xy[i, 0], point_xy[i, 1]
            n_c += 2
            u[n_edges], v[n_edges], source[n_edges] = on_edge, node_of_point[i], -1
            cost[n_edges] = max(dist[i] / speed, min_cost)
            length[n_edges] = dist[i]
            sizes[n_edges] = 2
            n_edges += 1
    return (
        u[:n_edges],
        v[:n_edges],
        cost[:n_edges],
        length[:n_edges],
        source[:n_edges],
        sizes[:n_edges],
        coords[:n_c],
        new_xy[:n_new],
    )


@kernel
def _along(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the metres along a polyline at each vertex, and each segment's length."""
    along = np.empty(len(xy))
    step = np.empty(len(xy) - 1)
    along[0] = 0.0
    for j in range(len(xy) - 1):
        step[j] = np.hypot(xy[j + 1, 0] - xy[j, 0], xy[j + 1, 1] - xy[j, 1])
        along[j + 1] = along[j] + step[j]
    return along, step


@kernel
def _point_at(
    xy: np.ndarray, along: np.ndarray, step: np.ndarray, at: float
) -> tuple[float, float]:
    """Return the point ``at`` metres along a polyline (``along``, ``step``: :func:`_along`)."""
    found = int(np.searchsorted(along, at, side="right")) - 1
    seg = min(max(found, 0), len(xy) - 2)
    t = (at - along[seg]) / step[seg] if step[seg] > 0 else 0.0
    return xy[seg, 0] + t * (xy[seg + 1, 0] - xy[seg, 0]), xy[seg, 1] + t * (
        xy[seg + 1, 1] - xy[seg, 1]
    )


@kernel
def _copy_inside(
    xy: np.ndarray, along: np.ndarray, low: float, high: float, out: np.ndarray, end: int
) -> int:
    """Append the vertices strictly between ``low`` and ``high`` metres along; return the end."""
    for j in range(len(xy)):
        if low < along[j] < high:
            out[end, 0], out[end, 1] = xy[j, 0], xy[j, 1]
            end += 1
    return end
