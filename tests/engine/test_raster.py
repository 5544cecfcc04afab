"""The compiled grid kernels against plain numpy, scipy and shapely on random grids."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from lifecircle.engine import raster


def random_masks(count, seed, shape=(23, 31)):
    rng = np.random.default_rng(seed)
    for k in range(count):
        density = (0.2, 0.5, 0.8)[k % 3]
        mask = rng.random(shape) < density
        mask[[0, -1]] = False
        mask[:, [0, -1]] = False
        yield mask


@pytest.mark.parametrize("seed", [1, 2])
def test_labels_are_scipys_four_connected_components(seed):
    for mask in random_masks(30, seed):
        for image in (mask, ~mask):
            want, n_want = ndimage.label(image)
            got, n_got = raster.label4(image)
            assert n_got == n_want
            assert np.array_equal(got, want)


def test_labels_of_an_empty_and_a_full_grid():
    assert raster.label4(np.zeros((3, 4), dtype=bool))[1] == 0
    labels, n = raster.label4(np.ones((3, 4), dtype=bool))
    assert n == 1 and (labels == 1).all()


def disk_min_by_scipy(cheapest, radius):
    reach = int(radius)
    dy, dx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    widths = np.sqrt(radius**2 - dy**2 + 1e-9).astype(int)
    footprint = np.abs(dx) <= widths
    return ndimage.minimum_filter(cheapest, footprint=footprint, mode="constant", cval=np.inf)


@pytest.mark.parametrize("radius", [1.0, 3.5, 6.25, 12.5])
def test_disk_minimum_equals_scipys_filter_up_to_the_ceiling(radius):
    rng = np.random.default_rng(int(radius * 4))
    cheapest = np.full((60, 70), np.inf, dtype=np.float32)
    at = rng.random(cheapest.shape) < 0.05
    cheapest[at] = rng.uniform(0, 1000, at.sum()).astype(np.float32)
    # streets: runs across, up and down, and diagonal staircases, costs rising along them
    cheapest[20, 5:60] = np.linspace(0, 900, 55)
    cheapest[3:55, 40] = np.linspace(800, 100, 52)
    steps = np.arange(30)
    cheapest[10 + steps, 10 + steps] = 50.0 + 20 * steps
    cheapest[10 + steps, 11 + steps] = 60.0 + 20 * steps
    want = disk_min_by_scipy(cheapest, radius)
    got = raster.disk_min(cheapest, radius, 600.0)
    low = want <= np.float32(600.0)
    assert np.array_equal(got[low], want[low])
    assert np.isinf(got[~low]).all() or (got[~low] > np.float32(600.0)).all()


def area_cells_by_scipy(best, occupied, limit, max_cells):
    """The rule as it was written before the kernels (numpy and scipy)."""
    mask = best <= np.float32(limit)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    frame = np.s_[rows[0] - 1 : rows[-1] + 2, cols[0] - 1 : cols[-1] + 2]
    window = mask[frame]
    labels, n = ndimage.label(~window)
    size = np.bincount(labels.ravel(), minlength=n + 1)
    busy = np.bincount(labels[occupied[frame]], minlength=n + 1)
    fill = (size <= max_cells) & (busy == 0)
    fill[0] = False
    fill[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = False
    return window | fill[labels], rows[0] - 1, cols[0] - 1


@pytest.mark.parametrize("seed", [6, 7])
def test_area_cells_fill_the_small_quiet_holes_as_before(seed):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        best = rng.uniform(0, 100, (40, 50)).astype(np.float32)
        best[:2], best[-2:], best[:, :2], best[:, -2:] = np.inf, np.inf, np.inf, np.inf
        occupied = rng.random(best.shape) < 0.02
        for limit, max_cells in ((30.0, 4.0), (60.0, 12.5), (90.0, 1e9)):
            got = raster.area_cells(best, occupied, limit, max_cells)
            want = area_cells_by_scipy(best, occupied, limit, max_cells)
            assert np.array_equal(got[0], want[0]) and got[1:] == want[1:]
