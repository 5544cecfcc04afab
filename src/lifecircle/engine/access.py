"""Walking access to facilities: where they are reached, the nearest of each type, counts within.

The numeric core: a walk graph and arrays in, frozen results out. Every cost and limit is in the
graph profile's unit — seconds (time convention) or metres (distance convention). It reads no
files, touches no database and never changes its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine import dijkstra as reach
from lifecircle.engine.attach import Walk
from lifecircle.engine.bounded import (
    check_nodes,
    check_source_sets,
    flat_units,
    nearest_all,
    nearest_from,
    typed_sources,
)
from lifecircle.engine.contract import contract, curve_keys
from lifecircle.engine.entrance import Table, entrance_tables
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.rules import (
    LEVELS_MIN,
    CostUnit,
    cost_unit,
    inclusive,
    level_limit,
    level_limits,
)

__all__ = [
    "AccessTable",
    "CountsWithin",
    "EntranceAccess",
    "NearestResult",
    "compound_access",
    "counts_within",
    "entrance_access",
    "facility_costs",
    "nearest_by_type",
]


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class NearestResult:
    """Cost from every node to the nearest source of each type.

    ``cost[t, n]``: cost from node ``n`` to the nearest source of type ``type_codes[t]``, in
    ``unit`` (``s`` seconds or ``m`` metres); ``inf`` when none lies within ``limit``.
    ``nearest[t, n]``: that source's owner (the facility index when owners were given, else the
    source node), ``-1`` when none. Arrays are read-only. When only some nodes were asked for,
    ``nodes`` lists them and column ``k`` is node ``nodes[k]``.
    """

    type_codes: tuple[str, ...]
    cost: np.ndarray
    nearest: np.ndarray
    limit: float
    unit: CostUnit
    nodes: np.ndarray | None = None

    def at(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(cost, nearest)`` at the given nodes (types × nodes).

        Raises ``ValueError`` for a node the result does not hold.
        """
        wanted = np.asarray(nodes, dtype=np.int64)
        if self.nodes is None:
            column = wanted
        else:
            column = np.searchsorted(self.nodes, wanted)
            held = column < len(self.nodes)
            held[held] = self.nodes[column[held]] == wanted[held]
            if not held.all():
                missing = wanted[~held][:5].tolist()
                raise ValueError(f"nodes {missing} are not among those the nearest were kept at")
        return self.cost[:, column], self.nearest[:, column]


@dataclass(frozen=True, eq=False)
class CountsWithin:
    """How many sources of each type every node reaches within ``limit``.

    ``counts[t, n]``: distinct owners (facilities) of type ``type_codes[t]`` with an access point
    at cost ``<= limit`` from node ``n`` (inclusive, up to float rounding); a facility with three
    entrances counts once. ``limit`` is in ``unit``. The array is read-only.
    """

    type_codes: tuple[str, ...]
    counts: np.ndarray
    limit: float
    unit: CostUnit


@dataclass(frozen=True, eq=False)
class AccessTable:
    """Access of some origins (entrances or compounds) to every type.

    ``cost[r, t]``: cost from origin ``r`` to the nearest facility of type ``type_codes[t]``
    (unbounded; ``inf`` when none is reachable at all) in ``unit``; ``nearest[r, t]``: that
    facility (owner index; ``-1``); ``counts[r, t, k]``: distinct facilities at cost
    ``<= limits[k]`` (inclusive). Arrays are read-only.
    """

    type_codes: tuple[str, ...]
    limits: tuple[float, ...]
    cost: np.ndarray
    nearest: np.ndarray
    counts: np.ndarray
    unit: CostUnit


@dataclass(frozen=True, eq=False)
class EntranceAccess:
    """Access from every entrance, and from every compound (the union of its entrances).

    A compound's cost is its best entrance's (``best_entrance[c, t]``, ``-1`` when none reaches
    a facility); its counts are the facilities within each limit of *any* of its entrances,
    each counted once.
    """

    entrances: AccessTable
    compounds: AccessTable
    best_entrance: np.ndarray


