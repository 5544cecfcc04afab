"""The exact site choice as a mixed-integer programme solved by HiGHS (highspy).

Builds the columns and rows of the two models described in :mod:`lifecircle.plan` from a
:class:`CoverageProblem`, hands the greedy answer to HiGHS as a start and reads back HiGHS's
own model status and ``mip_gap``. No modelling layer, no files.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from lifecircle.plan.problem import CoverageProblem, Goal, Selection

_COLWISE = 1  # HiGHS MatrixFormat::kColwise
_MINIMIZE, _MAXIMIZE = 1, -1  # HiGHS ObjSense


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence fd 1 while HiGHS prints its banner (C++ writes it straight to the descriptor)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded interpreters): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@dataclass(frozen=True)
class Solved:
    """What HiGHS returned: column values (or None), status text, optimal flag, gap, time."""

    values: np.ndarray | None
    status: str
    optimal: bool
    gap: float
    seconds: float


@dataclass
class Model:
    """A MIP in arrays: ``rows @ cols`` between bounds; the first ``n_int`` columns binary."""

    cost: np.ndarray
    col_upper: np.ndarray
    matrix: sp.csc_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    n_int: int
    maximize: bool


def solve(
    model: Model, *, start: np.ndarray | None, time_limit_s: float, mip_rel_gap: float
) -> Solved:
    """Solve with HiGHS; ``start`` is a feasible starting point (or None)."""
    with _quiet_stdout():
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit_s))
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    highs.setOptionValue("threads", 1)
    n = len(model.cost)
    integrality = np.zeros(n, dtype=np.int32)
    integrality[: model.n_int] = 1
    matrix = model.matrix
    highs.passModel(
        n, matrix.shape[0], matrix.nnz, _COLWISE, _MAXIMIZE if model.maximize else _MINIMIZE,
        0.0, model.cost, np.zeros(n), model.col_upper, model.row_lower, model.row_upper,
        matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32),
        matrix.data.astype(float), integrality,
    )  # fmt: skip
    if start is not None:
        highs.setSolution(n, np.arange(n, dtype=np.int32), start.astype(float))
    started = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - started
    status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == int(
        highspy.SolutionStatus.kSolutionStatusFeasible
    )
    values = np.asarray(highs.getSolution().col_value) if has_solution else None
    return Solved(
        values=values,
        status=highs.modelStatusToString(status),
        optimal=status == highspy.HighsModelStatus.kOptimal,
        gap=float(info.mip_gap),
        seconds=seconds,
    )


@dataclass(frozen=True, eq=False)
class Layout:
    """Which problem rows and candidates a model uses, and where its column blocks start.

    Columns: ``y`` (one binary per site in ``sites``), then ``s`` (one share per compound in
    ``rows``, max cover only), then ``x`` (one share per capacitated pair ``pair_row`` ×
    ``pair_site``, positions into ``rows`` and ``sites``).
    """

    rows: np.ndarray
    sites: np.ndarray
    pair_row: np.ndarray
    pair_site: np.ndarray
    n_s: int

    @property
    def x0(self) -> int:
        """First ``x`` column."""
        return len(self.sites) + self.n_s


def layout(problem: CoverageProblem, rows: np.ndarray, *, with_shares: bool) -> Layout:
    """Keep the given compounds and the candidates covering at least one of them."""
    sub = problem.coverage[rows].tocsc()
    sites = np.flatnonzero(np.diff(sub.indptr) > 0)
    pairs = sub[:, sites].tocoo()
    capped = problem.capacitated[sites][pairs.col]
    order = np.lexsort((pairs.row[capped], pairs.col[capped]))
    return Layout(
        rows=rows,
        sites=sites,
        pair_row=pairs.row[capped][order],
        pair_site=pairs.col[capped][order],
        n_s=len(rows) if with_shares else 0,
    )


def covering_rows(problem: CoverageProblem, lay: Layout) -> sp.coo_matrix:
    """Per kept compound: +1 on the uncapacitated sites in reach and on its ``x`` columns."""
    sub = problem.coverage[lay.rows][:, lay.sites].tocoo()
    free = ~problem.capacitated[lay.sites][sub.col]
    n_x = len(lay.pair_row)
    r = np.concatenate([sub.row[free], lay.pair_row])
    c = np.concatenate([sub.col[free], lay.x0 + np.arange(n_x)])
    return sp.coo_matrix((np.ones(len(r)), (r, c)), shape=(len(lay.rows), lay.x0 + n_x))


def capacity_rows(problem: CoverageProblem, lay: Layout) -> tuple[sp.coo_matrix, sp.coo_matrix]:
    """``x_ij - y_j <= 0`` for every pair, and ``sum_i w_i x_ij - cap_j y_j <= 0`` per site."""
    n_x, n_cols = len(lay.pair_row), lay.x0 + len(lay.pair_row)
    k = np.arange(n_x)
    link = sp.coo_matrix(
        (np.concatenate([np.ones(n_x), -np.ones(n_x)]),
         (np.concatenate([k, k]), np.concatenate([lay.x0 + k, lay.pair_site]))),
        shape=(n_x, n_cols),
    )  # fmt: skip
    capped = np.flatnonzero(problem.capacitated[lay.sites])
    slot = np.full(len(lay.sites), -1)
    slot[capped] = np.arange(len(capped))
    w = problem.weights[lay.rows][lay.pair_row]
    load = sp.coo_matrix(
        (np.concatenate([w, -problem.capacity[lay.sites][capped]]),
         (np.concatenate([slot[lay.pair_site], np.arange(len(capped))]),
          np.concatenate([lay.x0 + k, capped]))),
        shape=(len(capped), n_cols),
    )  # fmt: skip
    return link, load


def nearest_free_site(
    problem: CoverageProblem, chosen: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each compound not covered before, with the nearest chosen uncapacitated site reaching it.

    A compound several open sites reach is counted once, for the nearest one (ties: lower index).
    """
    free = chosen[~problem.capacitated[chosen]]
    reach = problem.walk_cost[:, free].tocoo()
    keep = ~problem.covered_before[reach.row]
    rows, cols, cost = reach.row[keep], free[reach.col[keep]], reach.data[keep]
    order = np.lexsort((cols, cost, rows))
    rows, cols = rows[order], cols[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    return rows[first], cols[first]


def selection_from(
    problem: CoverageProblem, lay: Layout, values: np.ndarray, goal: Goal
) -> Selection:
    """Read chosen sites and served shares back from column values."""
    picked = values[: len(lay.sites)] > 0.5
    chosen_sites = lay.sites[picked]
    x = np.clip(values[lay.x0 :], 0.0, 1.0) * picked[lay.pair_site]
    row, col = nearest_free_site(problem, chosen_sites)
    share = sp.csr_matrix(
        (np.concatenate([np.ones(len(row)), x]),
         (np.concatenate([row, lay.rows[lay.pair_row]]),
          np.concatenate([col, lay.sites[lay.pair_site]]))),
        shape=(problem.n_compounds, problem.n_candidates),
    )  # fmt: skip
    share.sum_duplicates()
    share.eliminate_zeros()
    served = np.minimum(np.asarray(share.sum(axis=1)).ravel(), 1.0)
    served[problem.covered_before] = 0.0
    objective = float(np.dot(problem.weights, served)) if goal == "max_cover" else len(chosen_sites)
    return Selection(
        chosen=tuple(int(j) for j in chosen_sites),
        served=served,
        assigned=share,
        objective=float(objective),
    )


def start_values(lay: Layout, greedy: Selection, n_cols: int) -> np.ndarray:
    """Return the greedy answer as column values (a feasible start for HiGHS)."""
    values = np.zeros(n_cols)
    position = {int(j): k for k, j in enumerate(lay.sites)}
    chosen = [position[j] for j in greedy.chosen if j in position]
    values[chosen] = 1.0
    if lay.n_s:
        values[len(lay.sites) : lay.x0] = greedy.served[lay.rows]
    assigned = greedy.assigned.tocsr()
    x = np.asarray(assigned[lay.rows[lay.pair_row], lay.sites[lay.pair_site]]).ravel()
    values[lay.x0 :] = x
    return values
