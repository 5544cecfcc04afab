"""Site planning (补缺选址): choose new sites that cover the most people, or cover everyone.

The numeric core: a compounds × candidates coverage problem in, frozen results out, solved
exactly by HiGHS with a greedy answer beside it. It reads no files and no database; the
project adapter is :mod:`lifecircle.plan.sites`.

Formulation (spopt style)
-------------------------
Sets: compounds ``i`` not covered by an existing facility that some candidate covers (``I``);
candidates ``j`` covering at least one of them (``J``), split into uncapacitated ``U`` and
capacitated ``C``; ``N_i`` the candidates within the walking limit of ``i``.
Data: weights ``w_i`` (people), capacities ``c_j`` (weighted people), opening costs ``f_j``.
Variables: ``y_j ∈ {0, 1}`` open site ``j``; ``s_i ∈ [0, 1]`` share of compound ``i`` served;
``x_ij ∈ [0, 1]`` share of compound ``i`` served by capacitated site ``j ∈ N_i ∩ C``.

Maximal covering (:func:`max_cover`)::

    maximise   Σ_i w_i s_i  − δ Σ_j f_j y_j
    subject to s_i ≤ Σ_{j ∈ N_i ∩ U} y_j + Σ_{j ∈ N_i ∩ C} x_ij     for every i
               Σ_{j ∈ N_i ∩ C} x_ij ≤ 1                              for every i
               x_ij ≤ y_j,   Σ_i w_i x_ij ≤ c_j y_j                  for every j ∈ C
               Σ_j y_j ≤ p

Cover all (set covering, :func:`cover_all`)::

    minimise   Σ_j (1 + ε f_j) y_j
    subject to Σ_{j ∈ N_i ∩ U} y_j + Σ_{j ∈ N_i ∩ C} x_ij ≥ 1        for every i
               x_ij ≤ y_j,   Σ_i w_i x_ij ≤ c_j y_j                  for every j ∈ C

Uncapacitated sites are aggregated (a compound in reach of any open one is served whole: no
assignment variables needed); a capacitated site's people may be split between sites (the
``x`` are continuous), which is how many people a site serves, not which households.
``δ`` and ``ε`` are small enough that costs only break ties: ``ε Σ f_j < 1`` and
``δ Σ f_j`` is below a millionth of the smallest positive weight.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from lifecircle.plan import highs as _highs
from lifecircle.plan.greedy import greedy_cover_all, greedy_max_cover
from lifecircle.plan.problem import SHARE_TOL, CoverageProblem, Goal, PlanResult, Selection

__all__ = [
    "CoverageProblem",
    "PlanResult",
    "Selection",
    "cover_all",
    "greedy_cover_all",
    "greedy_max_cover",
    "max_cover",
]

#: Relative gap at which HiGHS may stop and call the answer optimal.
MIP_REL_GAP = 1e-6
DEFAULT_TIME_LIMIT_S = 60.0
#: Status of a problem with nothing to decide (HiGHS's own text for an empty model).
EMPTY_STATUS = "Empty"


def _tie_scale(problem: CoverageProblem, rows: np.ndarray) -> float:
    total = float(problem.site_cost.sum())
    positive = problem.weights[rows][problem.weights[rows] > 0]
    if total <= 0 or len(positive) == 0:
        return 0.0
    return 1e-6 * float(positive.min()) / total


def _stack(blocks: list[sp.coo_matrix]) -> sp.csc_matrix:
    return sp.vstack(blocks, format="csc")


def max_cover(
    problem: CoverageProblem,
    n_sites: int,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    mip_rel_gap: float = MIP_REL_GAP,
) -> PlanResult:
    """Choose at most ``n_sites`` candidates that serve the most weighted people not yet covered.

    See the module docstring for the model. Existing facilities count as open: compounds in
    ``problem.covered_before`` add nothing. Fewer sites are chosen only when more add nobody.

    Examples
    --------
    Two compounds of 10 and 20 people; candidate 1 reaches both, candidate 0 only the first:

    >>> p = CoverageProblem.from_cost_matrix(
    ...     np.array([[60.0, 200.0], [np.inf, 100.0]]), limit=300.0, weights=[10, 20]
    ... )
    >>> r = max_cover(p, 1)
    >>> r.chosen, r.objective, r.optimal, r.status
    ((1,), 30.0, True, 'Optimal')
    """
    if n_sites < 1:
        raise ValueError(f"n_sites must be at least 1, got {n_sites}")
    greedy = greedy_max_cover(problem, n_sites)
    rows = problem.open_rows()
    rows = rows[problem.weights[rows] > 0]
    lay = _highs.layout(problem, rows, with_shares=True)
    if len(lay.sites) == 0:
        return _trivial("max_cover", problem, greedy)
    n_y, n_x = len(lay.sites), len(lay.pair_row)
    n_cols = lay.x0 + n_x
    cover = _highs.covering_rows(problem, lay).tocsr()
    shares = sp.coo_matrix(
        (np.ones(len(rows)), (np.arange(len(rows)), n_y + np.arange(len(rows)))),
        shape=(len(rows), n_cols),
    )
    split = sp.coo_matrix(
        (np.ones(n_x), (lay.pair_row, lay.x0 + np.arange(n_x))), shape=(len(rows), n_cols)
    )
    link, load = _highs.capacity_rows(problem, lay)
    budget = sp.coo_matrix((np.ones(n_y), (np.zeros(n_y), np.arange(n_y))), shape=(1, n_cols))
    matrix = _stack([(shares - cover).tocoo(), split, link, load, budget])
    n_rows = matrix.shape[0]
    upper = np.zeros(n_rows)
    upper[len(rows) : 2 * len(rows)] = 1.0
    upper[-1] = n_sites
    cost = np.zeros(n_cols)
    cost[:n_y] = -_tie_scale(problem, rows) * problem.site_cost[lay.sites]
    cost[n_y : lay.x0] = problem.weights[rows]
    model = _highs.Model(
        cost, np.ones(n_cols), matrix, np.full(n_rows, -np.inf), upper, n_y, maximize=True
    )
    return _finish("max_cover", problem, lay, model, greedy, (time_limit_s, mip_rel_gap))


def cover_all(
    problem: CoverageProblem,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    mip_rel_gap: float = MIP_REL_GAP,
) -> PlanResult:
    """Choose the fewest candidates so that every compound some candidate covers is covered.

    Compounds no candidate covers are listed in ``uncoverable``; with capacities the model can
    be infeasible (``status`` says so, and ``exact.feasible`` is false).

    Examples
    --------
    >>> cost = np.array([[1.0, np.inf, 1.0], [np.inf, 1.0, 1.0], [np.inf, np.inf, np.inf]])
    >>> r = cover_all(CoverageProblem.from_cost_matrix(cost, limit=5.0))
    >>> r.chosen, r.objective, r.uncoverable
    ((2,), 1.0, (2,))
    """
    greedy = greedy_cover_all(problem)
    rows = problem.open_rows()
    lay = _highs.layout(problem, rows, with_shares=False)
    if len(lay.sites) == 0:
        return _trivial("cover_all", problem, greedy)
    n_y, n_cols = len(lay.sites), lay.x0 + len(lay.pair_row)
    link, load = _highs.capacity_rows(problem, lay)
    matrix = _stack([_highs.covering_rows(problem, lay), link, load])
    lower = np.full(matrix.shape[0], -np.inf)
    lower[: len(rows)] = 1.0
    upper = np.full(matrix.shape[0], np.inf)
    upper[len(rows) :] = 0.0
    total = float(problem.site_cost.sum())
    cost = np.zeros(n_cols)
    cost[:n_y] = 1.0 + (0.5 * problem.site_cost[lay.sites] / total if total > 0 else 0.0)
    model = _highs.Model(cost, np.ones(n_cols), matrix, lower, upper, n_y, maximize=False)
    return _finish("cover_all", problem, lay, model, greedy, (time_limit_s, mip_rel_gap))


def _finish(
    goal: Goal,
    problem: CoverageProblem,
    lay: _highs.Layout,
    model: _highs.Model,
    greedy: Selection,
    limits: tuple[float, float],
) -> PlanResult:
    n_cols = len(model.cost)
    start = _highs.start_values(lay, greedy, n_cols) if greedy.feasible else None
    solved = _highs.solve(model, start=start, time_limit_s=limits[0], mip_rel_gap=limits[1])
    if solved.values is None:
        exact = Selection(
            (), np.zeros(problem.n_compounds), sp.csr_matrix(greedy.assigned.shape), 0.0, False
        )
    else:
        exact = _highs.selection_from(problem, lay, solved.values, goal)
        if goal == "cover_all":
            covered = exact.served[lay.rows] >= 1.0 - SHARE_TOL
            exact = _with_feasible(exact, bool(covered.all()))
    return PlanResult(
        goal=goal,
        exact=exact,
        greedy=greedy,
        optimal=bool(solved.optimal),
        gap=solved.gap,
        status=solved.status,
        uncoverable=problem.uncoverable(),
        covered_before=problem.covered_before.copy(),
        seconds=solved.seconds,
    )


def _with_feasible(selection: Selection, feasible: bool) -> Selection:
    return Selection(
        selection.chosen, selection.served, selection.assigned, selection.objective, feasible
    )


def _trivial(goal: Goal, problem: CoverageProblem, greedy: Selection) -> PlanResult:
    """Nothing to decide (no candidate helps anyone): the empty answer is proven optimal."""
    started = time.perf_counter()
    return PlanResult(
        goal=goal,
        exact=greedy,
        greedy=greedy,
        optimal=True,
        gap=None,
        status=EMPTY_STATUS,
        uncoverable=problem.uncoverable(),
        covered_before=problem.covered_before.copy(),
        seconds=time.perf_counter() - started,
    )
