"""Entrance × type access tables: bounded searches from gates, folded into compounds.

Private to the engine: :mod:`lifecircle.engine.access` wraps the arrays filled here into its
results; :class:`SetCounts` lets the walking areas' searches count the compounds' facilities.
Costs are in the graph profile's unit (seconds, or metres in the distance convention).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine.bounded import BATCH_BYTES, nearest_from, search_batches
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.rules import inclusive

#: Entrances with no facility of a type within the largest limit search again this many times
#: farther, while that is cheaper than searching the whole graph.
GROWTH = 3.0
#: A node of a whole-graph multi-source run costs about this many nodes of a bounded search
#: (scipy, measured on a 1M-node graph: ~0.4 µs against ~0.12 µs).
WHOLE_RUN_NODE_COST = 3.0


@dataclass(frozen=True, eq=False)
class _Targets:
    """Every facility access point of every type in one array, sorted by (type, facility)."""

    node: np.ndarray
    type: np.ndarray
    facility: np.ndarray

    @classmethod
    def of(cls, typed: Sequence[tuple[np.ndarray, np.ndarray]]) -> _Targets:
        kinds = [np.full(len(nodes), t, dtype=np.int64) for t, (nodes, _) in enumerate(typed)]
        return cls(
            node=np.concatenate([nodes for nodes, _ in typed] or [np.zeros(0, np.int64)]),
            type=np.concatenate(kinds or [np.zeros(0, np.int64)]),
            facility=np.concatenate([own for _, own in typed] or [np.zeros(0, np.int64)]),
        )


@dataclass(frozen=True, eq=False)
class _Reached:
    """Cost from some origins (rows) to each facility (columns, grouped by type)."""

    cost: np.ndarray
    facility: np.ndarray
    types: np.ndarray
    type_start: np.ndarray

    @classmethod
    def of(
        cls, dist: np.ndarray, rows: np.ndarray, local: np.ndarray, targets: _Targets
    ) -> _Reached | None:
        """Take ``rows`` of ``dist`` and its columns ``local`` of the targets (-1: absent)."""
        sel = np.flatnonzero(local >= 0)
        if len(sel) == 0:
            return None
        kind, facility = targets.type[sel], targets.facility[sel]
        new = np.r_[True, (kind[1:] != kind[:-1]) | (facility[1:] != facility[:-1])]
        group = np.flatnonzero(new)
        cost = np.minimum.reduceat(dist[np.ix_(rows, local[sel])], group, axis=1)
        kind = kind[group]
        start = np.flatnonzero(np.r_[True, kind[1:] != kind[:-1]])
        return cls(cost, facility[group], kind[start], start)


class Table:
    """Cost, nearest facility and counts of some origins by type, while they are filled."""

    def __init__(self, rows: int, types: int, limits: int) -> None:
        self.cost = np.full((rows, types), np.inf)
        self.nearest = np.full((rows, types), -1, dtype=np.int64)
        self.counts = np.zeros((rows, types, limits), dtype=np.int32)

    def fill(self, rows: np.ndarray, got: _Reached) -> None:
        """Record each row's nearest facility of every type in ``got``."""
        best = np.minimum.reduceat(got.cost, got.type_start, axis=1)
        width = got.cost.shape[1]
        segment = np.repeat(np.arange(len(got.types)), np.diff(np.r_[got.type_start, width]))
        score = np.where(got.cost == best[:, segment], width - np.arange(width), 0)
        first = width - np.maximum.reduceat(score, got.type_start, axis=1)
        where = np.ix_(rows, got.types)
        self.cost[where] = best
        self.nearest[where] = np.where(np.isfinite(best), got.facility[first], -1)

    def count(self, rows: np.ndarray, got: _Reached, limits: Sequence[float]) -> None:
        """Record how many facilities of every type in ``got`` lie within each limit."""
        for k, limit in enumerate(limits):
            within = np.add.reduceat(got.cost <= inclusive(limit), got.type_start, axis=1)
            self.counts[np.ix_(rows, got.types, np.array([k]))] = within[:, :, None]


class SetCounts:
    """Facilities of each type within each limit of some origin sets, counted batch by batch.

    For searches made for something else: the walking areas search each compound from all its
    gates at once, which gives each node the cost :func:`entrance_tables` folds over the gates,
    so its compound counts come from them without searching again. ``typed`` as there;
    ``counts[set, type, limit]``.
    """

    def __init__(
        self, typed: Sequence[tuple[np.ndarray, np.ndarray]], limits: Sequence[float], n_sets: int
    ) -> None:
        self.targets = _Targets.of(typed)
        self.limits = tuple(limits)
        self._table = Table(n_sets, len(typed), len(self.limits))

    @property
    def counts(self) -> np.ndarray:
        """The counts so far (sets no batch held: zero)."""
        return self._table.counts

    @property
    def nodes(self) -> np.ndarray:
        """The nodes whose costs :meth:`add` takes: every counted facility's access points."""
        return self.targets.node

    def add(self, sets: np.ndarray, costs: np.ndarray) -> None:
        """Count for ``sets`` from their costs to :attr:`nodes` (one row each, as searched)."""
        reached = np.isfinite(costs).any(axis=0)
        local = np.where(reached, np.arange(len(reached)), -1)
        got = _Reached.of(costs, np.arange(len(sets)), local, self.targets)
        if got is not None:
            self._table.count(sets, got, self.limits)


