"""The desk's staff routes: grids, cases (list, file, read, act), photos, contacts, walking links.

Every route needs a staff login (:mod:`lifecircle.api.staff.auth`), and the CSRF header on a
change. Roles are by grid (:mod:`lifecircle.desk.access`): a case that is not the user's is a
403 and nothing is written. Phones come masked; ``POST …/contact`` reveals them, logged.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

import shapely
from fastapi import APIRouter, BackgroundTasks, File, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from lifecircle.api.desk.common import DeskDep, desk_errors, send_soon
from lifecircle.api.desk.public import categories_json, duplicates_error, filed_json
from lifecircle.api.errors import ApiError, request_lang
from lifecircle.api.staff.audit import MAX_ID
from lifecircle.api.staff.auth import UserDep, user_json
from lifecircle.desk import privacy, walking
from lifecircle.desk.access import list_scope, require_role
from lifecircle.desk.intake import IntakeIn, file_case
from lifecircle.desk.lifecycle import Actor, perform
from lifecircle.desk.machine import RUNNING_STATES, STATES
from lifecircle.desk.photos import require_photo, save_photo
from lifecircle.desk.steps import StepIn
from lifecircle.desk.views import case_summary
from lifecircle.model import EditKind, Facility, LocalEdit
from lifecircle.store.case_queries import CaseQuery

router = APIRouter(prefix="/desk", tags=["desk: staff"])
#: A case's number in a path: a store integer (a larger number is a 422, never an overflow).
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
StaffSource = Literal["phone", "walk_in", "group_chat", "patrol"]
#: The actions of ``POST …/events`` (the walking link has routes of its own); a test keeps
#: this list equal to the machine's.
StepAction = Literal[
    "dispatch",
    "return",
    "respond",
    "reply",
    "note",
    "summarise",
    "visit",
    "whistle",
    "report_in",
    "mediate",
    "request_extension",
    "decide_extension",
    "hold",
    "resume",
    "finish",
    "callback",
    "close",
    "reopen",
    "merge",
]


@router.get("/me")
def me(user: UserDep, request: Request, desk: DeskDep) -> dict[str, Any]:
    """Show the logged-in user, their scope, and the categories they may file (private too)."""
    scope, private = list_scope(user)
    return {
        "user": user_json(user, request),
        "scope": None if scope is None else {"column": scope[0], "values": sorted(scope[1])},
        "sees_private": private,
        "categories": categories_json(desk, request_lang(request), private=True),
        "departments": [
            {"code": d.code, "name": d.name(request_lang(request))} for d in desk.config.departments
        ],
    }


@router.get("/grids")
def list_grids(user: UserDep, desk: DeskDep) -> list[dict[str, Any]]:
    """List the active grids and micro-grids (outline as GeoJSON, or the compounds listed)."""
    del user
    return [
        {
            "code": g.code,
            "name": g.name,
            "kind": g.kind,
            "parent": g.parent or None,
            "community": g.community,
            "subdistrict": g.subdistrict,
            "district": g.district,
            "bbox": g.bbox,
            "outline": shapely.geometry.mapping(shapely.from_wkt(g.outline_wkt))
            if g.outline_wkt
            else None,
            "compounds": list(g.compounds),
        }
        for g in desk.store.grids.all()
    ]


@router.get("/cases")
def list_cases(
    user: UserDep,
    request: Request,
    desk: DeskDep,
    state: Annotated[
        list[str] | None, Query(description="States, e.g. dispatched (repeat)")
    ] = None,
    grid: Annotated[str | None, Query(max_length=60)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> list[dict[str, Any]]:
    """Cases the user may see, newest first (page back with ``before_id``)."""
    unknown = [s for s in state or [] if s not in STATES]
    if unknown:
        raise ApiError(422, "error.desk.state", field="state", value=unknown[0], known=STATES)
    scope, private = list_scope(user)
    query = CaseQuery(
        scope=scope,
        include_private=private,
        states=frozenset(state) if state else None,
        grid=grid,
        category=category,
        overdue_at=desk.now() if overdue else None,
        running_states=RUNNING_STATES,
        limit=limit,
        before_id=before_id,
    )
    lang = request_lang(request)
    return [case_summary(desk, c, lang) for c in desk.store.cases.find(query)]


class CaseIn(BaseModel):
    """A case staff enter on a resident's behalf, or a patrol finding."""

    model_config = ConfigDict(extra="forbid")
    category: str = Field(max_length=40)
    source: StaffSource
    details: str = Field(max_length=4000, description="What happened (staff only)")
    summary: str = Field("", max_length=200, description="Public summary: no names or flat numbers")
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    compound: str = Field("", max_length=200)
    building: str = Field("", max_length=40)
    unit: str = Field("", max_length=40)
    place: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=40)
    reporter_phone: str = Field("", max_length=30)
    photos: list[str] = Field(default_factory=list, max_length=9)
    channel_ref: str = Field("", max_length=200, description="The 网格群 message it came from")
    channel_at: int | None = Field(None, description="When that message was posted (epoch s)")
    replied: bool = Field(False, description="Already answered in the 网格群 (a first response)")
    private: bool = False
    join: int | None = None
    not_duplicate: bool = False


