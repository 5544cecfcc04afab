"""The desk's public routes: the resident form, duplicates nearby, the case token page, 回访.

No login. The form is ``multipart/form-data`` (its photo travels with it) and is limited per
client address. A token page (``GET /api/c/{token}``, the JSON behind ``/c/<token>``) shows
the status and public replies and nothing personal; its holder may answer the 回访 once the
case is handled.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from lifecircle.api.desk.common import (
    DeskDep,
    client_address,
    desk_errors,
    form_limiter,
    send_soon,
)
from lifecircle.api.errors import ApiError, request_lang
from lifecircle.desk import summary
from lifecircle.desk.context import Desk
from lifecircle.desk.intake import Filed, IntakeIn, file_case, nearby
from lifecircle.desk.lifecycle import Actor, perform
from lifecircle.desk.photos import save_photo
from lifecircle.desk.steps import StepIn
from lifecircle.desk.views import iso, public_case

router = APIRouter(tags=["desk: residents"])
#: Routes outside /api: the address a resident is given for their case.
pages = APIRouter()


@pages.get("/c/{token}", include_in_schema=False)
def case_page(token: str, request: Request) -> Response:
    """Answer the resident's case address: the case page to a browser, else its JSON (307).

    The page (``web/resident/case.html``) reads the token from its own address and asks
    ``/api/c/{token}``; it holds nothing of the case itself, so it is the same for every token.
    """
    page = getattr(request.app.state, "case_page", None)
    if page is not None and "text/html" in request.headers.get("accept", ""):
        body, headers = page
        return Response(body, media_type="text/html; charset=utf-8", headers=headers)
    return RedirectResponse(f"/api/c/{quote(token, safe='')}", status_code=307)


def categories_json(desk: Desk, lang: str, *, private: bool) -> list[dict[str, Any]]:
    """Describe the categories (private ones only when asked: staff lists)."""
    out = []
    for c in desk.config.categories:
        if c.private and not private:
            continue
        tier = desk.config.tier_of(c)
        out.append(
            {
                "code": c.code,
                "name": c.name(lang),
                "group": c.group,
                "private": c.private,
                "walking": c.walking,
                "tier": c.tier,
                "tier_name": tier.name_zh if lang == "zh" else tier.name_en,
                "response": tier.response.text,
                "resolution": tier.resolution.text,
            }
        )
    return out


@router.get("/desk/categories")
def list_categories(request: Request, desk: DeskDep) -> list[dict[str, Any]]:
    """List the categories a resident may choose (private ones are filed by staff)."""
    return categories_json(desk, request_lang(request), private=False)


#: Photo types the resident form offers (the server checks the content itself, photos.py).
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


@router.get("/desk/form")
def form_settings(request: Request, desk: DeskDep) -> dict[str, Any]:
    """Give the resident form its categories and the photo limits it checks before sending."""
    return {
        "categories": categories_json(desk, request_lang(request), private=False),
        "photo_max_bytes": int(desk.settings.desk_photo_max_mb * 1_000_000),
        "photo_types": list(PHOTO_TYPES),
    }


@router.get("/desk/nearby")
def list_nearby(
    desk: DeskDep,
    category: Annotated[str, Query(max_length=40)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
) -> list[dict[str, Any]]:
    """Open cases of the category near the point that may be the same problem (join one)."""
    with desk_errors():
        found = nearby(desk, desk.config.category(category), lon, lat)
    return [{**dataclasses.asdict(n), "received_at": iso(desk, n.received_at)} for n in found]


def filed_json(desk: Desk, filed: Filed, lang: str) -> dict[str, Any]:
    """Answer a filed case: its number, token link, grid, and when it is due."""
    case = filed.case
    assert case is not None
    route = filed.route
    grid = route.grid if route else None
    return {
        "case_id": case.id,
        "token": case.token,
        "link": f"{desk.settings.public_base_url.rstrip('/')}/c/{case.token}",
        "state": case.state,
        "grid": grid.code if grid else None,
        "grid_name": grid.name if grid else None,
        "outside_grid_m": case.outside_grid_m,
        "due_response_at": iso(desk, case.due_response_at),
        "due_resolution_at": iso(desk, case.due_resolution_at),
        "duplicate_of": case.duplicate_of,
    }


def duplicates_error(desk: Desk, filed: Filed) -> ApiError:
    """Make the 409 listing the open cases the new one may duplicate (nothing was filed)."""
    details = [
        {**dataclasses.asdict(n), "received_at": iso(desk, n.received_at)} for n in filed.duplicates
    ]
    return ApiError(409, "error.desk.maybe_duplicate", details=details, n=len(details))


@router.post("/desk/requests", status_code=201)
async def resident_request(
    request: Request,
    desk: DeskDep,
    background: BackgroundTasks,
    category: Annotated[str, Form(max_length=40)],
    details: Annotated[
        str, Form(max_length=4000, description="What happened (seen by staff only)")
    ],
    lon: Annotated[float | None, Form(ge=-180, le=180)] = None,
    lat: Annotated[float | None, Form(ge=-90, le=90)] = None,
    crs: Annotated[Literal["wgs84", "gcj02", "bd09"], Form()] = "wgs84",
    compound: Annotated[str, Form(max_length=200)] = "",
    building: Annotated[str, Form(max_length=40)] = "",
    unit: Annotated[str, Form(max_length=40)] = "",
    place: Annotated[str, Form(max_length=200)] = "",
    phone: Annotated[str, Form(max_length=30, description="Optional; staff only, masked")] = "",
    name: Annotated[str, Form(max_length=40, description="Optional (称呼); staff only")] = "",
    join: Annotated[int | None, Form(description="Join this open case instead")] = None,
    not_duplicate: Annotated[bool, Form(description="None of the nearby cases is mine")] = False,
    photo: Annotated[UploadFile | None, File()] = None,
) -> dict[str, Any]:
    """File a case from the resident page; 409 lists open cases nearby that may be the same."""
    limiter = form_limiter(request)
    address = f"ip:{client_address(request)}"
    if limiter.blocked_for_s([address]) > 0:
        raise ApiError(429, "error.desk.too_many_requests")
    limiter.count([address])  # counts every submission, good or bad
    lang = request_lang(request)
    with desk_errors():
        photos: tuple[str, ...] = ()
        if photo is not None and photo.filename:
            cap = int(desk.settings.desk_photo_max_mb * 1_000_000)
            data = await photo.read(cap + 1)
            name = await run_in_threadpool(save_photo, desk.photo_dir, data, max_bytes=cap)
            photos = (name,)
        intake = IntakeIn(
            category=category,
            source="resident_form",
            details=details,
            lon=lon,
            lat=lat,
            crs=crs,
            compound=compound,
            building=building,
            unit=unit,
            place=place,
            reporter_phone=phone,
            reporter_name=name,
            photos=photos,
            join=join,
            not_duplicate=not_duplicate,
        )
        filed = await run_in_threadpool(
            file_case, desk, intake, actor=Actor("resident", "resident")
        )
    if filed.case is None:
        raise duplicates_error(desk, filed)
    send_soon(background, desk)
    return filed_json(desk, filed, lang)


@router.get("/c/{token}")
def token_page(token: str, request: Request, desk: DeskDep) -> dict[str, Any]:
    """Show a case as its requester sees it: status, public replies (no personal data)."""
    case = desk.store.cases.by_token(token) if 8 <= len(token) <= 64 else None
    if case is None:
        raise ApiError(404, "error.desk.no_token")
    shown = None
    if case.duplicate_of is not None:
        shown = desk.store.cases.get(case.duplicate_of)
    events = desk.store.cases.events((shown or case).id)
    return public_case(desk, case, events, request_lang(request), shown=shown)


class FeedbackIn(BaseModel):
    """The requester's 回访 answer."""

    model_config = ConfigDict(extra="forbid")
    solved: bool
    satisfaction: Literal["satisfied", "basically", "dissatisfied"]
    comment: str = Field("", max_length=500)


