"""One walking profile's graph: the full network's edges it can use, priced for that walker.

The network (:func:`lifecircle.engine.network.build_network`, with points attached or not) is
the same for everyone; this module prices its edges for one profile — seconds from the speed,
steps penalties and waits at major-road crossings, or metres — and drops the edges the profile
cannot use (its ways, or a barrier at an end). Every profile keeps every node, so a node means
the same place in each. Arrays and tags only; no files.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Junctions:
    """Profile-free facts about the nodes: on a major road, at signals (OSM node ids)."""

    major: frozenset[int]
    signals: frozenset[int]


def junctions_of(ways: Iterable[WalkWay], tagged: Mapping[int, Mapping[str, str]]) -> Junctions:
    """Find the nodes on major roads and the signalised nodes (a crossing's wait)."""
    major = frozenset(n for w in ways if is_major_road(w.tags) for n in w.node_ids)
    signals = frozenset(i for i, tags in tagged.items() if is_signalised(tags))
    return Junctions(major, signals)


def crossing_wait_s(way: WalkWay, profile: WalkProfile, junctions: Junctions) -> float:
    """Wait for a crossing way (``footway=crossing``) that meets a major road."""
    if profile.convention == "distance" or way.tags.get("footway") != "crossing":
        return 0.0
    if not junctions.major.intersection(way.node_ids):
        return 0.0
    signalised = is_signalised(way.tags) or bool(junctions.signals.intersection(way.node_ids))
    return profile.signal_wait_s if signalised else profile.unsignalised_wait_s


def _in(values: np.ndarray, ids: Iterable[int]) -> np.ndarray:
    return np.isin(values, np.fromiter(ids, dtype=np.int64))


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
    tagged = {n.osm_id: n.tags for n in nodes}
    by_id = {w.osm_id: w for w in ways}
    on_way = network.edge_way >= 0
    way_ids = np.unique(network.edge_way[on_way])
    used = [by_id[int(i)] for i in way_ids.tolist()]
    pos = np.searchsorted(way_ids, network.edge_way[on_way])
    u, v, osm = network.edge_u, network.edge_v, network.node_osm
    blocked = {i for i, tags in tagged.items() if not node_is_passable(tags, profile)}
    stop = _in(osm, blocked | rules.impassable_nodes) & (osm >= 0)
    keep = ~(stop[u] | stop[v]) & ~edges_at_points(
        network, rules.closed_gates, within_m=CLOSED_GATE_M
    )
    keep[on_way] &= np.array([way_is_walkable(w.tags, profile) for w in used], dtype=bool)[pos]
    length = network.edge_length_m
    if profile.convention == "distance":
        return keep, np.maximum(length, MIN_COST)
    cost = length / profile.speed_mps
    junctions = junctions_of(ways, tagged)  # only times wait at crossings
    flat_s = np.array(
        [steps_penalty_s(w.tags, profile) + crossing_wait_s(w, profile, junctions) for w in used]
    )
    one_side = network.edge_side[on_way] >= 0  # an uncrossable road's two sides are one way
    way_m = np.bincount(pos[one_side], weights=length[on_way][one_side], minlength=len(used))
    cost[on_way] += flat_s[pos] * length[on_way] / np.where(way_m > 0, way_m, 1.0)[pos]
    minor = np.array(
        [not is_major_road(w.tags) and w.tags.get("footway") != "crossing" for w in used],
        dtype=bool,
    )
    wait = np.where(_in(osm, junctions.signals), profile.signal_wait_s, profile.unsignalised_wait_s)
    half = np.where(_in(osm, junctions.major) & (osm >= 0), wait / 2, 0.0)
    cost[on_way] += np.where(minor[pos], half[u[on_way]] + half[v[on_way]], 0.0)
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