def nearest_by_type(
    graph: WalkGraph,
    sources: Mapping[str, np.ndarray],
    *,
    owners: Mapping[str, np.ndarray] | None = None,
    limit: float | None = None,
    at: np.ndarray | None = None,
) -> NearestResult:
    """Cost from every node to the nearest source of each type: one search per type.

    Parameters
    ----------
    graph
        The walk graph (with the sources attached).
    sources
        Source nodes by type code; the result keeps this order.
    owners
        Optional owner (facility index) of every source node, by type; ``nearest`` then holds
        owners instead of nodes.
    limit
        Largest cost of interest (seconds, or metres in the distance convention; inclusive);
        ``None`` searches the whole graph. A smaller limit is much faster.
    at
        Only these nodes' costs are wanted (every node's by default): the result holds them,
        sorted, without repeats (see :meth:`NearestResult.at`). On a large graph they are kept
        in the contracted core, so nothing is filled in for the other nodes.

    Examples
    --------
    >>> from lifecircle.engine.bounded import street_graph
    >>> g = street_graph(0.0, 120.0, 240.0, 360.0)  # 1.2 m/s: 100 s between neighbours
    >>> r = nearest_by_type(g, {"shop": np.array([0]), "bus": np.array([3])}, limit=250.0)
    >>> r.cost.round(6).tolist(), r.nearest[1].tolist(), r.unit
    ([[0.0, 100.0, 200.0, inf], [inf, 200.0, 100.0, 0.0]], [-1, 3, 3, 3], 's')
    """
    bound = np.inf if limit is None else float(limit)
    codes = tuple(sources)
    kept = None if at is None else np.unique(check_nodes(graph, at, "at"))
    checked = check_source_sets(graph, sources)
    contracted = None
    if len(codes) > 1 and graph.n_nodes >= CONTRACT_FROM:  # one contraction, many searches
        keep = np.zeros(graph.n_nodes, dtype=bool)
        keep[np.concatenate(checked)] = True
        if kept is not None:
            keep[kept] = True
        contracted = contract(graph.matrix, keep, order=curve_keys(graph.node_xy))
    owned = [None if owners is None else np.asarray(owners[c], dtype=np.int64) for c in codes]
    if contracted is None and graph.n_nodes < reach.SCIPY_NEAREST_FROM:  # one compiled call
        cost, nearest = nearest_all(graph, checked, owned, bound)
        if kept is not None:
            cost, nearest = cost[:, kept], nearest[:, kept]
    else:
        width = graph.n_nodes if kept is None else len(kept)
        cost = np.empty((len(codes), width))
        nearest = np.empty((len(codes), width), dtype=np.int64)
        for t, (nodes, owner) in enumerate(zip(checked, owned, strict=True)):
            cost[t], nearest[t] = nearest_from(
                graph, nodes, owner, bound, contracted=contracted, at=kept
            )
    unit = cost_unit(graph.profile)
    return NearestResult(codes, _frozen(cost), _frozen(nearest), bound, unit, kept)


def counts_within(
    graph: WalkGraph,
    sources: Mapping[str, np.ndarray],
    *,
    limit: float,
    owners: Mapping[str, np.ndarray] | None = None,
) -> CountsWithin:
    """Count the sources of each type within ``limit`` of every node.

    Work is the sum over sources of their bounded reach, not a row of the whole graph per
    source: sources are grouped by grid cell and each group is searched (scipy Dijkstra,
    bounded by ``limit``) on the subgraph it can reach; see :mod:`lifecircle.engine.bounded`.

    Parameters
    ----------
    graph
        The walk graph (with the sources attached).
    sources
        Source nodes by type code; the result keeps this order.
    limit
        Seconds, or metres in the distance convention; a source at cost ``<= limit`` counts.
    owners
        Optional owner (facility index) of every source node, by type: nodes of one owner
        count once. By default every node is its own source.

    Examples
    --------
    >>> from lifecircle.engine.bounded import street_graph
    >>> g = street_graph(0.0, 120.0, 240.0, 360.0)
    >>> shops = {"shop": np.array([0, 3, 2])}
    >>> counts_within(g, shops, limit=100.0).counts.tolist()
    [[1, 2, 2, 2]]
    >>> counts_within(g, shops, limit=100.0, owners={"shop": np.array([7, 8, 8])}).counts
    array([[1, 2, 1, 1]], dtype=int32)
    """
    typed = typed_sources(graph, sources, owners)
    counts = np.zeros((len(typed), graph.n_nodes), dtype=np.int32)
    if typed and graph.n_nodes:
        # one search per facility (from all its entrances at once), counted inside the loop
        node, unit, unit_type, _ = flat_units(typed)
        unit_ptr = np.zeros(len(unit_type) + 1, dtype=np.int64)
        np.cumsum(np.bincount(unit, minlength=len(unit_type)), out=unit_ptr[1:])
        nodes = node[np.argsort(unit, kind="stable")]
        bound = inclusive(float(limit))
        reach.count_reached(graph.matrix, unit_ptr, nodes, unit_type, bound, counts)
    return CountsWithin(tuple(sources), _frozen(counts), float(limit), cost_unit(graph.profile))


