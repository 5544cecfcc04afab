"""Compiled grid kernels of the walking areas: street points, disk minimum, holes, outlines.

:mod:`lifecircle.engine.walksheds` states the method; these loops carry it out on one
walkshed's grid in time proportional to its streets and cells (numba, see
:mod:`lifecircle.engine.jit`). Cell ``(row, col)`` covers ``x`` in ``[col, col + 1]`` and ``y``
in ``[row, row + 1]`` cells from the grid's lower-left corner. Arrays in, arrays out.
"""

from __future__ import annotations

import math

import numpy as np

from lifecircle.engine.jit import kernel


@kernel
def _fractions(coords_xy: np.ndarray, first: int, count: int, out: np.ndarray) -> None:
    """Write the length fraction of each vertex of one polyline into ``out[:count]``."""
    out[0] = 0.0
    for j in range(1, count):
        dx = coords_xy[first + j, 0] - coords_xy[first + j - 1, 0]
        dy = coords_xy[first + j, 1] - coords_xy[first + j - 1, 1]
        out[j] = out[j - 1] + math.hypot(dx, dy)
    total = out[count - 1]
    if total > 0:
        for j in range(count):
            out[j] /= total


@kernel
def _point_at(
    coords_xy: np.ndarray, first: int, count: int, vfrac: np.ndarray, f: float
) -> tuple[float, float]:
    """Return the point at length fraction ``f`` of one polyline (vertex fractions in ``vfrac``)."""
    lo, hi = 0, count  # the last vertex with a fraction <= f, at most the last-but-one
    while lo < hi:
        mid = (lo + hi) // 2
        if vfrac[mid] <= f:
            lo = mid + 1
        else:
            hi = mid
    seg = min(max(lo - 1, 0), count - 2)
    span = vfrac[seg + 1] - vfrac[seg]
    t = (f - vfrac[seg]) / (span if span > 0 else 1.0)
    t = min(max(t, 0.0), 1.0)
    a, b = first + seg, first + seg + 1
    x = coords_xy[a, 0] + (coords_xy[b, 0] - coords_xy[a, 0]) * t
    y = coords_xy[a, 1] + (coords_xy[b, 1] - coords_xy[a, 1]) * t
    return x, y


