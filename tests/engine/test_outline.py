"""Outlines traced from cells against shapely, and Douglas-Peucker against GEOS ring by ring."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from lifecircle.engine.outline import outline_rings, simplify_rings
from lifecircle.engine.walksheds import _multipolygons
from tests.engine.test_raster import random_masks


def blob_masks(count, seed):
    """Unions of random disks: outlines full of staircases, some with holes and saddles."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:40, :50]
    for _ in range(count):
        mask = np.zeros((40, 50), dtype=bool)
        for _ in range(rng.integers(1, 7)):
            cy, cx, r = rng.uniform(5, 35), rng.uniform(5, 45), rng.uniform(2, 12)
            mask ^= (rows - cy) ** 2 + (cols - cx) ** 2 <= r * r
        mask[[0, -1]] = False
        mask[:, [0, -1]] = False
        yield mask


@pytest.mark.parametrize("seed", [5, 6])
def test_each_ring_keeps_the_corners_geos_keeps(seed):
    """Same corners as ``shapely.simplify(ring, preserve_topology=False)`` wherever GEOS keeps
    a ring (it may collapse a ring smaller than the tolerance, which is kept whole here)."""
    rng = np.random.default_rng(seed)
    compared = 0
    for mask in blob_masks(60, seed):
        corners, starts, _, _ = outline_rings(mask)
        xy = np.array([356_000.5, -7.25]) + corners * 8.0  # metres, off the origin
        tolerance = float(rng.choice([5.0, 8.0, 12.0]))
        out, out_starts = simplify_rings(xy, starts, tolerance)
        assert len(out_starts) == len(starts)
        for k in range(len(starts) - 1):
            got = out[out_starts[k] : out_starts[k + 1]]
            want = shapely.simplify(
                shapely.linearrings(xy[starts[k] : starts[k + 1]]),
                tolerance,
                preserve_topology=False,
            )
            if len(want.coords) < 4:  # collapsed by GEOS
                assert np.array_equal(got, xy[starts[k] : starts[k + 1]])
                continue
            assert np.array_equal(got, np.asarray(want.coords)[:-1])
            compared += 1
    assert compared > 100


def test_a_staircase_becomes_its_diagonal():
    steps = [(0.0, 0.0)] + [(x, y) for i in range(4) for (x, y) in ((i, i + 1), (i + 1, i + 1))]
    ring = np.array([*steps, (4.0, 0.0)])
    out, starts = simplify_rings(ring, np.array([0, len(ring)]), 1.0)
    assert starts.tolist() == [0, 3]
    assert out.tolist() == [[0.0, 0.0], [4.0, 4.0], [4.0, 0.0]]


def test_a_first_corner_in_the_middle_of_a_side_is_dropped():
    ring = np.array([(2.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)])
    out, starts = simplify_rings(ring, np.array([0, 5]), 1.0)
    assert starts.tolist() == [0, 4]
    assert out.tolist() == [[4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]]


def test_a_ring_that_would_collapse_is_kept_as_traced():
    square = np.array([(0.0, 0.0), (0.0, 4.0), (4.0, 4.0), (4.0, 0.0)])
    out, starts = simplify_rings(square, np.array([0, 4]), 10.0)
    assert starts.tolist() == [0, 4]
    assert np.array_equal(out, square)


def cells_as_boxes(mask, corner, cell_m):
    rows, cols = np.nonzero(mask)
    x, y = corner[0] + cols * cell_m, corner[1] + rows * cell_m
    return shapely.union_all(shapely.box(x, y, x + cell_m, y + cell_m))


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_traced_rings_make_exactly_the_cells_as_valid_polygons(seed):
    """Dense random grids are full of saddles (cells touching at a corner only)."""
    corner, cell_m = np.array([100.0, -40.0]), 8.0
    for mask in random_masks(30, seed):
        got = _cell_polygons(mask, corner, cell_m)
        assert got.is_valid, shapely.is_valid_reason(got)
        assert got.area == pytest.approx(mask.sum() * cell_m**2)
        assert got.equals(cells_as_boxes(mask, corner, cell_m))
        assert holes_of(got) == holes_of(cells_as_boxes(mask, corner, cell_m))


def _cell_polygons(cells, corner, cell_m):
    """The cells' union as the walking areas build it from the traced rings (not simplified)."""
    corners, starts, pieces, signed = outline_rings(cells)
    xy = corner + corners * cell_m
    groups = np.zeros(int(pieces.max(initial=0)), dtype=np.int64)
    return _multipolygons(xy, starts, pieces - 1, signed, groups, 1)[0]


def holes_of(area):
    return sum(len(p.interiors) for p in shapely.get_parts(area))


def test_outer_rings_run_clockwise_from_their_lowest_left_corner_and_holes_the_other_way():
    mask = np.zeros((6, 6), dtype=bool)
    mask[1:5, 1:5] = True
    mask[2:4, 2:4] = False
    xy, starts, pieces, signed = outline_rings(mask)
    assert starts.tolist() == [0, 4, 8] and pieces.tolist() == [1, 1]
    assert signed.tolist() == [16.0, -4.0]
    assert xy[:4].tolist() == [[1, 1], [1, 5], [5, 5], [5, 1]]
    assert xy[4:].tolist() == [[2, 4], [2, 2], [4, 2], [4, 4]]
