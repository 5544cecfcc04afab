"""Sessions, failed-login counts and job rows in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from lifecircle.store.accounts import UserRow
from lifecircle.store.schema import staff_sessions
from lifecircle.store.sessions import SessionRow, token_hash

ROW = UserRow("li", "$argon2id$fake", "community", "友谊里社区", "2025-01-01T00:00:00Z")


def _session(user: str = "li", expires_s: float = 2000.0) -> SessionRow:
    return SessionRow(user, "csrf-token", "2025-01-01T00:00:00Z", expires_s, "10.0.0.1")


def test_sessions_are_stored_by_a_hash_and_end_with_the_account(store) -> None:
    store.accounts.add_user(ROW)
    store.sessions.add("secret-token", _session(), now_s=1000.0)
    assert store.sessions.get("secret-token", now_s=1000.0) == _session()
    assert store.sessions.get("secret-token", now_s=2000.0) is None  # expired
    with store._engine.connect() as conn:  # the token itself is never stored
        [stored] = conn.execute(staff_sessions.select()).mappings().all()
    assert stored["token_hash"] == token_hash("secret-token") != "secret-token"
    assert store.accounts.update_user("li", {"password_hash": "$argon2id$new"}, end_sessions=True)
    assert store.sessions.get("secret-token", now_s=1000.0) is None
    store.sessions.add("second", _session(), now_s=1000.0)
    assert store.accounts.update_user("li", {"area": "x"})  # no end_sessions: it lives on
    assert store.sessions.get("second", now_s=1000.0) is not None
    assert store.accounts.remove_user("li")
    assert store.sessions.get("second", now_s=1000.0) is None


def test_expired_sessions_are_dropped_when_a_new_one_starts(store) -> None:
    store.sessions.add("old", _session(expires_s=1500.0), now_s=1000.0)
    store.sessions.add("new", _session(expires_s=9000.0), now_s=1600.0)
    with store._engine.connect() as conn:
        assert len(conn.execute(staff_sessions.select()).all()) == 1
    assert store.sessions.end("new") and not store.sessions.end("new")


def test_attempts_are_counted_only_when_allowed_and_old_counts_forgotten(store) -> None:
    keys = ["ip+name:1|li", "ip:1"]
    for i in range(3):
        store.sessions.count_attempt(
            keys, now_s=float(i), forget_before_s=-1, allowed=lambda c: True
        )
    seen = store.sessions.count_attempt(
        keys, now_s=3.0, forget_before_s=-1, allowed=lambda c: False
    )
    assert sorted((c.key, c.failures, c.last_s) for c in seen) == [
        ("ip+name:1|li", 3, 2.0),
        ("ip:1", 3, 2.0),
    ]
    store.sessions.forgive(["ip+name:1|li"], ["ip:1"])
    assert [(c.key, c.failures) for c in store.sessions.failures(keys)] == [("ip:1", 2)]
    store.sessions.count_attempt(["other"], now_s=10.0, forget_before_s=5.0, allowed=lambda c: True)
    assert store.sessions.failures(keys) == []  # last at 2 s: forgotten


def test_job_rows_start_within_the_limit_progress_and_finish_once(store) -> None:
    assert store.jobs.start("a", owner="li", kind="sheet", now_s=0.0, deadline_s=100.0, limit=1)
    assert not store.jobs.start("b", owner="li", kind="sheet", now_s=1.0, deadline_s=100.0, limit=1)
    # a running job past its deadline is lost and no longer holds its place
    assert store.jobs.start("c", owner="li", kind="sheet", now_s=101.0, deadline_s=200.0, limit=1)
    store.jobs.progress("c", stage="check", done=12, now_s=102.0)
    found = store.jobs.get("c")
    assert (found.state, found.stage, found.done) == ("running", "check", 12)
    assert store.jobs.finish("c", now_s=103.0, result={"rows": 12, "名称": "卫生站"})
    assert not store.jobs.finish("c", now_s=104.0, error={"code": "late"})
    done = store.jobs.get("c")
    assert (done.state, done.result, done.error) == ("done", {"rows": 12, "名称": "卫生站"}, None)
    assert store.jobs.get("nope") is None
