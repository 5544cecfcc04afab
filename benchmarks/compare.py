"""Agreement checks: each peer's answer against lifecircle's, with the tolerance each one needs.

Pure functions of result arrays; each returns an :class:`Agreement` with a one-line verdict.
Tolerances are documented in benchmarks/README.md and must not be widened to make a run pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from benchmarks.common import LIMIT_S, PANDANA_MAXDIST_S, unpack_reached

#: networkx sums the same float64 costs in another order: only rounding may differ.
EXACT_S = 1e-6
#: pandana and cityseer add float32 costs: ~6e-8 relative error per addition, over paths of up
#: to ~1,000 edges, so 5e-5 of the cost, plus 0.05 s for the rounding of short edges.
FLOAT32_S = 0.05
FLOAT32_REL = 5e-5
#: Differing counts checked for a facility at the 15-minute boundary (an independent scipy run).
MAX_FLIPS_CHECKED = 400


@dataclass(frozen=True)
class Agreement:
    """Whether a peer agrees with lifecircle, and a short account of how closely."""

    ok: bool
    text: str


def nearest_costs(lc: np.ndarray, peer: np.ndarray, *, peer_name: str) -> Agreement:
    """Task 1: minutes to the nearest facility of each type at every node."""
    if peer_name == "pandana":  # float32, and nothing beyond its search radius
        tol = FLOAT32_S + FLOAT32_REL * np.where(np.isfinite(lc), lc, 0.0)
        inside = lc <= PANDANA_MAXDIST_S - tol
        missing = inside & ~np.isfinite(peer)
        missing |= np.isfinite(peer) & (lc > PANDANA_MAXDIST_S + tol)
        tol_text = f"{FLOAT32_S:g} s + {FLOAT32_REL:g} × cost"
    else:
        tol, inside = np.full(lc.shape, EXACT_S), np.isfinite(lc)
        missing = np.isfinite(peer) != np.isfinite(lc)
        tol_text = f"{EXACT_S:g} s"
    diff = np.abs(np.where(inside & np.isfinite(peer), lc - peer, 0.0))
    worst = float(diff.max()) if diff.size else 0.0
    ok = bool((diff <= tol).all()) and not missing.any()
    return Agreement(
        ok,
        f"max diff {worst:.2g} s over {int(inside.sum()):,} node×type "
        f"(tol {tol_text}); {int(missing.sum())} found by one side only",
    )


def counts_vs_reference(lc: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> Agreement:
    """Task 2 against networkx: lifecircle's count lies between the counts without/with ties."""
    ok_cells = (lc >= lo) & (lc <= hi)
    ties = int((lo != hi).sum())
    return Agreement(
        bool(ok_cells.all()),
        f"{ok_cells.mean():.2%} of {ok_cells.size:,} sampled node×type counts equal "
        f"({ties} with a facility at 15 min ± {EXACT_S:g} s)",
    )


def counts_float32(
    lc: np.ndarray, peer: np.ndarray, *, boundary: np.ndarray | None = None
) -> Agreement:
    """Task 2 against pandana or cityseer (float32 costs).

    A count may differ only by facilities whose cost lies within float32 rounding of the limit:
    ``boundary[k]`` is how many such facilities the k-th differing cell (row-major order) has,
    as found by :func:`boundary_facilities`.
    """
    if lc.shape != peer.shape:
        return Agreement(False, f"shape {peer.shape} != {lc.shape}")
    diff = np.abs(lc.astype(np.int64) - peer)
    share = float((diff == 0).mean())
    flips = diff[diff != 0]
    text = f"{share:.3%} of {diff.size:,} node×type counts equal"
    if not len(flips):
        return Agreement(True, text)
    checked = flips[: len(boundary)] if boundary is not None else flips[:0]
    explained = int((checked <= boundary[: len(checked)]).sum()) if boundary is not None else 0
    ok = len(checked) > 0 and explained == len(checked) and share >= 0.99
    return Agreement(
        ok,
        f"{text}; {explained} of {len(checked)} checked differing counts have that many "
        f"facilities at 15 min ± {FLOAT32_S:g} s",
    )


def boundary_facilities(
    matrix: sp.csr_matrix,
    facilities: list[np.ndarray],
    lc: np.ndarray,
    peer: np.ndarray,
    nodes: np.ndarray,
) -> np.ndarray:
    """For differing count cells: the facilities of that type at ``LIMIT_S ± FLOAT32_S``.

    Runs scipy's Dijkstra from the cells' nodes (at most :data:`MAX_FLIPS_CHECKED` cells), so
    the explanation does not rest on either side's code.
    """
    rows, cols = np.nonzero(lc != peer)
    rows, cols = rows[:MAX_FLIPS_CHECKED], cols[:MAX_FLIPS_CHECKED]
    out = np.zeros(len(rows), dtype=np.int64)
    for start in range(0, len(rows), 16):
        part = slice(start, start + 16)
        dist = np.atleast_2d(
            dijkstra(matrix, indices=nodes[cols[part]], limit=LIMIT_S + 2 * FLOAT32_S)
        )
        for k, (row, drow) in enumerate(zip(rows[part], dist, strict=True)):
            near = np.abs(drow[facilities[row]] - LIMIT_S) <= FLOAT32_S
            out[start + k] = int(near.sum())
    return out


def nearest_within(lc_cost: np.ndarray, peer_near: np.ndarray) -> Agreement:
    """cityseer's nearest distance within 15 min against lifecircle's task-1 minutes."""
    tol = FLOAT32_S + FLOAT32_REL * LIMIT_S
    inside = lc_cost <= LIMIT_S - tol
    found = np.isfinite(peer_near)
    missing = int((inside & ~found).sum())
    diff = np.abs(np.where(inside & found, lc_cost - peer_near, 0.0))
    worst = float(diff.max()) if diff.size else 0.0
    return Agreement(
        worst <= tol and missing == 0,
        f"its nearest within 15 min: max diff {worst:.2g} s, {missing} missed",
    )


def walksheds(lc: dict[str, np.ndarray], ref: dict[str, np.ndarray]) -> Agreement:
    """Task 3: the reached nodes and their costs for the sampled entrances."""
    ours, theirs = unpack_reached(lc), unpack_reached(ref)
    worst, wrong = 0.0, 0
    for a, b in zip(ours, theirs, strict=True):
        sure = {n for n, c in b.items() if c < LIMIT_S - EXACT_S}
        wrong += len(sure - a.keys()) + len(a.keys() - b.keys())
        common = a.keys() & b.keys()
        if common:
            worst = max(worst, max(abs(a[n] - b[n]) for n in common))
    return Agreement(
        wrong == 0 and worst <= EXACT_S,
        f"{len(ours)} walksheds: {wrong} reached-node mismatches, max diff {worst:.1g} s",
    )


def identical(task: str, lc: dict[str, np.ndarray], c: dict[str, np.ndarray]) -> Agreement:
    """The plain-C yardstick's answers must equal lifecircle's bit for bit."""
    if task == "t1":
        same = np.array_equal(lc["cost_s"], c["cost_s"])
        what = "nearest costs"
    elif task == "t2":
        same = np.array_equal(lc["count"], c["count"])
        what = "counts"
    else:
        same = unpack_reached(lc) == unpack_reached(c)
        what = f"{len(lc['reach_start']) - 1} sampled walksheds' reached nodes and costs"
    return Agreement(same, f"{what} {'identical' if same else 'differ'}")
