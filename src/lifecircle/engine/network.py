"""Build the full walk network from OSM ways, tagged nodes and staff's local rules.

One network for every walker: each way some pedestrian may use, cut into edges where ways meet,
end or carry a tagged node, and every uncrossable road split into two sides. Points attach to
it once; each profile's costs and impassable edges are :mod:`lifecircle.engine.costs`' job.
Reads records, never files or SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from lifecircle.engine.costs import profile_graph, walkable_ways
from lifecircle.engine.graph import MIN_COST, LocalRules, WalkGraph, concat_ranges
from lifecircle.engine.profiles import WalkProfile
from lifecircle.engine.snap import add_links
from lifecircle.errors import GraphError
from lifecircle.geo import LocalMetric, local_metric_transformer
from lifecircle.model import WalkNode, WalkWay

#: The full network's own "profile": any pedestrian's ways, costs in metres. Wheelchair and
#: step rules only ever remove ways from it, so every profile's graph is part of this network.
NETWORK = WalkProfile(
    "network", 1.0, step_penalty_s=0.0, signal_wait_s=0.0, unsignalised_wait_s=0.0,
    convention="distance",
)  # fmt: skip
#: Staff links join ways within this many metres of their ends.
LINK_SNAP_M = 50.0


@dataclass(frozen=True)
class _Projected:
    """Every way's points in local metres, one way after another (way ``k`` from ``start[k]``).

    ``cum`` is the distance along the point's own way.
    """

    xy: np.ndarray
    cum: np.ndarray
    start: np.ndarray
    metric: LocalMetric

    def rows(self, ways: np.ndarray) -> np.ndarray:
        """Return the flat rows of the given ways' points, way after way."""
        return concat_ranges(self.start[ways], np.diff(self.start)[ways])


def _project_ways(ways: Sequence[WalkWay], metric: LocalMetric | None) -> _Projected:
    """Every way's points in local metres and the distance along it at each point.

    One projection call for all ways: per-way calls cost more than the rest of the build; and
    flat arrays, not one small array per way (those took half a second on a district).
    """
    sizes = np.array([len(way.coords) for way in ways], dtype=np.int64)
    flat = chain.from_iterable(chain.from_iterable(way.coords for way in ways))
    lonlat = np.fromiter(flat, dtype=float, count=2 * int(sizes.sum())).reshape(-1, 2)
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
    return _Projected(xy, cum - np.repeat(cum[start[:-1]], sizes), start, metric)


@dataclass(frozen=True)
class _Context:
    split: np.ndarray  # sorted OSM nodes where a way is cut
    sides: Mapping[int, np.ndarray]  # uncrossable node -> road direction there
    uncrossable: frozenset[int]


def _context(
    ways: Sequence[WalkWay],
    nodes: Iterable[WalkNode],
    rules: LocalRules,
    way_xy: Mapping[int, np.ndarray],
    ids: np.ndarray,
    start: np.ndarray,
) -> _Context:
    """Where the usable ways (their nodes flat in ``ids``, way ``k`` from ``start[k]``) are cut.

    At every node two ways share (or one way twice), at every way's ends, at tagged and
    impassable nodes and on uncrossable roads.
    """
    sides: dict[int, np.ndarray] = {}
    for way in ways:
        if way.osm_id in rules.uncrossable_ways:
            xy = way_xy[way.osm_id]
            for i, node in enumerate(way.node_ids):
                sides[node] = xy[min(i + 1, len(xy) - 1)] - xy[max(i - 1, 0)]
    ends = np.concatenate([ids[start[:-1]], ids[start[1:] - 1]])  # endpoints always split
    used, count = np.unique(np.concatenate([ids, ends]), return_counts=True)
    other = [n.osm_id for n in nodes] + [*rules.impassable_nodes, *sides]
    split = np.union1d(used[count > 1], np.array(other, dtype=np.int64))
    return _Context(split=split, sides=sides, uncrossable=frozenset(rules.uncrossable_ways))


def _side(ctx: _Context, node: int, node_xy: np.ndarray, neighbour_xy: np.ndarray) -> int:
    direction = ctx.sides[node]
    offset = neighbour_xy - node_xy
    return 1 if direction[0] * offset[1] - direction[1] * offset[0] >= 0 else -1


@dataclass(frozen=True)
class _Pieces:
    """Every edge of the network as a piece of a way: its ends' positions in the flat points."""

    a: np.ndarray  # flat index of the piece's first point
    b: np.ndarray  # flat index of its last point
    way: np.ndarray  # OSM id of the way
    side: np.ndarray  # ±1 on an uncrossable road's two sidewalks, else 0
    side_a: np.ndarray  # key side of each end: 0 for the plain OSM node, else ±1
    side_b: np.ndarray


