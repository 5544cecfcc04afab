"""The walk graph of one profile: arrays of nodes, edges, costs and geometry, and a sparse matrix.

Built from the stored walkable ways and tagged nodes plus staff's local rules; points (gates,
facilities) are attached on the nearest edge by ``snapping.attach_points``. No files, no SQL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from lifecircle.errors import LifecircleError
from lifecircle.io.crs import LocalMetric, local_metric_transformer
from lifecircle.model import LonLat, WalkNode, WalkWay
from lifecircle.profiles import (
    WalkProfile,
    is_major_road,
    is_signalised,
    node_is_passable,
    steps_penalty_s,
    way_is_walkable,
)

#: Scipy's csgraph treats a stored 0 as "no edge" in some paths: keep every cost positive.
_MIN_COST = 1e-6
NodeKey = int | tuple[int, int]


@dataclass(frozen=True)
class LocalRules:
    """Staff's local knowledge applied on top of OSM (it survives OSM re-imports).

    ``impassable_ways`` / ``impassable_nodes``: OSM ids nobody can pass (a closed gate, a
    crossing removed). ``uncrossable_ways``: roads people walk along but cannot cross (an
    arterial with a central fence): their intersections are split by side. ``links``: walking
    connections OSM lacks, as two WGS-84 points (a gate in a wall, a passage).
    """

    impassable_ways: frozenset[int] = frozenset()
    impassable_nodes: frozenset[int] = frozenset()
    uncrossable_ways: frozenset[int] = frozenset()
    links: tuple[tuple[LonLat, LonLat], ...] = ()


class GraphError(LifecircleError):
    """The walk graph cannot be built (no usable ways for this profile)."""


@dataclass(frozen=True, eq=False)
class WalkGraph:
    """An undirected walk graph in local metres with one cost per edge (seconds or metres).

    Edge ``i`` joins ``edge_u[i]``–``edge_v[i]``; its polyline is
    ``coords_xy[coord_start[i]:coord_start[i + 1]]`` drawn from ``u`` to ``v``.
    ``node_osm`` is the OSM node id, or ``-1`` for points added later.
    """

    profile: WalkProfile
    metric: LocalMetric
    node_xy: np.ndarray
    node_osm: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_cost: np.ndarray
    edge_length_m: np.ndarray
    edge_way: np.ndarray
    coord_start: np.ndarray
    coords_xy: np.ndarray
    notes: tuple[str, ...] = field(default=())

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """Symmetric sparse cost matrix; parallel edges keep their cheapest cost."""
        u = np.concatenate([self.edge_u, self.edge_v])
        v = np.concatenate([self.edge_v, self.edge_u])
        cost = np.concatenate([self.edge_cost, self.edge_cost])
        loop = u == v
        return cheapest_csr(self.n_nodes, u[~loop], v[~loop], cost[~loop])

    def node_lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """WGS-84 lon/lat of every node."""
        lon, lat = self.metric.to_lonlat(self.node_xy[:, 0], self.node_xy[:, 1])
        return np.asarray(lon), np.asarray(lat)

    def edge_coords(self, edge: int) -> np.ndarray:
        """Return the polyline of one edge in metres, from ``u`` to ``v``."""
        return self.coords_xy[self.coord_start[edge] : self.coord_start[edge + 1]]


def concat_ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Return the integer ranges ``starts[i] … starts[i] + lens[i] - 1``, one after another.

    The gather index of CSR rows (or grid cells) without a Python loop.

    >>> concat_ranges(np.array([5, 0, 9]), np.array([2, 0, 3])).tolist()
    [5, 6, 9, 10, 11]
    """
    lens = np.asarray(lens, dtype=np.int64)
    ends = np.cumsum(lens)
    total = int(ends[-1]) if len(ends) else 0
    return np.repeat(np.asarray(starts, dtype=np.int64) - (ends - lens), lens) + np.arange(total)