def entrance_tables(
    graph: WalkGraph,
    entrances: np.ndarray,
    owner: np.ndarray,
    n_rows: int,
    typed: Sequence[tuple[np.ndarray, np.ndarray]],
    limits: tuple[float, ...],
    *,
    known: tuple[np.ndarray, np.ndarray] | None = None,
    count: bool = True,
) -> tuple[Table, Table, np.ndarray]:
    """Fill the entrance and compound tables; return them and each compound's best entrance.

    ``typed`` holds (nodes, facility) per type, sorted by facility (see ``typed_sources``);
    ``owner`` the compound of each entrance, ``n_rows`` the number of compounds. ``known``:
    each entrance's cost to and nearest facility of each type (types × entrances), if computed.
    ``count`` False (with ``known``) leaves every count 0 and searches nothing: a caller
    counting from other searches (:class:`SetCounts`) fills the compounds' in.
    """
    if not count and known is None:
        raise ValueError("entrance_tables(count=False) needs the nearest facilities (known)")
    targets = _Targets.of(typed)
    ent = Table(len(entrances), len(typed), len(limits))
    comp = Table(n_rows, len(typed), len(limits))
    bound, reached = max(limits, default=0.0), [1]
    for batch in search_batches(graph, entrances, owner, limit=bound) if typed and count else ():
        reached.append(int(np.isfinite(batch.dist[0]).sum()))
        got = _Reached.of(batch.dist, batch.origin_row, batch.local(targets.node), targets)
        if got is None:
            continue
        ent.fill(batch.origins, got)
        ent.count(batch.origins, got, limits)
        folded = np.minimum.reduceat(got.cost, batch.unit_start, axis=0)
        units = owner[batch.origins[batch.unit_start]]
        comp.count(units, _Reached(folded, got.facility, got.types, got.type_start), limits)
    if known is None:
        _complete_nearest(graph, entrances, typed, targets, ent, bound=bound, ball=max(reached))
    else:
        ent.cost[:], ent.nearest[:] = known[0].T, known[1].T
    return ent, comp, _fold_nearest(ent, owner, comp)


def _complete_nearest(
    graph: WalkGraph,
    entrances: np.ndarray,
    typed: Sequence[tuple[np.ndarray, np.ndarray]],
    targets: _Targets,
    ent: Table,
    *,
    bound: float,
    ball: float,
) -> None:
    """Find the nearest facilities beyond the search bound.

    While few entrances miss one, search from them again with a bound ``GROWTH`` times larger
    (about ``GROWTH**2`` times the nodes, ``ball`` estimating how many the last bound reached);
    once that would cost more than whole-graph runs, finish with those. Searches are exact up to
    their bound, so refilling a row's other types rewrites the same values.
    """
    present = np.array([len(nodes) > 0 for nodes, _ in typed], dtype=bool)
    while True:
        missing = np.isinf(ent.cost) & present
        types = np.flatnonzero(missing.any(axis=0)).tolist()
        rows = np.flatnonzero(missing.any(axis=1))
        starts = np.unique(entrances[rows])
        whole_runs = min(len(starts), len(types)) * graph.n_nodes * WHOLE_RUN_NODE_COST
        if not types or len(starts) * ball * GROWTH**2 >= whole_runs:
            break
        bound, ball = bound * GROWTH, ball * GROWTH**2
        for batch in search_batches(graph, entrances[rows], rows, limit=bound):
            got = _Reached.of(batch.dist, batch.origin_row, batch.local(targets.node), targets)
            if got is not None:
                ent.fill(rows[batch.origins], got)
    if not types:
        return
    if len(starts) < len(types) and len(starts) * graph.n_nodes * 8 <= BATCH_BYTES:
        dist = dijkstra(graph.matrix, indices=starts)
        at = np.searchsorted(starts, entrances[rows])
        got = _Reached.of(dist, at, targets.node, targets)
        if got is not None:
            ent.fill(rows, got)
        return
    for t in types:
        nodes, facility = typed[t]
        cost, which = nearest_from(graph, nodes, facility, np.inf)
        lost = rows[missing[rows, t]]
        ent.cost[lost, t], ent.nearest[lost, t] = cost[entrances[lost]], which[entrances[lost]]


def _fold_nearest(ent: Table, owner: np.ndarray, comp: Table) -> np.ndarray:
    """Give each compound its best entrance's nearest; return that entrance (``-1``: none)."""
    best = np.full(comp.cost.shape, -1, dtype=np.int64)
    if len(owner) == 0:
        return best
    for t in range(ent.cost.shape[1]):
        order = np.lexsort((ent.cost[:, t], owner))  # by compound, cheapest entrance first
        head = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
        rows = owner[head]
        comp.cost[rows, t] = ent.cost[head, t]
        comp.nearest[rows, t] = ent.nearest[head, t]
        best[rows, t] = np.where(np.isfinite(ent.cost[head, t]), head, -1)
    return best