@kernel
def street_points(
    edges: np.ndarray,
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    edge_cost: np.ndarray,
    edge_length_m: np.ndarray,
    coord_start: np.ndarray,
    coords_xy: np.ndarray,
    costs: np.ndarray,
    limits: np.ndarray,
    step_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points every ``step_m`` along the edges plus each limit's cut points, with their costs.

    A point at fraction ``f`` of edge ``u-v`` costs ``min(cost_u + f c, cost_v + (1 - f) c)``;
    the cut points are where that cost reaches a limit on a partly reached edge. Also returns
    the lower-left and upper-right corners of the points within the largest limit (``inf``
    and ``-inf`` when there are none).
    """
    total, longest = 0, 2
    for e in edges:
        total += max(math.ceil(edge_length_m[e] / step_m) + 1, 2) + 2 * len(limits)
        longest = max(longest, coord_start[e + 1] - coord_start[e])
    xy = np.empty((total, 2))
    cost = np.empty(total)
    fracs = np.empty(total)
    vfrac = np.empty(longest)
    top = limits.max() if len(limits) else -np.inf
    low, high = np.full(2, np.inf), np.full(2, -np.inf)
    m = 0
    for e in edges:
        first, count = coord_start[e], coord_start[e + 1] - coord_start[e]
        _fractions(coords_xy, first, count, vfrac)
        cu, cv, c = costs[edge_u[e]], costs[edge_v[e]], edge_cost[e]
        n = max(math.ceil(edge_length_m[e] / step_m) + 1, 2)
        k = 0
        for i in range(n):
            fracs[k] = i / (n - 1)
            k += 1
        for limit in limits:
            ru = min(max((limit - cu) / c, 0.0), 1.0)  # an unreached end (inf) gives 0
            rv = min(max((limit - cv) / c, 0.0), 1.0)
            if 0.0 < ru < 1.0:
                fracs[k] = ru
                k += 1
            if 0.0 < rv < 1.0:
                fracs[k] = 1.0 - rv
                k += 1
        for i in range(k):
            f = fracs[i]
            xy[m, 0], xy[m, 1] = _point_at(coords_xy, first, count, vfrac, f)
            cost[m] = min(cu + f * c, cv + (1.0 - f) * c)
            if cost[m] <= top:
                low[0], low[1] = min(low[0], xy[m, 0]), min(low[1], xy[m, 1])
                high[0], high[1] = max(high[0], xy[m, 0]), max(high[1], xy[m, 1])
            m += 1
    return xy[:m], cost[:m], low, high


@kernel
def bin_cheapest(
    xy: np.ndarray,
    cost: np.ndarray,
    corner: np.ndarray,
    cell_m: float,
    cheapest: np.ndarray,
    occupied: np.ndarray,
) -> None:
    """Keep in ``cheapest`` (float32) the cheapest point cost in each cell, mark it occupied.

    Points outside the grid are skipped.
    """
    rows, cols = cheapest.shape
    for i in range(len(cost)):
        col = math.floor((xy[i, 0] - corner[0]) / cell_m)
        row = math.floor((xy[i, 1] - corner[1]) / cell_m)
        if 0 <= row < rows and 0 <= col < cols:
            occupied[row, col] = True
            value = np.float32(cost[i])
            if value < cheapest[row, col]:
                cheapest[row, col] = value


@kernel
def mark_streets(
    edges: np.ndarray,
    edge_length_m: np.ndarray,
    coord_start: np.ndarray,
    coords_xy: np.ndarray,
    step_m: float,
    corner: np.ndarray,
    cell_m: float,
    occupied: np.ndarray,
) -> None:
    """Mark in ``occupied`` the cells of points every ``step_m`` along the edges."""
    rows, cols = occupied.shape
    longest = 2
    for e in edges:
        longest = max(longest, coord_start[e + 1] - coord_start[e])
    vfrac = np.empty(longest)
    for e in edges:
        first, count = coord_start[e], coord_start[e + 1] - coord_start[e]
        _fractions(coords_xy, first, count, vfrac)
        n = max(math.ceil(edge_length_m[e] / step_m) + 1, 2)
        for i in range(n):
            x, y = _point_at(coords_xy, first, count, vfrac, i / (n - 1))
            col = math.floor((x - corner[0]) / cell_m)
            row = math.floor((y - corner[1]) / cell_m)
            if 0 <= row < rows and 0 <= col < cols:
                occupied[row, col] = True


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
    areas' limits (:func:`snap_to_limits`) make equal neighbours the rule.
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


def snap_to_limits(cost: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Raise each cost to the smallest limit at or above it (float32 as the areas compare).

    An area is the cells whose minimum is at most its limit, so only which limit a cost falls
    under matters; costs above every limit become ``inf``. Returns float64 for the binning.
    """
    bounds = np.sort(np.asarray(limits, dtype=np.float32))
    at = np.searchsorted(bounds, cost.astype(np.float32), side="left")
    snapped = np.append(bounds, np.float32(np.inf))[at]
    return snapped.astype(np.float64)


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


@kernel
def edges_in_box(
    nodes: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    node_xy: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    costs: np.ndarray,
    limit: float,
) -> np.ndarray:
    """Edges with an end among ``nodes`` (the nodes in the box ``low``-``high``), each once.

    Edges with an end reached (``costs <= limit``) are left out: the caller has them.
    """
    total = 0
    for n in nodes:
        total += indptr[n + 1] - indptr[n]
    found = np.empty(total, dtype=np.int64)
    k = 0
    for n in nodes:
        for j in range(indptr[n], indptr[n + 1]):
            e = indices[j]
            u = edge_u[e]
            x, y = node_xy[u, 0], node_xy[u, 1]
            if costs[u] <= limit or costs[edge_v[e]] <= limit:
                continue
            if u == n or not (low[0] <= x <= high[0] and low[1] <= y <= high[1]):
                found[k] = e
                k += 1
    return found[:k]
