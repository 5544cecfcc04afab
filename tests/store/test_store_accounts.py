"""Users and the audit log in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from lifecircle.errors import StoreError
from lifecircle.store import Snapshot
from lifecircle.store.accounts import AuditEntry, UserRow

ROW = UserRow("li", "$argon2id$fake", "community", "友谊里社区", "2025-01-01T00:00:00Z")


def test_users_are_added_once_changed_and_removed(store) -> None:
    assert store.accounts.add_user(ROW, audit=AuditEntry("cli", "user.add", "li"))
    assert not store.accounts.add_user(ROW)
    assert store.accounts.users() == [ROW]
    assert store.accounts.update_user("li", {"disabled": 1})
    assert store.accounts.get_user("li").disabled
    assert not store.accounts.update_user("nobody", {"disabled": 1})
    assert store.accounts.remove_user("li") and store.accounts.get_user("li") is None
    assert [a.action for a in store.accounts.audit()] == ["user.add"]


def test_an_update_and_its_audit_row_are_one_transaction(store, hand) -> None:
    store.commit(
        [Snapshot("facility", "osm", [hand.clinic()])], action="import", source="t", author="t"
    )
    key = hand.clinic().key

    def audit(before, after):
        return AuditEntry("li", "facility.update", after.key, {"name": [before.name, after.name]})

    import dataclasses

    made, version = store.update_record(
        "facility",
        key,
        lambda r: dataclasses.replace(r, name="新名"),
        action="edit",
        source="web",
        author="li",
        audit=audit,
    )
    [entry] = store.accounts.audit()
    assert (entry.user, entry.target, entry.data_version) == ("li", key, version.id)
    assert entry.detail["name"][1] == "新名" and store.get_record("facility", key) == made

    def refuse(_record):
        raise StoreError("error.store.nothing_to_change", kind="facility", key=key)

    with pytest.raises(StoreError):
        store.update_record(
            "facility", key, refuse, action="edit", source="web", author="li", audit=audit
        )
    assert len(store.accounts.audit()) == 1 and len(store.versions()) == 2
    _same, none = store.update_record(
        "facility", key, lambda r: r, action="edit", source="web", author="li", audit=audit
    )
    assert none is None and len(store.accounts.audit()) == 1
    with pytest.raises(StoreError, match="no facility 'missing' to change"):
        store.update_record("facility", "missing", lambda r: r, action="e", source="w", author="a")


def test_audit_pages_newest_first_and_filters_by_user(store) -> None:
    for n in range(5):
        store.accounts.add_audit(AuditEntry("a" if n % 2 else "b", "login", f"t{n}"))
    page = store.accounts.audit(limit=2)
    assert [r.target for r in page] == ["t4", "t3"]
    assert [r.target for r in store.accounts.audit(limit=2, before_id=page[-1].id)] == ["t2", "t1"]
    assert [r.target for r in store.accounts.audit(user="a")] == ["t3", "t1"]
    assert store.accounts.count_audit() == 5


def test_meta_once_keeps_the_first_value(store) -> None:
    assert store.accounts.meta_once("secret", "first") == "first"
    assert store.accounts.meta_once("secret", "second") == "first"
    assert store.get_meta("secret") == "first"
