"""``GET /api/access/{compound|board|point}``: walking minutes to services, per profile.

Facilities within 15 minutes come from the point engine on the build's own walk (the numbers
the route uses); the nearest of each type and the 5/10/15-minute walking areas from the built
results. Minutes and "missing" are :mod:`lifecircle.engine.rules`', as on the board and in
the gap report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import numpy as np
import shapely
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
from lifecircle.api.errors import request_lang
from lifecircle.api.facilities import display_name, local_now, time_bucket
from lifecircle.api.schemas import AccessOut
from lifecircle.api.state import Snapshot
from lifecircle.engine.access import AccessTable
from lifecircle.engine.point import PointReach
from lifecircle.engine.profiles import plain_rule
from lifecircle.engine.rules import LEVELS_MIN, level_limit, shown_unit, shown_value, verdict
from lifecircle.opening_hours import open_state

router = APIRouter(tags=["access"])
#: Walking areas are simplified to this tolerance for the web (metres, about).
AREA_TOLERANCE_DEG = 0.00003


def _areas_geojson(areas: Sequence[Any]) -> dict[str, Any]:
    features = []
    for level, geom in zip(LEVELS_MIN, areas, strict=False):
        simple = shapely.set_precision(geom.simplify(AREA_TOLERANCE_DEG), 1e-6)
        features.append(
            {
                "type": "Feature",
                "properties": {"minutes": level},
                "geometry": shapely.geometry.mapping(simple),
            }
        )
    return {"type": "FeatureCollection", "features": features[::-1]}  # 15 drawn first


def _listing(snapshot: Snapshot, i: int, lang: str) -> dict[str, Any]:
    """Return the fixed part of facility ``i``'s row in an access answer (kept)."""
    key = ("listing", lang, i)
    found = snapshot.memo.get(key)
    if found is None:
        facility = snapshot.data.facilities[i]
        found = snapshot.memo[key] = {
            "id": facility.source_id,
            "name": display_name(snapshot, facility, lang),
            "type": facility.type_code,
            "area": snapshot.taxonomy.type(facility.type_code).area,
            "lon": float(facility.lon),
            "lat": float(facility.lat),
        }
    return dict(found)


def _nearest_types(
    snapshot: Snapshot,
    profile: str,
    table_row: tuple[AccessTable, int] | None,
    costs: np.ndarray,
    lang: str,
) -> list[dict[str, Any]]:
    """Nearest facility of each type: a row of the built table, else the query's costs."""
    result = snapshot.result(profile)
    facilities = snapshot.data.facilities
    codes = snapshot.type_code_array
    collected = snapshot.data.collected_types
    out = []
    for t, code in enumerate(result.type_codes):
        ftype = snapshot.taxonomy.type(code)
        if table_row is not None:
            table, row = table_row
            cost, nearest = float(table.cost[row, t]), int(table.nearest[row, t])
        else:
            mine = np.flatnonzero(codes == code)
            best = mine[np.argmin(costs[mine])] if len(mine) else -1
            cost = float(costs[best]) if best >= 0 else np.inf
            nearest = int(best) if np.isfinite(cost) else -1
        shown = verdict(
            cost,
            result.profile,
            level_min=ftype.level_min,
            required=ftype.required,
            collected=code in collected,
        )
        out.append(
            {
                "type": code,
                "area": ftype.area,
                "level_min": ftype.level_min,
                "required": ftype.required,
                "minutes": shown.value,
                "facility_id": facilities[nearest].source_id if nearest >= 0 else None,
                "facility_name": (
                    display_name(snapshot, facilities[nearest], lang) if nearest >= 0 else None
                ),
                "reach": shown.reach.value,
                "missing": shown.missing,
            }
        )
    return out


