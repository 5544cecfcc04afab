"""Attaching points once, on the full network: levels, islands, sides and the profile laws.

Hand-drawn sketches (coordinates in local metres, costs checkable by hand) for each rule, then
the laws standard ≤ elderly ≤ wheelchair on every compound × type of four real extracts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine.area import AreaData
from lifecircle.engine.graph import LocalRules
from lifecircle.engine.profiles import ELDERLY, PROFILES, STANDARD, WHEELCHAIR
from lifecircle.engine.results import compute_access
from lifecircle.engine.walk import build_walk
from lifecircle.jobs.area import read_area
from lifecircle.jobs.demo import demo_file
from lifecircle.model import Compound, Facility
from tests.conftest import DATA, SMALL_OSM
from tests.sketch import Sketch, lonlat

#: The real extracts the laws are checked on (see tests/data/osm/PROVENANCE.md).
REAL_EXTRACTS = {
    "nanjing": demo_file("nanjing_xinjiekou.osm.pbf"),
    "beijing": DATA / "osm" / "beijing_wudaokou.osm.pbf",
    "helsinki": demo_file("helsinki.osm.pbf"),
    "finland": SMALL_OSM,
}


def area_of(
    sketch: Sketch,
    *,
    facilities: Sequence[Facility] = (),
    compounds: Sequence[Compound] = (),
    rules: LocalRules | None = None,
) -> AreaData:
    return AreaData(
        ways=tuple(sketch.ways),
        nodes=tuple(sketch.nodes),
        facilities=tuple(facilities),
        compounds=tuple(compounds),
        boards=(),
        type_codes=tuple(sorted({f.type_code for f in facilities})),
        data_version=1,
        data_date="",
        taxonomy_version="",
        rules=rules or LocalRules(),
    )


def gate(name: str, x: float, y: float, *, home: tuple[float, float] | None = None) -> Compound:
    """A compound whose one gate is at (x, y) and whose homes stand at ``home``."""
    return Compound(name, name, *lonlat(*(home or (x, y))), entrances=(lonlat(x, y),))


def shop(code: str, x: float, y: float, **fields: object) -> Facility:
    return Facility(code, code, code, *lonlat(x, y), **fields)  # type: ignore[arg-type]


def from_osm_node(walk, osm_id: int) -> np.ndarray:
    """Cost from OSM node ``osm_id`` to every node of the walk's graph."""
    start = int(np.flatnonzero(walk.graph.node_osm == osm_id)[0])
    return dijkstra(walk.graph.matrix, directed=False, indices=start)


def facility_cost(walk, dist: np.ndarray, facility: int) -> float:
    nodes = walk.facility_nodes[walk.facility_of_point == facility]
    return float(dist[nodes].min()) if len(nodes) else np.inf


# --------------------------------------------------------------------------- levels


def street_over_tunnel() -> Sketch:
    """A street (y = 0) over a footway tunnel (x = 100) that surfaces at both ends."""
    s = Sketch().at(1, 0, 0).at(2, 200, 0).at(3, 100, -100).at(4, 100, 100)
    s.way(1, [1, 2], highway="residential")
    s.way(2, [3, 4], highway="footway", tunnel="yes", layer="-1")
    return s.way(3, [1, 3], highway="footway").way(4, [4, 2], highway="footway")


def test_a_gate_above_a_tunnel_joins_the_street_not_the_tunnel():
    area = area_of(street_over_tunnel(), compounds=[gate("上面小区", 100, 0, home=(100, 30))])
    walk = build_walk(area, STANDARD)
    dist = from_osm_node(walk, 1)
    # 100 m along the street; through the tunnel it would be 141 + 100 m
    assert dist[walk.entrance_nodes[0]] == pytest.approx(100 / 1.2)


def test_a_tunnel_only_a_little_nearer_loses_to_the_street():
    area = area_of(street_over_tunnel(), facilities=[shop("pharmacy", 102, 8)])
    walk = build_walk(area, STANDARD)  # tunnel 2 m away, street 8 m away
    assert facility_cost(walk, from_osm_node(walk, 1), 0) == pytest.approx((102 + 8) / 1.2)


