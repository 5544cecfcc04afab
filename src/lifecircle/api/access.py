"""``GET /api/access/{compound|board|point}``: walking minutes to services, per profile.

Facilities within 15 minutes come from the point engine (the same numbers the route uses);
the nearest of each type and the 5/10/15-minute walking areas from the built results.
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
    ProfileName,
    ProfileParam,
    SnapshotDep,
    cached_json,
    minutes,
    require,
    to_wgs,
)
from lifecircle.api.errors import request_lang
from lifecircle.api.facilities import display_name, local_now, time_bucket
from lifecircle.api.schemas import AccessOut
from lifecircle.api.state import Snapshot
from lifecircle.build import LEVELS_MIN
from lifecircle.model import LonLat
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
    snapshot: Snapshot, profile: str, table_row: tuple[str, int] | None, costs: np.ndarray
) -> list[dict[str, Any]]:
    """Nearest facility of each type: the built table for compounds/boards, else the query."""
    result = snapshot.result(profile)
    distance = result.profile.convention == "distance"
    facilities = snapshot.data.facilities
    codes = snapshot.type_code_array
    out = []
    for t, code in enumerate(result.type_codes):
        ftype = snapshot.taxonomy.type(code)
        if table_row is not None:
            table = result.boards if table_row[0] == "board" else result.compounds
            cost, nearest = float(table.cost[table_row[1], t]), int(table.nearest[table_row[1], t])
        else:
            mine = np.flatnonzero(codes == code)
            best = mine[np.argmin(costs[mine])] if len(mine) else -1
            cost = float(costs[best]) if best >= 0 else np.inf
            nearest = int(best) if np.isfinite(cost) else -1
        value = minutes(cost, distance=distance)
        out.append(
            {
                "type": code,
                "area": ftype.area,
                "level_min": ftype.level_min,
                "required": ftype.required,
                "minutes": value,
                "facility_id": facilities[nearest].source_id if nearest >= 0 else None,
                "missing": ftype.required and (value is None or value > ftype.level_min),
            }
        )
    return out


def access_payload(
    request: Request,
    snapshot: Snapshot,
    profile: str,
    *,
    origin: dict[str, Any],
    starts: Sequence[LonLat],
    table_row: tuple[str, int] | None = None,
    areas: Sequence[Any] = (),
) -> dict[str, Any]:
    """Services within 15 minutes of ``starts`` (sorted by minutes) and per-type nearest."""
    result = snapshot.result(profile)
    engine = snapshot.engine(profile, snap_max_m=request.app.state.area.project.settings.snap_max_m)
    reach = engine.reach(starts, limit=result.profile.threshold(15))
    costs = engine.facility_costs(reach)
    now, lang = local_now(request), request_lang(request)
    distance = result.profile.convention == "distance"
    order = np.argsort(costs, kind="stable")
    reached = order[np.isfinite(costs[order])].tolist()
    facilities = snapshot.data.facilities
    listed = [
        _listing(snapshot, i, lang)
        | {
            "open_now": open_state(facilities[i].opening_hours, now),
            "minutes": minutes(float(costs[i]), distance=distance),
        }
        for i in reached
    ]
    return {
        "origin": origin,
        "profile": profile,
        "convention": result.profile.describe(),
        "unit": "m" if distance else "min",
        "data_date": snapshot.data_date,
        "data_version": snapshot.data_version,
        "facilities": listed,
        "types": _nearest_types(snapshot, profile, table_row, costs),
        "areas": _areas_geojson(areas),
    }


@router.get("/access/compound/{compound_id:path}", response_model=AccessOut)
def compound_access(
    request: Request,
    compound_id: str,
    snapshot: SnapshotDep,
    profile: ProfileParam = ProfileName.standard,
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Services near a compound, walking from its gates."""
    i = require(snapshot.compound_index.get(compound_id), "error.api.no_compound", id=compound_id)
    compound = snapshot.data.compounds[i]
    origin = {"kind": "compound", "id": compound.source_id, "name": compound.name}
    origin |= {"lon": float(compound.lon), "lat": float(compound.lat)}
    starts = list(compound.entrances) or [(compound.lon, compound.lat)]
    areas = snapshot.result(profile.value).compound_areas[i]

    def render() -> dict[str, Any]:
        return access_payload(
            request,
            snapshot,
            profile.value,
            origin=origin,
            starts=starts,
            table_row=("compound", i),
            areas=areas,
        )

    return cached_json(request, snapshot, render, crs=crs, vary=time_bucket(local_now(request)))


@router.get("/access/board/{board_id}", response_model=AccessOut)
def board_access(
    request: Request,
    board_id: str,
    snapshot: SnapshotDep,
    profile: ProfileParam = ProfileName.standard,
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Services near a board (the QR landing page's data)."""
    i = require(snapshot.board_index.get(board_id), "error.api.no_board", board=board_id)
    board = snapshot.data.boards[i]
    origin = {"kind": "board", "id": board.board_id, "name": board.name}
    origin |= {"lon": float(board.lon), "lat": float(board.lat)}
    areas = snapshot.result(profile.value).board_areas[i]

    def render() -> dict[str, Any]:
        return access_payload(
            request,
            snapshot,
            profile.value,
            origin=origin,
            starts=[(board.lon, board.lat)],
            table_row=("board", i),
            areas=areas,
        )

    return cached_json(request, snapshot, render, crs=crs, vary=time_bucket(local_now(request)))


@router.get("/access/point", response_model=AccessOut)
def point_access(
    request: Request,
    snapshot: SnapshotDep,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
    profile: ProfileParam = ProfileName.standard,
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Services near a point (e.g. "use my location"); ``lon``/``lat`` in ``crs``."""
    x, y = to_wgs(lon, lat, crs)
    origin = {"kind": "point", "id": "", "name": "", "lon": x, "lat": y}

    def render() -> dict[str, Any]:
        return access_payload(request, snapshot, profile.value, origin=origin, starts=[(x, y)])

    return cached_json(request, snapshot, render, crs=crs, vary=time_bucket(local_now(request)))
