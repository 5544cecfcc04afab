"""The welfare register's store area: its tables as migrated, one write or none, the purge."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lifecircle.errors import StoreError
from lifecircle.store.care import AccessEntry
from lifecircle.store.care_schema import care_metadata


def person(uid: str) -> dict[str, object]:
    return {
        "uid": uid,
        "level": "high",
        "grid": "G1",
        "community": "桃园社区",
        "subdistrict": "桃园街道",
        "consent_basis": "legal_duty",
        "consent_on": "",
        "consent_by": "",
        "name_enc": "v1.k1.sealed",
        "registered_at": 100,
        "source": "test",
    }


def test_the_register_tables_match_the_schema_module(db) -> None:
    db.open().close()
    with db.raw().connect() as conn:
        for table in care_metadata.sorted_tables:
            stored = set(conn.execute(text(f"SELECT * FROM {table.name} WHERE 1 = 0")).keys())
            assert stored == {c.name for c in table.columns}, table.name


def test_people_and_their_log_rows_are_written_together_or_not_at_all(store) -> None:
    entry = AccessEntry("wang", "add", "register", None, {"n": 2})
    with pytest.raises(StoreError):
        store.care.add_people([person("a"), person("a")], [entry], now_s=200)  # uid twice
    assert store.care.people() == [] and store.care.access_log() == []
    ids = store.care.add_people([person("a"), person("b")], [entry], now_s=200)
    assert [r["uid"] for r in store.care.people(ids=ids)] == ["a", "b"]
    assert [(r["user_name"], r["at"]) for r in store.care.access_log()] == [("wang", 200)]


def test_lists_are_limited_by_column(store) -> None:
    store.care.add_people([person("a"), {**person("b"), "grid": "G2"}], [], now_s=1)
    assert [r["uid"] for r in store.care.people(column="grid", values=["G2"])] == ["b"]


def test_purge_runs_on_each_database(store) -> None:
    [pid] = store.care.add_people([person("a")], [], now_s=1)
    store.care.update_person(pid, {"name_enc": None}, [], now_s=2)
    store.care.purge()
    assert store.care.person(pid)["name_enc"] is None
