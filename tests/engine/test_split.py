"""Edges split where points meet them: checked against shapely's own cutting of the polylines."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import ops

from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.profiles import STANDARD
from lifecircle.engine.snap import attach_points
from lifecircle.engine.split import ON_EDGE_M, Feet, split_at_feet
from lifecircle.geo import local_metric_transformer

METRIC = local_metric_transformer(117.2, 39.1)


def bent_graph() -> WalkGraph:
    """Two edges from (0,0): a bent polyline (0,0)-(100,0)-(100,100), and a straight one south."""
    return WalkGraph(
        profile=STANDARD,
        metric=METRIC,
        node_xy=np.array([[0.0, 0.0], [100.0, 100.0], [0.0, -300.0]]),
        node_osm=np.array([1, 2, 3]),
        edge_u=np.array([0, 0]),
        edge_v=np.array([1, 2]),
        edge_cost=np.array([200 / 1.2, 300 / 1.2]),
        edge_length_m=np.array([200.0, 300.0]),
        edge_way=np.array([7, 8]),
        edge_side=np.array([0, 0], dtype=np.int8),
        coord_start=np.array([0, 3, 5]),
        coords_xy=np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 0.0], [0.0, -300.0]]),
    )


def attach(graph: WalkGraph, xy: list[tuple[float, float]]):
    lon, lat = METRIC.to_lonlat(np.array([p[0] for p in xy]), np.array([p[1] for p in xy]))
    return attach_points(graph, np.asarray(lon), np.asarray(lat), max_snap_m=50.0)


def test_pieces_keep_the_bend_and_cost_their_share():
    graph = bent_graph()
    # on edge 0: 50 m along (10 m beside it), 150 m along twice (10 m either side), its far end
    # and its start (on it); fractions as the snapping gives them
    xy = np.array([[50.0, 10.0], [110.0, 50.0], [100.0, 100.0], [90.0, 50.0], [0.0, 0.0]])
    feet = Feet(
        edges=np.array([0]),
        member_ptr=np.array([0, 5]),
        members=np.arange(5),
        frac=np.array([0.25, 0.75, 1.0, 0.75, 0.0]),
        dist=np.array([10.0, 10.0, 0.0, 10.0, 0.0]),
        xy=xy,
    )
    g, node = split_at_feet(graph, feet)
    # the straight edge stays; the bent one became three pieces (cuts at 50 and 150 m)
    pieces = np.flatnonzero(g.edge_way == 7)
    assert len(pieces) == 3 and (g.edge_way == 8).sum() == 1
    lengths = g.edge_length_m[pieces]
    np.testing.assert_allclose(lengths, [50.0, 100.0, 50.0])
    np.testing.assert_allclose(g.edge_cost[pieces], lengths / 1.2)
    line = shapely.LineString([(0, 0), (100, 0), (100, 100)])
    for k, (a, b) in zip(pieces, [(0, 50), (50, 150), (150, 200)], strict=True):
        want = np.asarray(ops.substring(line, a, b).coords)
        np.testing.assert_allclose(g.edge_coords(int(k)), want)
    # cut nodes 3 and 4; the points off the edge get nodes of their own after them
    assert node[2] == 1 and node[4] == 0
    assert g.edge_u[pieces].tolist() == [0, 3, 4] and g.edge_v[pieces].tolist() == [3, 4, 1]
    assert node[0] == 5 and node[1] == 6 and node[3] == 7
    for i, cut in [(0, 3), (1, 4), (3, 4)]:
        edge = int(np.flatnonzero(g.edge_v == node[i])[0])
        assert g.edge_u[edge] == cut and g.edge_way[edge] == -1
        assert g.edge_length_m[edge] == 10.0 and g.edge_cost[edge] == pytest.approx(10 / 1.2)
        np.testing.assert_allclose(g.edge_coords(edge), [g.node_xy[cut], xy[i]])


def test_points_on_the_edge_need_no_connector_and_order_is_by_first_point():
    points = [(0.0, -200.0), (40.0, ON_EDGE_M / 2), (3.0, -250.0)]
    got = attach(bent_graph(), points)
    g = got.graph
    assert got.edge.tolist() == [1, 0, 1]
    n0 = 3
    # edge 1 (its first point comes first): its cut nodes at 200 and 250 m, then the point
    # 3 m off it; then edge 0's cut node, where its point stands (no node of its own)
    assert got.node[0] == n0 and got.node[2] == n0 + 2 and got.node[1] == n0 + 3
    assert g.n_nodes == n0 + 4
    want = [[0, -200], [0, -250], [3, -250], [40, 0]]
    np.testing.assert_allclose(g.node_xy[n0:], want, atol=1e-6)
    assert (g.edge_way == -1).sum() == 1
    assert g.edge_length_m[g.edge_way == 8].sum() == pytest.approx(300.0)
    assert g.edge_length_m[g.edge_way == 7].sum() == pytest.approx(200.0)