@router.post("/c/{token}/feedback")
def give_feedback(token: str, body: FeedbackIn, request: Request, desk: DeskDep) -> dict[str, Any]:
    """Answer the 回访: solved? satisfied? Not solved reopens the case; solved closes it."""
    case = desk.store.cases.by_token(token) if 8 <= len(token) <= 64 else None
    if case is None:
        raise ApiError(404, "error.desk.no_token")
    step = StepIn(solved=body.solved, satisfaction=body.satisfaction, note=body.comment)
    with desk_errors():
        made, _ = perform(desk, None, case.id, "callback", step, token=token)
    events = desk.store.cases.events(made.id)
    return public_case(desk, made, events, request_lang(request))


@router.get("/desk/summary/compound/{key:path}")
def compound_summary(key: str, request: Request, desk: DeskDep) -> dict[str, Any]:
    """近30天本小区反映的问题 N 件，已办结 M 件 (counts only)."""
    with desk_errors():
        return summary.compound_summary(desk, key, request_lang(request))


@router.get("/desk/summary/board/{board_id}")
def board_summary(board_id: str, request: Request, desk: DeskDep) -> dict[str, Any]:
    """Count the same for a board: its compound's cases, else its community's."""
    with desk_errors():
        return summary.board_summary(desk, board_id, request_lang(request))
