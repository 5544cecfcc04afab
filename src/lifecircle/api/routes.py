"""``GET /api/route``: the walking route from a compound, board or point to a facility or point.

Its minutes equal the access minutes (same walk, same start nodes). Returns GeoJSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifecircle.api.common import (
    Crs,
    CrsParam,
    ProfileParam,
    SnapshotDep,
    cached_json,
    require,
    to_wgs,
)
from lifecircle.api.errors import ApiError
from lifecircle.api.schemas import RouteOut
from lifecircle.api.state import Snapshot
from lifecircle.engine.point import PointEngine, PointReach, Route
from lifecircle.engine.profiles import WalkProfile
from lifecircle.engine.rules import level_limit, shown_value
from lifecircle.model import LonLat

router = APIRouter(tags=["routes"])


def _reach(
    engine: PointEngine,
    snapshot: Snapshot,
    origin: tuple[str | None, str | None, LonLat | None],
    *,
    limit: float,
) -> PointReach:
    """Search from a compound's gates, a board, or a point, as the access answers do."""
    compound, board, point = origin
    if compound:
        i = require(snapshot.compound_index.get(compound), "error.api.no_compound", id=compound)
        return engine.reach_compound(i, limit=limit)
    if board:
        j = require(snapshot.board_index.get(board), "error.api.no_board", board=board)
        return engine.reach_board(j, limit=limit)
    if point is None:
        raise ApiError(422, "error.api.route_from")
    return engine.reach([point], limit=limit)


def _start_point(
    snapshot: Snapshot, compound: str | None, board: str | None, point: LonLat | None
) -> LonLat:
    """Where a route to a point starts: a compound's first gate, a board, or the point."""
    if compound:
        i = require(snapshot.compound_index.get(compound), "error.api.no_compound", id=compound)
        c = snapshot.data.compounds[i]
        return c.entrances[0] if c.entrances else (c.lon, c.lat)
    if board:
        j = require(snapshot.board_index.get(board), "error.api.no_board", board=board)
        return snapshot.data.boards[j].lon, snapshot.data.boards[j].lat
    if point is None:
        raise ApiError(422, "error.api.route_from")
    return point


def _pair(lon: float | None, lat: float | None, crs: Crs) -> LonLat | None:
    if lon is None or lat is None:
        return None
    return to_wgs(lon, lat, crs)


def route_payload(route: Route, *, profile: WalkProfile) -> dict[str, Any]:
    """Return a route as a GeoJSON Feature with its shown minutes (or metres) and length."""
    return {
        "type": "Feature",
        "properties": {
            "profile": profile.name,
            "minutes": shown_value(route.cost, profile),
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
    profile: ProfileParam = "standard",
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Return the walking route from a compound / board / point to a facility (or to a point)."""
    start = _pair(from_lon, from_lat, crs)
    end = _pair(to_lon, to_lat, crs)
    target = None
    if facility:
        target = require(
            snapshot.facility_index.get(facility), "error.api.no_facility", id=facility
        )
    elif end is None:
        raise ApiError(422, "error.api.route_to")
    settings = request.app.state.area.project.settings
    engine = snapshot.engine(profile, snap_max_m=settings.snap_max_m)
    walker = engine.graph.profile
    limit = level_limit(walker, 15) * 4
    if target is None:
        start = _start_point(snapshot, compound, board, start)

    def render() -> dict[str, Any]:
        if target is None:
            assert end is not None and start is not None
            route = engine.route_between(start, end)
        else:
            reach = _reach(engine, snapshot, (compound, board, start), limit=limit)
            node = engine.facility_node(reach, target)
            if node < 0:
                raise ApiError(404, "error.point.no_route")
            route = engine.route_to_node(reach, node)
        return route_payload(route, profile=walker)

    return cached_json(request, snapshot, render, crs=crs)
