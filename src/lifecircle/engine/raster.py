"""Compiled grid kernels of the walking areas: reached edges, disk minimum, hole filling.

:mod:`lifecircle.engine.walksheds` states the method; these loops carry it out on one
walkshed's grid in time proportional to its streets and cells (numba, see
:mod:`lifecircle.engine.jit`); the streets' cells come from
:mod:`lifecircle.engine.streetcells` and the outlines are traced by
:mod:`lifecircle.engine.outline`. Cell ``(row, col)`` covers ``x`` in ``[col, col + 1]`` and
``y`` in ``[row, row + 1]`` cells from the grid's lower-left corner. Arrays in, arrays out.
"""

from __future__ import annotations

import math

import numpy as np

from lifecircle.engine.jit import kernel

#: Earlier neighbours in raster order (row, column offsets) whose disk a cell's disk may extend.
_PRIOR = np.array([[0, -1], [-1, 0], [-1, -1], [-1, 1]], dtype=np.int64)


@kernel
def _disk_offsets(radius_cells: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets of the disk, and for each :data:`_PRIOR` neighbour the part it does not cover.

    Returns the disk's ``(dy, dx)`` offsets, then the offsets of the disk minus the same disk
    moved to each earlier neighbour, concatenated, and where each neighbour's part starts
    (plus the end). Row offset ``dy`` spans ``int(sqrt(r² - dy²))`` cells either side.
    """
    reach = int(radius_cells)
    size = 2 * reach + 1
    inside = np.zeros((size + 2, size + 2), dtype=np.bool_)  # one spare cell around
    for k in range(size):
        dy = k - reach
        width = int(math.sqrt(radius_cells**2 - dy * dy + 1e-9))
        inside[k + 1, reach + 1 - width : reach + 2 + width] = True
    disk = np.argwhere(inside) - (reach + 1)
    rims = np.empty((4 * size * size, 2), dtype=np.int64)
    starts = np.zeros(len(_PRIOR) + 1, dtype=np.int64)
    m = 0
    for p in range(len(_PRIOR)):
        py, px = _PRIOR[p]
        for i in range(len(disk)):
            dy, dx = disk[i]
            # (dy, dx) from this cell is (dy - py, dx - px) from the neighbour
            if not inside[dy - py + reach + 1, dx - px + reach + 1]:
                rims[m, 0], rims[m, 1] = dy, dx
                m += 1
        starts[p + 1] = m
    return disk, rims[:m], starts


@kernel
def disk_min(cheapest: np.ndarray, radius_cells: float, ceiling: float) -> np.ndarray:
    """Return the minimum of ``cheapest`` over a disk of ``radius_cells`` around each cell.

    Each cell at most ``ceiling`` stamps its value over its disk, so the work follows the
    streets, not the grid; minima above ``ceiling`` (no area needs them) may be left ``inf``.
    A cell next to an earlier cell (left, below, or diagonally below) whose value is no larger
    stamps only the rim of its disk that the neighbour's disk leaves out: along a street that
    is ``2r + 1`` cells instead of ``πr²``. By induction in raster order every disk ends up
    covered by values no larger than its own, so the minimum is exact. Costs binned to the
    areas' limits (:mod:`lifecircle.engine.streetcells`) make equal neighbours the rule.
    """
    rows, cols = cheapest.shape
    disk, rims, starts = _disk_offsets(radius_cells)
    best = np.full((rows, cols), np.inf, dtype=np.float32)
    top = np.float32(ceiling)  # as the areas compare: float32(limit)
    for r in range(rows):
        for c in range(cols):
            value = cheapest[r, c]
            if not value <= top:
                continue
            lo, hi = 0, -1  # the whole disk unless a neighbour covers most of it
            for p in range(len(_PRIOR)):
                rr, cc = r + _PRIOR[p, 0], c + _PRIOR[p, 1]
                if rr >= 0 and 0 <= cc < cols and cheapest[rr, cc] <= value:
                    lo, hi = starts[p], starts[p + 1]
                    break
            if hi < 0:
                _stamp(best, disk, r, c, value)
            else:
                _stamp(best, rims[lo:hi], r, c, value)
    return best


@kernel
def _stamp(best: np.ndarray, offsets: np.ndarray, r: int, c: int, value: np.float32) -> None:
    """Lower the cells at ``offsets`` from ``(r, c)`` to ``value`` (those inside the grid)."""
    rows, cols = best.shape
    for i in range(len(offsets)):
        rr, cc = r + offsets[i, 0], c + offsets[i, 1]
        if 0 <= rr < rows and 0 <= cc < cols and value < best[rr, cc]:
            best[rr, cc] = value


@kernel
def _root(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@kernel
def label4(image: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected components of the true cells: labels ``1..n`` (``0`` elsewhere) and ``n``."""
    rows, cols = image.shape
    labels = np.zeros((rows, cols), dtype=np.int64)
    parent = np.arange(rows * cols // 2 + 2, dtype=np.int64)
    n = 0
    for r in range(rows):
        for c in range(cols):
            if not image[r, c]:
                continue
            up = labels[r - 1, c] if r > 0 else 0
            left = labels[r, c - 1] if c > 0 else 0
            if up == 0 and left == 0:
                n += 1
                if n >= len(parent):
                    parent = np.concatenate((parent, np.arange(len(parent), 2 * len(parent))))
                labels[r, c] = n
            elif up == 0 or left == 0:
                labels[r, c] = max(up, left)
            else:
                a, b = _root(parent, up), _root(parent, left)
                parent[max(a, b)] = min(a, b)
                labels[r, c] = min(a, b)
    final = np.zeros(n + 1, dtype=np.int64)
    count = 0
    for i in range(1, n + 1):
        root = _root(parent, i)
        if root == i:
            count += 1
            final[i] = count
        else:
            final[i] = final[root]  # roots are smaller than their members: already numbered
    for r in range(rows):
        for c in range(cols):
            labels[r, c] = final[labels[r, c]]
    return labels, count


@kernel
def area_cells(
    best: np.ndarray, occupied: np.ndarray, limit: float, max_cells: float
) -> tuple[np.ndarray, int, int]:
    """Return the area's cells in a grid window, and the window's first row and column.

    Cells with ``best <= limit``, plus enclosed 4-connected holes of at most ``max_cells``
    cells that no street (``occupied``) passes through. The window keeps one empty cell
    around the area, so the outside is one region touching its border; the grid keeps two.
    """
    rows, cols = best.shape
    threshold = np.float32(limit)  # float32 rounding is monotone: ties stay ties
    r0, r1, c0, c1 = rows, -1, cols, -1
    for r in range(rows):
        for c in range(cols):
            if best[r, c] <= threshold:
                r0, r1, c0, c1 = min(r0, r), max(r1, r), min(c0, c), max(c1, c)
    if r1 < 0:
        return np.zeros((0, 0), dtype=np.bool_), 0, 0
    window = best[r0 - 1 : r1 + 2, c0 - 1 : c1 + 2] <= threshold
    busy_cells = occupied[r0 - 1 : r1 + 2, c0 - 1 : c1 + 2]
    labels, n = label4(~window)
    size = np.zeros(n + 1, dtype=np.int64)
    busy = np.zeros(n + 1, dtype=np.bool_)
    for r in range(window.shape[0]):
        for c in range(window.shape[1]):
            size[labels[r, c]] += 1
            busy[labels[r, c]] |= busy_cells[r, c]
    fill = (size <= max_cells) & ~busy
    fill[0] = False
    wr, wc = window.shape
    for r in range(wr):
        fill[labels[r, 0]] = fill[labels[r, wc - 1]] = False
    for c in range(wc):
        fill[labels[0, c]] = fill[labels[wr - 1, c]] = False
    for r in range(wr):
        for c in range(wc):
            window[r, c] |= fill[labels[r, c]]
    return window, r0 - 1, c0 - 1


@kernel
def reached_edges(
    nodes: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    edge_u: np.ndarray,
    costs: np.ndarray,
    limit: float,
) -> np.ndarray:
    """Edges with an end among the reached ``nodes`` (``costs <= limit``), each once.

    ``indptr``/``indices`` are a node x edge incidence matrix (CSR). An edge is listed from its
    ``u`` end, or from its ``v`` end when ``u`` is not reached: no sort, no scratch array.
    """
    total = 0
    for n in nodes:
        total += indptr[n + 1] - indptr[n]
    found = np.empty(total, dtype=np.int64)
    k = 0
    for n in nodes:
        for j in range(indptr[n], indptr[n + 1]):
            e = indices[j]
            if edge_u[e] == n or not costs[edge_u[e]] <= limit:
                found[k] = e
                k += 1
    return found[:k]
