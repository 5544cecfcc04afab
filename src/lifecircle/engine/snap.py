"""Attach points (compound gates, facility entrances, boards) to the walk graph on an *edge*.

Each point joins the edge it can really walk onto — the nearest, unless one on its own level
(not a tunnel below or a bridge above it), on the main network (not an island) or on its own
side of an uncrossable road lies only a little farther — and that edge is split where the point
projects onto it, so the partial edge length counts, with a short connector from the street to
the point. Points too far from every edge are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from lifecircle.engine.graph import MIN_COST, WalkGraph, concat_ranges, extend_graph
from lifecircle.engine.split import Feet, split_at_feet
from lifecircle.model import LonLat

#: A way on another level than the point's (a tunnel under it, a bridge over it) is joined only
#: when no way on the point's level lies within this many metres more.
LEVEL_SLACK_M = 20.0
#: An edge on an island (a piece of network not connected to the main one) is joined only when
#: no edge of the main network lies within this many metres more.
ISLAND_SLACK_M = 20.0


@dataclass(frozen=True, eq=False)
class SnapRules:
    """What besides distance decides a point's edge; every array is optional.

    Attributes
    ----------
    edge_level, point_level
        Level of every edge (``0`` on the ground, ``-1`` a tunnel, ``1`` a bridge …) and of
        every point; an edge on another level costs :data:`LEVEL_SLACK_M` extra metres.
    edge_island
        Edges not on the main network; they cost :data:`ISLAND_SLACK_M` extra metres.
    point_home
        WGS-84 lon/lat (``(n, 2)``) of the place each point belongs to — a gate's compound, a
        facility's building —, which picks the side of an uncrossable road (``edge_side``) the
        point joins; ``nan`` rows use the point itself.
    """

    edge_level: np.ndarray | None = None
    edge_island: np.ndarray | None = None
    point_level: np.ndarray | None = None
    point_home: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class AttachedPoints:
    """The graph with the points added, and where each point went.

    ``node[i]`` is the graph node of point ``i`` (``-1`` when it lay farther than the limit from
    every edge); ``snap_dist_m[i]`` its straight distance to the chosen edge; ``edge[i]`` that
    edge (an index into the graph given, ``-1``) and ``on_island[i]`` whether it lies on an
    island (see :class:`SnapRules`).
    """

    graph: WalkGraph
    node: np.ndarray
    snap_dist_m: np.ndarray
    edge: np.ndarray
    on_island: np.ndarray


def edge_lines(graph: WalkGraph) -> np.ndarray:
    """Return every edge's polyline as a shapely LineString in local metres."""
    sizes = np.diff(graph.coord_start)
    index = np.repeat(np.arange(graph.n_edges), sizes)
    return np.asarray(shapely.linestrings(graph.coords_xy, indices=index))


@dataclass(frozen=True, eq=False)
class EdgeLines:
    """Every edge's polyline in local metres and a spatial index over them.

    Made once for all the points attached to one graph: on a district's 400,000 edges the
    lines take about a second and the index a third of one.
    """

    lines: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def of(cls, graph: WalkGraph) -> EdgeLines:
        """Draw the graph's edges and index them."""
        lines = edge_lines(graph)
        return cls(lines, shapely.STRtree(lines))


