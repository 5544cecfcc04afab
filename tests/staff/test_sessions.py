"""Logins slowed per (address, name) and per address, counted in the store; stored sessions."""

from __future__ import annotations

from lifecircle.staff.accounts import authenticate, get_user, remove_user
from lifecircle.staff.sessions import (
    FIRST_WAIT_S,
    LoginPolicy,
    begin_login,
    end_session,
    login_succeeded,
    open_session,
    session_of,
)
from tests.staff.conftest import PASSWORD

POLICY = LoginPolicy(max_failures=5, ip_max_failures=20, window_s=900)


def _fail(store, ip: str, name: str, now_s: float) -> int:
    return begin_login(store, ip=ip, name=name, policy=POLICY, now_s=now_s)


def test_a_flood_from_one_address_never_locks_the_user_out_from_another(staff_project):
    with staff_project.open_store() as store:
        waits = [_fail(store, "203.0.113.9", "own", 1000.0 + i / 10) for i in range(40)]
        assert waits[:5] == [0] * 5 and all(w > 0 for w in waits[5:])
        # the attacker's address waits; the real user at the office logs in at once
        assert _fail(store, "10.1.2.3", "own", 1004.0) == 0
        login_succeeded(store, ip="10.1.2.3", name="own")
        # spraying many names from one address slows that address down for every name
        spray = [_fail(store, "198.51.100.7", f"name{i}", 1005.0) for i in range(25)]
        assert spray[:20] == [0] * 20 and all(w > 0 for w in spray[20:])
        assert _fail(store, "198.51.100.7", "district", 1005.0) > 0
        assert _fail(store, "10.1.2.3", "district", 1005.0) == 0


def test_waits_grow_from_30_seconds_and_end_with_the_window(staff_project):
    with staff_project.open_store() as store:
        for i in range(5):
            assert _fail(store, "10.0.0.8", "li", 0.0 + i) == 0
        assert _fail(store, "10.0.0.8", "li", 5.0) == FIRST_WAIT_S - 1  # last failure at 4 s
        assert _fail(store, "10.0.0.8", "li", 34.0) == 0  # waited: the attempt counts
        assert _fail(store, "10.0.0.8", "li", 35.0) == 2 * FIRST_WAIT_S - 1
        assert _fail(store, "10.0.0.8", "li", 34.0 + 901) == 0  # forgotten after the window


def test_a_good_login_forgives_its_pair_but_not_the_flood(staff_project):
    with staff_project.open_store() as store:
        for i in range(4):
            _fail(store, "10.0.0.9", "own", float(i))
        assert _fail(store, "10.0.0.9", "own", 4.0) == 0  # the fifth, a good one
        login_succeeded(store, ip="10.0.0.9", name="own")
        assert [c.failures for c in store.sessions.failures(["ip+name:10.0.0.9|own"])] == []
        [address] = store.sessions.failures(["ip:10.0.0.9"])
        assert address.failures == 4


def test_a_session_lives_until_it_ends_or_expires(staff_project):
    with staff_project.open_store() as store:
        user = authenticate(store, "own", PASSWORD)
        token, csrf = open_session(store, user, ip="10.0.0.1", hours=1, now_s=1000.0)
        found = session_of(store, token, now_s=1000.0 + 3599)
        assert found is not None and (found.user, found.csrf) == (user, csrf)
        assert session_of(store, token, now_s=1000.0 + 3600) is None
        assert session_of(store, "not a token") is None
        token, _ = open_session(store, user, ip="10.0.0.1", hours=1)
        end_session(store, token)
        assert session_of(store, token) is None
        token, _ = open_session(store, user, ip="10.0.0.1", hours=1)
        remove_user(store, "own")
        assert session_of(store, token) is None and get_user(store, "own") is None
        assert store.sessions.count("own", now_s=0.0) == 0
