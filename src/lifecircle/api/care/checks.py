"""The urgent "can't reach" check: raised by family or neighbours (public) or staff, then worked.

Public (no login, limited per client address like the desk's resident form): ``POST
/api/care/urgent`` answers a token and ``GET /api/care/urgent/{token}`` the status and outcome
only. Staff: ``/api/care/checks`` (list, raise), ``…/{id}/steps``, ``…/{id}/close``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from lifecircle.api.care.common import CareDep, care_errors
from lifecircle.api.desk.common import client_address, form_limiter
from lifecircle.api.errors import ApiError, request_lang
from lifecircle.api.staff.auth import UserDep
from lifecircle.care import urgent

router = APIRouter(prefix="/care", tags=["care: urgent checks"])
public = APIRouter(prefix="/care", tags=["care: residents"])
Short = Annotated[str, Field(max_length=40)]
CheckId = Annotated[int, Path(ge=1, le=2**62)]


class CheckBody(BaseModel):
    """A "can't reach" check as raised: where and who the person is, who asks, what happened."""

    model_config = ConfigDict(extra="forbid")
    compound: Annotated[str, Field(max_length=200)]
    name: Short
    building: Short = ""
    unit: Short = ""
    raised_by: Literal["family", "neighbour", "staff"] = "family"
    raiser_name: Short = ""
    raiser_phone: Annotated[str, Field(max_length=30)] = ""
    relation: Short = ""
    said: Annotated[str, Field(max_length=500)] = ""


class StepBody(BaseModel):
    """One step of a check and what it found."""

    model_config = ConfigDict(extra="forbid")
    step: Literal["ring", "door", "contacts"]
    result: Short


class CloseBody(BaseModel):
    """How a check ended (what the raiser is told)."""

    model_config = ConfigDict(extra="forbid")
    outcome: Literal["safe", "helped", "emergency", "not_found"]


@public.post("/urgent", status_code=201)
async def raise_public(request: Request, body: CheckBody, care: CareDep) -> dict[str, Any]:
    """Ask the grid to check on someone you cannot reach; keep the token to see the outcome."""
    limiter = form_limiter(request)
    address = f"ip:{client_address(request)}"
    if limiter.blocked_for_s([address]) > 0:
        raise ApiError(429, "error.care.too_many_requests")
    limiter.count([address])
    raised_by = "family" if body.raised_by == "staff" else body.raised_by  # staff log in
    check = urgent.CheckIn(**{**body.model_dump(), "raised_by": raised_by})
    with care_errors():
        return await run_in_threadpool(urgent.raise_check, care, check, user=None)


@public.get("/urgent/{token}")
def public_status(token: Annotated[str, Path(max_length=64)], care: CareDep) -> dict[str, Any]:
    """Show whoever raised a check its status and outcome (nothing else)."""
    with care_errors():
        return urgent.check_by_token(care, token)


@router.post("/checks", status_code=201)
def raise_staff(body: CheckBody, user: UserDep, care: CareDep) -> dict[str, Any]:
    """Raise a check as staff (a call taken at the desk)."""
    with care_errors():
        answer = urgent.raise_check(care, urgent.CheckIn(**body.model_dump()), user=user)
        row = care.tables.check(token=str(answer["token"]))
        assert row is not None
        return urgent.staff_view(care, row)


@router.get("/checks")
def list_checks(user: UserDep, request: Request, care: CareDep) -> list[dict[str, Any]]:
    """List the open checks of the user's area, newest first: who, where, each step's timing."""
    with care_errors():
        return urgent.open_checks(care, user, request_lang(request))


@router.post("/checks/{check_id}/steps")
def step(check_id: CheckId, body: StepBody, user: UserDep, care: CareDep) -> dict[str, Any]:
    """Record a step (ring → door → contacts), timed now."""
    with care_errors():
        return urgent.record_step(care, user, check_id, body.step, body.result)


@router.post("/checks/{check_id}/close")
def close(check_id: CheckId, body: CloseBody, user: UserDep, care: CareDep) -> dict[str, Any]:
    """Close a check with its outcome."""
    with care_errors():
        return urgent.close_check(care, user, check_id, body.outcome)
