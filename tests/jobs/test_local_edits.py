"""Local edits: barriers and links staff add on top of OSM, versioned and kept across re-imports.

Runs on the real extract tests/data/osm/test.osm.pbf (see its PROVENANCE.md), in SQLite always
and in PostgreSQL when LIFECIRCLE_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import osmium
import pytest
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine.graph import LocalRules, WalkGraph
from lifecircle.engine.network import build_walk_graph
from lifecircle.engine.profiles import STANDARD
from lifecircle.errors import EditError, LocationError
from lifecircle.geo import haversine_m
from lifecircle.jobs.imports import import_osm
from lifecircle.jobs.local_edits import LINK_SNAP_M, add_edit, list_edits, local_rules, remove_edit
from lifecircle.model import LocalEdit, WalkNode, WalkWay
from lifecircle.project import Project
from tests.conftest import SMALL_OSM
from tests.store.conftest import postgres_admin_url, postgres_databases  # noqa: F401 (fixtures)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def project(request: pytest.FixtureRequest, make_project) -> Project:  # type: ignore[no-untyped-def]
    """A project holding the small real extract, on each configured database."""
    made = make_project()
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_databases").create()
        made = replace(made, settings=replace(made.settings, database_url=url))
    import_osm(made, SMALL_OSM, author="osm-importer")
    return made


def network(project: Project) -> tuple[list[WalkWay], list[WalkNode]]:
    with project.open_store() as store:
        ways = [w for w in store.records("walk_way") if isinstance(w, WalkWay)]
        nodes = [n for n in store.records("walk_node") if isinstance(n, WalkNode)]
    return ways, nodes


def through_way(ways: list[WalkWay], highway: str) -> WalkWay:
    """A way of this class whose two ends both meet other ways (so they stay in the graph)."""
    uses: dict[int, int] = {}
    for way in ways:
        for node in set(way.node_ids):
            uses[node] = uses.get(node, 0) + 1
    return next(
        w
        for w in sorted(ways, key=lambda w: w.osm_id)
        if w.tags.get("highway") == highway
        and w.node_ids[0] != w.node_ids[-1]
        and uses[w.node_ids[0]] > 1
        and uses[w.node_ids[-1]] > 1
    )


def inner_node(ways: list[WalkWay]) -> int:
    """An untagged node in the middle of a way (no WalkNode record for it)."""
    return next(w.node_ids[len(w.node_ids) // 2] for w in ways if len(w.node_ids) >= 3)


def cost_between(graph: WalkGraph, a_osm: int, b_osm: int) -> float:
    a = np.flatnonzero(graph.node_osm == a_osm)
    b = np.flatnonzero(graph.node_osm == b_osm)
    if len(a) == 0 or len(b) == 0:
        return float("inf")
    dist = dijkstra(graph.matrix, indices=a)
    return float(dist[:, b].min())


def copy_without_way(src: Path, dst: Path, way_id: int) -> Path:
    """Write a copy of an OSM extract with one way deleted (as if it were removed in OSM)."""
    with osmium.SimpleWriter(str(dst), overwrite=True) as writer:
        for obj in osmium.FileProcessor(str(src)):
            if not (obj.is_way() and obj.id == way_id):
                writer.add(obj)
    return dst


def test_add_list_remove_each_make_one_version_with_author_and_note(project: Project) -> None:
    ways, _ = network(project)
    road = through_way(ways, "secondary")
    with project.open_store() as store:
        before = len(store.versions())

    edit, version = add_edit(
        project,
        edit_kind="uncrossable_way",
        osm_id=road.osm_id,
        note="  arterial with a central fence; footbridge only  ",
        author="王芳",
    )

    assert (edit.edit_id, edit.edit_kind, edit.osm_id, edit.author) == (
        1,
        "uncrossable_way",
        road.osm_id,
        "王芳",
    )
    assert edit.note == "arterial with a central fence; footbridge only"
    assert len(edit.coords) == 1  # where it is: the road's midpoint, kept if OSM drops the way
    assert (version.action, version.source, version.author, version.note) == (
        "edit uncrossable_way",
        f"osm:way/{road.osm_id}",
        "王芳",
        "arterial with a central fence; footbridge only",
    )
    assert version.counts == {"local_edit": {"added": 1, "changed": 0, "removed": 0}}
    with project.open_store() as store:
        assert store.versions()[-1] == version
        assert len(store.versions()) == before + 1
        (change,) = store.changes(version.id)
        assert (change.kind, change.key, change.action, change.scope) == (
            "local_edit",
            "edit:1",
            "added",
            "edit",
        )
        assert change.after is not None and change.after["osm_id"] == road.osm_id

    node = inner_node(ways)
    second, _ = add_edit(project, edit_kind="impassable_node", osm_id=node, author="李强")
    assert list_edits(project) == [edit, second]

    removed = remove_edit(project, 1, author="李强", note="fence taken down")
    assert (removed.action, removed.source, removed.author, removed.note) == (
        "edit remove",
        "edit:1",
        "李强",
        "fence taken down",
    )
    assert removed.counts == {"local_edit": {"added": 0, "changed": 0, "removed": 1}}
    assert list_edits(project) == [second]
    with project.open_store() as store:
        (gone,) = store.changes(removed.id)
        assert gone.before is not None and gone.before["note"] == edit.note  # history kept

    third, _ = add_edit(project, edit_kind="impassable_way", osm_id=road.osm_id, author="李强")
    assert third.edit_id == 3  # id 1 is never reused for a different edit


def test_edits_survive_osm_reimports_and_orphans_are_reported(
    project: Project, tmp_path: Path
) -> None:
    ways, _ = network(project)
    doomed = through_way(ways, "tertiary")
    kept_road = through_way(ways, "secondary")
    add_edit(project, edit_kind="impassable_way", osm_id=doomed.osm_id, note="gate", author="a")
    add_edit(project, edit_kind="uncrossable_way", osm_id=kept_road.osm_id, author="a")
    edits = list_edits(project)

    same = import_osm(project, SMALL_OSM, author="osm-importer")
    assert same.version is None  # nothing changed in OSM: no version, edits untouched
    assert list_edits(project) == edits
    assert local_rules(project)[1] == []

    changed = copy_without_way(SMALL_OSM, tmp_path / "changed.osm.pbf", doomed.osm_id)
    report = import_osm(project, changed, author="osm-importer")
    assert report.version is not None
    assert f"osm:way/{doomed.osm_id}" in report.summary.kinds[0].removed

    assert list_edits(project) == edits  # kept, not silently dropped
    rules, warnings = local_rules(project)
    assert rules.impassable_ways == {doomed.osm_id}
    assert rules.uncrossable_ways == {kept_road.osm_id}
    (warning,) = map(str, warnings)
    assert f"local edit 1 (impassable_way osm:way/{doomed.osm_id}" in warning
    assert "no longer in the walk network" in warning
    assert "lifecircle edit remove 1" in warning


def test_nodes_and_links_that_lost_their_ways_are_reported(project: Project) -> None:
    ways, _ = network(project)
    lane = through_way(ways, "residential")
    node = lane.node_ids[len(lane.node_ids) // 2]
    a, b = lane.coords[0], lane.coords[-1]
    add_edit(project, edit_kind="impassable_node", osm_id=node, author="a")
    add_edit(project, edit_kind="link", coords=[a, b], author="a")
    far_away = max(ways, key=lambda w: float(haversine_m(a[0], a[1], *w.coords[0])))
    assert node not in far_away.node_ids

    rules, warnings = local_rules(project, ways=[far_away])

    assert rules.impassable_nodes == {node} and rules.links == ((a, b),)
    node_warning, link_warning = map(str, warnings)
    assert f"local edit 1 (impassable_node osm:node/{node}" in node_warning
    assert "no longer on any walkable way" in node_warning
    assert f"local edit 2 (link {a[0]:.6f},{a[1]:.6f} → {b[0]:.6f}," in link_warning
    assert (
        f"from the nearest walkable way (links attach within {LINK_SNAP_M:.0f} m)" in link_warning
    )
    assert local_rules(project)[1] == []  # with the whole network both apply


def test_local_rules_collect_every_kind_of_edit(project: Project) -> None:
    ways, _ = network(project)
    road, lane = through_way(ways, "secondary"), through_way(ways, "residential")
    node = inner_node(ways)
    a, b = lane.coords[0], lane.coords[-1]
    add_edit(project, edit_kind="impassable_way", osm_id=lane.osm_id, author="a")
    add_edit(project, edit_kind="uncrossable_way", osm_id=road.osm_id, author="a")
    add_edit(project, edit_kind="impassable_node", osm_id=node, author="a")
    add_edit(project, edit_kind="link", coords=[a, b], note="gate in the wall", author="a")

    rules, warnings = local_rules(project)

    assert rules == LocalRules(
        impassable_ways=frozenset({lane.osm_id}),
        impassable_nodes=frozenset({node}),
        uncrossable_ways=frozenset({road.osm_id}),
        links=((a, b),),
    )
    assert warnings == []
    assert [str(w) for w in local_rules(project, ways=[])[1]] == [
        "there is no walk network, so none of the 4 local edits applies; import an OSM extract"
    ]


def test_an_impassable_way_loses_its_edges_and_walks_go_around(project: Project) -> None:
    ways, nodes = network(project)
    way = through_way(ways, "residential")
    plain = build_walk_graph(ways, nodes, STANDARD)
    add_edit(project, edit_kind="impassable_way", osm_id=way.osm_id, author="a")
    rules, _ = local_rules(project)

    barred = build_walk_graph(ways, nodes, STANDARD, rules=rules)

    assert np.any(plain.edge_way == way.osm_id)
    assert not np.any(barred.edge_way == way.osm_id)
    start, end = way.node_ids[0], way.node_ids[-1]
    assert cost_between(barred, start, end) > cost_between(plain, start, end)


def test_an_uncrossable_road_splits_its_nodes_by_side(project: Project) -> None:
    ways, nodes = network(project)
    road = through_way(ways, "secondary")
    plain = build_walk_graph(ways, nodes, STANDARD)
    add_edit(project, edit_kind="uncrossable_way", osm_id=road.osm_id, author="a")

    split = build_walk_graph(ways, nodes, STANDARD, rules=local_rules(project)[0])

    junction = road.node_ids[0]
    assert np.count_nonzero(plain.node_osm == junction) == 1
    assert np.count_nonzero(split.node_osm == junction) == 2  # one per sidewalk


def test_a_link_adds_a_walkable_shortcut(project: Project) -> None:
    ways, nodes = network(project)
    lane = through_way(ways, "residential")
    a, b = lane.coords[0], lane.coords[-1]
    add_edit(project, edit_kind="impassable_way", osm_id=lane.osm_id, author="a")
    barred = build_walk_graph(ways, nodes, STANDARD, rules=local_rules(project)[0])
    add_edit(project, edit_kind="link", coords=[a, b], note="passage", author="a")

    linked = build_walk_graph(ways, nodes, STANDARD, rules=local_rules(project)[0])

    added_m = linked.edge_length_m[linked.edge_way == -1]  # the link and its short connectors
    straight_m = float(haversine_m(a[0], a[1], b[0], b[1]))
    assert added_m.max() == pytest.approx(straight_m, rel=0.01)
    start, end = lane.node_ids[0], lane.node_ids[-1]
    assert cost_between(linked, start, end) == pytest.approx(straight_m / STANDARD.speed_mps, 0.01)
    assert cost_between(linked, start, end) < cost_between(barred, start, end)


def test_unknown_ids_are_refused_with_a_way_to_find_them(project: Project) -> None:
    ways, _ = network(project)
    way_id, node_id = ways[0].osm_id, inner_node(ways)

    with pytest.raises(EditError, match=r"OSM way 999999999 is not in the stored walk network"):
        add_edit(project, edit_kind="impassable_way", osm_id=999999999, author="a")
    with pytest.raises(EditError, match=r"openstreetmap\.org"):
        add_edit(project, edit_kind="uncrossable_way", osm_id=999999999, author="a")
    with pytest.raises(EditError, match=rf"node {node_id} on a walkable way — mark the node"):
        add_edit(project, edit_kind="impassable_way", osm_id=node_id, author="a")
    with pytest.raises(EditError, match=rf"OSM node {way_id} is not on any walkable way"):
        add_edit(project, edit_kind="impassable_node", osm_id=way_id, author="a")
    with pytest.raises(EditError, match="needs the OSM way id"):
        add_edit(project, edit_kind="impassable_way", author="a")
    with pytest.raises(EditError, match="unknown edit kind 'wall'"):
        add_edit(project, edit_kind="wall", osm_id=way_id, author="a")
    assert list_edits(project) == []
    with project.open_store() as store:
        assert [v.action for v in store.versions()] == ["import osm"]


def test_bad_links_are_refused(project: Project) -> None:
    ways, _ = network(project)
    a, b = ways[0].coords[0], ways[0].coords[-1]
    with pytest.raises(EditError, match=r"exactly two different points.*got 1"):
        add_edit(project, edit_kind="link", coords=[a], author="a")
    with pytest.raises(EditError, match=r"exactly two different points.*got 3"):
        add_edit(project, edit_kind="link", coords=[a, b, a], author="a")
    with pytest.raises(EditError, match="the same point twice"):
        add_edit(project, edit_kind="link", coords=[a, a], author="a")
    with pytest.raises(EditError, match="names no OSM object"):
        add_edit(project, edit_kind="link", osm_id=ways[0].osm_id, coords=[a, b], author="a")
    with pytest.raises(LocationError, match=r"outside the area.*look swapped"):
        add_edit(project, edit_kind="link", coords=[(a[1], a[0]), b], author="a")
    with pytest.raises(LocationError, match=r"116\.400000,39\.900000 is outside the area"):
        add_edit(project, edit_kind="link", coords=[(116.4, 39.9), b], author="a")
    far = _point_far_from_ways(ways)
    with pytest.raises(EditError, match=rf"m from the nearest walkable way.*{LINK_SNAP_M:.0f} m"):
        add_edit(project, edit_kind="link", coords=[a, far], author="a")
    assert list_edits(project) == []


def _point_far_from_ways(ways: list[WalkWay]) -> tuple[float, float]:
    """A point inside the network's extent but more than LINK_SNAP_M from every way."""
    from lifecircle.jobs.checks import build_area_index

    index = build_area_index(ways, boundary=None, margin_m=0.0)
    assert index is not None
    coords = np.array([c for w in ways for c in w.coords])
    lon, lat = np.meshgrid(
        np.linspace(coords[:, 0].min(), coords[:, 0].max(), 60),
        np.linspace(coords[:, 1].min(), coords[:, 1].max(), 60),
    )
    lon, lat = lon.ravel(), lat.ravel()
    ok = index.inside(lon, lat) & (index.distance_to_ways_m(lon, lat) > 2 * LINK_SNAP_M)
    i = int(np.flatnonzero(ok)[0])
    return float(lon[i]), float(lat[i])


