"""The searches under :mod:`lifecircle.engine.access`: bounded runs, batched by place.

A walk costing at most ``limit`` stays within ``limit × speed`` metres (straight line) of its
start, ``speed`` being the most metres any edge covers per unit of cost; origins sharing a grid
cell reach mostly the same nodes, so their searches (compiled, in proportion to the nodes they
reach: :mod:`lifecircle.engine.dijkstra`) are batched as dense rows over those nodes. Private:
no records, no taxonomy.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lifecircle.engine import dijkstra as reach
from lifecircle.engine.contract import Contracted
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.profiles import STANDARD, WalkProfile
from lifecircle.engine.rules import inclusive

#: Dense search results of one batch stay under this many bytes (float64 rows × reached nodes);
#: the caller's float32 copy of them adds half as much again.
BATCH_BYTES = 96 * 2**20
#: Origins are grouped by square cells this many reach radii wide: bigger cells mean fewer,
#: larger scipy calls, smaller cells less dense output (2 measured fastest on a 300k-node city).
CELL_PER_RADIUS = 2.0
#: Smallest cell (metres): tiny limits must not make a cell per node.
MIN_CELL_M = 100.0


def reach_speed(graph: WalkGraph) -> float:
    """Most straight-line metres any edge covers per unit of cost (about the walking speed).

    Penalties only add cost and polylines are never shorter than their chord, so for a built
    graph this is the profile's speed (1 in the distance convention); computing it from the
    edges keeps the bound safe for any graph.
    """
    if graph.n_edges == 0:
        return 0.0
    xy = graph.node_xy
    chord_m = np.hypot(*(xy[graph.edge_u] - xy[graph.edge_v]).T)
    return float(np.max(chord_m / graph.edge_cost))


@dataclass(frozen=True, eq=False)
class Batch:
    """Bounded searches from some origins (whole units), as dense rows.

    ``origins`` are positions in the caller's origin arrays, sorted by unit; ``unit_start``
    marks where each unit's origins begin (for ``np.minimum.reduceat``). ``nodes`` are the
    graph nodes the batch's searches reached, sorted. Row ``origin_row[i]`` of ``dist`` holds
    the cost from origin ``origins[i]`` to every node of ``nodes``, ``inf`` beyond the limit.
    """

    origins: np.ndarray
    unit_start: np.ndarray
    nodes: np.ndarray
    origin_row: np.ndarray
    dist: np.ndarray

    def local(self, graph_nodes: np.ndarray) -> np.ndarray:
        """Positions of graph nodes among ``nodes`` (``-1`` for nodes no search reached)."""
        if len(self.nodes) == 0:
            return np.full(len(graph_nodes), -1, dtype=np.int64)
        pos = np.searchsorted(self.nodes, graph_nodes)
        pos[pos == len(self.nodes)] = 0
        return np.where(self.nodes[pos] == graph_nodes, pos, -1)


def _unit_cells(xy: np.ndarray, unit: np.ndarray, cell_m: float) -> np.ndarray:
    """Group key of each origin: the grid cell of its unit's first origin.

    A unit spread wider than a cell (gates far apart, a large park's outline crossings) gets a
    group of its own, so that its wide subgraph is not searched from every origin near it.
    """
    if not math.isfinite(cell_m) or len(xy) == 0:
        return np.zeros(len(xy), dtype=np.int64)
    _, first, inverse = np.unique(unit, return_index=True, return_inverse=True)
    ij = np.floor((xy[first] - xy.min(axis=0)) / cell_m).astype(np.int64)
    key = ij[:, 0] * (int(ij[:, 1].max()) + 1) + ij[:, 1]
    low = np.full((len(first), 2), np.inf)
    high = np.full((len(first), 2), -np.inf)
    np.minimum.at(low, inverse, xy)
    np.maximum.at(high, inverse, xy)
    spread = np.flatnonzero((high - low).max(axis=1) > cell_m)
    key[spread] = -1 - spread  # cell keys are >= 0
    return np.asarray(key[inverse])


def _runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of equal values in a sorted array."""
    cut = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    bounds = np.concatenate([[0], cut, [len(keys)]])
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))