@router.post("/cases", status_code=201)
def create_case(
    body: CaseIn, user: UserDep, request: Request, desk: DeskDep, background: BackgroundTasks
) -> dict[str, Any]:
    """File a case (phone, walk-in, 网格群, patrol); 409 lists open cases that may be the same."""
    values = body.model_dump()
    values["photos"] = tuple(values["photos"])
    with desk_errors():
        role = {"grid": "worker", "microgrid": "helper"}.get(user.level, "head")
        filed = file_case(desk, IntakeIn(**values), actor=Actor(user.name, role))  # type: ignore[arg-type]
    if filed.case is None:
        raise duplicates_error(desk, filed)
    send_soon(background, desk)
    return filed_json(desk, filed, request_lang(request))


@router.post("/photos", status_code=201)
async def upload_photo(
    user: UserDep, desk: DeskDep, photo: Annotated[UploadFile, File()]
) -> dict[str, str]:
    """Store a photo (checked, re-encoded without metadata); name it in a case or step."""
    del user
    cap = int(desk.settings.desk_photo_max_mb * 1_000_000)
    data = await photo.read(cap + 1)
    with desk_errors():
        name = await run_in_threadpool(save_photo, desk.photo_dir, data, max_bytes=cap)
    return {"photo": name}


@router.get("/cases/{case_id}")
def read_case(case_id: CaseId, user: UserDep, request: Request, desk: DeskDep) -> dict[str, Any]:
    """Show a whole case as the user may see it (the read is logged)."""
    with desk_errors():
        return privacy.read_case(desk, user, case_id, request_lang(request))


class StepBody(BaseModel):
    """One step on a case; each action reads its own fields (see the README's lifecycle)."""

    model_config = ConfigDict(extra="forbid")
    action: StepAction
    note: str = Field("", max_length=2000, description="Public for respond, reply, finish")
    visibility: Literal["staff", "restricted"] | None = Field(None, description="note only")
    photos: list[str] = Field(default_factory=list, max_length=9)
    people_met: str = Field("", max_length=200, description="visit")
    departments: list[str] = Field(default_factory=list, max_length=12, description="whistle")
    department: str = Field("", max_length=40, description="report_in")
    parties: str = Field("", max_length=300, description="mediate (restricted)")
    agreement: str = Field("", max_length=2000, description="mediate (restricted)")
    days: int | None = Field(None, description="request_extension")
    approve: bool | None = Field(None, description="decide_extension")
    grid: str = Field("", max_length=60, description="dispatch, return")
    into: int | None = Field(None, description="merge: the original case")
    solved: bool | None = Field(None, description="callback")
    satisfaction: str = Field("", max_length=20, description="callback")
    summary: str = Field("", max_length=200, description="summarise")


