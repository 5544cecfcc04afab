"""The streets on the walking areas' lattice, laid out once per graph and cell size (numba).

Every walking area of a graph is computed on one lattice of ``cell_m`` cells anchored at the
local origin (cell ``(row, col)`` covers ``y`` in ``[row, row + 1)`` and ``x`` in
``[col, col + 1)`` cells). Where the streets lie on it does not depend on the walk, so
:class:`StreetCells` works it out once: each edge's points every ``cell_m`` along it, grouped
into runs of consecutive points in one cell (the cell, the first and last point's length
fraction), and a tiled bitmap of every cell a street passes through. A walkshed then costs
each run at its two ends: along an edge the cost ``min(cost_u + f c, cost_v + (1 - f) c)`` rises
from either end towards a single peak, so the cheapest point of a run is one of its ends, in
floating point too (both terms are monotone in ``f``). The result is the cheapest cost of every
cell the reached streets pass through, exactly as binning all the points would give it, in time
proportional to the cells reached rather than to the points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.jit import kernel
from lifecircle.errors import WalkshedError

#: Cells per side of one tile of the street bitmap.
TILE = 64


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


@dataclass(frozen=True, eq=False)
class StreetCells:
    """Where a graph's streets lie on the lattice of one cell size (see the module)."""

    cell_m: float
    run_start: np.ndarray  # (n_edges + 1,): edge e's runs are run_start[e]:run_start[e + 1]
    run_cell: np.ndarray  # (n_runs, 2) int64: lattice row and column
    run_frac: np.ndarray  # (n_runs, 2): length fraction of the run's first and last point
    coord_frac: np.ndarray  # length fraction of every polyline vertex along its edge
    tile_of: np.ndarray  # (tile rows, tile cols) int64: index into tiles, -1 when empty
    tiles: np.ndarray  # (n_tiles, TILE, TILE) bool: a street passes through the cell
    origin: np.ndarray  # (2,) int64: lattice row and column of tile (0, 0)'s first cell

    @classmethod
    def of(cls, graph: WalkGraph, cell_m: float) -> StreetCells:
        """Lay out every edge of a graph on the lattice of ``cell_m`` cells."""
        run_start, run_cell, run_frac, coord_frac = _runs(
            graph.edge_length_m, graph.coord_start, graph.coords_xy, cell_m
        )
        tile_of, tiles, origin = _tiles(run_cell)
        return cls(cell_m, run_start, run_cell, run_frac, coord_frac, tile_of, tiles, origin)

    def reached(
        self,
        graph: WalkGraph,
        costs: np.ndarray,
        edges: np.ndarray,
        limits: Sequence[float],
        *,
        margin: int,
        max_cells: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Grid the streets reached within the largest limit, ``margin`` cells around them.

        Returns each cell's cheapest cost (float32, binned to the limits: ``inf`` where no
        reached street passes or the cost is beyond every limit), where a street passes
        (reached or not), and the grid's first lattice cell (row, col); ``None`` when nothing
        is within the limits. A grid over ``max_cells`` cells is refused.
        """
        g = graph
        cheapest, occupied, low = _grid(
            edges, g.edge_u, g.edge_v, g.edge_cost, g.coord_start, g.coords_xy, costs,
            np.asarray(limits, dtype=float), self.run_start, self.run_cell, self.run_frac,
            self.coord_frac, self.cell_m, self.tile_of, self.tiles, self.origin, margin, max_cells,
        )  # fmt: skip
        if occupied.size == 0:  # nothing reached within the limits
            return None
        if cheapest.size == 0:
            rows, cols = low.tolist()
            raise WalkshedError(
                "error.walkshed.too_large",
                width_m=f"{cols * self.cell_m:.0f}",
                height_m=f"{rows * self.cell_m:.0f}",
                cells=f"{rows * cols:,}",
                cell_m=f"{self.cell_m:g}",
            )
        return cheapest, occupied, low


@kernel
def _runs(
    edge_length_m: np.ndarray, coord_start: np.ndarray, coords_xy: np.ndarray, cell_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Group each edge's points every ``cell_m`` (as the areas sample them) by lattice cell."""
    n_edges = len(edge_length_m)
    total = 0
    for e in range(n_edges):
        total += max(math.ceil(edge_length_m[e] / cell_m) + 1, 2)
    run_start = np.zeros(n_edges + 1, dtype=np.int64)
    run_cell = np.empty((total, 2), dtype=np.int64)
    run_frac = np.empty((total, 2))
    coord_frac = np.zeros(len(coords_xy))
    m = 0
    for e in range(n_edges):
        first, count = coord_start[e], coord_start[e + 1] - coord_start[e]
        vfrac = coord_frac[first : first + count]
        _fractions(coords_xy, first, count, vfrac)
        n = max(math.ceil(edge_length_m[e] / cell_m) + 1, 2)
        for i in range(n):
            f = i / (n - 1)
            x, y = _point_at(coords_xy, first, count, vfrac, f)
            row, col = math.floor(y / cell_m), math.floor(x / cell_m)
            if m > run_start[e] and run_cell[m - 1, 0] == row and run_cell[m - 1, 1] == col:
                run_frac[m - 1, 1] = f
            else:
                run_cell[m, 0], run_cell[m, 1] = row, col
                run_frac[m, 0], run_frac[m, 1] = f, f
                m += 1
        run_start[e + 1] = m
    return run_start, run_cell[:m].copy(), run_frac[:m].copy(), coord_frac