def edges_at_points(graph: WalkGraph, lonlat: Sequence[LonLat], *, within_m: float) -> np.ndarray:
    """Mark the edge nearest each point, if within ``within_m`` metres (a closed gate's edge).

    Every edge equally near is marked: a gate on a node where ways meet closes all of them.
    Only edges whose box comes within ``within_m`` of a point are drawn, so a few points cost
    little on a city's network.

    >>> from lifecircle.engine.bounded import street_graph
    >>> g = street_graph(0.0, 100.0, 200.0)
    >>> edges_at_points(g, [g.metric.to_lonlat(150.0, 8.0)], within_m=25.0).tolist()
    [False, True]
    >>> edges_at_points(g, [g.metric.to_lonlat(150.0, 80.0)], within_m=25.0).tolist()
    [False, False]
    """
    marked = np.zeros(graph.n_edges, dtype=bool)
    if not lonlat or graph.n_edges == 0:
        return marked
    x, y = graph.metric.to_metres(
        np.array([p[0] for p in lonlat], dtype=float), np.array([p[1] for p in lonlat], dtype=float)
    )
    starts = graph.coord_start[:-1]
    box = [np.minimum.reduceat(graph.coords_xy[:, k], starts) for k in (0, 1)]
    box += [np.maximum.reduceat(graph.coords_xy[:, k], starts) for k in (0, 1)]
    near = np.zeros(graph.n_edges, dtype=bool)
    for px, py in zip(np.atleast_1d(x).tolist(), np.atleast_1d(y).tolist(), strict=True):
        in_x = (box[0] <= px + within_m) & (box[2] >= px - within_m)
        near |= in_x & (box[1] <= py + within_m) & (box[3] >= py - within_m)
    edges = np.flatnonzero(near)
    if len(edges) == 0:
        return marked
    sizes = np.diff(graph.coord_start)[edges]
    index = np.repeat(np.arange(len(edges)), sizes)
    xy = graph.coords_xy[concat_ranges(graph.coord_start[edges], sizes)]
    lines = shapely.linestrings(xy, indices=index)
    points = shapely.points(np.atleast_1d(x), np.atleast_1d(y))
    _, hit = shapely.STRtree(lines).query_nearest(points, max_distance=within_m, all_matches=True)
    marked[edges[hit]] = True
    return marked


def _wrong_side(
    graph: WalkGraph,
    lines: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray],
    xy: np.ndarray,
    home: np.ndarray,
) -> np.ndarray:
    """For (point, edge) pairs: the edge is the side of an uncrossable road the point is not on.

    The side is where the point's home lies across the road from the point's foot on it (the
    point's own offset when the home is on the road line; the left side when both are).
    """
    point, edge = pairs
    side = graph.edge_side[edge].astype(int)
    wrong = np.zeros(len(edge), dtype=bool)
    for k in np.flatnonzero(side != 0).tolist():
        line = lines[edge[k]]
        at = line.project(shapely.Point(*xy[point[k]]))
        a = np.asarray(line.interpolate(max(at - 1.0, 0.0)).coords[0])
        b = np.asarray(line.interpolate(min(at + 1.0, line.length)).coords[0])
        foot = np.asarray(line.interpolate(at).coords[0])
        cross = 0.0
        for place in (home[point[k]], xy[point[k]]):
            cross = (b[0] - a[0]) * (place[1] - foot[1]) - (b[1] - a[1]) * (place[0] - foot[0])
            if abs(cross) > 1e-3:  # 1 mm off a 2 m tangent: clearly on one side
                break
        wrong[k] = (1 if cross >= 0 else -1) != side[k]
    return wrong


def _penalty_m(rules: SnapRules, point: np.ndarray, edge: np.ndarray) -> np.ndarray:
    """Extra metres of each (point, edge) pair: another level, an island."""
    extra = np.zeros(len(edge))
    if rules.edge_level is not None:
        level = rules.point_level[point] if rules.point_level is not None else 0
        extra += np.where(rules.edge_level[edge] != level, LEVEL_SLACK_M, 0.0)
    if rules.edge_island is not None:
        extra += np.where(rules.edge_island[edge], ISLAND_SLACK_M, 0.0)
    return extra