@router.post("/cases/{case_id}/events")
def take_step(
    case_id: CaseId,
    body: StepBody,
    user: UserDep,
    request: Request,
    desk: DeskDep,
    background: BackgroundTasks,
) -> dict[str, Any]:
    """Take a step (409 when the case's state does not allow it; 403 when not the user's)."""
    values = body.model_dump(exclude={"action"})
    values["photos"], values["departments"] = tuple(values["photos"]), tuple(values["departments"])
    with desk_errors():
        perform(desk, user, case_id, body.action, StepIn(**values))
        send_soon(background, desk)
        return privacy.read_case(desk, user, case_id, request_lang(request))


class RevealIn(BaseModel):
    """Why the reporter's contact is needed (logged)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=200)


@router.post("/cases/{case_id}/contact")
def reveal_contact(
    case_id: CaseId, body: RevealIn, user: UserDep, desk: DeskDep
) -> dict[str, str | None]:
    """Reveal the reporter's phone and e-mail (网格员 and heads only; who/when/why logged)."""
    with desk_errors():
        return privacy.reveal_contact(desk, user, case_id, body.reason)


@router.get("/cases/{case_id}/photos/{name}")
def case_photo(case_id: CaseId, name: str, user: UserDep, desk: DeskDep) -> FileResponse:
    """Send a photo of a case the user may see."""
    with desk_errors():
        case = privacy.get_case(desk, case_id)
        require_role(user, case)
        names = set(case.photos) | {p for e in desk.store.cases.events(case.id) for p in e.photos}
        if name not in names:
            raise ApiError(404, "error.desk.no_photo")
        path = require_photo(desk.photo_dir, name)
    return FileResponse(
        path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"}
    )


class WalkingIn(BaseModel):
    """Turn a verified walking case into a barrier (or link), or a facility status change."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["barrier", "facility"]
    edit_kind: EditKind = "impassable_way"
    osm_id: int | None = Field(None, ge=1, le=MAX_ID)
    coords: list[tuple[float, float]] = Field(default_factory=list, max_length=2)
    facility: str = Field("", max_length=200)
    status: Literal["open", "closed", "planned"] = "closed"
    note: str = Field("", max_length=150)


@router.post("/cases/{case_id}/walking", status_code=201)
def link_walking(
    case_id: CaseId, body: WalkingIn, user: UserDep, request: Request, desk: DeskDep
) -> dict[str, Any]:
    """Make the walking edit and link it to the case, in one transaction."""
    record: LocalEdit | Facility
    with desk_errors():
        if body.kind == "barrier":
            record, link = walking.link_barrier(
                desk,
                user,
                case_id,
                edit_kind=body.edit_kind,
                osm_id=body.osm_id,
                coords=body.coords,
                note=body.note,
            )
        else:
            record, link = walking.link_facility(
                desk, user, case_id, facility_key=body.facility, status=body.status, note=body.note
            )
    _rebuild(request)
    return {"target": record.key, "link": dataclasses.asdict(link)}


@router.post("/cases/{case_id}/walking/lift")
def lift_walking(case_id: CaseId, user: UserDep, request: Request, desk: DeskDep) -> dict[str, Any]:
    """Undo the case's walking edits (barrier removed, facility status restored)."""
    with desk_errors():
        links = walking.lift_links(desk, user, case_id)
    _rebuild(request)
    return {"links": [dataclasses.asdict(k) for k in links]}


@router.get("/links")
def links_to(
    user: UserDep, desk: DeskDep, target: Annotated[str, Query(max_length=200)]
) -> list[dict[str, Any]]:
    """List the case links to a walking edit (``edit:7``) or a facility key (the other way)."""
    del user
    return [dataclasses.asdict(k) for k in walking.links_to(desk, target)]


def _rebuild(request: Request) -> None:
    """Ask the served walking results to rebuild (a barrier or facility changed)."""
    area = getattr(request.app.state, "area", None)
    if area is not None and hasattr(area, "refresh"):
        area.refresh()