@kernel
def _tiles(run_cell: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tile the cells the runs pass through: tile index grid, tiles, first cell of tile 0."""
    origin = np.zeros(2, dtype=np.int64)
    if len(run_cell) == 0:
        return np.full((1, 1), -1, dtype=np.int64), np.zeros((0, TILE, TILE), np.bool_), origin
    origin[0], origin[1] = run_cell[:, 0].min(), run_cell[:, 1].min()
    rows = (run_cell[:, 0].max() - origin[0]) // TILE + 1
    cols = (run_cell[:, 1].max() - origin[1]) // TILE + 1
    tile_of = np.full((rows, cols), -1, dtype=np.int64)
    n = 0
    for i in range(len(run_cell)):
        tr, tc = (run_cell[i, 0] - origin[0]) // TILE, (run_cell[i, 1] - origin[1]) // TILE
        if tile_of[tr, tc] < 0:
            tile_of[tr, tc] = n
            n += 1
    tiles = np.zeros((n, TILE, TILE), dtype=np.bool_)
    for i in range(len(run_cell)):
        r, c = run_cell[i, 0] - origin[0], run_cell[i, 1] - origin[1]
        tiles[tile_of[r // TILE, c // TILE], r % TILE, c % TILE] = True
    return tile_of, tiles, origin


@kernel
def _copy_window(
    tile_of: np.ndarray, tiles: np.ndarray, origin: np.ndarray, low: np.ndarray, out: np.ndarray
) -> None:
    """Copy the bitmap's cells from lattice cell ``low`` into ``out`` (outside stays false)."""
    rows, cols = out.shape
    r_first, c_first = low[0] - origin[0], low[1] - origin[1]  # in bitmap cells
    for tr in range(max(r_first // TILE, 0), min((r_first + rows - 1) // TILE + 1, len(tile_of))):
        for tc in range(
            max(c_first // TILE, 0), min((c_first + cols - 1) // TILE + 1, tile_of.shape[1])
        ):
            k = tile_of[tr, tc]
            if k < 0:
                continue
            r0, c0 = max(tr * TILE, r_first), max(tc * TILE, c_first)
            r1 = min((tr + 1) * TILE, r_first + rows)
            c1 = min((tc + 1) * TILE, c_first + cols)
            for r in range(r0, r1):
                for c in range(c0, c1):
                    out[r - r_first, c - c_first] = tiles[k, r - tr * TILE, c - tc * TILE]


@kernel
def _snap(value: float, limits: np.ndarray) -> float:
    """Return the smallest limit (float32, ascending) at or above ``value``, else ``inf``.

    An area is the cells whose minimum is at most its limit, so only which limit a cost falls
    under matters; equal neighbours make the disk minimum cheap
    (:func:`lifecircle.engine.raster.disk_min`).
    """
    v = np.float32(value)
    for limit in limits:
        if v <= limit:
            return float(limit)
    return math.inf


@kernel
def _cost_at(cu: float, cv: float, c: float, f: float) -> float:
    """Cost of the point at length fraction ``f`` of an edge (ends ``cu``, ``cv``, cost ``c``)."""
    return min(cu + f * c, cv + (1.0 - f) * c)


@kernel
def _grid(
    edges: np.ndarray,
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    edge_cost: np.ndarray,
    coord_start: np.ndarray,
    coords_xy: np.ndarray,
    costs: np.ndarray,
    limits: np.ndarray,
    run_start: np.ndarray,
    run_cell: np.ndarray,
    run_frac: np.ndarray,
    coord_frac: np.ndarray,
    cell_m: float,
    tile_of: np.ndarray,
    tiles: np.ndarray,
    origin: np.ndarray,
    margin: int,
    max_cells: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cost the runs and cut points of ``edges``, then grid them (see :meth:`StreetCells.reached`).

    Returns the cheapest grid, the street grid and the first lattice cell. When nothing is
    within the limits both grids are empty; when the grid would exceed ``max_cells`` only the
    cheapest grid is empty and the third value holds the grid's shape.
    """
    bins = np.sort(limits.astype(np.float32))
    n = 2 * len(limits) * len(edges)  # cut points at most
    for e in edges:
        n += run_start[e + 1] - run_start[e]
    cell = np.empty((n, 2), dtype=np.int64)
    value = np.empty(n, dtype=np.float32)
    # the extent of the cells within the limits, in local variables (not arrays) so that the
    # compiler keeps them in registers: this loop runs once per cell of a street
    r0, c0, r1, c1 = 2**62, 2**62, -(2**62), -(2**62)
    k = 0
    for e in edges:
        cu, cv, c = costs[edge_u[e]], costs[edge_v[e]], edge_cost[e]
        # every point costs from min(cu, cv) to at most min(cu, cv) + c (as rounded below):
        # when both snap to one limit, so does every run, with no cost to work out
        low_end = min(cu, cv)
        one_bin = _snap(low_end, bins)
        if _snap(low_end + c, bins) != one_bin:
            one_bin = -1.0
        if one_bin != math.inf:  # else no run of the edge is within the limits
            for i in range(run_start[e], run_start[e + 1]):
                snapped = one_bin
                if snapped < 0:
                    f0, f1 = run_frac[i, 0], run_frac[i, 1]
                    snapped = _snap(min(_cost_at(cu, cv, c, f0), _cost_at(cu, cv, c, f1)), bins)
                if snapped != math.inf:
                    row, col = run_cell[i, 0], run_cell[i, 1]
                    r0, c0, r1, c1 = min(r0, row), min(c0, col), max(r1, row), max(c1, col)
                    cell[k, 0], cell[k, 1], value[k] = row, col, snapped
                    k += 1
        first, count = coord_start[e], coord_start[e + 1] - coord_start[e]
        for limit in limits:
            ru = min(max((limit - cu) / c, 0.0), 1.0)  # an unreached end (inf) gives 0
            rv = min(max((limit - cv) / c, 0.0), 1.0)
            for f, cut in ((ru, 0.0 < ru < 1.0), (1.0 - rv, 0.0 < rv < 1.0)):
                if cut:  # a cut point may lie in a cell its edge's points skip: always kept
                    x, y = _point_at(coords_xy, first, count, coord_frac[first:], f)
                    row, col = math.floor(y / cell_m), math.floor(x / cell_m)
                    snapped = _snap(_cost_at(cu, cv, c, f), bins)
                    if snapped != math.inf:
                        r0, c0, r1, c1 = min(r0, row), min(c0, col), max(r1, row), max(c1, col)
                    cell[k, 0], cell[k, 1], value[k] = row, col, snapped
                    k += 1
    low = np.array([r0, c0], dtype=np.int64)
    high = np.array([r1, c1], dtype=np.int64)
    if high[0] < low[0]:
        return np.empty((0, 0), np.float32), np.empty((0, 0), np.bool_), np.full(2, -1, np.int64)
    low -= margin
    rows, cols = high[0] + margin + 1 - low[0], high[1] + margin + 1 - low[1]
    if rows * cols > max_cells:
        shape = np.array([rows, cols], dtype=np.int64)
        return np.empty((0, 0), np.float32), np.ones((1, 1), np.bool_), shape
    grid = np.full((rows, cols), np.inf, dtype=np.float32)
    occupied = np.zeros((rows, cols), dtype=np.bool_)
    _copy_window(tile_of, tiles, origin, low, occupied)
    for j in range(k):
        r, c = cell[j, 0] - low[0], cell[j, 1] - low[1]
        if 0 <= r < rows and 0 <= c < cols:
            occupied[r, c] = True
            grid[r, c] = min(grid[r, c], value[j])
    return grid, occupied, low
