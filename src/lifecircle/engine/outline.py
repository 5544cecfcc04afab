"""The walking areas' outlines: area cells traced into rings, simplified, compiled (numba).

:func:`outline_rings` traces the cells of an area (:func:`lifecircle.engine.raster.area_cells`)
into closed rings of cell corners, each simple, pieces touching at a corner kept apart.
:func:`simplify_rings` then removes the staircase ring by ring by Douglas-Peucker, in time
proportional to the ring and with no geometry objects: each ring keeps the corners GEOS's
``simplify(preserve_topology=False)`` keeps for it (tested ring by ring). A ring that would
fall below three corners is kept as traced. Rings are simplified independently, so two rings
may come to cross where a neck is narrower than the tolerance: the caller makes the result
valid.
"""

from __future__ import annotations

import math

import numpy as np

from lifecircle.engine.jit import kernel
from lifecircle.engine.raster import area_cells, label4

#: Directions of an outline step: east, north, west, south (counter-clockwise order).
_DX = np.array([1, 0, -1, 0], dtype=np.int64)
_DY = np.array([0, 1, 0, -1], dtype=np.int64)


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
def _segment_distance(xy: np.ndarray, i: int, a: int, b: int) -> float:
    """Distance from corner ``i`` to the segment from corner ``a`` to corner ``b``.

    Written as GEOS writes it (``Distance::pointToSegment``), so that equally distant corners,
    common on a staircase, compare the same way and the same corner is kept.
    """
    px, py = xy[i, 0], xy[i, 1]
    ax, ay, bx, by = xy[a, 0], xy[a, 1], xy[b, 0], xy[b, 1]
    if ax == bx and ay == by:
        return math.sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay))
    len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay)
    r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2
    if r <= 0.0:
        return math.sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay))
    if r >= 1.0:
        return math.sqrt((px - bx) * (px - bx) + (py - by) * (py - by))
    s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2
    return float(abs(s) * math.sqrt(len2))


@kernel
def _keep_span(
    ring: np.ndarray, first: int, last: int, tolerance: float, keep: np.ndarray, stack: np.ndarray
) -> None:
    """Mark the corners of ``ring`` kept between ``first`` and ``last`` (both kept already).

    ``last`` may be ``len(ring)``: the ring's first corner again, where it closes.
    """
    n = len(ring)
    stack[0, 0], stack[0, 1] = first, last
    top = 1
    while top > 0:
        top -= 1
        a, b = stack[top, 0], stack[top, 1]
        far, worst = -1, tolerance
        for i in range(a + 1, b):
            d = _segment_distance(ring, i, a, b % n)
            if d > worst:
                far, worst = i, d
        if far >= 0:
            keep[far] = True
            stack[top, 0], stack[top, 1] = a, far
            stack[top + 1, 0], stack[top + 1, 1] = far, b
            top += 2