def _choose(
    graph: WalkGraph, edges: EdgeLines, xy: np.ndarray, max_snap_m: float, rules: SnapRules
) -> tuple[np.ndarray, np.ndarray]:
    """Return each point's edge (``-1`` if none within reach) and its distance to it.

    A point whose nearest edge has no penalty and no side takes it; only the others look at
    every edge within their nearest distance plus the largest penalty.
    """
    points = shapely.points(xy)
    lines, tree = edges.lines, edges.tree
    edge = np.full(len(points), -1, dtype=np.int64)
    dist = np.full(len(points), np.inf)
    if graph.n_edges == 0 or len(points) == 0:
        return edge, dist
    found, nearest = tree.query_nearest(points, max_distance=max_snap_m, all_matches=False)
    gap = shapely.distance(points[found], lines[nearest])
    plain = (_penalty_m(rules, found, nearest) == 0) & (graph.edge_side[nearest] == 0)
    edge[found[plain]], dist[found[plain]] = nearest[plain], gap[plain]
    found, reach = found[~plain], gap[~plain] + LEVEL_SLACK_M + ISLAND_SLACK_M
    if len(found) == 0:
        return edge, dist
    point, near = tree.query(points[found], predicate="dwithin", distance=reach + 1e-6)
    point = found[point]
    gap = shapely.distance(points[point], lines[near])
    ok = gap <= max_snap_m
    point, near, gap = point[ok], near[ok], gap[ok]
    score = gap + _penalty_m(rules, point, near)
    home = xy if rules.point_home is None else _homes(graph, rules.point_home, xy)
    score[_wrong_side(graph, lines, (point, near), xy, home)] = np.inf
    order = np.lexsort((near, score, point))  # best score first, then the lower edge index
    first = order[np.r_[True, point[order][1:] != point[order][:-1]]]
    first = first[np.isfinite(score[first])]
    edge[point[first]], dist[point[first]] = near[first], gap[first]
    return edge, dist


def _homes(graph: WalkGraph, home_lonlat: np.ndarray, xy: np.ndarray) -> np.ndarray:
    hx, hy = graph.metric.to_metres(home_lonlat[:, 0], home_lonlat[:, 1])
    home = np.column_stack([hx, hy])
    return np.where(np.isfinite(home), home, xy)


def attach_points(
    graph: WalkGraph,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    max_snap_m: float = 300.0,
    rules: SnapRules | None = None,
    edges: EdgeLines | None = None,
) -> AttachedPoints:
    """Attach WGS-84 points to their edges (see :class:`SnapRules`), splitting those edges.

    ``edges``: the graph's :class:`EdgeLines`, if already made.

    Examples
    --------
    See ``tests/engine/test_network.py``: a point 10 m beside the middle of a 100 m edge joins a new
    node at 50 m, with a 10 m connector.
    """
    rules = rules or SnapRules()
    x, y = graph.metric.to_metres(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    xy = np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]).reshape(-1, 2)
    edges = edges or EdgeLines.of(graph)
    lines = edges.lines
    edge, dist = _choose(graph, edges, xy, max_snap_m, rules)
    ok = edge >= 0
    frac = np.zeros(len(xy))
    frac[ok] = shapely.line_locate_point(lines[edge[ok]], shapely.points(xy[ok]), normalized=True)
    extended, node = split_at_feet(graph, _feet(edge, frac, dist, xy))
    island = np.zeros(len(xy), dtype=bool)
    if rules.edge_island is not None:
        island[ok] = rules.edge_island[edge[ok]]
    return AttachedPoints(extended, node, np.where(ok, dist, np.inf), edge, island)


def _feet(edge: np.ndarray, frac: np.ndarray, dist: np.ndarray, xy: np.ndarray) -> Feet:
    """Group the attached points (``edge >= 0``) by edge, edges in order of their first point."""
    points = np.flatnonzero(edge >= 0)
    edges, first, group = np.unique(edge[points], return_index=True, return_inverse=True)
    in_order = np.argsort(first, kind="stable")
    rank = np.empty(len(edges), dtype=np.int64)
    rank[in_order] = np.arange(len(edges))
    point_rank = rank[group.reshape(-1)]
    ptr = np.zeros(len(edges) + 1, dtype=np.int64)
    np.cumsum(np.bincount(point_rank, minlength=len(edges)), out=ptr[1:])
    members = points[np.lexsort((points, point_rank))]
    return Feet(edges[in_order], ptr, members, frac, dist, xy)


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
