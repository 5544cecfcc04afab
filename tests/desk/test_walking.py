"""The walking link, on the real small OSM extract tests/data/osm/test.osm.pbf (south-east
Finland; © OpenStreetMap contributors, see its PROVENANCE.md) with a hand-made compound, grid
and facility placed on it (invented, not real data): a verified case becomes a barrier or a
facility status change in one transaction, linked both ways, and lifting undoes it."""

from __future__ import annotations

import pytest
import shapely

from lifecircle.desk import walking
from lifecircle.desk.context import open_desk
from lifecircle.errors import AccessDenied, DeskError, StoreError
from lifecircle.jobs import local_edits
from lifecircle.jobs.imports import import_osm
from lifecircle.model import Compound, Facility, WalkWay
from lifecircle.staff.accounts import get_user
from lifecircle.store import Snapshot
from lifecircle.store.accounts import AuditEntry, UserRow
from lifecircle.store.grids import GridRow
from tests.conftest import SMALL_OSM
from tests.desk.conftest import _hash, file, step


def _way(store) -> WalkWay:
    ways = sorted(
        (w for w in store.records("walk_way") if isinstance(w, WalkWay)), key=lambda w: w.osm_id
    )
    return next(
        w
        for w in ways
        if w.tags.get("highway") in ("footway", "residential", "service") and len(w.coords) >= 2
    )


@pytest.fixture
def walk_desk(desk_project, clock):
    import_osm(desk_project, SMALL_OSM, author="osm-importer")
    desk = open_desk(desk_project, clock=clock)
    store = desk.store
    way = _way(store)
    middle = shapely.LineString(way.coords).interpolate(0.5, normalized=True)
    gate = Compound(
        "sheet:test:W1",
        "示例小区",
        middle.x,
        middle.y,
        community="示例社区",
        subdistrict="示例街道",
    )
    bridge = Facility(
        "sheet:test:F1", "示例人行天桥", "public_toilet", middle.x, middle.y, community="示例社区"
    )
    store.commit(
        [Snapshot("compound", "sheet:test", [gate])], action="import", source="test", author="test"
    )
    store.commit(
        [Snapshot("facility", "sheet:test", [bridge])],
        action="import",
        source="test",
        author="test",
    )
    box = shapely.box(middle.x - 0.01, middle.y - 0.01, middle.x + 0.01, middle.y + 0.01).wkt
    grid = GridRow(
        "W", "示例网格", "grid", community="示例社区", subdistrict="示例街道", outline_wkt=box
    )
    store.grids.replace_all(
        [grid], now_s=desk.now(), audit=AuditEntry("test", "desk.grids.import", "test")
    )
    for name, level, area in (
        ("wk", "grid", "W"),
        ("head", "community", "示例社区"),
        ("other", "community", "别的社区"),
    ):
        store.accounts.add_user(UserRow(name, _hash(), level, area, "2026-11-01T00:00:00Z"))
    desk.way = way  # type: ignore[attr-defined]
    yield desk
    store.close()


def _case(desk, state: str = "in_progress"):
    way = desk.way
    middle = shapely.LineString(way.coords).interpolate(0.5, normalized=True)
    case = file(desk, who="wk", category="blocked_access", compound="", lon=middle.x, lat=middle.y)
    if state == "in_progress":
        case = step(desk, get_user(desk.store, "wk"), case, "visit", note="核实：大门被车辆堵死")
    return case


def test_a_verified_case_becomes_a_barrier_linked_both_ways_and_lifting_removes_it(walk_desk):
    desk, head = walk_desk, get_user(walk_desk.store, "head")
    case = _case(desk)
    versions = len(desk.store.versions())
    edit, link = walking.link_barrier(
        desk, head, case.id, edit_kind="impassable_way", osm_id=desk.way.osm_id, note="大门被堵"
    )
    assert edit.osm_id == desk.way.osm_id and f"#{case.id}" in edit.note
    assert (link.kind, link.target, link.lifted_at) == ("local_edit", edit.key, None)
    assert len(desk.store.versions()) == versions + 1  # one data version for the edit
    event = desk.store.cases.events(case.id)[-1]
    assert (event.action, event.data["target"], event.data["data_version"]) == (
        "link_walking",
        edit.key,
        desk.store.latest_version().id,
    )
    assert [k.case_id for k in walking.links_to(desk, edit.key)] == [case.id]  # the other way
    rules, _ = local_edits.local_rules(desk.store)
    assert desk.way.osm_id in rules.impassable_ways
    walking.lift_links(desk, head, case.id)
    assert local_edits.list_edits(desk.store) == []
    (lifted,) = desk.store.cases.links(case_id=case.id)
    assert lifted.lifted_at == desk.now()
    assert desk.store.cases.events(case.id)[-1].action == "lift_walking"
    with pytest.raises(DeskError) as info:
        walking.lift_links(desk, head, case.id)
    assert info.value.msg.key == "error.desk.nothing_to_lift"


