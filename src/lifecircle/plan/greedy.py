"""Greedy site choice: add the candidate that serves the most people still unserved, repeat.

The fast answer printed beside the exact one (and handed to HiGHS as its starting solution).
Ties go to the cheaper candidate, then the lower index. Arrays in, a Selection out.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from lifecircle.plan.problem import SHARE_TOL, CoverageProblem, Selection

#: Gains within this relative tolerance of the best count as tied.
TIE_RTOL = 1e-12


def fill(problem: CoverageProblem, site: int, remaining: np.ndarray) -> np.ndarray:
    """Share of each compound in reach that ``site`` serves, nearest first up to its capacity.

    ``remaining`` is the unserved share of every compound; the result has one entry per
    compound (0 outside the site's reach). Compounds with no weight take no capacity.
    """
    column = problem.walk_cost[:, site].tocoo()
    rows = column.row[np.lexsort((column.row, column.data))]
    share = np.zeros(problem.n_compounds)
    want = remaining[rows]
    if not np.isfinite(problem.capacity[site]):
        share[rows] = want
        return share
    need = problem.weights[rows] * want
    before = np.cumsum(need) - need
    got = np.clip(problem.capacity[site] - before, 0.0, need)
    share[rows] = np.where(need > 0, got / np.where(need > 0, problem.weights[rows], 1.0), want)
    return share


def _pick(gain: np.ndarray, site_cost: np.ndarray) -> int:
    best = float(gain.max())
    tied = np.flatnonzero(gain >= best - abs(best) * TIE_RTOL)
    return int(tied[np.argmin(site_cost[tied])])  # argmin keeps the lowest index among equals


def _gains(problem: CoverageProblem, by_site: sp.csr_matrix, unserved: np.ndarray) -> np.ndarray:
    """Weighted people each candidate would newly serve (capacity-capped)."""
    gain: np.ndarray = np.minimum(by_site @ (problem.weights * unserved), problem.capacity)
    return gain


def _selection(
    problem: CoverageProblem, steps: list[tuple[int, np.ndarray]], objective: float, ok: bool
) -> Selection:
    served = np.zeros(problem.n_compounds)
    rows, cols, vals = [], [], []
    for site, share in steps:
        hit = np.flatnonzero(share > 0)
        rows.append(hit)
        cols.append(np.full(len(hit), site))
        vals.append(share[hit])
        served += share
    shape = (problem.n_compounds, problem.n_candidates)
    parts = (np.concatenate(vals or [np.zeros(0)]), np.concatenate(rows or [np.zeros(0, int)]))
    assigned = sp.csr_matrix(
        (parts[0], (parts[1], np.concatenate(cols or [np.zeros(0, int)]))), shape=shape
    )
    return Selection(
        chosen=tuple(sorted(site for site, _ in steps)),
        served=np.minimum(served, 1.0),
        assigned=assigned,
        objective=objective,
        feasible=ok,
    )


def greedy_max_cover(problem: CoverageProblem, n_sites: int) -> Selection:
    """Choose up to ``n_sites`` candidates one by one, each serving the most people still unserved.

    Stops early when no candidate adds anyone. ``objective`` is the weighted people served.
    """
    unserved = np.where(problem.covered_before, 0.0, 1.0)
    by_site = problem.coverage.T.tocsr().astype(float)
    steps: list[tuple[int, np.ndarray]] = []
    for _ in range(n_sites):
        gain = _gains(problem, by_site, unserved)
        gain[[site for site, _ in steps]] = -1.0
        if len(gain) == 0 or gain.max() <= 0:
            break
        site = _pick(gain, problem.site_cost)
        share = fill(problem, site, unserved)
        unserved = np.maximum(unserved - share, 0.0)
        steps.append((site, share))
    served = 1.0 - unserved - problem.covered_before
    return _selection(problem, steps, float(np.dot(problem.weights, served)), True)


def greedy_cover_all(problem: CoverageProblem) -> Selection:
    """Add candidates, each serving the most compounds still unserved, until all are served.

    Only compounds some candidate covers are sought (the rest are :meth:`uncoverable`).
    ``feasible`` is false when capacities run out first; ``objective`` is the sites used.
    """
    unserved = np.zeros(problem.n_compounds)
    unserved[problem.open_rows()] = 1.0
    by_site = problem.coverage.T.tocsr().astype(float)
    capped = np.flatnonzero(problem.capacitated)
    steps: list[tuple[int, np.ndarray]] = []
    while unserved.max(initial=0.0) > SHARE_TOL:
        gain = by_site @ unserved
        for capped_site in capped:  # a capped site's gain is what its capacity lets it serve
            if gain[capped_site] > 0:
                gain[capped_site] = fill(problem, int(capped_site), unserved).sum()
        gain[[site for site, _ in steps]] = -1.0
        if gain.max() <= SHARE_TOL:
            break
        site = _pick(gain, problem.site_cost)
        share = fill(problem, site, unserved)
        unserved = np.maximum(unserved - share, 0.0)
        steps.append((site, share))
    done = bool(unserved.max(initial=0.0) <= SHARE_TOL)
    return _selection(problem, steps, float(len(steps)), done)
