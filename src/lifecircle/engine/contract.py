"""A smaller graph with the same shortest-path costs, for whole-graph nearest-source searches.

Dead-end trees are peeled off and chains of degree-2 nodes become single edges; every removed
node's cost is then recovered exactly from the kept nodes it hangs between. Private to the
engine: it knows CSR matrices and node arrays, nothing about records or profiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra

from lifecircle.engine.graph import cheapest_csr, concat_ranges


@dataclass(frozen=True, eq=False)
class Leaves:
    """Peeled dead-end nodes in peeling order: ``node`` hangs off ``parent`` at cost ``cost``."""

    node: np.ndarray
    parent: np.ndarray
    cost: np.ndarray
    round_start: np.ndarray


@dataclass(frozen=True, eq=False)
class Chains:
    """Nodes inside degree-2 chains: the chain's ends (core indices) and the offsets to each."""

    node: np.ndarray
    end_a: np.ndarray
    cost_a: np.ndarray
    end_b: np.ndarray
    cost_b: np.ndarray


@dataclass(frozen=True, eq=False)
class Contracted:
    """The core graph over the kept nodes, and how to give every other node its cost.

    ``core_nodes[i]`` is the full-graph node of core node ``i``; ``core_index`` maps back
    (-1 for removed nodes). Costs found on ``matrix`` are exact for core nodes.
    """

    matrix: sp.csr_matrix
    core_nodes: np.ndarray
    core_index: np.ndarray
    chains: Chains
    leaves: Leaves

    def expand(
        self, core_cost: np.ndarray, core_which: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Full-graph costs and source labels from the core's (unreached: inf and -1)."""
        n = len(self.core_index)
        cost = np.full(n, np.inf)
        which = np.full(n, -1, dtype=np.int64)
        cost[self.core_nodes], which[self.core_nodes] = core_cost, core_which
        ch = self.chains
        via_a = core_cost[ch.end_a] + ch.cost_a
        via_b = core_cost[ch.end_b] + ch.cost_b
        take_b = via_b < via_a
        cost[ch.node] = np.where(take_b, via_b, via_a)
        which[ch.node] = np.where(take_b, core_which[ch.end_b], core_which[ch.end_a])
        lv = self.leaves
        # nodes peeled last hang closest to the core, so their costs are known first
        for r in range(len(lv.round_start) - 2, -1, -1):
            part = slice(lv.round_start[r], lv.round_start[r + 1])
            parent = lv.parent[part]
            cost[lv.node[part]] = cost[parent] + lv.cost[part]
            which[lv.node[part]] = which[parent]
        which[~np.isfinite(cost)] = -1
        return cost, which


def contract(
    matrix: sp.csr_matrix, keep: np.ndarray, *, order: np.ndarray | None = None
) -> Contracted:
    """Contract a symmetric cost matrix (no self loops), never removing nodes where ``keep``.

    ``order``: a key per node; the core's nodes are numbered by it (see :func:`curve_keys`),
    else in the matrix's order.

    Examples
    --------
    A path 0–1–2–3 with a dead end 4 off node 1; only the ends are kept:

    >>> m = sp.csr_matrix(
    ...     ([1.0, 1, 2, 5, 2, 3, 3, 5], ([0, 1, 1, 1, 2, 2, 3, 4], [1, 0, 2, 4, 1, 3, 2, 1])),
    ...     shape=(5, 5),
    ... )
    >>> c = contract(m, np.array([True, False, False, True, False]))
    >>> c.core_nodes.tolist(), c.matrix.toarray().tolist()
    ([0, 3], [[0.0, 6.0], [6.0, 0.0]])
    >>> cost, which = c.expand(np.array([0.0, 6.0]), np.array([0, 0]))
    >>> cost.tolist(), which.tolist()
    ([0.0, 1.0, 3.0, 6.0, 6.0], [0, 0, 0, 0, 0])
    """
    n = matrix.shape[0]
    removed = np.zeros(n, dtype=bool)
    leaves = _peel(matrix, keep, removed)
    chains, chain_edges, inside = _chains(matrix, keep, removed)
    removed |= inside
    core_nodes = np.flatnonzero(~removed)
    if order is not None:
        core_nodes = core_nodes[np.argsort(order[core_nodes], kind="stable")]
    core_index = np.full(n, -1, dtype=np.int64)
    core_index[core_nodes] = np.arange(len(core_nodes))
    core = _core_matrix(matrix, removed, core_index, chain_edges)
    mapped = Chains(
        chains.node,
        core_index[chains.end_a],
        chains.cost_a,
        core_index[chains.end_b],
        chains.cost_b,
    )
    return Contracted(core, core_nodes, core_index, mapped, leaves)


def curve_keys(xy: np.ndarray, bits: int = 16) -> np.ndarray:
    """Each point's place along a Hilbert curve over the points' bounding box.

    Nodes numbered in this order lie near their neighbours in memory too: a whole-graph search
    on a district's 170,000-node core then ran 10-15 % faster than in the ways' order.

    >>> curve_keys(np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]]), bits=1).tolist()
    [0, 1, 2, 3]
    """
    side = (1 << bits) - 1
    low, span = xy.min(axis=0), np.maximum(np.ptp(xy, axis=0), 1e-9)
    x, y = (np.rint((xy - low) / span * side).astype(np.int64)).T
    key = np.zeros(len(xy), dtype=np.int64)
    s = 1 << (bits - 1)
    while s > 0:
        rx, ry = (x & s) > 0, (y & s) > 0
        key += s * s * ((3 * rx) ^ ry)
        flip = ~ry & rx  # rotate the quadrant so the curve runs on through it
        x, y = np.where(flip, side - x, x), np.where(flip, side - y, y)
        x, y = np.where(~ry, y, x), np.where(~ry, x, y)
        s >>= 1
    return key


def _rows(matrix: sp.csr_matrix, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row node, neighbour, cost) of every stored entry in the given rows."""
    start, end = matrix.indptr[nodes], matrix.indptr[nodes + 1]
    size = end - start
    pos = concat_ranges(start, size)
    return np.repeat(nodes, size), matrix.indices[pos], matrix.data[pos]


def _peel(matrix: sp.csr_matrix, keep: np.ndarray, removed: np.ndarray) -> Leaves:
    """Remove non-kept degree-1 nodes round by round (marks them in ``removed``)."""
    degree = np.diff(matrix.indptr).astype(np.int64)
    nodes, parents, costs, starts = [], [], [], [0]
    leaf = np.flatnonzero((degree <= 1) & ~keep)
    while len(leaf):
        row, nbr, cost = _rows(matrix, leaf)
        live = ~removed[nbr]  # a leaf has at most one neighbour not yet peeled
        parent = leaf.copy()  # isolated leaves hang off themselves: they stay unreached
        weight = np.full(len(leaf), np.inf)
        at = np.searchsorted(leaf, row[live])
        parent[at], weight[at] = nbr[live], cost[live]
        removed[leaf] = True
        nodes.append(leaf)
        parents.append(parent)
        costs.append(weight)
        starts.append(starts[-1] + len(leaf))
        hit = parent[~removed[parent]]
        np.subtract.at(degree, hit, 1)
        candidates = np.unique(hit)
        leaf = candidates[(degree[candidates] <= 1) & ~keep[candidates]]
    return Leaves(
        _cat(nodes, np.int64), _cat(parents, np.int64), _cat(costs, float), np.array(starts)
    )


def _cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)


def _chains(
    matrix: sp.csr_matrix, keep: np.ndarray, removed: np.ndarray
) -> tuple[Chains, tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Degree-2 chains of what peeling left: per inside node its two ends and offsets.

    Also returns the chains as (end, end, total cost) edges for the core, and the inside mask.
    """
    n = matrix.shape[0]
    alive = ~removed
    live = _live_matrix(matrix, alive)
    degree = np.diff(live.indptr)
    inside = alive & (degree == 2) & ~keep
    # edges with an inside endpoint, and the kept ends as search sources
    coo = live.tocoo()
    touch = inside[coo.row] | inside[coo.col]
    sub = sp.csr_matrix((coo.data[touch], (coo.row[touch], coo.col[touch])), shape=(n, n))
    ends = np.flatnonzero(alive & ~inside & (np.diff(sub.indptr) > 0))
    empty = Chains(*(np.empty(0, dtype=t) for t in (np.int64, np.int64, float, np.int64, float)))
    no_edges = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    if not inside.any() or not len(ends):
        return empty, no_edges, np.zeros(n, dtype=bool)
    dist, _, nearest = dijkstra(sub, indices=ends, min_only=True, return_predecessors=True)
    # chains = components of the inside-only subgraph; total cost = sum of their edges
    labels = _inside_labels(sub, inside)
    # each chain edge is stored twice (symmetric): halve the sum
    edge_label = np.where(inside[coo.row[touch]], labels[coo.row[touch]], labels[coo.col[touch]])
    total = np.bincount(edge_label, weights=coo.data[touch], minlength=labels.max() + 1) / 2
    end_a, end_b = _chain_ends(labels, coo.row[touch], coo.col[touch], inside, len(total))
    closed = end_a >= 0  # loops with no kept node stay unreached
    node = np.flatnonzero(inside)
    lab = labels[node]
    ok = closed[lab] & np.isfinite(dist[node])
    node, lab = node[ok], lab[ok]
    near, d = nearest[node], dist[node]
    a_is_near = end_a[lab] == near
    cost_a = np.where(a_is_near, d, total[lab] - d)
    cost_b = np.where(a_is_near, total[lab] - d, d)
    chains = Chains(node, end_a[lab], cost_a, end_b[lab], cost_b)
    loops = end_a == end_b
    edges = (end_a[closed & ~loops], end_b[closed & ~loops], total[closed & ~loops])
    return chains, edges, inside


def _chain_ends(
    labels: np.ndarray, row: np.ndarray, col: np.ndarray, inside: np.ndarray, n_labels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each chain's two ends: the kept neighbours of its inside nodes (-1 for closed loops).

    A chain that leaves and returns to one kept node names it twice.
    """
    boundary = inside[row] & ~inside[col]
    b_label, b_end = labels[row[boundary]], col[boundary]
    order = np.argsort(b_label, kind="stable")
    b_label, b_end = b_label[order], b_end[order]
    first = np.searchsorted(b_label, np.arange(n_labels))
    two = np.bincount(b_label, minlength=n_labels) == 2
    last = max(len(b_end) - 1, 0)
    end_a = np.where(two, b_end[np.minimum(first, last)] if len(b_end) else -1, -1)
    end_b = np.where(two, b_end[np.minimum(first + 1, last)] if len(b_end) else -1, -1)
    return end_a, end_b


def _inside_labels(sub: sp.csr_matrix, inside: np.ndarray) -> np.ndarray:
    """Component label of every inside node over inside–inside edges (others: label 0)."""
    coo = sub.tocoo()
    both = inside[coo.row] & inside[coo.col]
    n = sub.shape[0]
    graph = sp.csr_matrix((np.ones(int(both.sum())), (coo.row[both], coo.col[both])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def _live_matrix(matrix: sp.csr_matrix, alive: np.ndarray) -> sp.csr_matrix:
    coo = matrix.tocoo()
    ok = alive[coo.row] & alive[coo.col]
    return sp.csr_matrix((coo.data[ok], (coo.row[ok], coo.col[ok])), shape=matrix.shape)


def _core_matrix(
    matrix: sp.csr_matrix,
    removed: np.ndarray,
    core_index: np.ndarray,
    chain_edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> sp.csr_matrix:
    """Kept–kept edges plus one edge per chain; parallel edges keep the cheapest."""
    coo = matrix.tocoo()
    ok = ~removed[coo.row] & ~removed[coo.col]
    a, b, cost = chain_edges
    u = np.concatenate([core_index[coo.row[ok]], core_index[a], core_index[b]])
    v = np.concatenate([core_index[coo.col[ok]], core_index[b], core_index[a]])
    w = np.concatenate([coo.data[ok], cost, cost])
    size = int(core_index.max()) + 1 if len(core_index) else 0
    return cheapest_csr(size, u, v, w)
