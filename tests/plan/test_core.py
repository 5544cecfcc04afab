"""Hand-made coverage problems whose best answers can be checked by hand (and by brute force)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp

from lifecircle.plan import CoverageProblem, cover_all, greedy_max_cover, max_cover

INF = np.inf


def problem_from_sets(sets: list[set[int]], n_compounds: int, **kwargs: object) -> CoverageProblem:
    """Candidate ``j`` covers the compounds in ``sets[j]`` (walking cost 1, limit 1)."""
    cost = np.full((n_compounds, len(sets)), INF)
    for j, members in enumerate(sets):
        cost[sorted(members), j] = 1.0
    return CoverageProblem.from_cost_matrix(cost, limit=1.0, **kwargs)  # type: ignore[arg-type]


def test_max_cover_beats_greedy_when_the_central_site_is_a_trap() -> None:
    # site 0 reaches the four middle compounds; sites 1 and 2 three each, on either side
    p = problem_from_sets([{1, 2, 3, 4}, {0, 1, 2}, {3, 4, 5}], 6)
    result = max_cover(p, 2)
    assert result.greedy.chosen[0] == 0 or 0 in result.greedy.chosen
    assert result.greedy.objective == 5.0
    assert result.chosen == (1, 2)
    assert result.objective == 6.0
    assert result.optimal and result.status == "Optimal"
    assert result.gap is not None and result.gap <= 1e-6
    assert result.covered.all()


def test_cover_all_beats_greedy_and_lists_the_compound_nobody_reaches() -> None:
    # compound 6 lies beyond every candidate's reach
    p = problem_from_sets([{0, 1, 2}, {3, 4, 5}, {0, 1, 3, 4}], 7)
    result = cover_all(p)
    assert result.greedy.chosen == (0, 1, 2)  # took the biggest set first, then both halves
    assert result.chosen == (0, 1)
    assert result.objective == 2.0
    assert result.uncoverable == (6,)
    assert result.optimal and result.exact.feasible
    assert result.covered.tolist() == [True] * 6 + [False]


def test_existing_coverage_counts_as_open() -> None:
    # compounds 0-2 are covered already, so site 1 (the other three) wins over site 0 (four)
    p = problem_from_sets([{0, 1, 2, 3}, {3, 4, 5}], 6, covered_before=[1, 1, 1, 0, 0, 0])
    result = max_cover(p, 1)
    assert result.chosen == (1,)
    assert result.objective == 3.0
    assert cover_all(p).chosen == (1,)


def test_weights_decide_not_compound_counts() -> None:
    p = problem_from_sets([{0, 1, 2}, {3}], 4, weights=[10, 10, 10, 100])
    assert max_cover(p, 1).chosen == (1,)
    assert max_cover(p, 1).objective == 100.0


def test_ties_go_to_the_cheaper_site_in_both_answers() -> None:
    p = problem_from_sets([{0, 1}, {0, 1}, {2}], 3, site_cost=[5.0, 2.0, 0.0])
    result = max_cover(p, 1)
    assert result.objective == 2.0
    assert result.chosen == (1,) and result.greedy.chosen == (1,)
    assert cover_all(p).chosen == (1, 2)


def test_equal_ties_give_an_optimal_answer_either_way() -> None:
    p = problem_from_sets([{0, 1}, {0, 1}, {2}], 3)
    result = max_cover(p, 1)
    assert result.objective == 2.0 and result.chosen in ((0,), (1,))
    assert result.greedy.chosen == (0,)  # lowest index among equals


def test_capacity_caps_the_people_a_site_serves() -> None:
    # site 0 reaches 30 people but can serve 12; site 1 reaches 20 and has no cap
    p = problem_from_sets([{0, 1}, {2}], 3, weights=[10, 20, 20], capacity=[12.0, np.nan])
    result = max_cover(p, 1)
    assert result.chosen == (1,)
    assert result.objective == 20.0
    both = max_cover(p, 2)
    assert both.objective == pytest.approx(32.0)
    served_by_0 = both.exact.assigned[:, 0].toarray().ravel() @ p.weights
    assert served_by_0 == pytest.approx(12.0)
    assert both.greedy.objective == pytest.approx(32.0)


def test_capacity_in_cover_all_needs_more_sites() -> None:
    # each site can serve 15 of the 3 × 10 people it reaches: two of them are needed
    p = problem_from_sets(
        [{0, 1, 2}, {0, 1, 2}, {0, 1, 2}], 3, weights=[10, 10, 10], capacity=[15, 15, 15]
    )
    result = cover_all(p)
    assert result.objective == 2.0 and result.exact.feasible
    loads = p.weights @ result.exact.assigned.toarray()
    assert np.all(loads <= 15.0 + 1e-6)
    assert result.covered.all()


def test_cover_all_infeasible_with_too_little_capacity() -> None:
    p = problem_from_sets([{0, 1}], 2, weights=[10, 10], capacity=[5])
    result = cover_all(p)
    assert not result.exact.feasible and not result.greedy.feasible
    assert result.status == "Infeasible"


def test_nothing_to_decide_is_reported_as_such() -> None:
    p = problem_from_sets([{0}], 2, covered_before=[1, 0])
    result = max_cover(p, 3)
    assert result.chosen == () and result.uncoverable == (1,)
    assert result.status == "Empty" and result.gap is None


def test_time_limit_reports_status_and_gap() -> None:
    rng = np.random.default_rng(5)
    dense = np.where(rng.random((400, 600)) < 0.02, 1.0, INF)
    p = CoverageProblem.from_cost_matrix(dense, limit=1.0, weights=rng.integers(1, 500, 400))
    result = max_cover(p, 12, time_limit_s=0.01)
    assert result.status in ("Time limit reached", "Optimal")
    assert result.optimal == (result.status == "Optimal")
    assert result.gap is not None and result.gap >= 0
    assert result.objective >= result.greedy.objective - 1e-6  # greedy was the start


@pytest.mark.parametrize("seed", range(6))
def test_exact_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, k = 9, 7, 3
    cover = rng.random((n, m)) < 0.3
    weights = rng.integers(1, 50, n).astype(float)
    p = CoverageProblem.from_cost_matrix(np.where(cover, 1.0, INF), limit=1.0, weights=weights)
    best = max(weights[cover[:, list(c)].any(axis=1)].sum() for c in combinations(range(m), k))
    result = max_cover(p, k)
    assert result.objective == pytest.approx(best)
    assert result.objective >= greedy_max_cover(p, k).objective - 1e-9
    coverable = cover.any(axis=1)
    fewest = next(
        size
        for size in range(m + 1)
        for c in combinations(range(m), size)
        if (cover[:, list(c)].any(axis=1) >= coverable).all()
    )
    assert cover_all(p).objective == fewest


def test_from_cost_matrix_accepts_sparse_and_keeps_the_limit_inclusive() -> None:
    dense = np.array([[0.0, 300.0], [301.0, INF]])
    for cost in (dense, sp.coo_matrix(([0.0, 300.0, 301.0], ([0, 0, 1], [0, 1, 0])))):
        p = CoverageProblem.from_cost_matrix(cost, limit=300.0)
        assert p.coverage.toarray().tolist() == [[True, True], [False, False]]
        assert p.uncoverable() == (1,)
    with pytest.raises(ValueError, match="weights"):
        CoverageProblem.from_cost_matrix(np.ones((2, 2)), limit=1.0, weights=[1, -1])
