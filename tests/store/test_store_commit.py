"""Imports as data versions: what is added, changed, removed, and what is left alone."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy.exc import OperationalError

from lifecircle.errors import StoreError
from lifecircle.model import RECORD_TYPES, CandidateSite, CompleteType, Facility, FacilityMatch
from lifecircle.store import KindChanges, Snapshot, Store, bulk
from lifecircle.store.schema import KINDS
from lifecircle.store.versions import canonical_payload

IMPORT = {"action": "import", "source": "osm:taoyuan.osm.pbf", "author": "tester"}


def osm_facilities(records: list[Facility], **kw: object) -> Snapshot:
    return Snapshot("facility", "osm", records, **kw)  # type: ignore[arg-type]


def test_first_import_adds_every_record_and_reads_back_equal(store: Store, hand) -> None:
    facilities = hand.facilities()
    outcome = store.commit([osm_facilities(facilities)], **IMPORT, note="first OSM import")

    assert outcome.summary.kinds == (
        KindChanges("facility", added=("osm:node/101", "osm:node/102", "osm:way/103")),
    )
    version = outcome.version
    assert version is not None
    assert (version.action, version.source, version.author, version.note) == (
        "import",
        "osm:taoyuan.osm.pbf",
        "tester",
        "first OSM import",
    )
    assert version.counts == {"facility": {"added": 3, "changed": 0, "removed": 0}}
    assert datetime.fromisoformat(version.created_at).utcoffset().total_seconds() == 0
    assert store.records("facility") == sorted(facilities, key=lambda f: f.key)
    assert store.count("facility") == 3
    assert store.scopes("facility") == {"osm": 3}
    assert store.latest_version() == version


def test_importing_the_same_data_again_makes_no_version(store: Store, hand) -> None:
    first = store.commit([osm_facilities(hand.facilities())], **IMPORT)
    again = store.commit([osm_facilities(list(reversed(hand.facilities())))], **IMPORT)

    assert again.version is None
    assert again.summary.is_empty
    assert again.summary.counts() == {"facility": {"added": 0, "changed": 0, "removed": 0}}
    assert store.versions() == [first.version]


def test_changing_one_field_changes_exactly_that_key_with_before_and_after(
    store: Store, hand
) -> None:
    store.commit([osm_facilities(hand.facilities())], **IMPORT)
    edited = [hand.clinic(phone="022-2735 9999"), *hand.facilities()[1:]]

    outcome = store.commit([osm_facilities(edited)], **IMPORT)

    assert outcome.summary.kinds == (KindChanges("facility", changed=("osm:node/101",)),)
    assert outcome.version is not None
    (change,) = store.changes(outcome.version.id)
    assert (change.kind, change.key, change.action, change.scope) == (
        "facility",
        "osm:node/101",
        "changed",
        "osm",
    )
    assert change.before is not None and change.after is not None
    assert change.before["phone"] == "022-2735 0000"
    assert change.after["phone"] == "022-2735 9999"
    assert {k for k in change.before if change.before[k] != change.after[k]} == {"phone"}
    assert store.records("facility")[0].phone == "022-2735 9999"  # type: ignore[attr-defined]


def test_removal_happens_within_the_scope_and_leaves_other_scopes_alone(store: Store, hand) -> None:
    sheet = Snapshot("facility", "sheet:facilities", [hand.sheet_facility()])
    store.commit([osm_facilities(hand.facilities()), sheet], **IMPORT)

    outcome = store.commit([osm_facilities(hand.facilities()[:1])], **IMPORT)

    assert outcome.summary.kinds == (
        KindChanges("facility", removed=("osm:node/102", "osm:way/103")),
    )
    assert store.scopes("facility") == {"osm": 1, "sheet:facilities": 1}
    assert [r.key for r in store.records("facility", scope="sheet:facilities")] == [
        "sheet:facilities:7"
    ]
    assert outcome.version is not None
    removed = store.changes(outcome.version.id)
    assert [(c.action, c.key, c.after) for c in removed] == [
        ("removed", "osm:node/102", None),
        ("removed", "osm:way/103", None),
    ]
    assert removed[0].before is not None and removed[0].before["name"] == "桃园菜市场"


def test_protected_keys_survive_when_absent(store: Store, hand) -> None:
    store.commit([osm_facilities(hand.facilities())], **IMPORT)
    # Row 102 was bad this time and skipped: its previous version must stay.
    snapshot = osm_facilities(hand.facilities()[::2], protect=frozenset({"osm:node/102"}))

    assert store.plan([snapshot]).is_empty
    assert store.commit([snapshot], **IMPORT).version is None
    assert store.count("facility", scope="osm") == 3


def test_plan_writes_nothing(store: Store, hand) -> None:
    summary = store.plan([osm_facilities(hand.facilities())])

    assert summary.counts() == {"facility": {"added": 3, "changed": 0, "removed": 0}}
    assert store.versions() == []
    assert store.count("facility") == 0


def test_versions_and_changes_are_listed_in_order(store: Store, hand) -> None:
    v1 = store.commit([osm_facilities(hand.facilities())], **IMPORT).version
    edited = [hand.clinic(status="closed"), hand.facilities()[2]]
    v2 = store.commit(
        [osm_facilities(edited), Snapshot("compound", "sheet:compounds", [hand.compound()])],
        action="edit",
        source="web",
        author="王主任",
        note="卫生站已关闭",
    ).version

    assert v1 is not None and v2 is not None
    assert [v.id for v in store.versions()] == [v1.id, v2.id]
    assert v2.id > v1.id
    assert (v2.action, v2.author, v2.note) == ("edit", "王主任", "卫生站已关闭")
    assert v2.counts == {
        "facility": {"added": 0, "changed": 1, "removed": 1},
        "compound": {"added": 1, "changed": 0, "removed": 0},
    }
    assert [(c.kind, c.action, c.key) for c in store.changes(v2.id)] == [
        ("facility", "changed", "osm:node/101"),
        ("facility", "removed", "osm:node/102"),
        ("compound", "added", "sheet:compounds:1"),
    ]
    assert store.changes(v2.id + 1000) == []


def test_walk_history_keeps_keys_but_not_payloads(store: Store, hand) -> None:
    ways = hand.ways(3)
    store.commit([Snapshot("walk_way", "osm", ways)], **IMPORT)
    retagged = [ways[0], ways[1].__class__(**{**ways[1].__dict__, "tags": {"highway": "steps"}})]

    outcome = store.commit([Snapshot("walk_way", "osm", retagged)], **IMPORT)

    assert outcome.summary.kinds == (
        KindChanges("walk_way", changed=("osm:way/1001",), removed=("osm:way/1002",)),
    )
    assert outcome.version is not None
    history = store.changes(outcome.version.id)
    assert [(c.action, c.key, c.before, c.after) for c in history] == [
        ("changed", "osm:way/1001", None, None),
        ("removed", "osm:way/1002", None, None),
    ]
    assert store.records("walk_way") == retagged


def test_every_kind_round_trips_in_one_version(store: Store, hand) -> None:
    snapshots = [
        osm_facilities(hand.facilities()),
        Snapshot("compound", "sheet:compounds", [hand.compound()]),
        Snapshot("board", "sheet:boards", [hand.board()]),
        Snapshot("walk_way", "osm", hand.ways(2)),
        Snapshot("walk_node", "osm", [hand.node()]),
        Snapshot("local_edit", "edit", [hand.edit(1), hand.link(2)]),
        Snapshot(
            "candidate_site",
            "osm",
            [CandidateSite("osm:way/7", "Puisto", 24.94, 60.17, {"leisure": "park"})],
        ),
        Snapshot(
            "complete_type",
            "sheet:facilities",
            [CompleteType("breakfast_shop", "facilities", "wang", "2026-12-01", "设施.xlsx")],
        ),
        Snapshot(
            "facility_match",
            "decisions",
            [FacilityMatch("osm:node/1", "sheet:药店:1", "same", "pharmacy", author="王芳")],
        ),
    ]
    outcome = store.commit(snapshots, **IMPORT)

    assert len(store.versions()) == 1
    assert outcome.version is not None
    assert set(outcome.version.counts) == set(RECORD_TYPES)
    for snap in snapshots:
        assert store.records(snap.kind) == sorted(snap.records, key=lambda r: r.key)


def test_a_key_can_move_to_another_scope_in_one_write(store: Store, hand) -> None:
    store.commit([Snapshot("facility", "sheet:old", [hand.sheet_facility()])], **IMPORT)

    outcome = store.commit(
        [
            Snapshot("facility", "sheet:old", []),
            Snapshot("facility", "sheet:new", [hand.sheet_facility()]),
        ],
        **IMPORT,
    )

    assert outcome.summary.kinds == (KindChanges("facility", changed=("sheet:facilities:7",)),)
    assert store.scopes("facility") == {"sheet:new": 1}


def test_a_key_owned_by_another_scope_is_refused_and_nothing_is_written(store: Store, hand) -> None:
    store.commit([osm_facilities(hand.facilities())], **IMPORT)
    clash = Snapshot("facility", "sheet:facilities", [hand.clinic(name="改名")])

    with pytest.raises(StoreError, match=r"'osm:node/101' from scope 'sheet:facilities'.*'osm'"):
        store.commit([clash, Snapshot("compound", "sheet:c", [hand.compound()])], **IMPORT)
    assert len(store.versions()) == 1
    assert store.count("compound") == 0


@pytest.mark.parametrize(
    ("snapshots", "message"),
    [
        ([Snapshot("shop", "osm", [])], "unknown record kind 'shop'"),
        ([Snapshot("facility", "", [])], "empty scope"),
        ([Snapshot("compound", "osm", [Facility("x", "x", "x", 1.0, 2.0)])], "contains a Facility"),
        (
            [Snapshot("facility", "a", [Facility("k", "A", "t", 1.0, 2.0)] * 2)],
            "'k' appears twice",
        ),
        ([Snapshot("facility", "a", []), Snapshot("facility", "a", [])], "two facility snapshots"),
        ([Snapshot("facility", "a", [Facility("k", "A", "t", float("nan"), 2.0)])], "finite"),
    ],
)
def test_malformed_snapshots_are_refused(store: Store, snapshots, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        store.commit(snapshots, **IMPORT)
    assert store.versions() == []


def test_a_version_needs_an_author(store: Store, hand) -> None:
    with pytest.raises(StoreError, match="author"):
        store.commit([osm_facilities(hand.facilities())], action="import", source="x", author=" ")


def test_a_database_error_mid_write_rolls_everything_back(
    store: Store, hand, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.commit([osm_facilities(hand.facilities())], **IMPORT)
    real_insert = bulk.insert_chunk

    def insert_then_fail(conn, table, columns, rows):  # type: ignore[no-untyped-def]
        real_insert(conn, table, columns, rows)
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(bulk, "insert_chunk", insert_then_fail)
    changed = [hand.clinic(name="新名字"), *hand.facilities()[1:2]]

    with pytest.raises(StoreError, match=r"rolled back.*disk I/O error"):
        store.commit([osm_facilities(changed)], **IMPORT)
    monkeypatch.undo()
    assert store.records("facility") == sorted(hand.facilities(), key=lambda f: f.key)
    assert len(store.versions()) == 1


def test_unknown_kind_in_reads_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown record kind 'facilities'"):
        store.records("facilities")


def test_meta_values_are_kept_and_replaced(db, store: Store) -> None:
    assert store.get_meta("area_name") is None
    store.set_meta("area_name", "桃园街道")
    store.set_meta("area_code", "120103003000")
    store.set_meta("area_name", "桃园街道 Taoyuan")
    store.close()

    reopened = db.open()
    assert reopened.get_meta("area_name") == "桃园街道 Taoyuan"
    assert reopened.get_meta("area_code") == "120103003000"


def test_canonical_payload_is_the_payload_as_sorted_json(hand) -> None:
    records = [
        *hand.facilities(),
        hand.clinic(extra={"b": "2", "a": "1"}, entrances=((117.19, 39.11),)),
        hand.compound(),
        hand.board(),
        *hand.ways(1),
        hand.node(),
    ]
    for record in records:
        text = canonical_payload(record)
        assert json.loads(text) == record.payload()
        assert text == json.dumps(
            record.payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
    assert set(KINDS) == set(RECORD_TYPES)
