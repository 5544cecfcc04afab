"""Single-record writes (staff edits): one record added or removed per version, ids never reused."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from lifecircle.errors import StoreError
from lifecircle.model import Facility, LocalEdit
from lifecircle.store import Snapshot, Store
from lifecircle.store.engine import create_store_engine, parse_store_url
from lifecircle.store.migrations import STEPS, migrate

EDIT = {"scope": "edit", "action": "edit uncrossable_way", "source": "osm:way/1001"}
IMPORT = {"action": "import", "source": "osm:taoyuan.osm.pbf", "author": "tester"}


def test_added_records_get_numbers_and_leave_the_rest_alone(store: Store, hand) -> None:
    store.commit([Snapshot("facility", "osm", hand.facilities())], **IMPORT)
    store.commit([Snapshot("local_edit", "edit", [hand.edit(1)])], **IMPORT)

    made, version = store.add_numbered(
        "local_edit", lambda n: hand.link(n), **EDIT, author="王芳", note="小区北门"
    )

    assert made == hand.link(2)
    assert (version.action, version.source, version.author, version.note) == (
        "edit uncrossable_way",
        "osm:way/1001",
        "王芳",
        "小区北门",
    )
    assert version.counts == {"local_edit": {"added": 1, "changed": 0, "removed": 0}}
    assert store.records("local_edit") == [hand.edit(1), hand.link(2)]
    assert store.count("facility") == 3
    (change,) = store.changes(version.id)
    assert (change.kind, change.key, change.action, change.scope) == (
        "local_edit",
        "edit:2",
        "added",
        "edit",
    )
    assert change.after == hand.link(2).payload()


def test_a_removed_number_is_never_given_again(store: Store, hand) -> None:
    for _ in range(3):
        store.add_numbered("local_edit", hand.edit, **EDIT, author="a")
    removed = store.remove_record(
        "local_edit", "edit:3", action="edit remove", source="edit:3", author="b", note="gone"
    )

    assert (removed.action, removed.author, removed.note) == ("edit remove", "b", "gone")
    assert removed.counts == {"local_edit": {"added": 0, "changed": 0, "removed": 1}}
    (change,) = store.changes(removed.id)
    assert (change.key, change.action, change.after) == ("edit:3", "removed", None)
    assert change.before == hand.edit(3).payload()

    made, _ = store.add_numbered("local_edit", hand.edit, **EDIT, author="a")
    assert made.key == "edit:4"
    assert [r.key for r in store.records("local_edit")] == ["edit:1", "edit:2", "edit:4"]
    assert len(store.versions()) == 5


def test_a_record_with_the_wrong_key_or_a_failing_make_writes_nothing(store: Store, hand) -> None:
    with pytest.raises(StoreError, match=r"key ending in ':1', got 'edit:7'"):
        store.add_numbered("local_edit", lambda n: hand.edit(7), **EDIT, author="a")
    with pytest.raises(StoreError, match="cannot add a Facility"):
        store.add_numbered(
            "local_edit", lambda n: Facility(f"x:{n}", "x", "t", 1.0, 2.0), **EDIT, author="a"
        )

    def broken(number: int) -> LocalEdit:
        raise ValueError("no such road")

    with pytest.raises(ValueError, match="no such road"):
        store.add_numbered("local_edit", broken, **EDIT, author="a")
    assert store.versions() == []
    assert store.count("local_edit") == 0


def test_numbers_follow_both_stored_and_removed_keys(store: Store, hand) -> None:
    store.commit([Snapshot("local_edit", "import", [hand.edit(5), hand.edit(9)])], **IMPORT)
    store.remove_record("local_edit", "edit:9", action="edit remove", source="x", author="a")
    store.commit([Snapshot("local_edit", "import", [hand.edit(5), hand.link(7)])], **IMPORT)

    made, _ = store.add_numbered("local_edit", hand.edit, **EDIT, author="a")
    assert made.key == "edit:10"


def test_removing_a_missing_record_or_writing_without_an_author_is_refused(
    store: Store, hand
) -> None:
    with pytest.raises(StoreError, match=r"no local_edit 'edit:1' to remove"):
        store.remove_record("local_edit", "edit:1", action="edit remove", source="x", author="a")
    with pytest.raises(StoreError, match="author"):
        store.add_numbered("local_edit", hand.edit, **EDIT, author=" ")
    with pytest.raises(StoreError, match="unknown record kind 'edit'"):
        store.remove_record("edit", "edit:1", action="edit remove", source="x", author="a")
    assert store.versions() == []


def test_get_record_finds_one_record_by_key(store: Store, hand) -> None:
    store.commit([Snapshot("local_edit", "edit", [hand.link(1)])], **IMPORT)
    assert store.get_record("local_edit", "edit:1") == hand.link(1)
    assert store.get_record("local_edit", "edit:2") is None


def test_concurrent_writers_never_get_the_same_number(db, hand) -> None:
    stores = [db.open(), db.open()]
    errors: list[BaseException] = []

    def add_five(store: Store) -> None:
        try:
            for _ in range(5):
                store.add_numbered("local_edit", hand.edit, **EDIT, author="a")
        except BaseException as exc:  # reported below: a thread's error must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=add_five, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    keys = [r.key for r in stores[0].records("local_edit")]
    assert sorted(keys, key=lambda k: int(k.split(":")[1])) == [f"edit:{n}" for n in range(1, 11)]
    assert len(stores[0].versions()) == 10


def test_an_older_database_gets_the_edits_table_and_keeps_its_data(db, hand) -> None:
    engine = create_store_engine(parse_store_url(db.url))
    migrate(engine, steps=STEPS[:2])
    engine.dispose()
    with db.raw().connect() as conn:
        found = conn.execute(text("SELECT name FROM schema_migrations ORDER BY name")).scalars()
        assert list(found) == ["0001_initial", "0002_postgis_geometry"]

    store = db.open()

    assert "0003_local_edits" in store.applied_migrations()
    made, _ = store.add_numbered("local_edit", hand.edit, **EDIT, author="a")
    assert store.records("local_edit") == [made]