def cheapest_csr(n: int, rows: np.ndarray, cols: np.ndarray, cost: np.ndarray) -> sp.csr_matrix:
    """Return an n × n CSR matrix of ``cost`` at (rows, cols); repeats keep their cheapest cost.

    Built directly from one integer sort (a COO round trip would sum repeated cells and sort
    twice), which matters for million-edge graphs.

    >>> rows, cols = np.array([0, 0, 1]), np.array([1, 1, 0])
    >>> cheapest_csr(2, rows, cols, np.array([5.0, 3.0, 4.0])).toarray()
    array([[0., 3.],
           [4., 0.]])
    """
    key = rows.astype(np.int64) * n + cols
    order = np.argsort(key)
    key = key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.empty(0, int)
    data = np.minimum.reduceat(cost[order], first) if len(first) else np.empty(0)
    unique = key[first]
    indptr = np.searchsorted(unique // n, np.arange(n + 1)) if n else np.zeros(1, int)
    return sp.csr_matrix((data, unique % n, indptr), shape=(n, n))


@dataclass
class _Builder:
    """Mutable accumulator used only inside :func:`build_walk_graph`."""

    keys: dict[NodeKey, int] = field(default_factory=dict)
    node_xy: list[tuple[float, float]] = field(default_factory=list)
    node_osm: list[int] = field(default_factory=list)
    u: list[int] = field(default_factory=list)
    v: list[int] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    length: list[float] = field(default_factory=list)
    way: list[int] = field(default_factory=list)
    geoms: list[np.ndarray] = field(default_factory=list)

    def node(self, key: NodeKey, xy: np.ndarray) -> int:
        index = self.keys.get(key)
        if index is None:
            index = self.keys[key] = len(self.node_xy)
            self.node_xy.append((float(xy[0]), float(xy[1])))
            self.node_osm.append(key if isinstance(key, int) else key[0])
        return index

    def edge(self, a: int, b: int, cost: float, length_m: float, way: int, xy: np.ndarray) -> None:
        self.u.append(a)
        self.v.append(b)
        self.cost.append(max(cost, _MIN_COST))
        self.length.append(length_m)
        self.way.append(way)
        self.geoms.append(xy)


@dataclass(frozen=True)
class _Context:
    profile: WalkProfile
    split: frozenset[int]
    blocked: frozenset[int]
    major_nodes: frozenset[int]
    signal_nodes: frozenset[int]
    sides: Mapping[int, np.ndarray]  # uncrossable node -> road direction there
    uncrossable: frozenset[int]


def _project_ways(
    ways: Sequence[WalkWay], metric: LocalMetric | None
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], LocalMetric]:
    """Every way's points in local metres and the distance along it at each point.

    One projection call for all ways: per-way calls cost more than the rest of the build.
    """
    sizes = np.array([len(way.coords) for way in ways], dtype=np.int64)
    lonlat = np.concatenate([np.asarray(way.coords, dtype=float).reshape(-1, 2) for way in ways])
    if metric is None:
        metric = local_metric_transformer(float(lonlat[:, 0].mean()), float(lonlat[:, 1].mean()))
    x, y = metric.to_metres(lonlat[:, 0], lonlat[:, 1])
    xy = np.column_stack([x, y])
    start = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=start[1:])
    seg = np.zeros(len(xy))
    seg[1:] = np.hypot(*np.diff(xy, axis=0).T)
    seg[start[:-1]] = 0.0  # no length across the seam between two ways
    cum = np.cumsum(seg)
    way_xy, way_cum = {}, {}
    for way, a, b in zip(ways, start[:-1].tolist(), start[1:].tolist(), strict=True):
        way_xy[way.osm_id] = xy[a:b]
        way_cum[way.osm_id] = cum[a:b] - cum[a]
    return way_xy, way_cum, metric


def _context(
    ways: Sequence[WalkWay],
    usable: Sequence[WalkWay],
    nodes: Iterable[WalkNode],
    profile: WalkProfile,
    rules: LocalRules,
    way_xy: Mapping[int, np.ndarray],
) -> _Context:
    usage: Counter[int] = Counter()
    for way in usable:
        usage.update(way.node_ids)
        usage.update((way.node_ids[0], way.node_ids[-1]))  # endpoints always split
    tagged = {n.osm_id: n.tags for n in nodes}
    blocked = {i for i, tags in tagged.items() if not node_is_passable(tags, profile)}
    blocked |= rules.impassable_nodes
    major = {n for w in ways if is_major_road(w.tags) for n in w.node_ids}
    signals = {i for i, tags in tagged.items() if is_signalised(tags)}
    sides: dict[int, np.ndarray] = {}
    for way in ways:
        if way.osm_id in rules.uncrossable_ways:
            xy = way_xy[way.osm_id]
            for i, node in enumerate(way.node_ids):
                sides[node] = xy[min(i + 1, len(xy) - 1)] - xy[max(i - 1, 0)]
    split = {n for n, c in usage.items() if c > 1} | set(tagged) | blocked | set(sides)
    return _Context(
        profile=profile,
        split=frozenset(split),
        blocked=frozenset(blocked),
        major_nodes=frozenset(major),
        signal_nodes=frozenset(signals),
        sides=sides,
        uncrossable=frozenset(rules.uncrossable_ways),
    )


