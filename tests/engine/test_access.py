"""Access: hand-drawn graphs with minutes checkable by hand, and real extracts against networkx.

Hand-made graphs use the shared Sketch helper (tests/sketch.py: coordinates in local metres).
The real extracts are the packaged central-Helsinki demo and tests/data/osm/test.osm.pbf; the
compound gates placed on them here are synthetic (seeded random points beside real streets).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from lifecircle.engine.access import (
    compound_access,
    counts_within,
    entrance_access,
    nearest_by_type,
)
from lifecircle.engine.attach import attach_all
from lifecircle.engine.entrance import SetCounts
from lifecircle.engine.graph import WalkGraph, extend_graph
from lifecircle.engine.network import build_walk_graph
from lifecircle.engine.profiles import PLANNING, STANDARD, node_is_passable, way_is_walkable
from lifecircle.engine.results import (
    COMPOUND_CELL_M,
    compound_targets,
    origin_sets,
    trace_walksheds,
)
from lifecircle.io.osm import read_osm
from lifecircle.jobs.demo import demo_file
from lifecircle.model import Board, Compound, Facility
from lifecircle.taxonomy import load_taxonomy
from tests.sketch import Sketch, lonlat

REAL_EXTRACTS = {
    "helsinki": demo_file("helsinki.osm.pbf"),
    "finland": Path(__file__).parents[1] / "data" / "osm" / "test.osm.pbf",
}


def node(graph, osm_id):
    return int(np.flatnonzero(graph.node_osm == osm_id)[0])


def tee(profile=STANDARD):
    """A T: 1 (0,0) — 2 (360,0) — 3 (720,0) along a street, and 2 — 4 (360,720) up a footway.

    At 1.2 m/s: 1–2 and 2–3 take 300 s, 2–4 600 s.
    """
    s = Sketch().at(1, 0, 0).at(2, 360, 0).at(3, 720, 0).at(4, 360, 720)
    return (
        s.way(10, [1, 2, 3], highway="residential")
        .way(11, [2, 4], highway="footway")
        .graph(profile)
    )


def shop(name, x, y, type_code="shop", **fields):
    return Facility(f"test:{name}", name, type_code, *lonlat(x, y), **fields)


# --------------------------------------------------------------------------- hand-drawn graphs


def test_nearest_by_type_gives_exact_seconds_and_the_facility():
    g = tee()
    n1, n2, n3, n4 = (node(g, i) for i in (1, 2, 3, 4))
    sources = {"shop": np.array([n3, n4]), "bus": np.array([n1])}
    result = nearest_by_type(g, sources, owners={"shop": np.array([7, 8]), "bus": np.array([9])})
    shop_row, bus_row = result.cost
    assert shop_row[[n1, n2, n3, n4]] == pytest.approx([600, 300, 0, 0], rel=1e-9)
    assert bus_row[[n1, n2, n3, n4]] == pytest.approx([0, 300, 600, 900], rel=1e-9)
    assert result.nearest[0, [n1, n2, n3, n4]].tolist() == [7, 7, 7, 8]
    assert result.unit == "s" and result.type_codes == ("shop", "bus")
    # without owners the nearest is the source node; beyond the limit: inf and -1
    bounded = nearest_by_type(g, {"bus": np.array([n1])}, limit=600.0)
    assert np.isinf(bounded.cost[0, n4]) and bounded.nearest[0, n4] == -1
    assert bounded.nearest[0, n3] == n1


def test_limits_are_inclusive_in_metres_for_the_distance_convention():
    g = tee(PLANNING)  # costs are metres: 1 -> 3 is 720 m
    n1, n3 = node(g, 1), node(g, 3)
    src = {"school": np.array([n3])}
    assert nearest_by_type(g, src, limit=720.0).cost[0, n1] == pytest.approx(720.0, rel=1e-9)
    assert np.isinf(nearest_by_type(g, src, limit=719.9).cost[0, n1])
    assert counts_within(g, src, limit=720.0).counts[0, n1] == 1
    assert counts_within(g, src, limit=719.9).counts[0, n1] == 0
    got = entrance_access(g, np.array([n1]), src, limits=[719.9, 720.0])
    assert got.entrances.counts[0, 0].tolist() == [0, 1]
    assert got.entrances.unit == "m"


def test_a_facility_with_three_entrances_counts_once():
    g = tee()
    gates = (lonlat(360, 100), lonlat(360, 200), lonlat(400, 0))
    clinic = shop("clinic", 500, 300, "clinic", entrances=gates)
    points = attach_all(g, facilities=[clinic])
    assert len(points.facility_nodes) == 3 and set(points.facility_of_point.tolist()) == {0}
    src = points.sources()
    n1 = node(points.graph, 1)
    per_facility = counts_within(points.graph, src.nodes, limit=600.0, owners=src.owners)
    per_point = counts_within(points.graph, src.nodes, limit=600.0)
    assert per_facility.counts[0, n1] == 1 and per_point.counts[0, n1] == 3
    got = entrance_access(points.graph, np.array([n1]), src.nodes, owners=src.owners)
    # 5, 10, 15 minutes: the entrances are 400, 460 and 560 m away (333, 383, 467 s)
    assert got.entrances.counts[0, 0].tolist() == [0, 1, 1]
    assert got.entrances.cost[0, 0] == pytest.approx(400 / 1.2, rel=1e-6)


def test_closed_facilities_are_ignored_and_planned_ones_flagged():
    g = tee()
    facilities = [
        shop("closed", 360, 0, status="closed"),
        shop("open", 720, 0),
        shop("planned", 0, 0, status="planned"),
    ]
    points = attach_all(g, facilities=facilities)
    assert points.closed == (0,) and 0 not in points.facility_of_point
    assert points.planned.tolist() == [False, False, True]
    n1 = node(points.graph, 1)
    now = nearest_by_type(points.graph, points.sources().nodes, owners=points.sources().owners)
    assert now.cost[0, n1] == pytest.approx(600, rel=1e-9) and now.nearest[0, n1] == 1
    plan = points.sources(include_planned=True)
    later = nearest_by_type(points.graph, plan.nodes, owners=plan.owners)
    assert later.cost[0, n1] == 0 and later.nearest[0, n1] == 2


def test_points_beyond_the_snap_distance_are_reported_not_snapped():
    g = tee()
    far = (2000, 2000)
    points = attach_all(
        g,
        facilities=[shop("near", 720, 10), shop("far", *far)],
        compounds=[
            Compound("c:0", "half", *lonlat(0, 10), entrances=(lonlat(0, 10), lonlat(*far))),
            Compound("c:1", "away", *lonlat(*far)),
        ],
        boards=[Board("b0", "gate", *lonlat(*far)), Board("b1", "centre", *lonlat(360, 5))],
        max_snap_m=300.0,
    )
    assert points.facilities_unreached == (1,)
    assert points.compounds_unreached == (1,) and points.entrance_owner.tolist() == [0]
    assert points.boards_unreached == (0,) and points.board_nodes[0] == -1
    assert points.board_nodes[1] >= 0
    assert {(p.kind, p.index) for p in points.far_points} == {
        ("facility", 1),
        ("compound", 0),
        ("compound", 1),
        ("board", 0),
    }
    table = compound_access(points)
    assert table.compounds.cost.shape == (2, 1) and np.isinf(table.compounds.cost[1, 0])
    assert table.compounds.counts[1].sum() == 0 and table.best_entrance[1, 0] == -1


def test_area_facility_is_reached_where_a_path_crosses_its_outline():
    # a street along y=0 and a path north from (360, 0) through a park (x 300..420, y 100..220)
    s = Sketch().at(1, 0, 0).at(2, 360, 0).at(3, 720, 0).at(5, 360, 400)
    g = s.way(10, [1, 2, 3], highway="residential").way(12, [2, 5], highway="path").graph()
    ring = [(300, 100), (420, 100), (420, 220), (300, 220), (300, 100)]
    outline = "POLYGON ((" + ", ".join("{} {}".format(*lonlat(x, y)) for x, y in ring) + "))"
    # the representative point sits in the far corner: as a point it would be reached at y=210
    park = shop("park", 410, 210, "park", outline_wkt=outline)
    # a triangle beside the street, crossed by nothing: reached at its tip, 40 m from the street
    tip = (
        "POLYGON (("
        + ", ".join(
            "{} {}".format(*lonlat(x, y)) for x, y in [(600, 40), (580, 100), (620, 100), (600, 40)]
        )
        + "))"
    )
    pitch = shop("pitch", 600, 80, "pitch", outline_wkt=tip)
    points = attach_all(g, facilities=[park, pitch])
    xy = points.graph.node_xy[points.facility_nodes]
    assert sorted(map(tuple, np.round(xy[points.facility_of_point == 0]))) == [
        (360.0, 100.0),
        (360.0, 220.0),
    ]
    assert np.round(xy[points.facility_of_point == 1]).tolist() == [[600.0, 40.0]]
    src = points.sources()
    got = nearest_by_type(points.graph, src.nodes, owners=src.owners)
    n1 = node(points.graph, 1)
    assert got.cost[got.type_codes.index("park"), n1] == pytest.approx(460 / 1.2, rel=1e-6)
    assert got.cost[got.type_codes.index("pitch"), n1] == pytest.approx(640 / 1.2, rel=1e-6)


def test_compounds_take_their_best_gate_and_count_facilities_of_any_gate_once():
    g = tee()
    facilities = [shop("A", 720, 0), shop("B", 360, 720), shop("C", 0, 0, "clinic")]
    compounds = [
        Compound("c:0", "two gates", *lonlat(0, 0), entrances=(lonlat(0, 0), lonlat(360, 720))),
        Compound("c:1", "one gate", *lonlat(720, 0), entrances=(lonlat(720, 0),)),
    ]
    points = attach_all(g, facilities=facilities, compounds=compounds)
    got = compound_access(points, type_codes=["shop", "clinic", "library"])
    ent, comp = got.entrances, got.compounds
    assert ent.limits == (300.0, 600.0, 900.0)
    # gate at node 1: A 600 s, B 900 s; gate at node 4: B 0, A 900 s; gate at node 3: A 0
    assert ent.cost[:, 0] == pytest.approx([600, 0, 0], abs=1e-6)
    assert ent.nearest[:, 0].tolist() == [0, 1, 0]
    assert ent.counts[:, 0].tolist() == [[0, 1, 2], [1, 1, 2], [1, 1, 2]]
    assert ent.counts[:, 1].tolist() == [[1, 1, 1], [0, 0, 1], [0, 1, 1]]
    assert comp.cost[0, :2] == pytest.approx([0, 0], abs=1e-6)
    assert got.best_entrance[0, :2].tolist() == [1, 0] and comp.nearest[0, :2].tolist() == [1, 2]
    # union over the two gates: B within 5 min (gate 4), A within 10 (gate 1)
    assert comp.counts[0, 0].tolist() == [1, 2, 2]
    assert comp.counts[1].tolist() == ent.counts[2].tolist()
    # a type nobody offers stays in the table: unreachable, no facility, no count
    assert np.isinf(comp.cost[:, 2]).all() and (comp.nearest[:, 2] == -1).all()
    assert comp.counts[:, 2].sum() == 0 and (got.best_entrance[:, 2] == -1).all()


def test_nearest_beyond_the_largest_limit_is_still_found():
    g = tee()
    n1, n3, n4 = node(g, 1), node(g, 3), node(g, 4)
    got = entrance_access(g, np.array([n1]), {"far": np.array([n4])}, limits=[300.0])
    assert got.entrances.cost[0, 0] == pytest.approx(900, rel=1e-9)
    assert got.entrances.nearest[0, 0] == 0 and got.entrances.counts[0, 0, 0] == 0
    two = entrance_access(g, np.array([n1]), {"a": np.array([n4]), "b": np.array([n3])}, limits=[1])
    assert two.entrances.cost[0] == pytest.approx([900, 600], rel=1e-9)


def test_nearest_far_along_a_long_street_is_exact():
    # 30 km of footway, a node every 100 m: gates without a shop within 5 minutes search again
    # 3x farther (the gate at 0 m finds it), then the whole graph (the gates at 15 and 30 km)
    s = Sketch()
    for i in range(301):
        s.at(i, 100 * i, 0)
    for i in range(300):
        s.way(1000 + i, [i, i + 1], highway="footway")
    g = s.graph()
    at = np.array([node(g, i) for i in (8, 0, 300, 150)])
    got = entrance_access(g, at, {"shop": np.array([node(g, 8)])}, limits=[300.0])
    want_m = np.array([0, 800, 29200, 14200])
    assert got.entrances.cost[:, 0] == pytest.approx(want_m / 1.2, rel=1e-9, abs=1e-9)
    assert got.entrances.nearest[:, 0].tolist() == [0, 0, 0, 0]
    assert got.entrances.counts[:, 0, 0].tolist() == [1, 0, 0, 0]


def test_inputs_stay_unchanged_and_results_are_read_only():
    g = tee()
    edges_before = g.edge_cost.copy()
    sources = {"shop": np.array([2, 0])}
    owners = {"shop": np.array([5, 5])}
    entrances = np.array([3, 1])
    got = entrance_access(g, entrances, sources, owners=owners)
    counted = counts_within(g, sources, limit=600.0, owners=owners)
    assert sources["shop"].tolist() == [2, 0] and owners["shop"].tolist() == [5, 5]
    assert entrances.tolist() == [3, 1] and np.array_equal(g.edge_cost, edges_before)
    with pytest.raises(ValueError):
        counted.counts[0, 0] = 9
    with pytest.raises(ValueError):
        got.entrances.cost[0, 0] = 9.0


def test_a_node_outside_the_graph_is_a_clear_error():
    g = tee()
    with pytest.raises(ValueError, match="node 99 is not in the graph"):
        nearest_by_type(g, {"shop": np.array([99])})
    with pytest.raises(ValueError, match="-1"):
        entrance_access(g, np.array([-1]), {"shop": np.array([0])})


# --------------------------------------------------------------------------- real extracts

_TAXONOMY = load_taxonomy()


def _match(tags):
    found = _TAXONOMY.match_osm(tags)
    return found.code if found else None


_EXTRACTS = {}


def extract(name):
    if name not in _EXTRACTS:
        _EXTRACTS[name] = read_osm(REAL_EXTRACTS[name], match_type=_match)
    return _EXTRACTS[name]


def synthetic_compounds(graph, rng, n):
    """Compounds with 1–3 gates each, 5–40 m beside random street nodes (not real compounds)."""
    picks = rng.choice(graph.n_nodes, size=(n, 3), replace=False)
    out = []
    for i, row in enumerate(picks):
        k = int(rng.integers(1, 4))
        xy = graph.node_xy[row[:k]] + rng.uniform(5, 40, size=(k, 2))
        lon, lat = graph.metric.to_lonlat(xy[:, 0], xy[:, 1])
        gates = tuple(zip(lon.tolist(), lat.tolist(), strict=True))
        out.append(Compound(f"synthetic:{i}", f"synthetic {i}", *gates[0], entrances=gates))
    return out


@pytest.fixture(scope="module", params=sorted(REAL_EXTRACTS))
def real(request):
    ex = extract(request.param)
    graph = build_walk_graph(ex.ways, ex.nodes, STANDARD)
    rng = np.random.default_rng(20240603)
    points = attach_all(
        graph, facilities=ex.facilities, compounds=synthetic_compounds(graph, rng, 60)
    )
    return request.param, points, reference_graph(points.graph)


def reference_graph(graph: WalkGraph) -> nx.Graph:
    """The same edges in networkx (parallel edges keep the cheapest)."""
    ref = nx.Graph()
    ref.add_nodes_from(range(graph.n_nodes))
    edges = zip(graph.edge_u.tolist(), graph.edge_v.tolist(), graph.edge_cost.tolist(), strict=True)
    for u, v, c in edges:
        if u != v and (not ref.has_edge(u, v) or ref[u][v]["weight"] > c):
            ref.add_edge(u, v, weight=c)
    return ref


def test_real_pair_costs_equal_networkx(real):
    _, points, ref = real
    g = points.graph
    rng = np.random.default_rng(1)
    a, b = rng.choice(g.n_nodes, size=(2, 50))
    got = nearest_by_type(g, {f"pair {i}": np.array([b[i]]) for i in range(50)})
    for i in range(50):
        try:
            want = nx.dijkstra_path_length(ref, int(a[i]), int(b[i]))
        except nx.NetworkXNoPath:
            want = np.inf
        assert got.cost[i, a[i]] == pytest.approx(want, rel=1e-9)


def test_real_nearest_by_type_equals_networkx_on_every_node(real):
    _, points, ref = real
    g = points.graph
    src = points.sources()
    assert len(src.nodes) >= 5
    got = nearest_by_type(g, src.nodes, owners=src.owners)
    for t, code in enumerate(got.type_codes):
        lengths = nx.multi_source_dijkstra_path_length(ref, set(src.nodes[code].tolist()))
        want = np.full(g.n_nodes, np.inf)
        want[list(lengths)] = list(lengths.values())
        np.testing.assert_allclose(got.cost[t], want, rtol=1e-9)
    # the facility named is one at that cost
    rng = np.random.default_rng(6)
    for n in rng.choice(g.n_nodes, size=10, replace=False):
        lengths = nx.single_source_dijkstra_path_length(ref, int(n))
        for t, code in enumerate(got.type_codes):
            if np.isfinite(got.cost[t, n]):
                mine = src.nodes[code][src.owners[code] == got.nearest[t, n]]
                dist = min(lengths.get(int(m), np.inf) for m in mine)
                assert dist == pytest.approx(got.cost[t, n], rel=1e-9, abs=1e-9)


def _brute_counts(ref, start, src, limit):
    reached = nx.single_source_dijkstra_path_length(ref, int(start), cutoff=limit)
    return [
        len({int(o) for m, o in zip(src.nodes[c], src.owners[c], strict=True) if int(m) in reached})
        for c in src.nodes
    ]


def test_real_counts_within_equal_brute_force(real):
    _, points, ref = real
    src = points.sources()
    limit = 600.0
    got = counts_within(points.graph, src.nodes, limit=limit, owners=src.owners)
    rng = np.random.default_rng(2)
    for n in rng.choice(points.graph.n_nodes, size=40, replace=False):
        assert got.counts[:, n].tolist() == _brute_counts(ref, n, src, limit)
    assert got.counts.sum() > 0


def test_real_entrance_and_compound_access_equal_networkx(real):
    _, points, ref = real
    src = points.sources()
    got = compound_access(points)
    ent = points.entrance_nodes
    for t, code in enumerate(got.entrances.type_codes):
        lengths = nx.multi_source_dijkstra_path_length(ref, set(src.nodes[code].tolist()))
        want = np.array([lengths.get(int(e), np.inf) for e in ent])
        np.testing.assert_allclose(got.entrances.cost[:, t], want, rtol=1e-9)
    for i in range(0, len(ent), 7):
        brute = [_brute_counts(ref, ent[i], src, lim) for lim in got.entrances.limits]
        assert got.entrances.counts[i].T.tolist() == brute
    for c in range(0, points.n_compounds, 5):
        gates = ent[points.entrance_owner == c]
        union = []
        for lim in got.compounds.limits:
            reached = set()
            for gate in gates:
                reached |= set(nx.single_source_dijkstra_path_length(ref, int(gate), cutoff=lim))
            union.append(
                [
                    len(
                        {
                            int(o)
                            for m, o in zip(src.nodes[k], src.owners[k], strict=True)
                            if int(m) in reached
                        }
                    )
                    for k in src.nodes
                ]
            )
        assert got.compounds.counts[c].T.tolist() == union
        assert got.compounds.cost[c] == pytest.approx(
            got.entrances.cost[points.entrance_owner == c].min(axis=0)
        )
    # the heat layer's nearest can be reused: same answers
    heat = nearest_by_type(points.graph, src.nodes, owners=src.owners)
    reused = compound_access(points, nearest=heat)
    np.testing.assert_allclose(reused.entrances.cost, got.entrances.cost, rtol=1e-9)
    np.testing.assert_array_equal(reused.compounds.nearest, got.compounds.nearest)
    np.testing.assert_array_equal(reused.compounds.counts, got.compounds.counts)
    with pytest.raises(ValueError, match="no limit"):
        compound_access(points, nearest=nearest_by_type(points.graph, src.nodes, limit=60.0))


def test_real_compound_counts_from_the_walking_areas_searches_equal_compound_access(real):
    """The build counts compounds' facilities from the walking areas' searches: same counts."""
    _, points, _ = real
    src = points.sources()
    nearest = nearest_by_type(points.graph, src.nodes, owners=src.owners)
    searched = compound_access(points, nearest=nearest)
    folded = compound_access(points, nearest=nearest, counted=False)
    assert not folded.compounds.counts.any()  # nothing searched, nothing counted
    np.testing.assert_array_equal(folded.compounds.cost, searched.compounds.cost)
    np.testing.assert_array_equal(folded.compounds.nearest, searched.compounds.nearest)
    gate_sets, _ = origin_sets(points)
    gate_sets[3] = gate_sets[3][:0]  # a compound with no gate attached counts nothing
    limits = searched.compounds.limits
    counts = SetCounts(compound_targets(points, tuple(src.nodes)), limits, len(gate_sets))
    trace_walksheds(points.graph, gate_sets, limits, COMPOUND_CELL_M, counts=counts)
    want = searched.compounds.counts.copy()
    want[3] = 0
    assert want.sum() > 0
    np.testing.assert_array_equal(counts.counts, want)
    with pytest.raises(ValueError, match="nearest"):
        compound_access(points, counted=False)


@pytest.mark.parametrize("contract_from", [20_000, 2])
def test_real_nearest_kept_at_some_nodes_equals_every_nodes(real, monkeypatch, contract_from):
    """Nearest kept at the gates (in the core, or filled in) equals the whole-graph answer."""
    import lifecircle.engine.access as access

    monkeypatch.setattr(access, "CONTRACT_FROM", contract_from)  # 2: the contracted path
    _, points, _ = real
    src = points.sources()
    every = nearest_by_type(points.graph, src.nodes, owners=src.owners)
    gates = points.entrance_nodes[::-1]  # any order, repeats allowed
    kept = nearest_by_type(points.graph, src.nodes, owners=src.owners, at=gates)
    assert kept.nodes is not None and kept.cost.shape == (len(src.nodes), len(np.unique(gates)))
    cost, nearest = kept.at(gates)
    np.testing.assert_allclose(cost, every.cost[:, gates], rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(nearest, every.nearest[:, gates])
    reused = compound_access(points, nearest=kept)
    whole = compound_access(points, nearest=every)
    np.testing.assert_allclose(reused.compounds.cost, whole.compounds.cost, rtol=1e-12)
    np.testing.assert_array_equal(reused.compounds.nearest, whole.compounds.nearest)
    not_kept = np.setdiff1d(np.arange(points.graph.n_nodes), gates)[:1]
    with pytest.raises(ValueError, match="not among"):
        kept.at(not_kept)


def test_real_adding_a_facility_never_makes_an_entrance_worse(real):
    _, points, _ = real
    g = points.graph
    src = points.sources()
    before = entrance_access(g, points.entrance_nodes, src.nodes, owners=src.owners)
    rng = np.random.default_rng(3)
    improved = 0
    for code in list(src.nodes)[:6]:
        extra = int(rng.integers(g.n_nodes))
        nodes = {**src.nodes, code: np.append(src.nodes[code], extra)}
        owners = {**src.owners, code: np.append(src.owners[code], 10**6)}
        after = entrance_access(g, points.entrance_nodes, nodes, owners=owners)
        assert (after.entrances.cost <= before.entrances.cost).all()
        assert (after.entrances.counts >= before.entrances.counts).all()
        assert (after.compounds.counts >= before.compounds.counts).all()
        improved += int((after.entrances.cost < before.entrances.cost).sum())
    assert improved > 0  # the property was really exercised


def test_real_removing_a_walking_edge_never_makes_costs_better(real):
    _, points, _ = real
    g = points.graph
    src = points.sources()
    before = entrance_access(g, points.entrance_nodes, src.nodes, owners=src.owners)
    rng = np.random.default_rng(4)
    worse = 0
    # edges next to entrances are on many shortest paths: removing them bites
    near = np.flatnonzero(np.isin(g.edge_u, points.entrance_nodes))
    for edge in [*rng.choice(near, 4, replace=False), *rng.choice(g.n_edges, 4, replace=False)]:
        cut = extend_graph(g, [], [], [], [], [], [], drop_edges=np.array([edge]))
        after = entrance_access(cut, points.entrance_nodes, src.nodes, owners=src.owners)
        assert (after.entrances.cost >= before.entrances.cost - 1e-9).all()
        assert (after.entrances.counts <= before.entrances.counts).all()
        assert (after.compounds.counts <= before.compounds.counts).all()
        worse += int((after.entrances.cost > before.entrances.cost + 1e-9).sum())
    assert worse > 0


def test_planning_costs_equal_lengths_of_the_osm_ways():
    """Distance convention, no penalties: compare with networkx built from the ways directly."""
    ex = extract("helsinki")
    g = build_walk_graph(ex.ways, ex.nodes, PLANNING)
    blocked = {n.osm_id for n in ex.nodes if not node_is_passable(n.tags, PLANNING)}
    ref = nx.Graph()
    for way in ex.ways:
        if not way_is_walkable(way.tags, PLANNING) or len(way.node_ids) < 2:
            continue
        lon, lat = np.asarray(way.coords).T
        x, y = g.metric.to_metres(lon, lat)
        seg = np.hypot(np.diff(x), np.diff(y))
        for a, b, length in zip(way.node_ids, way.node_ids[1:], seg.tolist(), strict=False):
            if a in blocked or b in blocked or a == b:
                continue
            if not ref.has_edge(a, b) or ref[a][b]["weight"] > length:
                ref.add_edge(a, b, weight=length)
    rng = np.random.default_rng(5)
    pairs = rng.choice(g.n_nodes, size=(2, 50))
    got = nearest_by_type(g, {f"p{i}": np.array([pairs[1, i]]) for i in range(50)})
    for i, (a, b) in enumerate(pairs.T):
        oa, ob = int(g.node_osm[a]), int(g.node_osm[b])
        try:
            want = nx.dijkstra_path_length(ref, oa, ob)
        except nx.NetworkXNoPath:
            want = np.inf
        assert got.cost[i, a] == pytest.approx(want, rel=1e-9)
