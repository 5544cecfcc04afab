"""Staff login, logout and the current session (``/api/staff/session``, ``/login``, ``/logout``).

Login is itself CSRF-protected (the token of the anonymous session from ``GET /session``),
slowed down per address and user name (:mod:`lifecircle.staff.sessions`), and audited
(successes and failures). Logout ends the stored session everywhere.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from lifecircle.api.errors import ApiError
from lifecircle.api.staff.auth import (
    SessionDep,
    StateDep,
    check_csrf,
    client_ip,
    read_session,
    user_json,
    write_cookie,
)
from lifecircle.errors import Msg
from lifecircle.staff import accounts as users
from lifecircle.staff import sessions
from lifecircle.store.accounts import AuditEntry

router = APIRouter(tags=["staff"])


class LoginIn(BaseModel):
    """A login attempt."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


@router.get("/session")
def get_session(request: Request, response: Response) -> dict[str, Any]:
    """Who is logged in (``user`` is ``null`` before login) and the CSRF token to send back."""
    session = read_session(request) or write_cookie(request, response)
    assert session is not None
    user = user_json(session.user, request) if session.user is not None else None
    return {"user": user, "csrf_token": session.csrf}


def wait_text(seconds: int) -> Msg:
    """Say a wait in seconds or whole minutes.

    >>> wait_text(30).render("en"), wait_text(200).render("zh")
    ('30 seconds', '4 分钟')
    """
    if seconds < 120:
        return Msg("time.seconds", n=seconds)
    return Msg("time.minutes", n=-(-seconds // 60))


@router.post("/login")
def login(body: LoginIn, request: Request, response: Response, state: StateDep) -> dict[str, Any]:
    """Log in with name and password; answers the user and a new CSRF token."""
    before = read_session(request)
    check_csrf(request, before)
    ip = client_ip(request)
    settings = state.project.settings
    policy = sessions.LoginPolicy.from_settings(settings)
    with state.project.open_store() as store:
        wait_s = sessions.begin_login(store, ip=ip, name=body.name, policy=policy)
        if wait_s > 0:
            raise ApiError(
                429,
                "error.staff.too_many_logins",
                wait=wait_text(wait_s),
                headers={"Retry-After": str(wait_s)},
            )
        user = users.authenticate(store, body.name, body.password)
        if user is None:
            store.accounts.add_audit(AuditEntry(body.name, "login.failed", body.name, {"ip": ip}))
            raise ApiError(401, "error.staff.login_failed")
        sessions.login_succeeded(store, ip=ip, name=body.name)
        store.accounts.add_audit(AuditEntry(user.name, "login", user.name, {"ip": ip}))
        if before is not None and before.token:
            sessions.end_session(store, before.token)  # a new login never reuses a session
        token, csrf = sessions.open_session(store, user, ip=ip, hours=settings.staff_session_hours)
    write_cookie(request, response, token=token)
    return {"user": user_json(user, request), "csrf_token": csrf}


@router.post("/logout")
def logout(
    session: SessionDep, request: Request, response: Response, state: StateDep
) -> dict[str, Any]:
    """End the session in every process (a new anonymous one with a new CSRF token follows)."""
    assert session.user is not None and session.token is not None
    with state.project.open_store() as store:
        sessions.end_session(store, session.token)
        store.accounts.add_audit(AuditEntry(session.user.name, "logout", session.user.name))
    anonymous = write_cookie(request, response)
    assert anonymous is not None
    return {"user": None, "csrf_token": anonymous.csrf}