def _side(ctx: _Context, node: int, node_xy: np.ndarray, neighbour_xy: np.ndarray) -> int:
    direction = ctx.sides[node]
    offset = neighbour_xy - node_xy
    return 1 if direction[0] * offset[1] - direction[1] * offset[0] >= 0 else -1


def _crossing_wait_s(ctx: _Context, way: WalkWay) -> float:
    """Wait for a crossing way (footway=crossing) that meets a major road."""
    if ctx.profile.convention == "distance" or way.tags.get("footway") != "crossing":
        return 0.0
    if not ctx.major_nodes.intersection(way.node_ids):
        return 0.0
    signalised = is_signalised(way.tags) or bool(ctx.signal_nodes.intersection(way.node_ids))
    return ctx.profile.signal_wait_s if signalised else ctx.profile.unsignalised_wait_s


def _end_wait_s(ctx: _Context, way: WalkWay, node: int) -> float:
    """Half the wait for a minor way's end at a major-road node (crossing it at the junction)."""
    if ctx.profile.convention == "distance" or node not in ctx.major_nodes:
        return 0.0
    if is_major_road(way.tags) or way.tags.get("footway") == "crossing":
        return 0.0
    full = (
        ctx.profile.signal_wait_s if node in ctx.signal_nodes else ctx.profile.unsignalised_wait_s
    )
    return full / 2


def _add_way(
    build: _Builder, ctx: _Context, way: WalkWay, xy: np.ndarray, cum_m: np.ndarray
) -> None:
    along = cum_m.tolist()
    way_len = along[-1] or 1.0
    flat_s = steps_penalty_s(way.tags, ctx.profile) + _crossing_wait_s(ctx, way)
    cuts = [0] + [i for i in range(1, len(way.node_ids) - 1) if way.node_ids[i] in ctx.split]
    cuts.append(len(way.node_ids) - 1)
    for a, b in pairwise(cuts):
        na, nb = way.node_ids[a], way.node_ids[b]
        if na in ctx.blocked or nb in ctx.blocked or a == b:
            continue
        length = along[b] - along[a]
        if ctx.profile.convention == "distance":
            cost = length
        else:
            cost = length / ctx.profile.speed_mps + flat_s * length / way_len
            cost += _end_wait_s(ctx, way, na) + _end_wait_s(ctx, way, nb)
        piece = xy[a : b + 1]
        if way.osm_id in ctx.uncrossable:
            for side in (1, -1):  # the road becomes two sidewalks that never meet
                ia, ib = build.node((na, side), xy[a]), build.node((nb, side), xy[b])
                build.edge(ia, ib, cost, length, way.osm_id, piece)
            continue
        # crossing ways stay whole: an uncrossable road is still crossed where a crossing is mapped
        by_side = way.tags.get("footway") != "crossing"
        ka: NodeKey = (na, _side(ctx, na, xy[a], xy[a + 1])) if by_side and na in ctx.sides else na
        kb: NodeKey = (nb, _side(ctx, nb, xy[b], xy[b - 1])) if by_side and nb in ctx.sides else nb
        build.edge(build.node(ka, xy[a]), build.node(kb, xy[b]), cost, length, way.osm_id, piece)


def _finish(build: _Builder, profile: WalkProfile, metric: LocalMetric) -> WalkGraph:
    sizes = np.array([len(g) for g in build.geoms], dtype=np.int64)
    coord_start = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=coord_start[1:])
    coords = np.concatenate(build.geoms) if build.geoms else np.zeros((0, 2))
    return WalkGraph(
        profile=profile,
        metric=metric,
        node_xy=np.array(build.node_xy, dtype=float).reshape(-1, 2),
        node_osm=np.array(build.node_osm, dtype=np.int64),
        edge_u=np.array(build.u, dtype=np.int64),
        edge_v=np.array(build.v, dtype=np.int64),
        edge_cost=np.array(build.cost, dtype=float),
        edge_length_m=np.array(build.length, dtype=float),
        edge_way=np.array(build.way, dtype=np.int64),
        coord_start=coord_start,
        coords_xy=coords,
    )


