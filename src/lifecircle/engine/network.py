"""Build the full walk network from OSM ways, tagged nodes and staff's local rules.

One network for every walker: each way some pedestrian may use, cut into edges where ways meet,
end or carry a tagged node, and every uncrossable road split into two sides. Points attach to
it once; each profile's costs and impassable edges are :mod:`lifecircle.engine.costs`' job.
Reads records, never files or SQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from lifecircle.engine.costs import profile_graph
from lifecircle.engine.graph import MIN_COST, LocalRules, WalkGraph
from lifecircle.engine.profiles import WalkProfile, way_is_walkable
from lifecircle.engine.snap import add_links
from lifecircle.errors import GraphError
from lifecircle.geo import LocalMetric, local_metric_transformer
from lifecircle.model import WalkNode, WalkWay

NodeKey = int | tuple[int, int]

#: The full network's own "profile": any pedestrian's ways, costs in metres. Wheelchair and
#: step rules only ever remove ways from it, so every profile's graph is part of this network.
NETWORK = WalkProfile(
    "network", 1.0, step_penalty_s=0.0, signal_wait_s=0.0, unsignalised_wait_s=0.0,
    convention="distance",
)  # fmt: skip
#: Staff links join ways within this many metres of their ends.
LINK_SNAP_M = 50.0


@dataclass
class _Builder:
    """Mutable accumulator used only inside :func:`build_network`."""

    keys: dict[NodeKey, int] = field(default_factory=dict)
    node_xy: list[tuple[float, float]] = field(default_factory=list)
    node_osm: list[int] = field(default_factory=list)
    u: list[int] = field(default_factory=list)
    v: list[int] = field(default_factory=list)
    length: list[float] = field(default_factory=list)
    way: list[int] = field(default_factory=list)
    side: list[int] = field(default_factory=list)
    geoms: list[np.ndarray] = field(default_factory=list)

    def node(self, key: NodeKey, xy: np.ndarray) -> int:
        index = self.keys.get(key)
        if index is None:
            index = self.keys[key] = len(self.node_xy)
            self.node_xy.append((float(xy[0]), float(xy[1])))
            self.node_osm.append(key if isinstance(key, int) else key[0])
        return index

    def edge(self, a: int, b: int, length_m: float, way: int, side: int, xy: np.ndarray) -> None:
        self.u.append(a)
        self.v.append(b)
        self.length.append(length_m)
        self.way.append(way)
        self.side.append(side)
        self.geoms.append(xy)


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


@dataclass(frozen=True)
class _Context:
    split: frozenset[int]
    sides: Mapping[int, np.ndarray]  # uncrossable node -> road direction there
    uncrossable: frozenset[int]


def _context(
    ways: Sequence[WalkWay],
    usable: Sequence[WalkWay],
    nodes: Iterable[WalkNode],
    rules: LocalRules,
    way_xy: Mapping[int, np.ndarray],
) -> _Context:
    usage: Counter[int] = Counter()
    for way in usable:
        usage.update(way.node_ids)
        usage.update((way.node_ids[0], way.node_ids[-1]))  # endpoints always split
    sides: dict[int, np.ndarray] = {}
    for way in ways:
        if way.osm_id in rules.uncrossable_ways:
            xy = way_xy[way.osm_id]
            for i, node in enumerate(way.node_ids):
                sides[node] = xy[min(i + 1, len(xy) - 1)] - xy[max(i - 1, 0)]
    tagged = {n.osm_id for n in nodes}
    split = {n for n, c in usage.items() if c > 1} | tagged | rules.impassable_nodes | set(sides)
    return _Context(
        split=frozenset(split), sides=sides, uncrossable=frozenset(rules.uncrossable_ways)
    )


def _side(ctx: _Context, node: int, node_xy: np.ndarray, neighbour_xy: np.ndarray) -> int:
    direction = ctx.sides[node]
    offset = neighbour_xy - node_xy
    return 1 if direction[0] * offset[1] - direction[1] * offset[0] >= 0 else -1


def _add_way(
    build: _Builder, ctx: _Context, way: WalkWay, xy: np.ndarray, cum_m: np.ndarray
) -> None:
    along = cum_m.tolist()
    cuts = [0] + [i for i in range(1, len(way.node_ids) - 1) if way.node_ids[i] in ctx.split]
    cuts.append(len(way.node_ids) - 1)
    for a, b in pairwise(cuts):
        na, nb = way.node_ids[a], way.node_ids[b]
        length = along[b] - along[a]
        piece = xy[a : b + 1]
        if way.osm_id in ctx.uncrossable:
            for side in (1, -1):  # the road becomes two sidewalks that never meet
                ia, ib = build.node((na, side), xy[a]), build.node((nb, side), xy[b])
                build.edge(ia, ib, length, way.osm_id, side, piece)
            continue
        # crossing ways stay whole: an uncrossable road is still crossed where a crossing is mapped
        by_side = way.tags.get("footway") != "crossing"
        ka: NodeKey = (na, _side(ctx, na, xy[a], xy[a + 1])) if by_side and na in ctx.sides else na
        kb: NodeKey = (nb, _side(ctx, nb, xy[b], xy[b - 1])) if by_side and nb in ctx.sides else nb
        build.edge(build.node(ka, xy[a]), build.node(kb, xy[b]), length, way.osm_id, 0, piece)


def _finish(build: _Builder, metric: LocalMetric) -> WalkGraph:
    sizes = np.array([len(g) for g in build.geoms], dtype=np.int64)
    coord_start = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=coord_start[1:])
    coords = np.concatenate(build.geoms) if build.geoms else np.zeros((0, 2))
    length = np.array(build.length, dtype=float)
    return WalkGraph(
        profile=NETWORK,
        metric=metric,
        node_xy=np.array(build.node_xy, dtype=float).reshape(-1, 2),
        node_osm=np.array(build.node_osm, dtype=np.int64),
        edge_u=np.array(build.u, dtype=np.int64),
        edge_v=np.array(build.v, dtype=np.int64),
        edge_cost=np.maximum(length, MIN_COST),
        edge_length_m=length,
        edge_way=np.array(build.way, dtype=np.int64),
        edge_side=np.array(build.side, dtype=np.int8),
        coord_start=coord_start,
        coords_xy=coords,
    )


def network_ways(ways: Sequence[WalkWay], rules: LocalRules) -> list[WalkWay]:
    """Return the ways of the full network: walkable by someone, not closed by staff."""
    return [
        w
        for w in ways
        if way_is_walkable(w.tags, NETWORK)
        and w.osm_id not in rules.impassable_ways
        and len(w.node_ids) >= 2
    ]


def build_network(
    ways: Sequence[WalkWay],
    nodes: Iterable[WalkNode],
    *,
    rules: LocalRules | None = None,
    metric: LocalMetric | None = None,
) -> WalkGraph:
    """Build the full walk network: every way some pedestrian may use, with staff's links.

    Nodes are OSM nodes where usable ways meet or end and every tagged node on them; each edge
    keeps its polyline, and its cost is its length in metres (profile :data:`NETWORK`). Edges at
    barriers are kept (a profile that cannot pass a barrier drops them); an uncrossable road
    becomes two sides (``edge_side`` ±1) that other ways join by the side they come from;
    ``rules.links`` are attached like points (see :func:`~lifecircle.engine.snap.add_links`).

    Examples
    --------
    >>> from lifecircle.model import WalkWay
    >>> way = WalkWay(1, (1, 2, 3), ((117.2, 39.1), (117.201, 39.1), (117.202, 39.1)))
    >>> net = build_network([way], [])
    >>> net.n_nodes, net.n_edges, round(float(net.edge_length_m[0]))
    (2, 1, 173)
    """
    rules = rules or LocalRules()
    if not ways:
        raise GraphError("error.network.no_ways")
    way_xy, way_cum, metric = _project_ways(ways, metric)
    usable = network_ways(ways, rules)
    ctx = _context(ways, usable, nodes, rules, way_xy)
    build = _Builder()
    for way in usable:
        _add_way(build, ctx, way, way_xy[way.osm_id], way_cum[way.osm_id])
    if not build.u:
        raise GraphError("error.network.none_walkable", profile=NETWORK.name)
    graph = _finish(build, metric)
    if rules.links:
        graph = add_links(graph, rules.links, max_snap_m=LINK_SNAP_M)
    return graph


def build_walk_graph(
    ways: Sequence[WalkWay],
    nodes: Iterable[WalkNode],
    profile: WalkProfile,
    *,
    rules: LocalRules | None = None,
    metric: LocalMetric | None = None,
) -> WalkGraph:
    """Build the walk graph of ``profile`` from OSM ways and tagged nodes.

    The full network (:func:`build_network`) with the profile's costs, less what the profile
    cannot use (:func:`~lifecircle.engine.costs.profile_graph`). Cost is seconds
    (``length / speed`` + steps penalty + crossing waits) or, in the distance convention, metres.
    """
    node_list = list(nodes)
    network = build_network(ways, node_list, rules=rules, metric=metric)
    return profile_graph(network, ways, node_list, profile, rules=rules)