def test_an_underground_shop_joins_the_tunnel():
    mall = shop("mall", 102, 8, extra={"layer": "-1"})
    walk = build_walk(area_of(street_over_tunnel(), facilities=[mall]), STANDARD)
    # from the tunnel's south end: 108 m along it, 2 m across to the shop
    assert facility_cost(walk, from_osm_node(walk, 3), 0) == pytest.approx(110 / 1.2)


def test_a_tunnel_under_a_school_ground_is_no_way_in():
    s = Sketch().at(1, 0, 0).at(5, 90, 0).at(2, 200, 0).at(3, 100, -100).at(4, 100, 100)
    s.way(1, [1, 5, 2], highway="residential")
    s.way(2, [3, 4], highway="footway", tunnel="yes", layer="-1")
    s.way(3, [1, 3], highway="footway").way(4, [4, 2], highway="footway")
    s.at(6, 90, 40).way(5, [5, 6], highway="footway")  # a path from the street into the ground
    corners = [lonlat(x, y) for x, y in [(80, 20), (120, 20), (120, 60), (80, 60), (80, 20)]]
    outline = "POLYGON ((" + ", ".join(f"{lon} {lat}" for lon, lat in corners) + "))"
    school = Facility("school", "学校", "primary_school", *lonlat(100, 40), outline_wkt=outline)
    walk = build_walk(area_of(s, facilities=[school]), STANDARD)
    # the tunnel crosses the outline twice below ground: the path is the one way in
    assert walk.points.kind.tolist() == ["facility"]
    assert facility_cost(walk, from_osm_node(walk, 5), 0) == pytest.approx(20 / 1.2, rel=1e-6)


# --------------------------------------------------------------------------- islands


def street_and_island() -> Sketch:
    """A main street (y = 0) and, 30 m north, a footway connected to nothing."""
    s = Sketch().at(1, 0, 0).at(2, 200, 0).at(20, 50, 30).at(21, 150, 30)
    return s.way(1, [1, 2], highway="residential").way(10, [20, 21], highway="footway")


def test_an_island_only_a_little_nearer_loses_to_the_main_network():
    walk = build_walk(area_of(street_and_island(), facilities=[shop("bank", 100, 24)]), STANDARD)
    assert walk.reported == ()  # island 6 m away, street 24 m: the street
    assert facility_cost(walk, from_osm_node(walk, 1), 0) == pytest.approx((100 + 24) / 1.2)


def test_a_point_on_an_island_is_attached_there_and_reported():
    area = area_of(
        street_and_island(),
        facilities=[shop("bank", 100, 27)],
        compounds=[gate("孤岛小区", 60, 32)],
    )
    walk = build_walk(area, STANDARD)
    assert {(p.kind, p.index, p.issue) for p in walk.reported} == {
        ("facility", 0, "island"),
        ("compound", 0, "island"),
    }
    assert np.isinf(facility_cost(walk, from_osm_node(walk, 1), 0))  # cut off from the street
    near = dijkstra(walk.graph.matrix, directed=False, indices=int(walk.entrance_nodes[0]))
    assert facility_cost(walk, near, 0) == pytest.approx((2 + 40 + 3) / 1.2)


# --------------------------------------------------------------------------- uncrossable sides


