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

#: Directions of an outline step: east, north, west, south (counter-clockwise order).
_DX = np.array([1, 0, -1, 0], dtype=np.int64)
_DY = np.array([0, 1, 0, -1], dtype=np.int64)


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


@kernel
def disk_min(cheapest: np.ndarray, radius_cells: float, ceiling: float) -> np.ndarray:
    """Return the minimum of ``cheapest`` over a disk of ``radius_cells`` around each cell.

    Row offset ``dy`` spans ``int(sqrt(r² - dy²))`` cells either side. Each cell at most
    ``ceiling`` stamps its disk, so the work follows the streets, not the grid; minima above
    ``ceiling`` (no area needs them) may be left ``inf``.
    """
    rows, cols = cheapest.shape
    reach = int(radius_cells)
    widths = np.empty(2 * reach + 1, dtype=np.int64)
    for k in range(2 * reach + 1):
        dy = k - reach
        widths[k] = int(math.sqrt(radius_cells**2 - dy * dy + 1e-9))
    best = np.full((rows, cols), np.inf, dtype=np.float32)
    top = np.float32(ceiling)  # as the areas compare: float32(limit)
    for r in range(rows):
        for c in range(cols):
            value = cheapest[r, c]
            if not value <= top:
                continue
            for k in range(2 * reach + 1):
                rr = r + k - reach
                if 0 <= rr < rows:
                    row = best[rr]
                    for cc in range(max(c - widths[k], 0), min(c + widths[k] + 1, cols)):
                        row[cc] = min(row[cc], value)
    return best


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
def _outline_starts(cells: np.ndarray) -> np.ndarray:
    """Bits (1 << direction) of the outline steps leaving each lattice point ``[y, x]``.

    Each area cell's sides facing a non-area cell are steps run counter-clockwise around it.
    """
    rows, cols = cells.shape
    out = np.zeros((rows + 1, cols + 1), dtype=np.uint8)
    for r in range(rows):
        for c in range(cols):
            if not cells[r, c]:
                continue
            if r == 0 or not cells[r - 1, c]:
                out[r, c] |= 1  # bottom side, east
            if c == cols - 1 or not cells[r, c + 1]:
                out[r, c + 1] |= 2  # right side, north
            if r == rows - 1 or not cells[r + 1, c]:
                out[r + 1, c + 1] |= 4  # top side, west
            if c == 0 or not cells[r, c - 1]:
                out[r + 1, c] |= 8  # left side, south
    return out


@kernel
def _next_step(out: np.ndarray, labels: np.ndarray, x: int, y: int, d: int) -> int:
    """Direction of the step after arriving at ``(x, y)`` heading ``d``.

    Where two area cells touch only at this corner (a saddle), the outline turns left (around
    the cell it follows) when they are parts of different pieces, and right when they belong
    to one piece: every ring is then simple and touches others at points only.
    """
    bits = out[y, x]
    if bits == 10:  # cells top-left and bottom-right
        same = labels[y, x - 1] == labels[y - 1, x]
    elif bits == 5:  # cells top-right and bottom-left
        same = labels[y, x] == labels[y - 1, x - 1]
    else:  # one step leaves here
        k = 0
        while not (bits >> k) & 1:
            k += 1
        return k
    return (d + 3) % 4 if same else (d + 1) % 4


@kernel
def outline_rings(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Trace the area cells' outline into closed rings (corners only, in cells).

    Returns the corner coordinates, where each ring starts in them (plus the end), the piece
    (4-connected component, ``1..n``) each ring bounds, and each ring's area signed positive
    for a piece's outer ring, negative for its holes (rings are drawn as
    :func:`_as_polygonize` says).
    """
    labels, _ = label4(cells)
    out = _outline_starts(cells)
    used = np.zeros_like(out)
    n_steps = 0
    for value in out.ravel():
        for k in range(4):
            n_steps += (value >> k) & 1
    step_x = np.empty(n_steps, dtype=np.int64)
    step_y = np.empty(n_steps, dtype=np.int64)
    step_d = np.empty(n_steps, dtype=np.int64)
    xy = np.empty((n_steps, 2))
    starts = [0]
    pieces = []
    areas = []
    m = 0
    for y0 in range(out.shape[0]):
        for x0 in range(out.shape[1]):
            while out[y0, x0] & ~used[y0, x0]:
                free = out[y0, x0] & ~used[y0, x0]
                d0 = 0
                while not (free >> d0) & 1:
                    d0 += 1
                # the cell left of the first step: east (y, x), north (y, x - 1), west
                # (y - 1, x - 1), south (y - 1, x)
                row = y0 - 1 if d0 >= 2 else y0
                col = x0 - 1 if d0 == 1 or d0 == 2 else x0
                pieces.append(labels[row, col])
                n, x, y, d = 0, x0, y0, d0
                while True:
                    used[y, x] |= 1 << d
                    step_x[n], step_y[n], step_d[n] = x, y, d
                    n += 1
                    x, y = x + _DX[d], y + _DY[d]
                    d = _next_step(out, labels, x, y, d)
                    if x == x0 and y == y0 and d == d0:
                        break
                twice = 0.0
                first = m
                for i in range(n):
                    if step_d[i] != step_d[i - 1 if i > 0 else n - 1]:
                        xy[m, 0], xy[m, 1] = step_x[i], step_y[i]
                        m += 1
                for i in range(first, m):
                    j = i + 1 if i + 1 < m else first
                    twice += xy[i, 0] * xy[j, 1] - xy[j, 0] * xy[i, 1]
                areas.append(twice / 2.0)
                starts.append(m)
                _as_polygonize(xy[first:m], twice > 0)
    return xy[:m], np.array(starts), np.array(pieces), np.array(areas)


@kernel
def _as_polygonize(ring: np.ndarray, outer: bool) -> None:
    """Reorder a traced ring as GEOS's polygonize draws it, in place.

    Douglas-Peucker keeps a ring's first point and breaks ties by order, so the simplified
    outline depends on where a ring starts and which way it runs; drawing them as before keeps
    the areas what they were. Outer rings run clockwise from their lowest-left corner (least
    ``x``, then least ``y``), holes counter-clockwise from the corner before it.
    """
    n = len(ring)
    low = 0
    for i in range(1, n):
        if ring[i, 0] < ring[low, 0] or (ring[i, 0] == ring[low, 0] and ring[i, 1] < ring[low, 1]):
            low = i
    start = low if outer else low + 1
    copy = ring.copy()
    for i in range(n):
        ring[i] = copy[(start - i) % n]


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