def build_walk_graph(
    ways: Sequence[WalkWay],
    nodes: Iterable[WalkNode],
    profile: WalkProfile,
    *,
    rules: LocalRules | None = None,
    metric: LocalMetric | None = None,
) -> WalkGraph:
    """Build the walk graph of ``profile`` from OSM ways and tagged nodes.

    Nodes are OSM nodes where ways meet, end or carry tags; each edge keeps its polyline. Cost
    is seconds (``length / speed`` + steps penalty + crossing waits) or, in the distance
    convention, metres. Ways and nodes the profile cannot use are left out; ``rules.links``
    are attached like points (see :func:`attach_points`).
    """
    rules = rules or LocalRules()
    if not ways:
        raise GraphError("error.network.no_ways")
    way_xy, way_cum, metric = _project_ways(ways, metric)
    usable = [
        w
        for w in ways
        if way_is_walkable(w.tags, profile)
        and w.osm_id not in rules.impassable_ways
        and len(w.node_ids) >= 2
    ]
    ctx = _context(ways, usable, nodes, profile, rules, way_xy)
    build = _Builder()
    for way in usable:
        _add_way(build, ctx, way, way_xy[way.osm_id], way_cum[way.osm_id])
    if not build.u:
        raise GraphError("error.network.none_walkable", profile=profile.name)
    graph = _finish(build, profile, metric)
    if rules.links:
        graph = add_links(graph, rules.links)
    return graph


def add_links(
    graph: WalkGraph, links: Sequence[tuple[LonLat, LonLat]], *, max_snap_m: float = 50.0
) -> WalkGraph:
    """Add straight walking links between pairs of WGS-84 points, attached to the nearest edges."""
    from lifecircle.snapping import attach_points  # a cycle only at call time

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
        cost = length if g.profile.convention == "distance" else length / g.profile.speed_mps
        new_u.append(a)
        new_v.append(b)
        new_cost.append(max(cost, _MIN_COST))
        new_len.append(length)
        geoms.append(xy)
    return extend_graph(g, new_u, new_v, new_cost, new_len, [-1] * len(new_u), geoms)


def extend_graph(
    graph: WalkGraph,
    u: Sequence[int],
    v: Sequence[int],
    cost: Sequence[float],
    length_m: Sequence[float],
    way: Sequence[int],
    geoms: Sequence[np.ndarray],
    *,
    new_nodes_xy: np.ndarray | None = None,
    drop_edges: np.ndarray | None = None,
) -> WalkGraph:
    """Return a new graph with nodes and edges appended (and some edges dropped)."""
    keep = np.ones(graph.n_edges, dtype=bool)
    if drop_edges is not None:
        keep[drop_edges] = False
    old_geoms = [graph.edge_coords(int(i)) for i in np.flatnonzero(keep)]
    all_geoms = old_geoms + list(geoms)
    sizes = np.array([len(g) for g in all_geoms], dtype=np.int64)
    coord_start = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=coord_start[1:])
    extra = new_nodes_xy if new_nodes_xy is not None else np.zeros((0, 2))
    return WalkGraph(
        profile=graph.profile,
        metric=graph.metric,
        node_xy=np.vstack([graph.node_xy, extra]),
        node_osm=np.concatenate([graph.node_osm, np.full(len(extra), -1, dtype=np.int64)]),
        edge_u=np.concatenate([graph.edge_u[keep], np.asarray(u, dtype=np.int64)]),
        edge_v=np.concatenate([graph.edge_v[keep], np.asarray(v, dtype=np.int64)]),
        edge_cost=np.concatenate([graph.edge_cost[keep], np.asarray(cost, dtype=float)]),
        edge_length_m=np.concatenate(
            [graph.edge_length_m[keep], np.asarray(length_m, dtype=float)]
        ),
        edge_way=np.concatenate([graph.edge_way[keep], np.asarray(way, dtype=np.int64)]),
        coord_start=coord_start,
        coords_xy=np.concatenate(all_geoms) if all_geoms else np.zeros((0, 2)),
        notes=graph.notes,
    )


def group_by_way(graph: WalkGraph) -> Mapping[int, np.ndarray]:
    """Edge indices of each OSM way (links and connectors under ``-1``)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i, way in enumerate(graph.edge_way.tolist()):
        groups[way].append(i)
    return {way: np.array(idx) for way, idx in groups.items()}
