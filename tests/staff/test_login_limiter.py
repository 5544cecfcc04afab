"""The in-memory login limiter: per key, sliding window, bounded memory."""

from __future__ import annotations

from lifecircle.api.staff.auth import LoginLimiter


def _limiter(now: list[float]) -> LoginLimiter:
    return LoginLimiter(max_failures=5, window_s=900, clock=lambda: now[0])


def test_five_failures_block_that_key_until_the_oldest_leaves_the_window():
    now = [0.0]
    limits = _limiter(now)
    for minute in range(5):
        now[0] = minute * 60.0
        assert limits.blocked_for_s(["ip:1", "user:li"]) == 0
        limits.fail(["ip:1", "user:li"])
    assert limits.blocked_for_s(["ip:2", "user:li"]) == 900 - 240  # the name is blocked
    assert limits.blocked_for_s(["ip:1", "user:wang"]) == 900 - 240  # and so is the address
    assert limits.blocked_for_s(["ip:2", "user:wang"]) == 0
    now[0] = 901.0  # the first failure has left the window: four remain
    assert limits.blocked_for_s(["user:li"]) == 0


def test_forget_clears_a_name_after_a_successful_login():
    now = [0.0]
    limits = _limiter(now)
    for _ in range(5):
        limits.fail(["user:li"])
    limits.forget("user:li")
    assert limits.blocked_for_s(["user:li"]) == 0


def test_idle_keys_are_dropped_so_random_names_cannot_fill_memory():
    now = [0.0]
    limits = _limiter(now)
    for n in range(LoginLimiter.MAX_KEYS + 1):
        limits.fail([f"user:{n}"])
    now[0] = 1000.0
    limits.fail(["user:new"])
    assert len(limits._failures) == 1