def test_duplicates_are_refused_naming_the_existing_edit(project: Project) -> None:
    ways, _ = network(project)
    lane = through_way(ways, "residential")
    a, b = lane.coords[0], lane.coords[-1]
    add_edit(project, edit_kind="impassable_way", osm_id=lane.osm_id, note="locked", author="a")
    add_edit(project, edit_kind="link", coords=[a, b], author="a")

    with pytest.raises(EditError, match=r"edit 1 already does this .*'locked'.*edit remove 1"):
        add_edit(project, edit_kind="impassable_way", osm_id=lane.osm_id, author="b")
    with pytest.raises(EditError, match="edit 2 already does this"):
        add_edit(project, edit_kind="link", coords=[b, a], author="b")
    # another kind of edit on the same way is a different statement
    add_edit(project, edit_kind="uncrossable_way", osm_id=lane.osm_id, author="b")


def test_removing_an_unknown_edit_names_the_stored_ones(project: Project) -> None:
    ways, _ = network(project)
    add_edit(project, edit_kind="impassable_way", osm_id=ways[0].osm_id, author="a")
    with pytest.raises(EditError, match=r"no local edit 7 \(stored edits: 1\).*edit list"):
        remove_edit(project, 7, author="a")
    with pytest.raises(EditError, match="needs an author"):
        remove_edit(project, 1, author=" ")
    assert [e.edit_id for e in list_edits(project)] == [1]


