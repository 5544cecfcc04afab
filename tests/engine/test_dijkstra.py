"""The compiled bounded Dijkstra against scipy's on random graphs: the same costs, to the bit."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine import dijkstra as reach


def random_graph(n, degree, seed, *, ties=False):
    """A symmetric sparse graph; with ``ties`` the costs are small integers (many equal paths)."""
    rng = np.random.default_rng(seed)
    m = n * degree // 2
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    cost = rng.integers(1, 4, m).astype(float) if ties else rng.uniform(0.5, 60.0, m)
    keep = u != v
    u, v, cost = u[keep], v[keep], cost[keep]
    matrix = sp.coo_matrix((np.r_[cost, cost], (np.r_[u, v], np.r_[v, u])), shape=(n, n))
    matrix = matrix.tocsr()
    matrix.sum_duplicates()
    return matrix


CASES = [(300, 3, 1, False), (2_000, 4, 2, False), (2_000, 6, 3, True), (50, 1, 4, False)]


@pytest.mark.parametrize(("n", "degree", "seed", "ties"), CASES)
def test_one_search_from_several_sources_equals_scipy(n, degree, seed, ties):
    matrix = random_graph(n, degree, seed, ties=ties)
    rng = np.random.default_rng(seed)
    for limit in (0.0, 3.0, 90.0, 400.0, np.inf):
        sources = rng.choice(n, rng.integers(1, 5), replace=False)
        want = dijkstra(matrix, indices=sources, min_only=True, limit=limit)
        nodes, costs = reach.reached(matrix, sources, limit)
        got = np.full(n, np.inf)
        got[nodes] = costs
        assert np.array_equal(got, want)
        assert len(np.unique(nodes)) == len(nodes) and (np.diff(costs) >= 0).all()


@pytest.mark.parametrize(("n", "degree", "seed", "ties"), CASES)
def test_the_nearest_source_and_its_cost_equal_scipys(n, degree, seed, ties, monkeypatch):
    monkeypatch.setattr(reach, "SCIPY_NEAREST_FROM", n + 1)  # the compiled search on any size
    matrix = random_graph(n, degree, seed, ties=ties)
    rng = np.random.default_rng(seed + 10)
    for limit in (0.0, 3.0, 90.0, 400.0, np.inf):
        sources = rng.choice(n, rng.integers(1, 30), replace=False)
        want, _, want_from = dijkstra(
            matrix, indices=sources, min_only=True, return_predecessors=True, limit=limit
        )
        got, got_from = reach.nearest(matrix, sources, limit)
        assert np.array_equal(got, want)
        assert np.array_equal(got_from >= 0, want_from >= 0)
        reached = got_from >= 0
        assert set(got_from[reached]) <= set(sources.tolist())
        # the named source is as cheap as the cheapest: its own search reaches the node at cost
        for node in rng.choice(np.flatnonzero(reached), min(20, reached.sum()), replace=False):
            alone = dijkstra(matrix, indices=got_from[node], limit=limit)
            assert alone[node] == got[node]
        if not ties:  # distinct costs: the same source as scipy's
            assert np.array_equal(got_from[reached], want_from[reached])
        with monkeypatch.context() as big:  # and scipy itself behind the same answer
            big.setattr(reach, "SCIPY_NEAREST_FROM", 0)
            by_scipy, by_scipy_from = reach.nearest(matrix, sources, limit)
        assert np.array_equal(by_scipy, got)
        assert ((by_scipy_from >= 0) == reached).all() and (by_scipy_from[~reached] == -1).all()


@pytest.mark.parametrize(("n", "degree", "seed", "ties"), CASES)
def test_several_source_sets_in_one_call_equal_one_call_each(n, degree, seed, ties):
    matrix = random_graph(n, degree, seed, ties=ties)
    rng = np.random.default_rng(seed + 20)
    for limit in (3.0, 400.0, np.inf):
        sets = [rng.choice(n, rng.integers(1, 30), replace=False) for _ in range(4)]
        sets.insert(2, np.empty(0, dtype=np.int64))  # a set with no source reaches nothing
        ptr = np.r_[0, np.cumsum([len(s) for s in sets])]
        flat = np.concatenate(sets)
        labels = flat * 10 + 7  # not the nodes: each node is named by its source's label
        dist, label = reach.nearest_each(matrix, ptr, flat, labels, limit)
        for t, sources in enumerate(sets):
            if not len(sources):
                assert np.isinf(dist[t]).all() and (label[t] == -1).all()
                continue
            want, want_from = reach.nearest(matrix, sources, limit)
            assert np.array_equal(dist[t], want)
            assert np.array_equal(label[t], np.where(want_from >= 0, want_from * 10 + 7, -1))


@pytest.mark.parametrize(("n", "degree", "seed", "ties"), CASES)
def test_one_search_per_start_equals_scipys_rows(n, degree, seed, ties):
    matrix = random_graph(n, degree, seed, ties=ties)
    starts = np.random.default_rng(seed).choice(n, 25)  # repeats too
    limit = 120.0 if not ties else 6.0
    want = dijkstra(matrix, indices=starts, limit=limit)
    row_ptr, nodes, costs = reach.reached_each(matrix, starts, limit)
    assert len(row_ptr) == len(starts) + 1
    for i in range(len(starts)):
        got = np.full(n, np.inf)
        got[nodes[row_ptr[i] : row_ptr[i + 1]]] = costs[row_ptr[i] : row_ptr[i + 1]]
        assert np.array_equal(got, want[i])


def test_the_lent_cost_array_comes_back_all_inf():
    matrix = random_graph(500, 4, 9)
    for start in range(0, 500, 50):
        reach.reached(matrix, np.array([start]), 100.0)
    (idle,) = reach._IDLE[id(matrix)]
    assert np.isinf(idle).all()


def test_dense_rows_over_the_reached_nodes():
    matrix = random_graph(400, 4, 11)
    starts = np.array([3, 50, 3])
    row_ptr, nodes, costs = reach.reached_each(matrix, starts, 80.0)
    columns = reach.Columns(400)
    with columns.over(nodes) as union:
        assert union.tolist() == sorted(set(nodes.tolist()))
        dense = columns.dense(row_ptr, nodes, costs, np.array([2, 1]), len(union))
    want = dijkstra(matrix, indices=[3, 50], limit=80.0)[:, union]
    assert np.array_equal(dense, want)
    assert (columns.column == -1).all()  # left as found


@pytest.mark.parametrize(("n", "degree", "seed", "ties"), CASES)
def test_one_search_per_set_equals_scipys_cheapest_source(n, degree, seed, ties):
    """Sets of 1 to 300 sources (the first heap once held 64), repeats within a set too."""
    matrix = random_graph(n, degree, seed, ties=ties)
    rng = np.random.default_rng(seed)
    sizes = [1, 3, min(n, 300), 2]
    sets = [rng.choice(n, size) for size in sizes]
    limit = 120.0 if not ties else 6.0
    set_ptr = np.r_[0, np.cumsum(sizes)]
    row_ptr, nodes, costs = reach.reached_sets(matrix, set_ptr, np.concatenate(sets), limit)
    for i, sources in enumerate(sets):
        want = dijkstra(matrix, indices=sources, limit=limit, min_only=True)
        got = np.full(n, np.inf)
        got[nodes[row_ptr[i] : row_ptr[i + 1]]] = costs[row_ptr[i] : row_ptr[i + 1]]
        assert np.array_equal(got, want)
        assert np.all(np.diff(costs[row_ptr[i] : row_ptr[i + 1]]) >= 0)  # cheapest first


def test_negative_edge_costs_are_refused_before_any_search():
    matrix = random_graph(50, 3, 5)
    matrix.data[3] = -1.0
    for search in (
        lambda: reach.reached(matrix, np.array([0]), 10.0),
        lambda: reach.reached_each(matrix, np.array([0, 1]), 10.0),
        lambda: reach.nearest(matrix, np.array([0]), 10.0),
    ):
        with pytest.raises(ValueError, match="must be >= 0"):
            search()
