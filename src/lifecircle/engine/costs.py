"""One walking profile's graph: the full network's edges it can use, priced for that walker.

The network (:func:`lifecircle.engine.network.build_network`, with points attached or not) is
the same for everyone; this module prices its edges for one profile — seconds from the speed,
steps penalties and waits at major-road crossings, or metres — and drops the edges the profile
cannot use (its ways, or a barrier at an end). Every profile keeps every node, so a node means
the same place in each. Arrays and tags only; no files.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lifecircle.engine.graph import (
    CLOSED_GATE_M,
    MIN_COST,
    LocalRules,
    WalkGraph,
    concat_ranges,
)
from lifecircle.engine.profiles import (
    NODE_KEYS,
    WAY_KEYS,
    WalkProfile,
    is_major_road,
    is_signalised,
    node_is_passable,
    steps_penalty_s,
    way_is_walkable,
)
from lifecircle.engine.snap import edges_at_points
from lifecircle.errors import GraphError
from lifecircle.model import WalkNode, WalkWay

_LOCK = threading.Lock()


def _in(values: np.ndarray, ids: Iterable[int]) -> np.ndarray:
    return np.isin(values, np.fromiter(ids, dtype=np.int64))


@dataclass(frozen=True, eq=False)
class _Facts:
    """What the prices need of an area's ways and tagged nodes, the same for every profile.

    Ways (and nodes) alike in the tags the rules read (``WAY_KEYS``, ``NODE_KEYS``) are one
    *kind*: a profile's rules then run once per kind, not once per way (a district has
    180,000 ways). Worked out once per area in a process (:func:`_facts`).
    """

    given_kind: np.ndarray  # each given way's kind, in the order given
    way_ids: np.ndarray  # every way's OSM id, sorted (the last of a repeated id counts)
    way_kind: np.ndarray  # each way's kind: index into way_kinds
    way_kinds: tuple[dict[str, str], ...]  # each kind's tags among WAY_KEYS
    way_minor: np.ndarray  # not a major road and not a crossing: waits at major junctions
    way_crossing: np.ndarray  # a crossing meeting a major road: 1, at signals: 2; else 0
    node_ids: np.ndarray  # tagged nodes' OSM ids (the last of a repeated id counts)
    node_kind: np.ndarray
    node_kinds: tuple[dict[str, str], ...]
    major: np.ndarray  # OSM ids of the nodes on major roads, sorted
    signals: np.ndarray  # OSM ids of the signalised nodes, sorted


def _kinds(
    tag_maps: Sequence[Mapping[str, str]], keys: tuple[str, ...]
) -> tuple[np.ndarray, tuple[dict[str, str], ...]]:
    """Each map's kind (alike in ``keys``), and each kind's tags among ``keys``."""
    index: dict[tuple[str | None, ...], int] = {}
    kind = np.fromiter(
        (index.setdefault(tuple(map(t.get, keys)), len(index)) for t in tag_maps),
        dtype=np.int64,
        count=len(tag_maps),
    )
    kinds = tuple(
        {k: v for k, v in zip(keys, values, strict=True) if v is not None} for values in index
    )
    return kind, kinds


def _make_facts(ways: Sequence[WalkWay], nodes: Iterable[WalkNode]) -> _Facts:
    kind_all, way_kinds = _kinds([w.tags for w in ways], WAY_KEYS)
    ids = np.fromiter((w.osm_id for w in ways), dtype=np.int64, count=len(ways))
    order = np.argsort(ids, kind="stable")
    last = order[np.r_[ids[order][1:] != ids[order][:-1], True]] if len(ids) else order
    tagged = {n.osm_id: n.tags for n in nodes}
    node_ids = np.fromiter(tagged, dtype=np.int64, count=len(tagged))
    node_kind, node_kinds = _kinds(list(tagged.values()), NODE_KEYS)
    # the junctions (major-road nodes, signalised nodes) from the kinds: the rules read no other tag
    major_kind = np.array([is_major_road(t) for t in way_kinds], dtype=bool)
    major = {n for i in np.flatnonzero(major_kind[kind_all]).tolist() for n in ways[i].node_ids}
    signal_kind = np.array([is_signalised(t) for t in node_kinds], dtype=bool)
    signals = node_ids[signal_kind[node_kind]] if len(node_ids) else node_ids
    signal_set = set(signals.tolist())
    minor = ~major_kind & ~np.array([t.get("footway") == "crossing" for t in way_kinds], bool)
    way_kind = kind_all[last]
    crossing = np.zeros(len(last), dtype=np.int8)
    is_crossing = np.array([t.get("footway") == "crossing" for t in way_kinds], dtype=bool)
    for i in np.flatnonzero(is_crossing[way_kind]).tolist():
        way = ways[int(last[i])]
        if major.intersection(way.node_ids):
            signalised = is_signalised(way.tags) or signal_set.intersection(way.node_ids)
            crossing[i] = 2 if signalised else 1
    return _Facts(
        kind_all, ids[last], way_kind, way_kinds, minor[way_kind], crossing, node_ids, node_kind,
        node_kinds, np.sort(np.fromiter(major, dtype=np.int64, count=len(major))),
        np.unique(signals),
    )  # fmt: skip


#: The facts of the last area priced in this process, with its ways and nodes (tuples, so
#: they cannot change): each profile of a build prices the same area.
_LAST: list[tuple[Sequence[WalkWay], Iterable[WalkNode], _Facts]] = []


def _facts(ways: Sequence[WalkWay], nodes: Iterable[WalkNode]) -> _Facts:
    if not (isinstance(ways, tuple) and isinstance(nodes, tuple)):
        return _make_facts(ways, nodes)
    with _LOCK:
        if _LAST and _LAST[0][0] is ways and _LAST[0][1] is nodes:
            return _LAST[0][2]
    facts = _make_facts(ways, nodes)
    with _LOCK:
        _LAST[:] = [(ways, nodes, facts)]
    return facts


def prepare(ways: Sequence[WalkWay], nodes: Iterable[WalkNode]) -> None:
    """Work out now what pricing an area needs whatever the profile (kept for its profiles).

    For a process that waits anyway before it prices the area (a build's worker, while the
    points are attached); pricing works it out on first use otherwise.
    """
    _facts(ways, nodes)


def walkable_ways(
    ways: Sequence[WalkWay], nodes: Iterable[WalkNode], profile: WalkProfile
) -> np.ndarray:
    """Whether the profile may use each of ``ways`` (:func:`way_is_walkable`), by kind.

    The network's build asks it of every way, and its pricing of the same area reuses the kinds.
    """
    facts = _facts(ways, nodes)
    walkable = np.array([way_is_walkable(t, profile) for t in facts.way_kinds], dtype=bool)
    return walkable[facts.given_kind] if len(facts.given_kind) else facts.given_kind.astype(bool)


def edge_costs(
    network: WalkGraph,
    ways: Sequence[WalkWay],
    nodes: Iterable[WalkNode],
    profile: WalkProfile,
    *,
    rules: LocalRules | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return which network edges the profile can use and what each costs it.

    An edge of an OSM way costs ``length / speed``, plus its share (by length) of the way's
    steps penalty or crossing wait, plus half a major-road wait at each end that is a junction
    with a major road (for minor ways: crossing it there); a staff link or a point's connector
    costs ``length / speed``. In the distance convention every edge costs its length. Edges
    of ways the profile may not use, edges ending at a node it cannot pass, and the edge at
    each closed gate are dropped.
    """
    rules = rules or LocalRules()
    facts = _facts(ways, nodes)
    on_way = network.edge_way >= 0
    edge_way = network.edge_way[on_way]
    at = np.minimum(np.searchsorted(facts.way_ids, edge_way), max(len(facts.way_ids) - 1, 0))
    if len(edge_way) and not (facts.way_ids[at] == edge_way).all():
        missing = edge_way[facts.way_ids[at] != edge_way][0]
        raise KeyError(f"the network's way {missing} is not among the ways given")
    kind = facts.way_kind[at]
    u, v, osm = network.edge_u, network.edge_v, network.node_osm
    passable = np.array([node_is_passable(t, profile) for t in facts.node_kinds], dtype=bool)
    blocked = facts.node_ids[~passable[facts.node_kind]] if len(facts.node_ids) else facts.node_ids
    stop = _in(osm, set(blocked.tolist()) | rules.impassable_nodes) & (osm >= 0)
    keep = ~(stop[u] | stop[v]) & ~edges_at_points(
        network, rules.closed_gates, within_m=CLOSED_GATE_M
    )
    walkable = np.array([way_is_walkable(t, profile) for t in facts.way_kinds], dtype=bool)
    keep[on_way] &= walkable[kind]
    length = network.edge_length_m
    if profile.convention == "distance":
        return keep, np.maximum(length, MIN_COST)
    cost = length / profile.speed_mps
    steps = np.array([steps_penalty_s(t, profile) for t in facts.way_kinds], dtype=float)
    waits = np.array([0.0, profile.unsignalised_wait_s, profile.signal_wait_s])
    # per way, as each way's rules gave it: its steps penalty plus its crossing's wait
    used, pos = np.unique(at, return_inverse=True)
    flat_s = steps[facts.way_kind[used]] + waits[facts.way_crossing[used]]
    one_side = network.edge_side[on_way] >= 0  # an uncrossable road's two sides are one way
    way_m = np.bincount(pos[one_side], weights=length[on_way][one_side], minlength=len(used))
    cost[on_way] += flat_s[pos] * length[on_way] / np.where(way_m > 0, way_m, 1.0)[pos]
    wait = np.where(np.isin(osm, facts.signals), profile.signal_wait_s, profile.unsignalised_wait_s)
    half = np.where(np.isin(osm, facts.major) & (osm >= 0), wait / 2, 0.0)
    minor = facts.way_minor[at]
    cost[on_way] += np.where(minor, half[u[on_way]] + half[v[on_way]], 0.0)
    return keep, np.maximum(cost, MIN_COST)


