"""Staff sessions for the web: a signed cookie naming a stored session, and its CSRF token.

Before login the cookie holds only an anonymous CSRF token (nothing is stored for it). After
login it holds the token of a session row in the store (:mod:`lifecircle.staff.sessions`), so
logout, a new password, a disabled or removed account end it in every worker process at once.
The cookie is signed with itsdangerous (secret in the store's meta table). The client address
is the connection's, or, when the connection comes from a ``trusted_proxies`` address, the
last address ``X-Forwarded-For`` names that is not a trusted proxy. Library errors become API
errors here.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lifecircle.api.errors import ApiError, request_lang
from lifecircle.api.state import AreaState, get_state
from lifecircle.config import proxy_networks
from lifecircle.errors import (
    AccessDenied,
    EditError,
    LifecircleError,
    StaffEditError,
    StoreError,
    UserError,
)
from lifecircle.project import Project
from lifecircle.staff.accounts import User
from lifecircle.staff.sessions import session_of
from lifecircle.store import Store

COOKIE = "lc_staff"
CSRF_HEADER = "X-CSRF-Token"
_SECRET_META = "staff_session_secret"
_SALT = "lifecircle-staff-session"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Session:
    """What the cookie stands for: its CSRF token and, once logged in, the user and token."""

    user: User | None
    csrf: str
    token: str | None = None


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


def client_ip(request: Request) -> str:
    """Return the client's address: the peer's, or behind a trusted proxy the forwarded one.

    The server (uvicorn with ``forwarded_allow_ips``) may have done this already; doing it
    again is harmless, and keeps other servers and tests right.
    """
    peer = request.client.host if request.client else ""
    trusted = proxy_networks(get_state(request).project.settings.trusted_proxies)
    if not _inside(peer, trusted):
        return peer or "unknown"
    forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
    for address in reversed([p for p in forwarded if p]):
        if not _inside(address, trusted):
            return address
    return peer


def _inside(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


_SESSION_STORE_LOCK = threading.Lock()


def session_store(request: Request) -> Store:
    """Return the app's store for reading sessions, opened once (opening one costs ~8 ms).

    Every read still asks the database, so a session ended in another process ends here too.
    """
    state = request.app.state
    found: Store | None = getattr(state, "session_store", None)
    if found is None:
        with _SESSION_STORE_LOCK:
            found = getattr(state, "session_store", None)
            if found is None:
                found = get_state(request).project.open_store()
                state.session_store = found
    return found


def read_session(request: Request) -> Session | None:
    """Read the request's session, or ``None`` (no cookie, bad signature, ended or expired)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    max_age_s = int(get_state(request).project.settings.staff_session_hours * 3600)
    try:
        data = _serializer(request).loads(raw, max_age=max_age_s)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    token = data.get("s")
    if isinstance(token, str):
        found = session_of(session_store(request), token)
        return None if found is None else Session(found.user, found.csrf, token)
    csrf = data.get("c")
    return Session(None, csrf) if isinstance(csrf, str) else None


def write_cookie(request: Request, response: Response, *, token: str = "") -> Session | None:
    """Set the signed cookie: a stored session's ``token``, or a new anonymous CSRF token.

    Returns the anonymous session it made (``None`` for a stored one).
    """
    made = None if token else Session(None, secrets.token_urlsafe(24))
    payload = {"s": token} if token else {"c": made.csrf if made else ""}
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps(payload),
        max_age=int(get_state(request).project.settings.staff_session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return made


def check_csrf(request: Request, session: Session | None) -> None:
    """Refuse a state-changing request whose CSRF header does not match the session's token."""
    if request.method in _SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if session is None or not sent or not hmac.compare_digest(sent, session.csrf):
        raise ApiError(403, "error.staff.csrf")


def current_session(request: Request) -> Session:
    """FastAPI dependency: the logged-in session of an enabled user (writes: CSRF checked)."""
    session = read_session(request)
    if session is None or session.user is None:
        raise ApiError(401, "error.staff.login_required")
    check_csrf(request, session)
    return session


def current_user(session: Annotated[Session, Depends(current_session)]) -> User:
    """FastAPI dependency: the logged-in user (see :func:`current_session`)."""
    assert session.user is not None
    return session.user


SessionDep = Annotated[Session, Depends(current_session)]
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