@kernel
def simplify_rings(
    xy: np.ndarray, starts: np.ndarray, tolerance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Simplify closed rings (corners without the closing repeat) by Douglas-Peucker.

    ``xy[starts[k]:starts[k + 1]]`` is ring ``k``. Returns the kept corners and where each ring
    starts in them (plus the end), rings in the same order and direction.

    The ring is split at its first corner and at the corner farthest from it; each half is
    simplified as a line between those two; last, the first corner itself is dropped when it
    lies within the tolerance of the line joining its kept neighbours (as GEOS does).
    """
    keep = np.zeros(len(xy), dtype=np.bool_)
    stack = np.empty((len(xy) + 2, 2), dtype=np.int64)
    for k in range(len(starts) - 1):
        a, b = starts[k], starts[k + 1]
        n = b - a
        far, worst = a, -1.0
        for i in range(a + 1, b):
            d = _segment_distance(xy, i, a, a)
            if d > worst:
                far, worst = i, d
        keep[a] = True
        keep[far] = True
        _keep_span(xy[a:b], 0, far - a, tolerance, keep[a:b], stack)
        _keep_span(xy[a:b], far - a, n, tolerance, keep[a:b], stack)
        kept = 0
        for i in range(a, b):
            kept += keep[i]
        if kept < 3:  # a ring needs three corners: keep it as traced
            keep[a:b] = True
        elif kept > 3:
            _drop_first_if_flat(xy, a, b, tolerance, keep)
    out_starts = np.zeros(len(starts), dtype=np.int64)
    for k in range(len(starts) - 1):
        out_starts[k + 1] = out_starts[k] + keep[starts[k] : starts[k + 1]].sum()
    return xy[keep], out_starts


@kernel
def _drop_first_if_flat(xy: np.ndarray, a: int, b: int, tolerance: float, keep: np.ndarray) -> None:
    """Drop ring ``a:b``'s first corner when it lies within ``tolerance`` of its kept neighbours.

    The first corner was kept only because the ring starts there; GEOS and JTS simplify it like
    any other corner since 3.12 / 1.20, and so does this.
    """
    after, before = a + 1, b - 1
    while not keep[after]:
        after += 1
    while not keep[before]:
        before -= 1
    corners = np.empty((3, 2))
    corners[0], corners[1], corners[2] = xy[a], xy[after], xy[before]
    if _segment_distance(corners, 0, 1, 2) <= tolerance:
        keep[a] = False


@kernel
def trace_levels(
    best: np.ndarray,
    occupied: np.ndarray,
    limits: np.ndarray,
    max_cells: float,
    corner: np.ndarray,
    cell_m: float,
    tolerance: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Trace the areas of one walkshed grid, one per limit, in one call.

    For each limit: its cells (:func:`lifecircle.engine.raster.area_cells`), traced
    (:func:`outline_rings`), placed in metres (``corner`` is the grid's lower-left corner) and
    simplified (:func:`simplify_rings`; a ``tolerance`` of 0 keeps them as traced). Returns the
    corners in metres, where each ring starts in them (plus the end), each ring's piece
    (numbered from 0 across the limits, the rings of a piece together), its signed area (> 0
    for a piece's outer ring, < 0 for a hole) and each piece's limit (index into ``limits``).
    """
    parts_xy = []
    parts_starts = []
    parts_piece = []
    parts_signed = []
    piece_level = []
    n_pieces = 0
    for i in range(len(limits)):
        cells, row, col = area_cells(best, occupied, limits[i], max_cells)
        if not cells.any():
            continue
        corners, starts, pieces, signed = outline_rings(cells)
        x0, y0 = corner[0] + col * cell_m, corner[1] + row * cell_m
        xy = np.empty_like(corners)
        for k in range(len(corners)):
            xy[k, 0], xy[k, 1] = x0 + corners[k, 0] * cell_m, y0 + corners[k, 1] * cell_m
        if tolerance > 0:
            xy, starts = simplify_rings(xy, starts, tolerance)
        parts_xy.append(xy)
        parts_starts.append(starts)
        parts_piece.append(pieces - 1 + n_pieces)
        parts_signed.append(signed)
        count = pieces.max()
        for _ in range(count):
            piece_level.append(i)
        n_pieces += count
    n_corners, n_rings = 0, 0
    for k in range(len(parts_xy)):
        n_corners += len(parts_xy[k])
        n_rings += len(parts_piece[k])
    xy_out = np.empty((n_corners, 2))
    starts_out = np.zeros(n_rings + 1, dtype=np.int64)
    piece_out = np.empty(n_rings, dtype=np.int64)
    signed_out = np.empty(n_rings)
    c, r = 0, 0
    for k in range(len(parts_xy)):
        m, n = len(parts_xy[k]), len(parts_piece[k])
        xy_out[c : c + m] = parts_xy[k]
        starts_out[r + 1 : r + n + 1] = parts_starts[k][1:] + c
        piece_out[r : r + n] = parts_piece[k]
        signed_out[r : r + n] = parts_signed[k]
        c, r = c + m, r + n
    return xy_out, starts_out, piece_out, signed_out, np.array(piece_level, dtype=np.int64)
