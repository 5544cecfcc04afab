"""Build the walk graph of one profile from OSM ways, tagged nodes and staff's local rules.

Costs are seconds (or metres in the distance convention) from the profile's speed, steps
penalties and waits at major-road crossings. Reads records, never files or SQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from lifecircle.engine.graph import MIN_COST, LocalRules, WalkGraph
from lifecircle.engine.profiles import (
    WalkProfile,
    is_major_road,
    is_signalised,
    node_is_passable,
    steps_penalty_s,
    way_is_walkable,
)
from lifecircle.engine.snap import add_links
from lifecircle.errors import GraphError
from lifecircle.geo import LocalMetric, local_metric_transformer
from lifecircle.model import WalkNode, WalkWay

NodeKey = int | tuple[int, int]


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
        self.cost.append(max(cost, MIN_COST))
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