def _chunks(unit_runs: list[tuple[int, int]], max_rows: int) -> Iterator[tuple[int, int]]:
    """Split consecutive units into chunks of at most ~``max_rows`` origins: (first, stop) units.

    A unit is never split, so one unit larger than ``max_rows`` makes a chunk of its own.
    """
    first = 0
    for k in range(1, len(unit_runs)):
        if unit_runs[k][1] - unit_runs[first][0] > max_rows:
            yield first, k
            first = k
    if unit_runs:
        yield first, len(unit_runs)


def search_batches(
    graph: WalkGraph,
    origin_node: np.ndarray,
    origin_unit: np.ndarray,
    *,
    limit: float,
    batch_bytes: int = BATCH_BYTES,
) -> Iterator[Batch]:
    """Yield bounded searches covering every origin once; a unit's origins share one batch.

    Origins are grouped by grid cell (units kept whole), so a batch's rows reach mostly the
    same nodes. Each origin node is searched once, by the compiled bounded Dijkstra of
    :mod:`lifecircle.engine.dijkstra` on the whole graph (work in proportion to the nodes
    reached); a batch's ``nodes`` are those its searches reached. Costs up to ``limit``
    (inclusive, see :func:`inclusive`) are exact, costs above it ``inf``. The sparse results
    and the dense rows each stay near ``batch_bytes``.
    """
    if len(origin_node) == 0:
        return
    radius_m = limit * reach_speed(graph) * (1.0 + 1e-9) + 1e-6
    cell_m = max(radius_m * CELL_PER_RADIUS, MIN_CELL_M)
    cell = _unit_cells(graph.node_xy[origin_node], origin_unit, cell_m)
    order = np.lexsort((origin_unit, cell))
    columns = reach.Columns(graph.n_nodes)
    per_row = 256  # the most nodes one search has reached so far
    for c0, c1 in _runs(cell[order]):
        members = order[c0:c1]
        unit_runs = _runs(origin_unit[members])
        for first, stop in _chunks(unit_runs, max(1, batch_bytes // (16 * per_row))):
            runs = unit_runs[first:stop]
            part = members[runs[0][0] : runs[-1][1]]
            starts, row_of = np.unique(origin_node[part], return_inverse=True)
            found = reach.reached_each(graph.matrix, starts, inclusive(limit))
            per_row = max(per_row, int(np.diff(found[0]).max()))
            base = runs[0][0]
            shifted = [(a - base, b - base) for a, b in runs]
            yield from _dense_batches(part, shifted, row_of, found, columns, batch_bytes)


def _dense_batches(
    part: np.ndarray,
    unit_runs: list[tuple[int, int]],
    row_of: np.ndarray,
    found: tuple[np.ndarray, np.ndarray, np.ndarray],
    columns: reach.Columns,
    batch_bytes: int,
) -> Iterator[Batch]:
    """Cut searches' sparse results into batches of dense rows over the nodes they reached.

    ``part`` are origin positions, ``unit_runs`` their units' (start, stop) in ``part``,
    ``row_of`` each origin's row of ``found`` (:func:`reach.reached_each`'s result).
    """
    row_ptr, nodes, costs = found
    with columns.over(nodes) as union:
        max_rows = max(1, batch_bytes // (8 * max(len(union), 1)))
        for first, stop in _chunks(unit_runs, max_rows):
            unit_start = np.array([run[0] for run in unit_runs[first:stop]], dtype=np.int64)
            chosen = slice(int(unit_start[0]), unit_runs[stop - 1][1])
            rows, origin_row = np.unique(row_of[chosen], return_inverse=True)
            yield Batch(
                origins=part[chosen],
                unit_start=unit_start - unit_start[0],
                nodes=union,
                origin_row=origin_row,
                dist=columns.dense(row_ptr, nodes, costs, rows, len(union)),
            )


def check_nodes(graph: WalkGraph, nodes: np.ndarray, what: str) -> np.ndarray:
    """Return ``nodes`` as int64 after checking they are nodes of ``graph`` (else ValueError)."""
    array = np.asarray(nodes)
    if array.ndim != 1 or (len(array) and not np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{what}: expected a 1-D array of node indices, got {array!r}")
    bad = (array < 0) | (array >= graph.n_nodes)
    if bad.any():
        raise ValueError(
            f"{what}: node {int(array[bad][0])} is not in the graph (0..{graph.n_nodes - 1}); "
            "use the graph returned by attach_all and drop unattached points (-1)"
        )
    return array.astype(np.int64)


def check_source_sets(graph: WalkGraph, sources: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """:func:`check_nodes` for every type's sources, in one check when all are good.

    On a small graph the per-type checks cost more than the searches; a bad set is named by
    checking each in turn.
    """
    arrays = [np.asarray(raw) for raw in sources.values()]
    good = all(a.ndim == 1 for a in arrays)
    if good and arrays:
        flat = np.concatenate(arrays)
        n = graph.n_nodes
        integer = np.issubdtype(flat.dtype, np.integer)
        good = len(flat) == 0 or (integer and flat.min() >= 0 and flat.max() < n)
    if not good:
        return [check_nodes(graph, raw, f"sources[{code!r}]") for code, raw in sources.items()]
    return [a.astype(np.int64) for a in arrays]


def typed_sources(
    graph: WalkGraph,
    sources: Mapping[str, np.ndarray],
    owners: Mapping[str, np.ndarray] | None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(nodes, owners) per type, checked, without repeated pairs, sorted by owner then node."""
    out = []
    for code, nodes in zip(sources, check_source_sets(graph, sources), strict=True):
        if owners is None:  # every node its own owner: the pairs are distinct and in order
            out.append((nodes, np.arange(len(nodes))))
            continue
        own = np.asarray(owners[code], np.int64)
        if own.shape != nodes.shape:
            raise ValueError(f"owners[{code!r}] has shape {own.shape}, sources {nodes.shape}")
        # np.unique(axis=0) of the (owner, node) rows, by one lexsort: ~20x less per-call cost
        order = np.lexsort((nodes, own))
        own, nodes = own[order], nodes[order]
        first = run_starts(own, nodes)
        out.append((nodes[first], own[first]))
    return out


def nearest_from(
    graph: WalkGraph,
    nodes: np.ndarray,
    owner: np.ndarray | None,
    limit: float,
    *,
    contracted: Contracted | None = None,
    at: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cost to the nearest of ``nodes`` from every node, and its owner (or node); one run.

    With ``contracted`` (built keeping at least ``nodes``) the search runs on the smaller core
    graph and the other nodes' costs are filled in from it: same result, less work. With
    ``at`` only those nodes' costs are returned; when the core keeps them too, nothing is
    filled in at all.
    """
    n = graph.n_nodes if at is None else len(at)
    if len(nodes) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    starts = np.unique(nodes)
    bound = inclusive(limit)
    if contracted is None:
        dist, source = reach.nearest(graph.matrix, starts, bound)
        if at is not None:
            dist, source = dist[at], source[at]
    else:
        dist, source = _contracted_search(contracted, starts, bound, at)
    reached = source >= 0
    which = np.full(n, -1, dtype=np.int64)
    if owner is None:
        which[reached] = source[reached]
    else:  # several owners at one node: the smallest
        order = np.lexsort((owner, nodes))
        first = order[run_starts(nodes[order])]
        which[reached] = owner[first][np.searchsorted(starts, source[reached])]
    return np.asarray(dist, dtype=float), which


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """Mark the rows of sorted ``keys`` (equal-length arrays) where any key changes.

    The first row of each run of equal rows: what ``np.unique(axis=0)`` keeps, without its
    per-call cost.

    >>> run_starts(np.array([1, 1, 1, 2]), np.array([5, 5, 6, 6])).tolist()
    [True, False, True, True]
    """
    first = np.ones(len(keys[0]), dtype=bool)
    if len(first) > 1:
        first[1:] = np.logical_or.reduce([key[1:] != key[:-1] for key in keys])
    return first


def nearest_all(
    graph: WalkGraph,
    nodes: Sequence[np.ndarray],
    owners: Sequence[np.ndarray | None],
    limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`nearest_from` for every set of ``nodes`` at once (types × nodes), uncontracted.

    One compiled call for all the sets (:func:`~lifecircle.engine.dijkstra.nearest_each`),
    which names each node's source by its owner directly: on a small graph the per-set calls
    cost more than the searches. For graphs below
    :data:`~lifecircle.engine.dijkstra.SCIPY_NEAREST_FROM` nodes.
    """
    sizes = np.array([len(n) for n in nodes], dtype=np.int64)
    empty = np.empty(0, dtype=np.int64)
    node = np.concatenate([*nodes, empty])
    own = np.concatenate(
        [n if o is None else o for n, o in zip(nodes, owners, strict=True)] + [empty]
    )
    kind = np.repeat(np.arange(len(nodes)), sizes)
    order = np.lexsort((own, node, kind))  # per set and node, its smallest owner first
    kind, node, own = kind[order], node[order], own[order]
    first = run_starts(kind, node)
    kind, node, own = kind[first], node[first], own[first]
    source_ptr = np.searchsorted(kind, np.arange(len(nodes) + 1))
    return reach.nearest_each(graph.matrix, source_ptr, node, own, inclusive(limit))


def _contracted_search(
    contracted: Contracted, starts: np.ndarray, bound: float, at: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    core_starts = contracted.core_index[starts]
    if (core_starts < 0).any():
        raise ValueError("the contracted graph must keep every source node")
    core_cost, core_from = reach.nearest(contracted.matrix, core_starts, bound)
    core_which = np.where(core_from >= 0, contracted.core_nodes[np.maximum(core_from, 0)], -1)
    core_at = None if at is None else contracted.core_index[at]
    if core_at is not None and (core_at >= 0).all():  # every node wanted is in the core
        return core_cost[core_at], core_which[core_at]
    dist, source = contracted.expand(core_cost, core_which)
    beyond = dist > bound
    dist[beyond], source[beyond] = np.inf, -1
    return (dist, source) if at is None else (dist[at], source[at])


def flat_units(
    typed: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Flatten (type, owner) units: origin node and unit; each unit's type and multi-node flag."""
    node = np.concatenate([nodes for nodes, _ in typed])
    type_of = np.concatenate([np.full(len(nodes), t) for t, (nodes, _) in enumerate(typed)])
    owner = np.concatenate([own for _, own in typed])
    # the units are the distinct (type, owner) rows in sorted order, as np.unique(axis=0)
    # would give them, found by one lexsort (np.unique's row mode costs ~0.3 ms a call)
    order = np.lexsort((owner, type_of))
    type_sorted = type_of[order]
    new = run_starts(type_sorted, owner[order])
    unit = np.empty(len(order), dtype=np.int64)
    unit[order] = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    size = np.diff(np.r_[first, len(order)])
    return node, unit, type_sorted[first], size > 1


def street_graph(*x_m: float, profile: WalkProfile = STANDARD) -> WalkGraph:
    """Build a straight footway through points ``x_m`` metres along the x axis (for doctests)."""
    from lifecircle.engine.network import build_walk_graph
    from lifecircle.geo import local_metric_transformer
    from lifecircle.model import WalkNode, WalkWay

    metric = local_metric_transformer(117.2, 39.1)
    lon, lat = metric.to_lonlat(np.asarray(x_m, dtype=float), np.zeros(len(x_m)))
    coords = tuple(zip(lon.tolist(), lat.tolist(), strict=True))
    ways = [WalkWay(1, tuple(range(1, len(x_m) + 1)), coords, {"highway": "footway"})]
    nodes = [WalkNode(i, *c, {"highway": "crossing"}) for i, c in enumerate(coords, start=1)]
    return build_walk_graph(ways, nodes, profile, metric=metric)