def fenced_arterial() -> Sketch:
    """A primary road (y = 0) with a side street north at x = 100 and one south at x = 150."""
    s = Sketch().at(1, 0, 0).at(5, 100, 0).at(9, 150, 0).at(2, 200, 0)
    s.at(6, 100, 100).at(10, 150, -100)
    s.way(1, [1, 5, 9, 2], highway="primary")
    return s.way(2, [5, 6], highway="residential").way(3, [9, 10], highway="residential")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_gate_on_an_uncrossable_road_joins_its_compounds_side(seed):
    rng = np.random.default_rng(seed)
    x = float(rng.uniform(20, 80))
    north, south = gate("北院", x, 0, home=(x, 40)), gate("南院", x, 0, home=(x, -40))
    shops = [shop("north_shop", 100, 100), shop("south_shop", 150, -100)]
    rules = LocalRules(uncrossable_ways=frozenset({1}))
    area = area_of(fenced_arterial(), facilities=shops, compounds=[north, south], rules=rules)
    walk = build_walk(area, STANDARD)
    from_gate = dijkstra(walk.graph.matrix, directed=False, indices=walk.entrance_nodes)
    half_wait = STANDARD.unsignalised_wait_s / 2  # the side street's end at the primary road
    assert facility_cost(walk, from_gate[0], 0) == pytest.approx((100 - x + 100) / 1.2 + half_wait)
    assert np.isinf(facility_cost(walk, from_gate[0], 1))
    assert facility_cost(walk, from_gate[1], 1) == pytest.approx((150 - x + 100) / 1.2 + half_wait)
    assert np.isinf(facility_cost(walk, from_gate[1], 0))


def test_a_shop_off_an_uncrossable_road_joins_the_side_it_stands_on():
    rules = LocalRules(uncrossable_ways=frozenset({1}))
    area = area_of(fenced_arterial(), facilities=[shop("kiosk", 60, -4)], rules=rules)
    walk = build_walk(area, STANDARD)
    south_end = from_osm_node(walk, 10)  # the south street reaches the kiosk along its side
    assert facility_cost(walk, south_end, 0) == pytest.approx((100 + 90 + 4) / 1.2 + 5.0)


# --------------------------------------------------------------------------- profiles agree


def kindergarten_by_steps() -> tuple[Sketch, Facility]:
    """Steps (x = 100) climb from a street (y = 0) to a terrace path (y = 50) that loops back;
    the kindergarten stands 3 m from the steps and 7 m from the street."""
    s = Sketch().at(1, 0, 0).at(5, 100, 0).at(2, 200, 0).at(4, 100, 50).at(6, 0, 50)
    s.way(1, [1, 5, 2], highway="footway").way(2, [5, 4], highway="steps")
    s.way(3, [4, 6], highway="footway").way(4, [6, 1], highway="footway")
    return s, shop("kindergarten", 103, 7)


def test_every_profile_reaches_a_point_where_it_was_attached_once():
    sketch, kindergarten = kindergarten_by_steps()
    area = area_of(sketch, facilities=[kindergarten])
    standard, elderly, wheelchair = (build_walk(area, p) for p in (STANDARD, ELDERLY, WHEELCHAIR))
    assert facility_cost(standard, from_osm_node(standard, 1), 0) == pytest.approx(110 / 1.2)
    # the elderly climb 7 m of the 50 m steps: 7/50 of the 120 s flight penalty
    want = 110 / 0.9 + ELDERLY.step_penalty_s * 7 / 50
    assert facility_cost(elderly, from_osm_node(elderly, 1), 0) == pytest.approx(want)
    # no wheelchair shortcut across the 7 m to the street: its only access is the steps
    assert wheelchair.facilities_unreached == (0,)
    assert [(p.kind, p.issue) for p in wheelchair.reported] == [("facility", "impassable")]
    assert standard.graph.n_nodes == elderly.graph.n_nodes == wheelchair.graph.n_nodes


def test_a_second_entrance_keeps_a_facility_reachable_by_wheelchair():
    sketch, _ = kindergarten_by_steps()
    two_doors = Facility(
        "kg", "幼儿园", "kindergarten", *lonlat(103, 7),
        entrances=(lonlat(103, 7), lonlat(150, 3)),
    )  # fmt: skip
    walk = build_walk(area_of(sketch, facilities=[two_doors]), WHEELCHAIR)
    assert walk.facilities_unreached == ()
    assert [p.issue for p in walk.reported] == ["impassable"]  # the door by the steps
    assert facility_cost(walk, from_osm_node(walk, 1), 0) == pytest.approx(153 / 0.9)