def entrance_access(
    graph: WalkGraph,
    entrance_nodes: np.ndarray,
    sources: Mapping[str, np.ndarray],
    *,
    owners: Mapping[str, np.ndarray] | None = None,
    entrance_owner: np.ndarray | None = None,
    limits: Sequence[float] | None = None,
    nearest: NearestResult | None = None,
) -> EntranceAccess:
    """For every entrance and type: the nearest facility and the facilities within each limit.

    One bounded search per entrance (grouped by grid cell, on the subgraph within reach of
    ``max(limits)``) gives the counts and, where one lies within the largest limit, the nearest
    facility; for the rest one multi-source search of the whole graph per type finds it, so
    ``cost`` is never cut off. Entrances with the same ``entrance_owner`` (a compound's gates)
    are also folded into one row of ``compounds``.

    Parameters
    ----------
    graph
        The walk graph (with entrances and facilities attached).
    entrance_nodes
        Node of every entrance.
    sources, owners
        Facility access-point nodes by type and, optionally, the facility each belongs to (a
        facility with several entrances counts once); see :meth:`Walk.sources`.
    entrance_owner
        Compound index of every entrance; by default each entrance is its own compound.
    limits
        Count limits, seconds (or metres in the distance convention), inclusive; by default the
        profile's thresholds of the 5, 10 and 15-minute levels.
    nearest
        Optionally the unbounded :func:`nearest_by_type` of the same sources and owners: the
        nearest facility is then read from it instead of searched for again.

    Examples
    --------
    >>> from lifecircle.engine.bounded import street_graph
    >>> g = street_graph(0.0, 120.0, 240.0, 360.0, 480.0)
    >>> got = entrance_access(
    ...     g, np.array([0, 4]), {"shop": np.array([1, 2])},
    ...     entrance_owner=np.array([0, 0]), limits=[100.0, 200.0],
    ... )
    >>> got.entrances.cost.round(6).tolist(), got.entrances.counts[:, 0].tolist()
    ([[100.0], [200.0]], [[1, 2], [0, 1]])
    >>> got.compounds.counts[0, 0].tolist(), got.best_entrance.tolist()
    ([1, 2], [[0]])
    """
    entrances = check_nodes(graph, entrance_nodes, "entrance_nodes")
    owner = (
        np.arange(len(entrances))
        if entrance_owner is None
        else np.asarray(entrance_owner, dtype=np.int64)
    )
    if owner.shape != entrances.shape or (len(owner) and owner.min() < 0):
        raise ValueError("entrance_owner must give a compound index >= 0 for every entrance")
    wanted = level_limits(graph.profile) if limits is None else limits
    n_rows = int(owner.max()) + 1 if len(owner) else 0
    gates = (entrances, owner, n_rows)
    known = None if nearest is None else nearest.at(entrances)
    return _access(graph, gates, (sources, owners), tuple(map(float, wanted)), known=known)


def compound_access(
    points: Walk,
    *,
    include_planned: bool = False,
    type_codes: Sequence[str] | None = None,
    levels_min: Sequence[int] = LEVELS_MIN,
    nearest: NearestResult | None = None,
    counted: bool = True,
) -> EntranceAccess:
    """Entrance and compound access for attached points, counted at the levels' thresholds.

    ``compounds`` has one row per compound given to :func:`attach_all` (unreached ones: ``inf``,
    ``-1``, 0); ``type_codes`` fixes the types (see :meth:`Walk.sources`). ``nearest``
    may pass the unbounded :func:`nearest_by_type` of the same sources and owners (of every
    node, or kept at least at the entrances' nodes): entrances then read their nearest facility
    from it instead of searching beyond the largest limit again; its types are used when
    ``type_codes`` is None. ``counted`` False (``nearest`` given) searches nothing and leaves
    every count 0, for a caller that counts from the walking areas' searches
    (:class:`~lifecircle.engine.entrance.SetCounts`).
    """
    graph = points.graph
    if nearest is not None and type_codes is None:
        type_codes = nearest.type_codes
    src = points.sources(include_planned=include_planned, type_codes=type_codes)
    if nearest is not None and (
        nearest.type_codes != tuple(src.nodes)
        or nearest.limit != np.inf
        or (nearest.nodes is None and nearest.cost.shape[1] != graph.n_nodes)
    ):
        raise ValueError(
            "nearest must come from nearest_by_type(points.graph, ...) with no limit and the "
            f"same types; got types {nearest.type_codes[:3]}..., limit {nearest.limit}"
        )
    limits = tuple(level_limit(graph.profile, m) for m in levels_min)
    known = None if nearest is None else nearest.at(points.entrance_nodes)
    return _access(
        graph,
        (points.entrance_nodes, points.entrance_owner, points.n_compounds),
        (src.nodes, src.owners),
        limits,
        known=known,
        count=counted,
    )