def access_payload(
    request: Request,
    snapshot: Snapshot,
    profile: str,
    *,
    origin: dict[str, Any],
    reach: PointReach,
    table_row: tuple[AccessTable, int] | None = None,
    types_from: str = "point",
    types_origin: dict[str, Any] | None = None,
    areas: Sequence[Any] = (),
) -> dict[str, Any]:
    """Services within 15 minutes of the search's start (sorted by minutes) and per-type nearest.

    ``types_origin`` is where the nearest of each type is measured from (default ``origin``):
    a board at a compound's gate is judged as its compound, and a route to one of those
    nearest facilities starts there, so that its minutes are the ones shown.
    """
    result = snapshot.result(profile)
    engine = snapshot.engine(profile, snap_max_m=request.app.state.area.project.settings.snap_max_m)
    costs = engine.facility_costs(reach)
    now, lang = local_now(request), request_lang(request)
    order = np.argsort(costs, kind="stable")
    reached = order[np.isfinite(costs[order])].tolist()
    facilities = snapshot.data.facilities
    listed = [
        _listing(snapshot, i, lang)
        | {
            "open_now": open_state(facilities[i].opening_hours, now),
            "minutes": shown_value(float(costs[i]), result.profile),
        }
        for i in reached
    ]
    return {
        "origin": origin,
        "profile": profile,
        "convention": plain_rule(result.profile, lang),
        "unit": shown_unit(result.profile),
        "data_date": snapshot.data_date,
        "data_version": snapshot.data_version,
        "facilities": listed,
        "types_from": types_from,
        "types_origin": types_origin or origin,
        "types": _nearest_types(snapshot, profile, table_row, costs, lang),
        "areas": _areas_geojson(areas),
    }


def _compound_origin(snapshot: Snapshot, i: int) -> dict[str, Any]:
    compound = snapshot.data.compounds[i]
    origin = {"kind": "compound", "id": compound.source_id, "name": compound.name}
    return origin | {"lon": float(compound.lon), "lat": float(compound.lat)}


def _engine_limit(request: Request, snapshot: Snapshot, profile: str) -> tuple[Any, float]:
    engine = snapshot.engine(profile, snap_max_m=request.app.state.area.project.settings.snap_max_m)
    return engine, level_limit(snapshot.result(profile).profile, 15)


@router.get("/access/compound/{compound_id:path}", response_model=AccessOut)
def compound_access(
    request: Request,
    compound_id: str,
    snapshot: SnapshotDep,
    profile: ProfileParam = "standard",
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Services near a compound, walking from its gates."""
    i = require(snapshot.compound_index.get(compound_id), "error.api.no_compound", id=compound_id)
    origin = _compound_origin(snapshot, i)
    result = snapshot.result(profile)

    def render() -> dict[str, Any]:
        engine, limit = _engine_limit(request, snapshot, profile)
        return access_payload(
            request,
            snapshot,
            profile,
            origin=origin,
            reach=engine.reach_compound(i, limit=limit),
            table_row=(result.compounds, i),
            types_from="compound",
            areas=result.compound_areas[i],
        )

    return cached_json(request, snapshot, render, crs=crs, vary=time_bucket(local_now(request)))


@router.get("/access/board/{board_id}", response_model=AccessOut)
def board_access(
    request: Request,
    board_id: str,
    snapshot: SnapshotDep,
    profile: ProfileParam = "standard",
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Services near a board (the QR landing page's data)."""
    i = require(snapshot.board_index.get(board_id), "error.api.no_board", board=board_id)
    board = snapshot.data.boards[i]
    origin = {"kind": "board", "id": board.board_id, "name": board.name}
    origin |= {"lon": float(board.lon), "lat": float(board.lat)}
    result = snapshot.result(profile)
    table_row = result.verdict_row(snapshot.data, board=i)
    judged_as_compound = table_row[0] is result.compounds
    types_origin = _compound_origin(snapshot, table_row[1]) if judged_as_compound else origin

    def render() -> dict[str, Any]:
        engine, limit = _engine_limit(request, snapshot, profile)
        return access_payload(
            request,
            snapshot,
            profile,
            origin=origin,
            reach=engine.reach_board(i, limit=limit),
            table_row=table_row,
            types_from="compound" if judged_as_compound else "board",
            types_origin=types_origin,
            areas=result.board_areas[i],
        )

    return cached_json(request, snapshot, render, crs=crs, vary=time_bucket(local_now(request)))


@router.get("/access/point", response_model=AccessOut)
def point_access(
    request: Request,
    snapshot: SnapshotDep,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
    profile: ProfileParam = "standard",
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Services near a point (e.g. "use my location"); ``lon``/``lat`` in ``crs``."""
    x, y = to_wgs(lon, lat, crs)
    origin = {"kind": "point", "id": "", "name": "", "lon": x, "lat": y}

    def render() -> dict[str, Any]:
        engine, limit = _engine_limit(request, snapshot, profile)
        reach = engine.reach([(x, y)], limit=limit)
        return access_payload(request, snapshot, profile, origin=origin, reach=reach)

    return cached_json(request, snapshot, render, crs=crs, vary=time_bucket(local_now(request)))
