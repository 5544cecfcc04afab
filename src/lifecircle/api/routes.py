"""``GET /api/route``: the walking route from a compound, board or point to a facility or point.

Its minutes equal the access minutes (same engine, same start points). Returns GeoJSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifecircle.api.common import (
    Crs,
    CrsParam,
    ProfileName,
    ProfileParam,
    SnapshotDep,
    cached_json,
    minutes,
    require,
    to_wgs,
)
from lifecircle.api.errors import ApiError
from lifecircle.api.schemas import RouteOut
from lifecircle.api.state import Snapshot
from lifecircle.model import LonLat
from lifecircle.point_access import Route

router = APIRouter(tags=["routes"])


def _starts(
    snapshot: Snapshot, compound: str | None, board: str | None, point: LonLat | None
) -> list[LonLat]:
    if compound:
        i = require(snapshot.compound_index.get(compound), "error.api.no_compound", id=compound)
        c = snapshot.data.compounds[i]
        return list(c.entrances) or [(c.lon, c.lat)]
    if board:
        i = require(snapshot.board_index.get(board), "error.api.no_board", board=board)
        return [(snapshot.data.boards[i].lon, snapshot.data.boards[i].lat)]
    if point is None:
        raise ApiError(422, "error.api.route_from")
    return [point]


def _pair(lon: float | None, lat: float | None, crs: Crs) -> LonLat | None:
    if lon is None or lat is None:
        return None
    return to_wgs(lon, lat, crs)


def route_payload(route: Route, *, distance: bool, profile: str) -> dict[str, Any]:
    """Return a route as a GeoJSON Feature with its minutes (or metres) and length."""
    return {
        "type": "Feature",
        "properties": {
            "profile": profile,
            "minutes": minutes(route.cost, distance=distance),
            "length_m": round(route.length_m, 1),
        },
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in route.coords]},
    }


@router.get("/route", response_model=RouteOut)
def get_route(
    request: Request,
    snapshot: SnapshotDep,
    facility: Annotated[str | None, Query(description="To this facility id")] = None,
    compound: Annotated[str | None, Query(description="From this compound's gates")] = None,
    board: Annotated[str | None, Query(description="From this board")] = None,
    from_lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    from_lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    to_lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    to_lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    profile: ProfileParam = ProfileName.standard,
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Return the walking route from a compound / board / point to a facility (or to a point)."""
    starts = _starts(snapshot, compound, board, _pair(from_lon, from_lat, crs))
    end = _pair(to_lon, to_lat, crs)
    target = None
    if facility:
        target = require(
            snapshot.facility_index.get(facility), "error.api.no_facility", id=facility
        )
    elif end is None:
        raise ApiError(422, "error.api.route_to")
    settings = request.app.state.area.project.settings
    engine = snapshot.engine(profile.value, snap_max_m=settings.snap_max_m)
    result = snapshot.result(profile.value)
    distance = result.profile.convention == "distance"

    def render() -> dict[str, Any]:
        if target is None:
            assert end is not None
            route = engine.route_between(starts[0], end)
        else:
            reach = engine.reach(starts, limit=result.profile.threshold(15) * 4)
            node = engine.facility_node(reach, target)
            if node < 0:
                raise ApiError(404, "error.point.no_route")
            route = engine.route_to_node(reach, node)
        return route_payload(route, distance=distance, profile=profile.value)

    return cached_json(request, snapshot, render, crs=crs)