def _access(
    graph: WalkGraph,
    gates: tuple[np.ndarray, np.ndarray, int],
    facilities: tuple[Mapping[str, np.ndarray], Mapping[str, np.ndarray] | None],
    limits: tuple[float, ...],
    *,
    known: tuple[np.ndarray, np.ndarray] | None = None,
    count: bool = True,
) -> EntranceAccess:
    """Run :func:`entrance_tables` on (entrances, their compound, compounds) and wrap its tables."""
    sources, owners = facilities
    typed = typed_sources(graph, sources, owners)
    ent, comp, best = entrance_tables(graph, *gates, typed, limits, known=known, count=count)
    codes, unit = tuple(sources), cost_unit(graph.profile)

    def table(t: Table) -> AccessTable:
        arrays = (_frozen(t.cost), _frozen(t.nearest), _frozen(t.counts))
        return AccessTable(codes, limits, *arrays, unit=unit)

    return EntranceAccess(table(ent), table(comp), _frozen(best))


#: :func:`nearest_by_type` contracts graphs of this many nodes or more before its searches. On
#: smaller ones contracting costs more than it saves: 6 ms on central Helsinki (4,163 nodes)
#: for ten compiled searches of 0.3 ms each.
CONTRACT_FROM = 20_000
#: Start nodes searched per scipy call in :func:`facility_costs` (bounds the dense output).
FACILITY_COST_CHUNK = 32


def facility_costs(walk: Walk, starts: np.ndarray, *, limit: float) -> np.ndarray:
    """Cost from each start node to every facility, ``inf`` beyond ``limit`` (inclusive).

    Returns a ``(len(starts), n_facilities)`` array in the profile's unit; a facility costs its
    cheapest access point, planned and closed facilities are never reached, and a start of
    ``-1`` (a board off the network) reaches nothing. Boards list their nearest few this way.

    Examples
    --------
    >>> from lifecircle.engine.area import area_from_streets
    >>> from lifecircle.engine.profiles import STANDARD
    >>> from lifecircle.engine.walk import build_walk
    >>> from lifecircle.model import Board, Facility
    >>> area = area_from_streets(
    ...     [(0.0, 0.0), (0.01, 0.0)],
    ...     facilities=[Facility("a", "A", "shop", 0.003, 0), Facility("b", "B", "shop", 0.009, 0)],
    ...     boards=[Board("b1", "Board", 0.0, 0.0)],
    ... )
    >>> walk = build_walk(area, STANDARD)
    >>> facility_costs(walk, walk.board_nodes, limit=600.0).round().tolist()  # 334 m, 1002 m
    [[278.0, inf]]
    """
    owner = walk.facility_of_point
    keep = ~walk.planned[owner] if len(owner) else np.zeros(0, dtype=bool)
    nodes, owner = walk.facility_nodes[keep], owner[keep]
    starts = np.asarray(starts, dtype=np.int64)
    n_facilities = len(walk.planned)
    costs = np.full((len(starts), n_facilities), np.inf)
    reached = np.flatnonzero(starts >= 0)
    for begin in range(0, len(reached), FACILITY_COST_CHUNK):
        part = reached[begin : begin + FACILITY_COST_CHUNK]
        bound = inclusive(limit)
        dist = dijkstra(walk.graph.matrix, directed=False, indices=starts[part], limit=bound)
        dist = np.atleast_2d(dist)[:, nodes]
        block = np.full((len(part), n_facilities), np.inf)
        np.minimum.at(block.T, owner, dist.T)
        costs[part] = block
    return costs
