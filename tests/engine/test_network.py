"""Hand-drawn walk graphs with minutes you can check by hand (coordinates in local metres)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine.graph import LocalRules
from lifecircle.engine.profiles import ELDERLY, PLANNING, STANDARD, WHEELCHAIR
from lifecircle.engine.snap import attach_points
from lifecircle.errors import GraphError
from lifecircle.model import WalkWay
from tests.sketch import Sketch, lonlat


def cost(graph, a_osm, b_osm):
    """Seconds from OSM node a to b (inf when either is not in the graph or unreachable)."""
    a, b = np.flatnonzero(graph.node_osm == a_osm), np.flatnonzero(graph.node_osm == b_osm)
    if len(a) == 0 or len(b) == 0:
        return float("inf")
    return float(dijkstra(graph.matrix, indices=int(a[0]))[int(b[0])])


def diamond():
    s = Sketch().at(1, 0, 0).at(2, 100, 0).at(3, 0, 100).at(4, 100, 100)
    return (
        s.way(10, [1, 2], highway="footway")
        .way(11, [2, 4], highway="footway")
        .way(12, [1, 3], highway="footway")
        .way(13, [3, 4], highway="residential")
    )


def test_diamond_minutes_are_length_over_speed():
    graph = diamond().graph()
    assert graph.n_nodes == 4 and graph.n_edges == 4
    assert cost(graph, 1, 4) == pytest.approx(200 / 1.2)
    assert cost(diamond().graph(ELDERLY), 1, 4) == pytest.approx(200 / 0.9)
    assert cost(diamond().graph(PLANNING), 1, 4) == pytest.approx(200.0)


def arterial(uncrossable=False):
    """A primary road (x=0) between A (-20,0) and B (20,0).

    Ways: a stepped footbridge A-S1-S2-B (10 + 20 + 10 m, each flight 20 steps); a detour along
    sidewalks to a signalised crossing 200 m south (200 + 40 + 200 m); and a residential street
    crossing the primary at grade 100 m north (100 + 40 + 100 m).
    """
    s = Sketch()
    for node, x, y in [
        (1, 0, -300),
        (2, 0, -200),
        (3, 0, 100),
        (4, 0, 300),
        (100, -20, 0),
        (200, 20, 0),
        (11, -10, 0),
        (12, 10, 0),
        (21, -20, -200),
        (22, 20, -200),
        (31, -20, 100),
        (32, 20, 100),
    ]:
        s.at(node, x, y)
    s.way(1, [1, 2, 3, 4], highway="primary")
    s.way(10, [100, 11], highway="steps", step_count="20")
    s.way(11, [11, 12], highway="footway", bridge="yes", layer="1")
    s.way(12, [12, 200], highway="steps", step_count="20")
    s.way(20, [100, 21], highway="footway", footway="sidewalk")
    s.way(21, [21, 2, 22], highway="footway", footway="crossing", crossing="traffic_signals")
    s.way(22, [22, 200], highway="footway", footway="sidewalk")
    s.way(30, [100, 31], highway="footway")
    s.way(31, [31, 3, 32], highway="residential")
    s.way(32, [32, 200], highway="footway")
    return s


def test_footbridge_profiles_differ_exactly_as_the_profiles_say():
    rules = LocalRules(uncrossable_ways=frozenset({1}))
    # standard: the 40 m footbridge, no step penalty
    assert cost(arterial().graph(STANDARD, rules), 100, 200) == pytest.approx(40 / 1.2)
    # elderly: footbridge = 40 m at 0.9 m/s + 2 flights x 120 s; detour = 440 m + 40 s signal
    bridge = 40 / 0.9 + 2 * 120
    detour = 440 / 0.9 + 40
    assert bridge < detour
    assert cost(arterial().graph(ELDERLY, rules), 100, 200) == pytest.approx(bridge)
    # wheelchair: steps impassable, so the signalised detour
    assert cost(arterial().graph(WHEELCHAIR, rules), 100, 200) == pytest.approx(detour)


def test_at_grade_crossing_costs_a_wait_and_an_uncrossable_road_removes_it():
    open_road = arterial().graph(WHEELCHAIR)
    # 240 m at grade, half the unsignalised wait (20 s) at each side of the junction
    assert cost(open_road, 100, 200) == pytest.approx(240 / 0.9 + 20)
    closed = arterial().graph(WHEELCHAIR, LocalRules(uncrossable_ways=frozenset({1})))
    assert cost(closed, 100, 200) == pytest.approx(440 / 0.9 + 40)


def test_ramp_or_escalator_takes_the_step_penalty_away():
    s = arterial()
    s.ways = [
        w
        if w.tags.get("highway") != "steps"
        else WalkWay(w.osm_id, w.node_ids, w.coords, {**w.tags, "conveying": "yes"})
        for w in s.ways
    ]
    assert cost(s.graph(ELDERLY), 100, 200) == pytest.approx(40 / 0.9)


def test_access_rules_and_barriers():
    s = diamond()
    s.ways[0] = WalkWay(10, (1, 2), s.ways[0].coords, {"highway": "footway", "access": "private"})
    assert cost(s.graph(), 1, 2) == pytest.approx(300 / 1.2)  # round the other three sides
    s.ways[0] = WalkWay(
        10, (1, 2), s.ways[0].coords, {"highway": "footway", "access": "private", "foot": "yes"}
    )
    assert cost(s.graph(), 1, 2) == pytest.approx(100 / 1.2)
    s.tag(3, barrier="kerb", kerb="raised")
    rules = LocalRules(impassable_ways=frozenset({10}))
    assert np.isinf(cost(s.graph(WHEELCHAIR, rules), 1, 4))
    assert cost(s.graph(STANDARD, rules), 1, 4) == pytest.approx(200 / 1.2)


def test_local_link_adds_a_walking_connection():
    s = Sketch().at(1, 0, 0).at(2, 100, 0).at(3, 0, 50).at(4, 100, 50)
    s.way(10, [1, 2], highway="footway").way(11, [3, 4], highway="footway")
    assert np.isinf(cost(s.graph(), 1, 3))
    link = (lonlat(50, 0), lonlat(50, 50))
    graph = s.graph(rules=LocalRules(links=(link,)))
    assert cost(graph, 1, 3) == pytest.approx((50 + 50 + 50) / 1.2, rel=1e-6)


def test_attach_points_splits_the_edge_and_counts_the_connector():
    graph = diamond().graph()
    lon, lat = zip(lonlat(50, -10), lonlat(50, 0.2), lonlat(5000, 5000), strict=True)
    attached = attach_points(graph, np.array(lon), np.array(lat), max_snap_m=300)
    g = attached.graph
    assert attached.node[2] == -1 and np.isinf(attached.snap_dist_m[2])
    assert attached.snap_dist_m[0] == pytest.approx(10, abs=1e-6)
    a = int(np.flatnonzero(g.node_osm == 1)[0])
    dist = dijkstra(g.matrix, indices=a)
    assert dist[attached.node[0]] == pytest.approx((50 + 10) / 1.2, rel=1e-6)
    assert dist[attached.node[1]] == pytest.approx(50 / 1.2, rel=1e-6)
    # the split keeps every other distance unchanged
    d = int(np.flatnonzero(g.node_osm == 4)[0])
    assert dist[d] == pytest.approx(200 / 1.2)


def test_no_usable_way_is_a_clear_error():
    s = Sketch().at(1, 0, 0).at(2, 10, 0).way(1, [1, 2], highway="steps")
    with pytest.raises(GraphError, match="wheelchair"):
        s.graph(WHEELCHAIR)