def test_edits_need_a_walk_network(make_project) -> None:  # type: ignore[no-untyped-def]
    empty = make_project()
    with pytest.raises(EditError, match="import an OSM extract first"):
        add_edit(empty, edit_kind="impassable_way", osm_id=1, author="a")
    assert local_rules(empty) == (LocalRules(), [])


def test_records_round_trip_through_the_store(project: Project) -> None:
    ways, _ = network(project)
    a, b = ways[0].coords[0], ways[0].coords[-1]
    edit, _ = add_edit(project, edit_kind="link", coords=[list(a), list(b)], author="a")
    assert isinstance(edit, LocalEdit) and edit.coords == (a, b) and edit.osm_id is None
    with project.open_store() as store:
        assert store.get_record("local_edit", "edit:1") == edit
        assert store.get_record("local_edit", "edit:2") is None
        assert store.scopes("local_edit") == {"edit": 1}


def _on_way(way: WalkWay) -> tuple[float, float]:
    """A point on the middle of a way's first stretch (where staff would tap a gate)."""
    (x0, y0), (x1, y1) = way.coords[0], way.coords[1]
    return (round((x0 + x1) / 2, 7), round((y0 + y1) / 2, 7))


def test_a_closed_gate_is_a_rule_that_cuts_the_way_through_it(project: Project) -> None:
    ways, nodes = network(project)
    lane = through_way(ways, "residential")
    plain = build_walk_graph(ways, nodes, STANDARD)
    point = _on_way(lane)
    edit, version = add_edit(
        project, edit_kind="closed_gate", coords=[point], note="车堵门", author="王芳"
    )
    assert (edit.coords, version.action) == ((point,), "edit closed_gate")

    rules, warnings = local_rules(project)

    assert rules.closed_gates == (point,) and warnings == []
    shut = build_walk_graph(ways, nodes, STANDARD, rules=rules)
    start, end = lane.node_ids[0], lane.node_ids[-1]
    assert cost_between(shut, start, end) > cost_between(plain, start, end)
    remove_edit(project, edit.edit_id, author="王芳", note="车已挪走")
    assert local_rules(project)[0].closed_gates == ()


def test_bad_closed_gates_are_refused(project: Project) -> None:
    ways, _ = network(project)
    point = _on_way(through_way(ways, "residential"))
    with pytest.raises(EditError, match="exactly one point"):
        add_edit(project, edit_kind="closed_gate", coords=[point, point], author="a")
    with pytest.raises(EditError, match="names no OSM object"):
        add_edit(
            project, edit_kind="closed_gate", osm_id=ways[0].osm_id, coords=[point], author="a"
        )
    with pytest.raises(EditError, match=r"m from the nearest walkable way.*within 25 m"):
        add_edit(project, edit_kind="closed_gate", coords=[_point_far_from_ways(ways)], author="a")
    add_edit(project, edit_kind="closed_gate", coords=[point], author="a")
    with pytest.raises(EditError, match="edit 1 already does this"):
        add_edit(project, edit_kind="closed_gate", coords=[point], author="b")
    assert len(list_edits(project)) == 1