def test_a_blocked_gate_is_closed_where_it_is_and_opened_again_when_lifted(walk_desk):
    desk, head = walk_desk, get_user(walk_desk.store, "head")
    case = _case(desk)
    gate = shapely.LineString(desk.way.coords).interpolate(0.5, normalized=True)
    edit, link = walking.link_barrier(
        desk, head, case.id, edit_kind="closed_gate", coords=[(gate.x, gate.y)], note="车堵门"
    )
    assert (edit.edit_kind, edit.osm_id, link.target) == ("closed_gate", None, edit.key)
    assert local_edits.local_rules(desk.store)[0].closed_gates == edit.coords
    walking.lift_links(desk, head, case.id)
    assert local_edits.local_rules(desk.store)[0].closed_gates == ()


def test_a_facility_status_change_and_its_undoing(walk_desk):
    desk, head = walk_desk, get_user(walk_desk.store, "head")
    case = _case(desk)
    made, link = walking.link_facility(
        desk, head, case.id, facility_key="sheet:test:F1", status="closed", note="天桥损坏"
    )
    assert made.status == "closed" and link.detail["previous"] == "open"
    assert desk.store.latest_version().source == f"desk:case/{case.id}"
    walking.lift_links(desk, head, case.id)
    assert desk.store.get_record("facility", "sheet:test:F1").status == "open"


def test_if_the_case_side_fails_the_edit_is_not_written_either(walk_desk, monkeypatch):
    desk, head = walk_desk, get_user(walk_desk.store, "head")
    case = _case(desk)
    versions = len(desk.store.versions())

    def broken(*args, **kwargs):
        raise StoreError("error.store.no_case", case_id=case.id)

    monkeypatch.setattr(walking, "folded_write", broken)
    with pytest.raises(StoreError):
        walking.link_barrier(
            desk, head, case.id, edit_kind="impassable_way", osm_id=desk.way.osm_id
        )
    assert local_edits.list_edits(desk.store) == []
    assert len(desk.store.versions()) == versions
    assert desk.store.cases.links(case_id=case.id) == []


def test_only_a_head_near_their_compounds_links_and_only_walking_cases(walk_desk):
    desk = walk_desk
    case = _case(desk)
    with pytest.raises(AccessDenied):  # a 网格员 reports; a head verifies and links
        walking.link_barrier(
            desk,
            get_user(desk.store, "wk"),
            case.id,
            edit_kind="impassable_way",
            osm_id=desk.way.osm_id,
        )
    with pytest.raises(AccessDenied):  # another community: not their case
        walking.link_barrier(
            desk,
            get_user(desk.store, "other"),
            case.id,
            edit_kind="impassable_way",
            osm_id=desk.way.osm_id,
        )
    middle = shapely.LineString(desk.way.coords).interpolate(0.5, normalized=True)
    noise = file(desk, who="wk", category="noise", compound="", lon=middle.x, lat=middle.y)
    noise = step(desk, get_user(desk.store, "wk"), noise, "visit")
    with pytest.raises(DeskError) as info:
        walking.link_barrier(
            desk,
            get_user(desk.store, "head"),
            noise.id,
            edit_kind="impassable_way",
            osm_id=desk.way.osm_id,
        )
    assert info.value.msg.key == "error.desk.not_walking"
    fresh = _case(desk, state="dispatched")
    with pytest.raises(DeskError) as info:  # not verified yet: nobody has been there
        walking.link_barrier(
            desk,
            get_user(desk.store, "head"),
            fresh.id,
            edit_kind="impassable_way",
            osm_id=desk.way.osm_id,
        )
    assert info.value.msg.key == "error.desk.illegal_step"
    assert local_edits.list_edits(desk.store) == []
