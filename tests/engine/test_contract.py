"""The contracted graph gives every node exactly the cost a search on the whole graph gives."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine.contract import contract


def _symmetric(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> sp.csr_matrix:
    ok = u != v
    u, v, w = u[ok], v[ok], w[ok]
    a, b = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
    a, b, w = a[first], b[first], w[first]
    return sp.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))


def _street_like(seed: int) -> sp.csr_matrix:
    """A random grid with subdivided edges (chains), dangling trees and a detached loop."""
    rng = np.random.default_rng(seed)
    side = 8
    grid = np.arange(side * side).reshape(side, side)
    u = [grid[:, :-1].ravel(), grid[:-1, :].ravel()]
    v = [grid[:, 1:].ravel(), grid[1:, :].ravel()]
    drop = rng.random(len(np.concatenate(u))) < 0.25
    u, v = np.concatenate(u)[~drop], np.concatenate(v)[~drop]
    nxt = side * side
    us, vs = [], []
    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        k = int(rng.integers(0, 4))  # 0–3 extra nodes along the edge
        path = [a, *range(nxt, nxt + k), b]
        nxt += k
        us += path[:-1]
        vs += path[1:]
    for _ in range(25):  # dangling trees
        parent = int(rng.integers(0, nxt))
        for _ in range(int(rng.integers(1, 4))):
            us.append(parent)
            vs.append(nxt)
            parent = nxt if rng.random() < 0.7 else parent
            nxt += 1
    loop = list(range(nxt, nxt + 5))  # a cycle no source can reach
    us += loop
    vs += loop[1:] + loop[:1]
    nxt += 5
    us += [nxt, nxt + 1]  # an isolated pair and, below, an isolated node
    vs += [nxt + 1, nxt]
    n = nxt + 3
    w = rng.uniform(1.0, 50.0, len(us))
    return _symmetric(n, np.array(us), np.array(vs), w)


@pytest.mark.parametrize("seed", range(12))
def test_contracted_costs_equal_whole_graph_search(seed):
    matrix = _street_like(seed)
    n = matrix.shape[0]
    rng = np.random.default_rng(100 + seed)
    sources = rng.choice(n, size=6, replace=False)
    keep = np.zeros(n, dtype=bool)
    keep[sources] = True
    contracted = contract(matrix, keep)
    assert len(contracted.core_nodes) < 0.8 * n  # it really removed nodes

    expected, _, nearest = dijkstra(
        matrix, indices=sources, min_only=True, return_predecessors=True
    )
    core_sources = contracted.core_index[sources]
    core_cost, _, core_from = dijkstra(
        contracted.matrix, indices=core_sources, min_only=True, return_predecessors=True
    )
    core_which = np.where(core_from >= 0, contracted.core_nodes[np.maximum(core_from, 0)], -1)
    cost, which = contracted.expand(core_cost, core_which)
    np.testing.assert_allclose(cost, expected, rtol=1e-12, atol=1e-9)
    assert np.array_equal(np.isinf(cost), np.isinf(expected))
    # the source named for each node is one at exactly that cost
    reached = np.flatnonzero(np.isfinite(expected))
    direct = dijkstra(matrix, indices=sources)
    column = np.searchsorted(sources, which[reached], sorter=np.argsort(sources))
    by_row = np.argsort(sources)[column]
    np.testing.assert_allclose(direct[by_row, reached], expected[reached], rtol=1e-12)
    assert (which[np.isinf(expected)] == -1).all() and (nearest[reached] >= 0).all()


def test_a_loop_through_one_kept_node_is_walked_both_ways():
    # triangle 0-1-2 with only node 0 kept: 1 and 2 form a chain from 0 back to 0
    matrix = _symmetric(3, np.array([0, 1, 2]), np.array([1, 2, 0]), np.array([1.0, 2.0, 4.0]))
    contracted = contract(matrix, np.array([True, False, False]))
    assert contracted.core_nodes.tolist() == [0] and contracted.matrix.nnz == 0
    cost, which = contracted.expand(np.array([0.0]), np.array([7]))
    assert cost.tolist() == [0.0, 1.0, 3.0] and which.tolist() == [7, 7, 7]