def _pieces(
    usable: Sequence[WalkWay], ctx: _Context, ids: np.ndarray, xy: np.ndarray, start: np.ndarray
) -> _Pieces:
    """Cut the usable ways (points flat in ``ids``/``xy``, way ``k`` from ``start[k]``) into edges.

    A way is cut where it meets a node of ``ctx.split`` and at its ends; a piece of an
    uncrossable road gives two edges, sides 1 then -1, whose ends are that side's copies of the
    nodes; any other way joins such a node by the side it comes from (a crossing keeps the node
    itself). Edges come in the order of the ways, then along each way.
    """
    sizes = np.diff(start)
    way_of = np.repeat(np.arange(len(usable)), sizes)
    pos = np.arange(len(ids)) - start[:-1][way_of]
    cut = (pos == 0) | (pos == (sizes - 1)[way_of]) | np.isin(ids, ctx.split)
    at = np.flatnonzero(cut)
    same = way_of[at[:-1]] == way_of[at[1:]]
    a, b = at[:-1][same], at[1:][same]
    osm = np.array([w.osm_id for w in usable], dtype=np.int64)[way_of[a]]
    twin = np.isin(osm, np.fromiter(ctx.uncrossable, np.int64))
    crossing = np.array([w.tags.get("footway") == "crossing" for w in usable])[way_of[a]]
    repeat = np.where(twin, 2, 1)
    side = np.zeros(int(repeat.sum()), dtype=np.int64)
    first = np.cumsum(repeat) - repeat
    side[first[twin]], side[first[twin] + 1] = 1, -1
    side_a, side_b = side.copy(), side.copy()
    joins = ~twin & ~crossing
    sided = np.fromiter(ctx.sides, np.int64)
    for end, neighbour, keyed in ((a, a + 1, side_a), (b, b - 1, side_b)):
        for k in np.flatnonzero(joins & np.isin(ids[end], sided)).tolist():
            node = int(ids[end[k]])
            keyed[first[k]] = _side(ctx, node, xy[end[k]], xy[neighbour[k]])
    return _Pieces(
        np.repeat(a, repeat), np.repeat(b, repeat), np.repeat(osm, repeat), side, side_a, side_b
    )


def _assemble(pieces: _Pieces, ids: np.ndarray, xy: np.ndarray, cum: np.ndarray,
              metric: LocalMetric) -> WalkGraph:  # fmt: skip
    """Make the graph, its nodes numbered in the order the edges first meet them."""
    ends = np.column_stack([pieces.a, pieces.b]).ravel()  # a0, b0, a1, b1, ...
    sides = np.column_stack([pieces.side_a, pieces.side_b]).ravel()
    keys = ids[ends] * 3 + (sides + 1)  # one integer per (node, side): side -1, 0 or 1
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # nodes numbered by their first appearance
    number = np.empty(len(order), dtype=np.int64)
    number[order] = np.arange(len(order))
    node_of = number[inverse.reshape(-1)].reshape(-1, 2)
    count = pieces.b - pieces.a + 1
    coord_start = np.zeros(len(count) + 1, dtype=np.int64)
    np.cumsum(count, out=coord_start[1:])
    length = cum[pieces.b] - cum[pieces.a]
    return WalkGraph(
        profile=NETWORK,
        metric=metric,
        node_xy=xy[ends[first[order]]].reshape(-1, 2),
        node_osm=ids[ends[first[order]]],
        edge_u=node_of[:, 0].copy(),
        edge_v=node_of[:, 1].copy(),
        edge_cost=np.maximum(length, MIN_COST),
        edge_length_m=length,
        edge_way=pieces.way,
        edge_side=pieces.side.astype(np.int8),
        coord_start=coord_start,
        coords_xy=xy[concat_ranges(pieces.a, count)].reshape(-1, 2),
    )


def network_way_indices(
    ways: Sequence[WalkWay], nodes: Iterable[WalkNode], rules: LocalRules
) -> list[int]:
    """Return which ways make the full network: walkable by someone, not closed by staff."""
    walkable = walkable_ways(ways, nodes, NETWORK).tolist()
    return [
        i
        for i, w in enumerate(ways)
        if walkable[i] and w.osm_id not in rules.impassable_ways and len(w.node_ids) >= 2
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
    nodes = nodes if isinstance(nodes, tuple) else tuple(nodes)  # read twice
    projected = _project_ways(ways, metric)
    kept = np.array(network_way_indices(ways, nodes, rules), dtype=np.int64)
    if not len(kept):
        raise GraphError("error.network.none_walkable", profile=NETWORK.name)
    usable = [ways[i] for i in kept.tolist()]
    ids = np.fromiter((n for w in usable for n in w.node_ids), np.int64)
    start = np.zeros(len(usable) + 1, dtype=np.int64)
    np.cumsum(np.diff(projected.start)[kept], out=start[1:])  # a point per node id
    way_xy = {
        w.osm_id: projected.xy[projected.start[i] : projected.start[i + 1]]
        for i, w in enumerate(ways)
        if w.osm_id in rules.uncrossable_ways
    }
    ctx = _context(ways, nodes, rules, way_xy, ids, start)
    rows = projected.rows(kept)
    xy, cum = projected.xy[rows], projected.cum[rows]
    graph = _assemble(_pieces(usable, ctx, ids, xy, start), ids, xy, cum, projected.metric)
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
