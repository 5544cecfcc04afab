"""Staff routes for local walking knowledge: list, add (barrier or link), remove.

Thin: parse, call :mod:`lifecircle.staff.uploads`, answer, ask the served results to rebuild.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from lifecircle.api.errors import ApiError
from lifecircle.api.staff.audit import MAX_ID
from lifecircle.api.staff.auth import StateDep, UserDep, api_errors
from lifecircle.jobs import local_edits as edits
from lifecircle.staff import permissions as staff_area
from lifecircle.staff import walking as staff_walking

router = APIRouter(tags=["staff"])


class WalkingEditIn(BaseModel):
    """A barrier (an OSM way or node id) or a link (two ``[lon, lat]`` points, WGS-84)."""

    model_config = ConfigDict(extra="forbid")
    edit_kind: Literal["impassable_way", "impassable_node", "uncrossable_way", "link"]
    osm_id: int | None = Field(None, ge=1, le=MAX_ID)
    coords: list[tuple[float, float]] = Field(default_factory=list, max_length=2)
    note: str = Field("", max_length=200)


@router.get("/walking")
def list_walking(user: UserDep, state: StateDep) -> list[dict[str, Any]]:
    """List the stored barriers and links, oldest first."""
    del user  # any logged-in editor may read them
    return [dataclasses.asdict(e) for e in edits.list_edits(state.project)]


@router.get("/walking/nearest")
def nearest_way(
    user: UserDep,
    state: StateDep,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
) -> dict[str, Any]:
    """Find the walkway (and its OSM node) nearest a map click, to mark it as a barrier."""
    del user
    with state.project.open_store() as store:
        found = staff_area.nearest_way(state.project, store, (lon, lat))
    if found is None:
        raise ApiError(404, "error.staff.no_way")
    return dataclasses.asdict(found)


@router.post("/walking", status_code=201)
def add_walking(body: WalkingEditIn, user: UserDep, state: StateDep) -> dict[str, Any]:
    """Mark a barrier or add a link (community editors: near their compounds only)."""
    with api_errors():
        edit, version = staff_walking.add_walking_edit(
            state.project,
            user,
            edit_kind=body.edit_kind,
            osm_id=body.osm_id,
            coords=body.coords,
            note=body.note,
        )
    state.refresh()
    return {"record": dataclasses.asdict(edit), "data_version": version.id}


@router.delete("/walking/{edit_id}")
def remove_walking(
    edit_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], user: UserDep, state: StateDep
) -> dict[str, Any]:
    """Remove a barrier or link (its history stays in the data versions)."""
    with api_errors():
        version = staff_walking.remove_walking_edit(state.project, user, edit_id)
    state.refresh()
    return {"record": None, "data_version": version.id}
