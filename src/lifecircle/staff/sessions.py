"""Staff logins and sessions without HTTP: growing waits after failures, server-side sessions.

Failed logins are counted per (address, user name) and per address, in the store, so every
worker process sees the same counts. After ``max_failures`` a key's next attempt waits 30 s,
then 60 s, 120 s … up to the window: a flood from one address slows that address down and
never locks the user out from another one. A session is a stored row; ending it (logout, new
password, disabled or removed account) takes effect in every process at once.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass

from lifecircle.config import Settings
from lifecircle.staff.accounts import User, get_user
from lifecircle.store import Store
from lifecircle.store.engine import utc_timestamp
from lifecircle.store.sessions import FailureCount, SessionRow

#: The first wait after the free attempts, in seconds; each further failure doubles it.
FIRST_WAIT_S = 30.0


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures are free per (address, name) and per address, and the window."""

    max_failures: int = 5
    ip_max_failures: int = 50
    window_s: float = 900.0

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginPolicy:
        """Read the policy from the ``staff_login_*`` settings."""
        return cls(
            max_failures=settings.staff_login_max_failures,
            ip_max_failures=settings.staff_login_ip_max_failures,
            window_s=settings.staff_login_window_min * 60,
        )

    def wait_s(self, count: FailureCount, *, now_s: float) -> float:
        """Seconds a key must still wait before its next attempt (0: it may try now).

        >>> policy = LoginPolicy(max_failures=5, window_s=900)
        >>> policy.wait_s(FailureCount("ip+name:x", 5, last_s=100.0), now_s=110.0)
        20.0
        >>> policy.wait_s(FailureCount("ip+name:x", 9, last_s=100.0), now_s=110.0)  # 480 s
        470.0
        >>> policy.wait_s(FailureCount("ip+name:x", 4, last_s=100.0), now_s=100.0)
        0.0
        """
        free = self.ip_max_failures if count.key.startswith("ip:") else self.max_failures
        over = count.failures - free
        if over < 0:
            return 0.0
        wait = min(self.window_s, FIRST_WAIT_S * 2.0 ** min(over, 30))
        return max(0.0, count.last_s + wait - now_s)


def login_keys(ip: str, name: str) -> tuple[str, str]:
    """Return the counted keys of an attempt: the (address, name) pair and the address.

    >>> login_keys("10.0.0.7", "li")
    ('ip+name:10.0.0.7|li', 'ip:10.0.0.7')
    """
    return f"ip+name:{ip}|{name}", f"ip:{ip}"


def begin_login(
    store: Store, *, ip: str, name: str, policy: LoginPolicy, now_s: float | None = None
) -> int:
    """Count a login attempt unless it must wait; return the seconds to wait (0: go on).

    The attempt counts as a failure until :func:`login_succeeded` forgives it, so parallel
    attempts cannot slip past the count.
    """
    now = time.time() if now_s is None else now_s
    waits: list[float] = []

    def allowed(counts: list[FailureCount]) -> bool:
        waits.extend(policy.wait_s(count, now_s=now) for count in counts)
        return max(waits, default=0.0) <= 0

    store.sessions.count_attempt(
        login_keys(ip, name), now_s=now, forget_before_s=now - policy.window_s, allowed=allowed
    )
    return math.ceil(max(waits, default=0.0))


def login_succeeded(store: Store, *, ip: str, name: str) -> None:
    """Forgive the pair's failures and this attempt's count against the address."""
    pair, address = login_keys(ip, name)
    store.sessions.forgive([pair], [address])


@dataclass(frozen=True)
class OpenSession:
    """A live session: the user and the CSRF token their writes must carry."""

    user: User
    csrf: str


def open_session(
    store: Store, user: User, *, ip: str, hours: float, now_s: float | None = None
) -> tuple[str, str]:
    """Start a session for ``user``; return its cookie token and its CSRF token."""
    now = time.time() if now_s is None else now_s
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    row = SessionRow(user.name, csrf, utc_timestamp(), now + hours * 3600, ip)
    store.sessions.add(token, row, now_s=now)
    return token, csrf


def session_of(store: Store, token: str, *, now_s: float | None = None) -> OpenSession | None:
    """Return the live session of a cookie token with its enabled user, or ``None``."""
    now = time.time() if now_s is None else now_s
    row = store.sessions.get(token, now_s=now)
    if row is None:
        return None
    user = get_user(store, row.user)
    if user is None or user.disabled:
        return None
    return OpenSession(user, row.csrf)


def end_session(store: Store, token: str) -> None:
    """End one session (logout)."""
    store.sessions.end(token)
