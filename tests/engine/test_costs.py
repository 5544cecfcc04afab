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


class _Recording(dict[str, str]):
    """Tags that remember every key a rule looked up."""

    def __init__(self, tags: dict[str, str], seen: set[str]) -> None:
        super().__init__(tags)
        self.seen = seen

    def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
        self.seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.seen.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.seen.add(str(key))
        return super().__contains__(key)


def test_the_rules_read_only_the_tags_that_make_ways_and_nodes_alike():
    """Ways alike in WAY_KEYS (nodes in NODE_KEYS) are priced once for all of them: a rule
    reading any other tag would price two ways alike that differ in it."""
    from lifecircle.engine.profiles import (
        NODE_KEYS,
        PROFILES,
        WAY_KEYS,
        is_major_road,
        is_signalised,
        node_is_passable,
        steps_penalty_s,
        way_is_walkable,
    )

    samples = [
        {"highway": "steps", "step_count": "44", "ramp": "yes", "ramp:stroller": "no"},
        {"highway": "steps", "conveying": "yes", "ramp:wheelchair": "no", "foot": "yes"},
        {"highway": "footway", "footway": "crossing", "crossing": "traffic_signals"},
        {"highway": "primary", "access": "private", "foot": "designated", "wheelchair": "no"},
        {"barrier": "kerb", "kerb": "raised", "highway": "traffic_signals", "access": "no"},
        {"barrier": "wall", "name": "墙", "surface": "paved"},
    ]
    way_seen: set[str] = set()
    node_seen: set[str] = set()
    for tags in samples:
        for profile in PROFILES.values():
            way_is_walkable(_Recording(tags, way_seen), profile)
            steps_penalty_s(_Recording(tags, way_seen), profile)
            node_is_passable(_Recording(tags, node_seen), profile)
        is_major_road(_Recording(tags, way_seen))
        is_signalised(_Recording(tags, way_seen))
        is_signalised(_Recording(tags, node_seen))
    assert way_seen <= set(WAY_KEYS)
    assert node_seen <= set(NODE_KEYS)
    assert "name" not in way_seen | node_seen


def test_ways_priced_by_kind_cost_what_each_way_alone_would():
    """Two ways alike in the rules' tags but not in others (a name) price alike; a third,
    differing in its steps, does not."""
    s = side_street().at(5, 100, 50).at(6, 100, 100).at(7, 100, 150)
    s = s.way(3, [3, 5], highway="steps", name="甲").way(4, [5, 6], highway="steps", name="乙")
    s = s.way(5, [6, 7], highway="steps", step_count="60")
    network = build_network(s.ways, s.nodes, metric=METRIC)
    graph = profile_graph(network, tuple(s.ways), tuple(s.nodes), ELDERLY)
    cost = dict(zip(graph.edge_way.tolist(), graph.edge_cost.tolist(), strict=True))
    walk = dict(zip(graph.edge_way.tolist(), graph.edge_length_m / ELDERLY.speed_mps, strict=True))
    penalty = ELDERLY.step_penalty_s
    assert penalty
    assert cost[3] == pytest.approx(walk[3] + penalty)
    assert cost[4] == pytest.approx(walk[4] + penalty)
    assert cost[5] == pytest.approx(walk[5] + 3 * penalty)  # 60 steps: three flights of 20