# --------------------------------------------------------------------------- real extracts


@pytest.fixture(scope="module", params=sorted(REAL_EXTRACTS))
def real_area(request, tmp_path_factory) -> tuple[str, AreaData]:
    from lifecircle.jobs.imports import import_osm
    from lifecircle.project import init_project

    project = init_project(tmp_path_factory.mktemp(request.param), name=request.param)
    import_osm(project, Path(REAL_EXTRACTS[request.param]), author="test")
    return request.param, read_area(project)


def test_the_profile_laws_hold_for_every_compound_and_type(real_area):
    name, area = real_area
    tables = {
        p: compute_access(area, PROFILES[p])[0].compounds
        for p in ("standard", "elderly", "wheelchair")
    }
    std, old, chair = (tables[p] for p in ("standard", "elderly", "wheelchair"))
    assert std.cost.shape == (len(area.compounds), len(area.type_codes)) and len(area.compounds)
    present = sorted({f.type_code for f in area.facilities})
    reached = np.isfinite(std.cost[:, [area.type_codes.index(c) for c in present]])
    assert reached.mean() > 0.5, name  # the laws are not checked on nothing
    # minutes: standard ≤ elderly ≤ wheelchair (inf = not reachable at all)
    assert np.all(std.cost <= old.cost * (1 + 1e-12)), name
    assert np.all(old.cost <= chair.cost * (1 + 1e-12)), name
    # counts within 5/10/15 minutes: the other way round
    assert np.all(std.counts >= old.counts) and np.all(old.counts >= chair.counts), name


# --------------------------------------------------------------------------- closed gates


def compound_with_two_gates() -> tuple[Sketch, Compound]:
    """A street (y = 0) and a compound north of it with gates on two paths, x = 50 and 250."""
    s = Sketch().at(1, 0, 0).at(2, 50, 0).at(3, 250, 0).at(4, 300, 0)
    s.at(5, 50, 60).at(6, 250, 60).way(1, [1, 2, 3, 4], highway="residential")
    s.way(2, [2, 5]).way(3, [5, 6]).way(4, [3, 6])
    home = Compound("c", "两门小区", *lonlat(150, 80), entrances=(lonlat(50, 20), lonlat(250, 20)))
    return s, home


def gate_costs(rules: LocalRules) -> list[float]:
    sketch, home = compound_with_two_gates()
    walk = build_walk(area_of(sketch, compounds=[home], rules=rules), STANDARD)
    return sorted(from_osm_node(walk, 1)[walk.entrance_nodes].round(6).tolist())


def test_a_closed_gate_is_not_used_and_its_path_is_cut():
    assert gate_costs(LocalRules()) == pytest.approx([70 / 1.2, 270 / 1.2])
    # a click 6 m off the gate: the path through it is cut, the compound walks out by the other
    shut = LocalRules(closed_gates=(lonlat(56, 22),))
    assert gate_costs(shut) == pytest.approx([270 / 1.2])
    sketch, home = compound_with_two_gates()
    walk = build_walk(area_of(sketch, compounds=[home], rules=shut), STANDARD)
    assert [(p.kind, p.index, p.issue) for p in walk.reported] == [("compound", 0, "closed")]
    inner = int(np.flatnonzero(walk.graph.node_osm == 5)[0])  # not through the closed gate
    assert from_osm_node(walk, 2)[inner] == pytest.approx((200 + 60 + 200) / 1.2)


def test_a_compound_whose_every_gate_is_closed_is_unreached_not_moved():
    sketch, home = compound_with_two_gates()
    both = LocalRules(closed_gates=(lonlat(50, 20), lonlat(250, 20)))
    walk = build_walk(area_of(sketch, compounds=[home], rules=both), STANDARD)
    assert walk.compounds_unreached == (0,) and len(walk.entrance_nodes) == 0
    assert {p.issue for p in walk.reported} == {"closed"}
