"""Minutes and routes from any point: hand-checkable graphs, then the demo's real network."""

from __future__ import annotations

import numpy as np
import pytest

from lifecircle.engine.bounded import street_graph
from lifecircle.engine.point import build_point_engine, engine_from_graph
from lifecircle.engine.profiles import ELDERLY, STANDARD
from lifecircle.errors import LocationError
from lifecircle.geo import haversine_m
from lifecircle.jobs.area import read_area
from lifecircle.model import Facility
from tests.web_fixtures import demo_project

__all__ = ["demo_project"]


def _line(profile=STANDARD):
    graph = street_graph(0.0, 500.0, 1000.0, profile=profile)
    at = graph.metric.to_lonlat
    shops = [
        Facility("near", "Near", "shop", *at(300.0, 0.0)),
        Facility("far", "Far", "shop", *at(990.0, 20.0)),
    ]
    return graph, engine_from_graph(graph, shops)


def test_minutes_count_the_walk_to_the_street_and_the_partial_edge():
    graph, engine = _line()
    start = graph.metric.to_lonlat(100.0, 30.0)  # 30 m off the street, 100 m along
    costs = engine.facility_costs(engine.reach([start], limit=900.0))
    assert costs[0] == pytest.approx((30 + 200) / 1.2, abs=0.5)
    assert costs[1] == pytest.approx((30 + 890 + 20) / 1.2, abs=0.5)


def test_the_limit_leaves_farther_facilities_out_and_slower_walkers_reach_less():
    graph, engine = _line()
    start = graph.metric.to_lonlat(0.0, 0.0)
    costs = engine.facility_costs(engine.reach([start], limit=300.0))
    assert np.isfinite(costs[0]) and np.isinf(costs[1])
    _, slow = _line(ELDERLY)
    slow_costs = slow.facility_costs(slow.reach([start], limit=900.0))
    assert slow_costs[0] == pytest.approx(300 / 0.9, abs=0.5)


def test_the_nearest_of_several_starts_counts():
    graph, engine = _line()
    gates = [graph.metric.to_lonlat(0.0, 0.0), graph.metric.to_lonlat(950.0, 0.0)]
    costs = engine.facility_costs(engine.reach(gates, limit=900.0))
    assert costs[1] == pytest.approx((40 + 20) / 1.2, abs=0.5)


def test_route_runs_from_the_start_to_the_facility_and_costs_the_access_minutes():
    graph, engine = _line()
    start = graph.metric.to_lonlat(100.0, 30.0)
    reach = engine.reach([start], limit=900.0)
    node = engine.facility_node(reach, 1)
    route = engine.route_to_node(reach, node)
    assert route.cost == engine.facility_costs(reach)[1]
    assert route.length_m == pytest.approx(30 + 890 + 20, abs=1.0)
    first, last = route.coords[0], route.coords[-1]
    assert haversine_m(*first, *start) < 0.5
    far = engine.graph.metric.to_lonlat(990.0, 20.0)
    assert haversine_m(*last, *far) < 0.5


def test_route_between_two_points_on_one_street():
    graph, engine = _line()
    a, b = graph.metric.to_lonlat(100.0, 0.0), graph.metric.to_lonlat(700.0, 0.0)
    route = engine.route_between(a, b)
    assert route.length_m == pytest.approx(600.0, abs=1.0)
    assert route.cost == pytest.approx(600 / 1.2, abs=0.5)


def test_a_point_far_from_every_street_is_a_location_error():
    graph, engine = _line()
    with pytest.raises(LocationError, match="more than 300 m"):
        engine.snap(*graph.metric.to_lonlat(500.0, 2000.0))


@pytest.fixture(scope="module")
def demo_engine(demo_project):
    data = read_area(demo_project)
    return data, build_point_engine(data, ELDERLY, snap_max_m=300.0)


def test_demo_routes_match_access_minutes_for_every_reached_facility_of_a_compound(demo_engine):
    data, engine = demo_engine
    compound = data.compounds[0]
    reach = engine.reach(list(compound.entrances), limit=900.0)
    costs = engine.facility_costs(reach)
    reached = np.flatnonzero(np.isfinite(costs))
    assert len(reached) > 10
    for i in reached[:: max(1, len(reached) // 25)].tolist():
        route = engine.route_to_node(reach, engine.facility_node(reach, i))
        assert route.cost == pytest.approx(costs[i])
        # the drawn line is as long as the walk it stands for (connectors included)
        lon, lat = np.array(route.coords).T
        drawn = float(np.sum(haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])))
        assert drawn == pytest.approx(route.length_m, rel=0.02, abs=2.0)
