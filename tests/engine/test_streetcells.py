"""The streets on the lattice: costed runs against every sampled point binned one by one."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from lifecircle.engine.network import build_walk_graph
from lifecircle.engine.profiles import ELDERLY, STANDARD
from lifecircle.engine.raster import reached_edges
from lifecircle.engine.streetcells import StreetCells
from lifecircle.engine.walksheds import _incidence, reached_costs
from lifecircle.errors import WalkshedError
from lifecircle.io.osm import read_osm
from lifecircle.jobs.demo import demo_file

LIMITS = [300.0, 600.0, 900.0]


@pytest.fixture(scope="module")
def nanjing():
    extract = read_osm(demo_file("nanjing_xinjiekou.osm.pbf"), match_type=lambda tags: None)
    return {p.name: build_walk_graph(extract.ways, extract.nodes, p) for p in (STANDARD, ELDERLY)}


def brute_force(graph, costs, edges, cell_m):
    """Bin every point one by one: the cheapest cost per cell, binned to the limits."""
    bins = np.sort(np.float32(LIMITS))
    cheapest, streets = {}, set()
    for e in edges:
        line = shapely.LineString(graph.coords_xy[graph.coord_start[e] : graph.coord_start[e + 1]])
        cu, cv = costs[graph.edge_u[e]], costs[graph.edge_v[e]]
        c = graph.edge_cost[e]
        n = max(math.ceil(graph.edge_length_m[e] / cell_m) + 1, 2)
        fractions = [i / (n - 1) for i in range(n)]
        for limit in LIMITS:
            ru = min(max((limit - cu) / c, 0.0), 1.0)
            rv = min(max((limit - cv) / c, 0.0), 1.0)
            fractions += [ru] if 0.0 < ru < 1.0 else []
            fractions += [1.0 - rv] if 0.0 < rv < 1.0 else []
        for f in fractions:
            point = line.interpolate(f, normalized=True) if line.length > 0 else line.centroid
            cell = (math.floor(point.y / cell_m), math.floor(point.x / cell_m))
            streets.add(cell)
            cost = np.float32(min(cu + f * c, cv + (1.0 - f) * c))
            at = np.searchsorted(bins, cost)
            snapped = bins[at] if at < len(bins) else np.float32(np.inf)
            cheapest[cell] = min(cheapest.get(cell, np.float32(np.inf)), snapped)
    return cheapest, streets


@pytest.mark.parametrize("cell_m", [8.0, 4.0])
@pytest.mark.parametrize("profile", ["standard", "elderly"])
def test_costed_runs_give_every_cell_the_cost_its_cheapest_point_gives(nanjing, profile, cell_m):
    graph = nanjing[profile]
    streets = StreetCells.of(graph, cell_m)
    incidence = _incidence(graph)
    compared = 0
    for origin in np.random.default_rng(3).choice(graph.n_nodes, 4, replace=False):
        costs = reached_costs(graph, np.array([origin]), limit=max(LIMITS))
        reached = np.flatnonzero(costs <= max(LIMITS))
        edges = reached_edges(
            reached, incidence.indptr, incidence.indices, graph.edge_u, costs, max(LIMITS)
        )
        found = streets.reached(graph, costs, edges, LIMITS, margin=9, max_cells=10**8)
        assert found is not None
        grid, occupied, low = found
        want, passed = brute_force(graph, costs, edges, cell_m)
        # shapely and the kernel place a point a rounding apart: a point on a cell's edge may
        # land on either side of it
        finite = {cell: v for cell, v in want.items() if np.isfinite(v)}
        same = sum(grid[r - low[0], c - low[1]] == v for (r, c), v in finite.items())
        assert same >= 0.999 * len(finite)
        got_finite = int(np.isfinite(grid).sum())
        assert abs(got_finite - len(finite)) <= 0.001 * len(finite) + 1
        inside = [
            (r - low[0], c - low[1])
            for r, c in passed
            if 0 <= r - low[0] < grid.shape[0] and 0 <= c - low[1] < grid.shape[1]
        ]
        marked = sum(occupied[r, c] for r, c in inside)
        assert marked >= 0.999 * len(inside)
        # the margin: every costed cell lies at least 9 cells inside the grid
        rows, cols = np.nonzero(np.isfinite(grid))
        assert rows.min() >= 9 and cols.min() >= 9
        assert rows.max() < grid.shape[0] - 9 and cols.max() < grid.shape[1] - 9
        compared += len(finite)
    assert compared > 1000


def test_the_street_bitmap_holds_streets_nobody_reached(nanjing):
    graph = nanjing["standard"]
    streets = StreetCells.of(graph, 8.0)
    costs = reached_costs(graph, np.array([0]), limit=120.0)
    reached = np.flatnonzero(costs <= 120.0)
    incidence = _incidence(graph)
    edges = reached_edges(reached, incidence.indptr, incidence.indices, graph.edge_u, costs, 120.0)
    grid, occupied, low = streets.reached(graph, costs, edges, [120.0], margin=40, max_cells=10**8)
    assert occupied.sum() > np.isfinite(grid).sum()  # streets beyond two minutes are there too
    # every cell of the whole network's points in the window is marked
    everything = streets.run_cell
    rows, cols = everything[:, 0] - low[0], everything[:, 1] - low[1]
    inside = (rows >= 0) & (rows < grid.shape[0]) & (cols >= 0) & (cols < grid.shape[1])
    want = np.zeros_like(occupied)
    want[rows[inside], cols[inside]] = True
    assert not (want & ~occupied).any()
    # beyond the network's points only cut points, one per partly reached edge end at most
    assert (occupied & ~want).sum() <= 2 * len(edges)


def test_nothing_within_the_limits_gives_none_and_a_huge_grid_is_refused(nanjing):
    graph = nanjing["standard"]
    streets = StreetCells.of(graph, 8.0)
    far = np.full(graph.n_nodes, np.inf)
    assert streets.reached(graph, far, np.arange(graph.n_edges), LIMITS, margin=9,
                           max_cells=10**8) is None  # fmt: skip
    costs = reached_costs(graph, np.array([0]), limit=900.0)
    with pytest.raises(WalkshedError) as refused:
        streets.reached(graph, costs, np.arange(graph.n_edges), LIMITS, margin=9, max_cells=100)
    assert refused.value.msg.key == "error.walkshed.too_large"
