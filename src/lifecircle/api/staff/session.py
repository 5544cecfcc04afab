"""Staff login, logout and the current session (``/api/staff/session``, ``/login``, ``/logout``).

Login is itself CSRF-protected (the token of the anonymous session from ``GET /session``),
rate-limited per IP and per user name, and audited (successes and failures).
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from lifecircle.api.errors import ApiError
from lifecircle.api.staff.auth import (
    StateDep,
    UserDep,
    check_csrf,
    limiter,
    new_session,
    read_session,
    user_json,
    write_session,
)
from lifecircle.staff import accounts as users
from lifecircle.store.accounts import AuditEntry

router = APIRouter(tags=["staff"])


class LoginIn(BaseModel):
    """A login attempt."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/session")
def get_session(request: Request, response: Response) -> dict[str, Any]:
    """Who is logged in (``user`` is ``null`` before login) and the CSRF token to send back."""
    session = read_session(request)
    if session is None:
        session = new_session()
        write_session(request, response, session)
    user = None
    if session.user is not None:
        with _project(request).open_store() as store:
            found = users.get_user(store, session.user)
            tag = users.session_tag(store, session.user)
        if found is not None and tag == session.tag:
            user = user_json(found, request)
        else:
            session = new_session()
            write_session(request, response, session)
    return {"user": user, "csrf_token": session.csrf}


def _project(request: Request) -> Any:
    return request.app.state.area.project


@router.post("/login")
def login(body: LoginIn, request: Request, response: Response, state: StateDep) -> dict[str, Any]:
    """Log in with name and password; answers the user and a new CSRF token."""
    check_csrf(request, read_session(request))
    keys = [f"ip:{_client_ip(request)}", f"user:{body.name}"]
    wait_s = limiter(request).blocked_for_s(keys)
    if wait_s > 0:
        raise ApiError(429, "error.staff.too_many_logins", minutes=math.ceil(wait_s / 60))
    with state.project.open_store() as store:
        user = users.authenticate(store, body.name, body.password)
        if user is None:
            limiter(request).fail(keys)
            detail = {"ip": _client_ip(request)}
            store.accounts.add_audit(AuditEntry(body.name, "login.failed", body.name, detail))
            raise ApiError(401, "error.staff.login_failed")
        store.accounts.add_audit(
            AuditEntry(user.name, "login", user.name, {"ip": _client_ip(request)})
        )
        tag = users.session_tag(store, user.name) or ""
    limiter(request).forget(f"user:{body.name}")
    session = new_session(user.name, tag)
    write_session(request, response, session)
    return {"user": user_json(user, request), "csrf_token": session.csrf}


@router.post("/logout")
def logout(user: UserDep, request: Request, response: Response, state: StateDep) -> dict[str, Any]:
    """End the session (a new anonymous one with a new CSRF token takes its place)."""
    with state.project.open_store() as store:
        store.accounts.add_audit(AuditEntry(user.name, "logout", user.name))
    session = new_session()
    write_session(request, response, session)
    return {"user": None, "csrf_token": session.csrf}
