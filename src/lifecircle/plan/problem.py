"""The site-planning problem as arrays: who each candidate site would cover, and the results.

Holds :class:`CoverageProblem` (built from a compounds × candidates cost matrix) and the frozen
result values. No solver, no graph, no files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

Goal = Literal["max_cover", "cover_all"]
#: A share of a compound's people this close to 1 counts as fully served (LP round-off).
SHARE_TOL = 1e-6


def _vector(values: object, n: int, default: float, what: str) -> np.ndarray:
    if values is None:
        return np.full(n, default, dtype=float)
    array = np.asarray(values, dtype=float).copy()
    if array.shape != (n,):
        raise ValueError(f"{what}: expected {n} values, got shape {array.shape}")
    return array


@dataclass(frozen=True, eq=False)
class CoverageProblem:
    """Compounds × candidate sites: which candidate would cover which compound, and at what cost.

    Attributes
    ----------
    coverage
        CSR boolean matrix, ``coverage[i, j]`` when candidate ``j`` lies within the walking
        limit of compound ``i`` (inclusive).
    walk_cost
        CSR matrix of the same pattern holding the walking cost of each covering pair (seconds,
        or metres in the distance convention); used to report minutes and to fill capacities
        nearest-first.
    weights
        People to count for each compound (residents, elderly or children); ``>= 0``.
    covered_before
        Compounds an existing facility of the type already covers: they count for nothing.
    capacity
        Most weighted people each candidate can serve; ``inf`` when unlimited.
    site_cost
        Cost of opening each candidate (any unit, ``>= 0``); only breaks ties between answers
        that cover the same people (max cover) or use as many sites (cover all).
    """

    coverage: sp.csr_matrix
    walk_cost: sp.csr_matrix
    weights: np.ndarray
    covered_before: np.ndarray
    capacity: np.ndarray
    site_cost: np.ndarray

    @property
    def n_compounds(self) -> int:
        """Number of compounds (rows)."""
        return int(self.coverage.shape[0])

    @property
    def n_candidates(self) -> int:
        """Number of candidate sites (columns)."""
        return int(self.coverage.shape[1])

    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray | sp.spmatrix | sp.sparray,
        *,
        limit: float,
        weights: object = None,
        covered_before: object = None,
        capacity: object = None,
        site_cost: object = None,
    ) -> CoverageProblem:
        """Build the problem from walking costs compounds × candidates.

        Parameters
        ----------
        cost
            Dense array (``inf`` where a candidate cannot be reached) or sparse matrix whose
            stored entries are the costs of the reachable pairs.
        limit
            Largest cost that covers (inclusive), in the unit of ``cost``.
        weights, covered_before, capacity, site_cost
            Per compound: people (default 1 each) and whether already covered (default no);
            per candidate: capacity in weighted people (default ``inf``; NaN means unlimited)
            and opening cost (default 0).

        Examples
        --------
        >>> p = CoverageProblem.from_cost_matrix(
        ...     np.array([[100.0, np.inf], [400.0, 200.0]]), limit=300.0, weights=[10, 20]
        ... )
        >>> p.coverage.toarray().tolist(), p.weights.tolist()
        ([[True, False], [False, True]], [10.0, 20.0])
        """
        matrix = sp.csr_matrix(cost if sp.issparse(cost) else _dense_to_sparse(cost))
        matrix.data[matrix.data > limit * (1.0 + 1e-9)] = np.inf
        keep = np.isfinite(matrix.data)
        coo = matrix.tocoo()
        walk = sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape)
        n, m = walk.shape
        cover = sp.csr_matrix(
            (np.ones(walk.nnz, dtype=bool), walk.indices, walk.indptr), shape=walk.shape
        )
        cap = _vector(capacity, m, np.inf, "capacity")
        cap[np.isnan(cap)] = np.inf
        return cls(
            coverage=cover,
            walk_cost=walk,
            weights=_checked_nonneg(_vector(weights, n, 1.0, "weights"), "weights"),
            covered_before=_vector(covered_before, n, 0.0, "covered_before").astype(bool),
            capacity=_checked_nonneg(cap, "capacity"),
            site_cost=_checked_nonneg(_vector(site_cost, m, 0.0, "site_cost"), "site_cost"),
        )

    @property
    def capacitated(self) -> np.ndarray:
        """Candidates whose capacity is finite."""
        finite: np.ndarray = np.isfinite(self.capacity)
        return finite

    def open_rows(self) -> np.ndarray:
        """Compounds not covered before that some candidate covers (the ones a plan can help)."""
        reachable = np.diff(self.coverage.indptr) > 0
        return np.flatnonzero(reachable & ~self.covered_before)

    def uncoverable(self) -> tuple[int, ...]:
        """Compounds not covered before that no candidate covers."""
        reachable = np.diff(self.coverage.indptr) > 0
        return tuple(int(i) for i in np.flatnonzero(~reachable & ~self.covered_before))


def _dense_to_sparse(cost: object) -> sp.coo_matrix:
    dense = np.asarray(cost, dtype=float)
    if dense.ndim != 2:
        raise ValueError(f"cost: expected a 2-D matrix, got shape {dense.shape}")
    rows, cols = np.nonzero(np.isfinite(dense))
    return sp.coo_matrix((dense[rows, cols], (rows, cols)), shape=dense.shape)


def _checked_nonneg(values: np.ndarray, what: str) -> np.ndarray:
    if np.any(values < 0) or np.any(np.isnan(values)):
        raise ValueError(
            f"{what}: values must be >= 0, got {values[(values < 0) | np.isnan(values)][:3]}"
        )
    return values


@dataclass(frozen=True, eq=False)
class Selection:
    """One answer: the chosen candidates and the share of each compound's people they serve.

    ``served[i]`` is in [0, 1] (below 1 only when capacities split a compound);
    ``assigned`` (compounds × candidates, CSR) is the share of compound ``i`` counted for site
    ``j`` (an uncapacitated site counts every compound in reach it covers first).
    ``objective`` is weighted people newly served (max cover) or sites used (cover all);
    ``feasible`` is false when the answer does not reach the goal (cover all failed).
    """

    chosen: tuple[int, ...]
    served: np.ndarray
    assigned: sp.csr_matrix
    objective: float
    feasible: bool = True

    def people(self, weights: np.ndarray) -> float:
        """Weighted people newly served."""
        return float(np.dot(self.served, weights))


@dataclass(frozen=True, eq=False)
class PlanResult:
    """The exact answer (HiGHS), the greedy answer beside it, and what the solver proved.

    Attributes
    ----------
    goal
        ``"max_cover"`` or ``"cover_all"``.
    exact, greedy
        The two :class:`Selection` values; ``exact`` is the solver's best (``greedy`` itself
        when the solver found nothing better in time).
    optimal
        True only when HiGHS's model status is *Optimal* (within ``mip_rel_gap``).
    gap
        HiGHS's relative ``mip_gap`` (primal vs dual bound) of the answer; 0 when optimal
        exactly; ``None`` when the solver did not run (nothing to decide).
    status
        HiGHS's model status text (``"Optimal"``, ``"Time limit reached"`` …).
    uncoverable
        Compounds not covered before that no candidate covers.
    covered_before
        Compounds an existing facility already covers.
    seconds
        Time the exact solve took.
    """

    goal: Goal
    exact: Selection
    greedy: Selection
    optimal: bool
    gap: float | None
    status: str
    uncoverable: tuple[int, ...]
    covered_before: np.ndarray
    seconds: float

    @property
    def chosen(self) -> tuple[int, ...]:
        """The exact answer's chosen candidates."""
        return self.exact.chosen

    @property
    def covered(self) -> np.ndarray:
        """Compounds covered after the plan (before, or fully served by the chosen sites)."""
        return self.covered_before | (self.exact.served >= 1.0 - SHARE_TOL)

    @property
    def objective(self) -> float:
        """The exact answer's objective (weighted people newly served, or sites used)."""
        return self.exact.objective
