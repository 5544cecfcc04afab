"""Staff routes for facilities (list, add, edit, move, close) and compound entrances.

Thin: parse, call :mod:`lifecircle.staff.records`, answer the record and its data version, and
ask the served results to rebuild. Coordinates are WGS-84 (the staff map works in it).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from lifecircle.api.staff.auth import StateDep, UserDep, api_errors
from lifecircle.model import Compound, Facility
from lifecircle.opening_hours import machine_readable
from lifecircle.staff import records as staff_edits
from lifecircle.staff.accounts import can_edit
from lifecircle.store import DataVersion

router = APIRouter(tags=["staff"])
_FACILITY_FIELDS = (
    "name",
    "type_code",
    "lon",
    "lat",
    "status",
    "community",
    "subdistrict",
    "address",
    "phone",
    "opening_hours",
    "capacity",
    "verified_on",
    "source",
)


class FacilityFields(BaseModel):
    """Fields staff may set on a facility (all optional when editing)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=100)
    type_code: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    opening_hours: str | None = Field(None, max_length=200)
    community: str | None = Field(None, max_length=100)
    subdistrict: str | None = Field(None, max_length=100)
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    status: str | None = None


class NewFacility(FacilityFields):
    """A facility to add: name, type and place are required."""

    name: str = Field(min_length=1, max_length=100)
    type_code: str = Field(min_length=1, max_length=100)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class MoveIn(BaseModel):
    """Where a facility moves to (WGS-84)."""

    model_config = ConfigDict(extra="forbid")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class CloseIn(BaseModel):
    """Why a facility closed."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=200)


class EntrancesIn(BaseModel):
    """A compound's gates, each ``[lon, lat]`` (WGS-84)."""

    model_config = ConfigDict(extra="forbid")
    entrances: list[tuple[float, float]] = Field(min_length=1, max_length=50)


def facility_json(facility: Facility, *, editable: bool) -> dict[str, Any]:
    """Describe a facility as the staff page reads it."""
    out = {name: getattr(facility, name) for name in _FACILITY_FIELDS}
    readable = machine_readable(facility.opening_hours)
    return {"key": facility.key, **out, "hours_machine_readable": readable, "editable": editable}


def compound_json(compound: Compound, *, editable: bool) -> dict[str, Any]:
    """Describe a compound as the staff page reads it (its gates, not its outline)."""
    return {
        "key": compound.key,
        "name": compound.name,
        "lon": compound.lon,
        "lat": compound.lat,
        "community": compound.community,
        "subdistrict": compound.subdistrict,
        "entrances": [list(p) for p in compound.entrances],
        "editable": editable,
    }


def _answer(record: dict[str, Any], version: DataVersion | None, state: Any) -> dict[str, Any]:
    if version is not None:
        state.refresh()
    return {"record": record, "data_version": version.id if version else None}


@router.get("/facilities")
def list_facilities(user: UserDep, state: StateDep) -> list[dict[str, Any]]:
    """Every stored facility, newest data (not the served results), marked editable or not."""
    with state.project.open_store() as store:
        found = [f for f in store.records("facility") if isinstance(f, Facility)]
    return [facility_json(f, editable=can_edit(user, f)) for f in found]


@router.post("/facilities", status_code=201)
def add_facility(body: NewFacility, user: UserDep, state: StateDep) -> dict[str, Any]:
    """Add a facility (a community editor's gets their community)."""
    with api_errors():
        made, version = staff_edits.add_facility(
            state.project, user, body.model_dump(exclude_none=True)
        )
    return _answer(facility_json(made, editable=True), version, state)


@router.patch("/facilities/{key:path}")
def update_facility(
    key: str, body: FacilityFields, user: UserDep, state: StateDep
) -> dict[str, Any]:
    """Change fields of a facility in the editor's area (``data_version`` null: no change)."""
    with api_errors():
        made, version = staff_edits.update_facility(
            state.project, user, key, body.model_dump(exclude_unset=True)
        )
    return _answer(facility_json(made, editable=True), version, state)


@router.post("/facilities/{key:path}/move")
def move_facility(key: str, body: MoveIn, user: UserDep, state: StateDep) -> dict[str, Any]:
    """Move a facility (a dragged marker or a map click)."""
    with api_errors():
        made, version = staff_edits.move_facility(
            state.project, user, key, lon=body.lon, lat=body.lat
        )
    return _answer(facility_json(made, editable=True), version, state)


@router.post("/facilities/{key:path}/close")
def close_facility(key: str, body: CloseIn, user: UserDep, state: StateDep) -> dict[str, Any]:
    """Mark a facility closed (kept in the store and history; residents no longer see it)."""
    with api_errors():
        made, version = staff_edits.close_facility(state.project, user, key, note=body.note)
    return _answer(facility_json(made, editable=True), version, state)


@router.get("/compounds")
def list_compounds(user: UserDep, state: StateDep) -> list[dict[str, Any]]:
    """Every stored compound with its gates, marked editable or not."""
    with state.project.open_store() as store:
        found = [c for c in store.records("compound") if isinstance(c, Compound)]
    return [compound_json(c, editable=can_edit(user, c)) for c in found]


@router.put("/compounds/{key:path}/entrances")
def set_entrances(key: str, body: EntrancesIn, user: UserDep, state: StateDep) -> dict[str, Any]:
    """Replace a compound's gates (where walking from it starts)."""
    with api_errors():
        made, version = staff_edits.set_entrances(
            state.project, user, key, [list(p) for p in body.entrances]
        )
    return _answer(compound_json(made, editable=True), version, state)
