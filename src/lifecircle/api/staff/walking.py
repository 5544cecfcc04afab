"""Staff routes for local walking knowledge: list, add (barrier or link), remove.

Thin: parse, call :mod:`lifecircle.staff.uploads`, answer, ask the served results to rebuild.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from lifecircle.api.errors import ApiError
from lifecircle.api.staff.audit import MAX_ID
from lifecircle.api.staff.auth import StateDep, UserDep, api_errors
from lifecircle.jobs import local_edits as edits
from lifecircle.model import EditKind, LocalEdit, LonLat
from lifecircle.staff import permissions as staff_area
from lifecircle.staff import walking as staff_walking

router = APIRouter(tags=["staff"])


class WalkingEditIn(BaseModel):
    """A barrier (an OSM way or node id) or a link (two ``[lon, lat]`` points, WGS-84)."""

    model_config = ConfigDict(extra="forbid")
    edit_kind: EditKind
    osm_id: int | None = Field(None, ge=1, le=MAX_ID)
    coords: list[tuple[float, float]] = Field(default_factory=list, max_length=2)
    note: str = Field("", max_length=200)


def edit_geometry(edit: LocalEdit, lines: Mapping[int, Sequence[LonLat]]) -> dict[str, Any] | None:
    """Where to draw an edit (GeoJSON): a barred way's line, a link, else the edit's point."""
    barred = edit.edit_kind in ("impassable_way", "uncrossable_way")
    if barred and edit.osm_id is not None and edit.osm_id in lines:
        return {"type": "LineString", "coordinates": [list(p) for p in lines[edit.osm_id]]}
    if edit.edit_kind == "link" and len(edit.coords) == 2:
        return {"type": "LineString", "coordinates": [list(p) for p in edit.coords]}
    if edit.coords:
        return {"type": "Point", "coordinates": list(edit.coords[0])}
    return None


@router.get("/walking")
def list_walking(user: UserDep, state: StateDep) -> list[dict[str, Any]]:
    """List the stored barriers and links, oldest first, each with the ``geometry`` to draw."""
    del user  # any logged-in editor may read them
    found = edits.list_edits(state.project)
    way_ids = [e.osm_id for e in found if e.osm_id is not None and e.edit_kind != "impassable_node"]
    with state.project.open_store() as store:
        lines = staff_area.way_lines(state.project, store, way_ids)
    return [dataclasses.asdict(e) | {"geometry": edit_geometry(e, lines)} for e in found]


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
    edit_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
    user: UserDep,
    state: StateDep,
    note: Annotated[str, Query(max_length=200, description="Why (required)")] = "",
) -> dict[str, Any]:
    """Remove a barrier or link, saying why in ``note`` (its history stays in the versions).

    An empty ``note`` is refused (422, field ``note``) and nothing is written.
    """
    with api_errors():
        version = staff_walking.remove_walking_edit(state.project, user, edit_id, note=note)
    state.refresh()
    return {"record": None, "data_version": version.id}