def profile_graph(
    network: WalkGraph,
    ways: Sequence[WalkWay],
    nodes: Iterable[WalkNode],
    profile: WalkProfile,
    *,
    rules: LocalRules | None = None,
) -> WalkGraph:
    """Return the profile's walk graph: the network's usable edges at the profile's costs.

    Nodes are the network's, in the same order, so an attached point has the same node in
    every profile; see :func:`edge_costs` for the prices.

    Raises
    ------
    GraphError
        The profile can use no way of the network at all.

    Examples
    --------
    >>> from lifecircle.engine.network import build_network
    >>> from lifecircle.engine.profiles import ELDERLY, WHEELCHAIR
    >>> from lifecircle.model import WalkWay
    >>> steps = WalkWay(1, (1, 2), ((117.2, 39.1), (117.2001, 39.1)), {"highway": "steps"})
    >>> path = WalkWay(2, (2, 3), ((117.2001, 39.1), (117.2002, 39.1)), {"highway": "footway"})
    >>> net = build_network([steps, path], [])
    >>> elderly = profile_graph(net, [steps, path], [], ELDERLY)
    >>> elderly.n_edges, round(float(elderly.edge_cost[0]), 1)  # 8.6 m at 0.9 m/s + 120 s
    (2, 129.6)
    >>> profile_graph(net, [steps, path], [], WHEELCHAIR).edge_way.tolist()
    [2]
    """
    keep, cost = edge_costs(network, ways, nodes, profile, rules=rules)
    if not keep[network.edge_way >= 0].any():
        raise GraphError("error.network.none_walkable", profile=profile.name)
    return edge_subgraph(network, keep, cost, profile)


def edge_subgraph(
    graph: WalkGraph, keep: np.ndarray, cost: np.ndarray, profile: WalkProfile
) -> WalkGraph:
    """Return the graph with only the kept edges, at ``cost`` (every node stays)."""
    index = np.flatnonzero(keep)
    sizes = np.diff(graph.coord_start)[index]
    coord_start = np.zeros(len(index) + 1, dtype=np.int64)
    np.cumsum(sizes, out=coord_start[1:])
    return WalkGraph(
        profile=profile,
        metric=graph.metric,
        node_xy=graph.node_xy,
        node_osm=graph.node_osm,
        edge_u=graph.edge_u[index],
        edge_v=graph.edge_v[index],
        edge_cost=np.asarray(cost, dtype=float)[index],
        edge_length_m=graph.edge_length_m[index],
        edge_way=graph.edge_way[index],
        edge_side=graph.edge_side[index],
        coord_start=coord_start,
        coords_xy=graph.coords_xy[concat_ranges(graph.coord_start[index], sizes)],
        notes=graph.notes,
    )
