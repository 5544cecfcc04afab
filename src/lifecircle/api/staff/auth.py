"""Staff sessions for the web: a signed cookie, a CSRF token bound to it, login rate limits.

The session is a cookie signed with itsdangerous (secret kept in the store's meta table, so
every worker and restart shares it) holding the user name, a CSRF token and a tag of the
password hash (a new password ends old sessions). Failed logins are counted IN MEMORY, per
process: with several workers each counts its own. Library errors become API errors here.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lifecircle.api.errors import ApiError, request_lang
from lifecircle.api.state import AreaState, get_state
from lifecircle.errors import (
    AccessDenied,
    EditError,
    LifecircleError,
    StaffEditError,
    StoreError,
    UserError,
)
from lifecircle.project import Project
from lifecircle.staff import accounts as users
from lifecircle.staff.accounts import User

COOKIE = "lc_staff"
CSRF_HEADER = "X-CSRF-Token"
_SECRET_META = "staff_session_secret"
_SALT = "lifecircle-staff-session"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Session:
    """What the cookie says: who (``None`` before login), the CSRF token, the password tag."""

    user: str | None
    csrf: str
    tag: str = ""


class LoginLimiter:
    """Failed logins per key (``ip:…``, ``user:…``) in a sliding window, in this process only.

    >>> now = [0.0]
    >>> limits = LoginLimiter(max_failures=2, window_s=60, clock=lambda: now[0])
    >>> limits.fail(["user:li"]); limits.fail(["user:li"]); limits.blocked_for_s(["user:li"])
    60.0
    >>> now[0] = 61.0; limits.blocked_for_s(["user:li"])
    0.0
    """

    #: Keys kept before the idle ones are dropped (attackers choose the user names).
    MAX_KEYS = 10_000

    def __init__(
        self, *, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def blocked_for_s(self, keys: list[str]) -> float:
        """Seconds until a login for these keys is allowed again (0: allowed now)."""
        now = self._clock()
        with self._lock:
            waits = [
                self.window_s - (now - times[0])
                for times in (self._recent(key, now) for key in keys)
                if len(times) >= self.max_failures
            ]
        return max(waits, default=0.0)

    def fail(self, keys: list[str]) -> None:
        """Count one failed login for each key."""
        now = self._clock()
        with self._lock:
            if len(self._failures) > self.MAX_KEYS:
                idle = [k for k in list(self._failures) if not self._recent(k, now)]
                for key in idle:
                    del self._failures[key]
            for key in keys:
                self._recent(key, now).append(now)

    def forget(self, key: str) -> None:
        """Clear a key's failures (a user name after a successful login)."""
        with self._lock:
            self._failures.pop(key, None)


def _app_value(request: Request, name: str, make: Any) -> Any:
    state = request.app.state
    found = getattr(state, name, None)
    if found is None:
        found = make()
        setattr(state, name, found)
    return found


def _secret(project: Project) -> str:
    with project.open_store() as store:
        return store.accounts.meta_once(_SECRET_META, secrets.token_urlsafe(32))


def _serializer(request: Request) -> URLSafeTimedSerializer:
    project = get_state(request).project
    found: URLSafeTimedSerializer = _app_value(
        request,
        "staff_serializer",
        lambda: URLSafeTimedSerializer(_secret(project), salt=_SALT),
    )
    return found


def limiter(request: Request) -> LoginLimiter:
    """Return the app's login limiter (made from the project's settings on first use)."""
    settings = get_state(request).project.settings
    found: LoginLimiter = _app_value(
        request,
        "staff_limiter",
        lambda: LoginLimiter(
            max_failures=settings.staff_login_max_failures,
            window_s=settings.staff_login_window_min * 60,
        ),
    )
    return found


def read_session(request: Request) -> Session | None:
    """Read the request's session, or ``None`` (no cookie, bad signature, expired)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    max_age_s = int(get_state(request).project.settings.staff_session_hours * 3600)
    try:
        data = _serializer(request).loads(raw, max_age=max_age_s)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        return None
    return Session(data.get("u"), data["c"], str(data.get("t", "")))


def write_session(request: Request, response: Response, session: Session) -> None:
    """Set the signed session cookie (HttpOnly, SameSite=Strict; Secure over https)."""
    token = _serializer(request).dumps({"u": session.user, "c": session.csrf, "t": session.tag})
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(get_state(request).project.settings.staff_session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def new_session(user: str | None = None, tag: str = "") -> Session:
    """Make a session with a fresh CSRF token."""
    return Session(user, secrets.token_urlsafe(24), tag)


def check_csrf(request: Request, session: Session | None) -> None:
    """Refuse a state-changing request whose CSRF header does not match the session's token."""
    if request.method in _SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if session is None or not sent or not hmac.compare_digest(sent, session.csrf):
        raise ApiError(403, "error.staff.csrf")


def current_user(request: Request) -> User:
    """FastAPI dependency: the logged-in, enabled user whose password has not changed.

    State-changing requests must also carry the session's CSRF token.
    """
    session = read_session(request)
    if session is None or session.user is None:
        raise ApiError(401, "error.staff.login_required")
    with get_state(request).project.open_store() as store:
        user = users.get_user(store, session.user)
        tag = users.session_tag(store, session.user)
    if user is None or tag is None or not hmac.compare_digest(tag, session.tag):
        raise ApiError(401, "error.staff.login_required")
    check_csrf(request, session)
    return user


UserDep = Annotated[User, Depends(current_user)]
StateDep = Annotated[AreaState, Depends(get_state)]


def user_json(user: User, request: Request) -> dict[str, Any]:
    """Describe a user for the page: name, level, area and the role in the request's language."""
    return {
        "name": user.name,
        "level": user.level,
        "area": user.area,
        "role": user.role_label().render(request_lang(request)),
    }


def _values(exc: LifecircleError) -> dict[str, Any]:
    # "details" is ApiError's own keyword; no catalogue message uses it as a placeholder.
    return {name: value for name, value in exc.msg.params if name != "details"}


@contextmanager
def api_errors() -> Iterator[None]:
    """Turn the staff library's errors into API errors: 403, 404 or 422 with the field."""
    try:
        yield
    except AccessDenied as exc:
        raise ApiError(403, exc.msg.key, **_values(exc)) from exc
    except StaffEditError as exc:
        details = [{"field": exc.field}] if exc.field else []
        raise ApiError(422, exc.msg.key, details=details, **_values(exc)) from exc
    except (UserError, EditError) as exc:
        raise ApiError(422, exc.msg.key, **_values(exc)) from exc
    except StoreError as exc:
        if exc.msg.key in ("error.store.nothing_to_change", "error.store.nothing_to_remove"):
            key = dict(exc.msg.params).get("key", "")
            raise ApiError(404, "error.staff.not_found", key=str(key)) from exc
        raise
