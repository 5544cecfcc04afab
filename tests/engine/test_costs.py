"""Each profile's graph of the one network: prices, dropped edges, same nodes (hand-drawn)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine.area import AreaData
from lifecircle.engine.costs import profile_graph
from lifecircle.engine.network import build_network
from lifecircle.engine.profiles import ELDERLY, PLANNING, STANDARD, WHEELCHAIR
from lifecircle.engine.walk import build_walk
from lifecircle.model import Facility
from tests.sketch import METRIC, Sketch, lonlat


def side_street() -> Sketch:
    """A residential street (y = 0) from a primary road (x = 0) to a corner 100 m east."""
    s = Sketch().at(1, 0, 0).at(2, 0, 100).at(4, 0, -100).at(3, 100, 0)
    return s.way(1, [4, 1, 2], highway="primary").way(2, [1, 3], highway="residential")


def test_every_profile_keeps_every_node_and_drops_what_it_cannot_use():
    s = side_street().at(5, 100, 50).way(3, [3, 5], highway="steps").tag(2, barrier="wall")
    network = build_network(s.ways, s.nodes, metric=METRIC)
    graphs = [profile_graph(network, s.ways, s.nodes, p) for p in (STANDARD, ELDERLY, WHEELCHAIR)]
    assert {g.n_nodes for g in graphs} == {network.n_nodes}
    assert [sorted(set(g.edge_way.tolist())) for g in graphs] == [[1, 2, 3], [1, 2, 3], [1, 2]]
    assert all(2 not in g.node_osm[np.concatenate([g.edge_u, g.edge_v])] for g in graphs)
    distance = profile_graph(network, s.ways, s.nodes, PLANNING)
    np.testing.assert_allclose(distance.edge_cost, distance.edge_length_m)


def test_a_junction_wait_is_paid_where_the_road_is_crossed_not_spread_along_the_street():
    s = side_street()
    clinic = Facility("c", "诊所", "clinic", *lonlat(50, 5))
    area = AreaData(
        ways=tuple(s.ways), nodes=(), facilities=(clinic,), compounds=(), boards=(),
        type_codes=("clinic",), data_version=1, data_date="", taxonomy_version="",
    )  # fmt: skip
    walk = build_walk(area, STANDARD)
    g, node = walk.graph, int(walk.facility_nodes[0])

    def from_osm(osm_id: int) -> float:
        start = int(np.flatnonzero(g.node_osm == osm_id)[0])
        return float(dijkstra(g.matrix, directed=False, indices=start)[node])

    assert from_osm(3) == pytest.approx(55 / 1.2)  # from the corner: no road crossed
    half_wait = STANDARD.unsignalised_wait_s / 2  # the side street's end at the primary road
    assert from_osm(2) == pytest.approx(100 / 1.2 + half_wait + 55 / 1.2)
