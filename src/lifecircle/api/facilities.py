"""``GET /api/facilities`` (filter by content area, type, bbox, text) and one facility.

Renders stored facilities with their type, content area and whether they are open now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifecircle.api.common import Crs, CrsParam, SnapshotDep, cached_json, require, to_wgs
from lifecircle.api.errors import ApiError, request_lang
from lifecircle.api.schemas import FacilityOut
from lifecircle.api.state import Snapshot
from lifecircle.model import Facility
from lifecircle.opening_hours import machine_readable, open_state

router = APIRouter(tags=["facilities"])


def display_name(snapshot: Snapshot, facility: Facility, lang: str) -> str:
    """Return the facility's name, or for an unnamed one its type's name in ``lang``."""
    if facility.name:
        return facility.name
    ftype = snapshot.taxonomy.type(facility.type_code)
    return ftype.name_zh if lang == "zh" else ftype.name_en


def facility_payload(
    snapshot: Snapshot, facility: Facility, *, now: datetime, lang: str
) -> dict[str, Any]:
    """One facility as the API shows it (WGS-84)."""
    ftype = snapshot.taxonomy.type(facility.type_code)
    return {
        "id": facility.source_id,
        "name": display_name(snapshot, facility, lang),
        "type": facility.type_code,
        "type_name_zh": ftype.name_zh,
        "type_name_en": ftype.name_en,
        "area": ftype.area,
        "lon": float(facility.lon),
        "lat": float(facility.lat),
        "address": facility.address,
        "phone": facility.phone,
        "opening_hours": facility.opening_hours,
        "hours_machine_readable": machine_readable(facility.opening_hours),
        "open_now": open_state(facility.opening_hours, now),
        "status": facility.status,
        "community": facility.community,
        "subdistrict": facility.subdistrict,
        "source": facility.source,
        "verified_on": facility.verified_on,
    }


def local_now(request: Request) -> datetime:
    """Return the area's local time (setting ``timezone``), naive, for opening hours."""
    zone = request.app.state.area.project.settings.timezone
    return datetime.now(ZoneInfo(zone)).replace(tzinfo=None)


def time_bucket(now: datetime) -> str:
    """Answers saying "open now" are kept for at most 10 minutes."""
    return now.strftime("%Y%m%d%H%M")[:-1]


def _bbox(text: str, crs: Crs) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise ApiError(422, "error.api.bbox", value=text) from None
    west, south = to_wgs(west, south, crs)
    east, north = to_wgs(east, north, crs)
    return west, south, east, north


def _matches(
    snapshot: Snapshot,
    facility: Facility,
    *,
    areas: set[str],
    types: set[str],
    bbox: tuple[float, float, float, float] | None,
    text: str,
) -> bool:
    if types and facility.type_code not in types:
        return False
    if areas and snapshot.taxonomy.type(facility.type_code).area not in areas:
        return False
    if bbox and not (bbox[0] <= facility.lon <= bbox[2] and bbox[1] <= facility.lat <= bbox[3]):
        return False
    return not text or text in f"{facility.name} {facility.address}".lower()


@router.get("/facilities", response_model=list[FacilityOut])
def list_facilities(
    request: Request,
    snapshot: SnapshotDep,
    area: Annotated[list[str], Query(description="Content area code(s), e.g. elderly")] = [],  # noqa: B006
    type: Annotated[list[str], Query(description="Facility type code(s)")] = [],  # noqa: B006
    bbox: Annotated[str | None, Query(description="west,south,east,north")] = None,
    q: Annotated[str, Query(max_length=100, description="Text in the name or address")] = "",
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Facilities (closed ones left out), filtered by content area, type, extent and text."""
    known_areas = {a.code for a in snapshot.taxonomy.areas}
    if unknown := sorted(set(area) - known_areas):
        raise ApiError(422, "error.api.unknown_area", value=", ".join(unknown))
    box = _bbox(bbox, crs) if bbox else None
    now, lang = local_now(request), request_lang(request)

    def render() -> list[dict[str, Any]]:
        found = (
            f
            for f in snapshot.data.facilities
            if f.status != "closed"
            and _matches(
                snapshot, f, areas=set(area), types=set(type), bbox=box, text=q.strip().lower()
            )
        )
        return [facility_payload(snapshot, f, now=now, lang=lang) for f in found]

    return cached_json(request, snapshot, render, crs=crs, vary=time_bucket(now))


@router.get("/facilities/{facility_id:path}", response_model=FacilityOut)
def get_facility(
    request: Request, facility_id: str, snapshot: SnapshotDep, crs: CrsParam = Crs.wgs84
) -> Response:
    """One facility by id (e.g. ``osm:node/123``)."""
    i = require(snapshot.facility_index.get(facility_id), "error.api.no_facility", id=facility_id)
    facility = snapshot.data.facilities[i]
    now, lang = local_now(request), request_lang(request)
    return cached_json(
        request,
        snapshot,
        lambda: facility_payload(snapshot, facility, now=now, lang=lang),
        crs=crs,
        vary=time_bucket(now),
    )
