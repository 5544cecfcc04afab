"""``GET /api/areas``: the area served, its data date and version, extent and map settings.

Reads the served snapshot and the project settings only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifecircle.api.common import Crs, CrsParam, SnapshotDep, cached_json
from lifecircle.api.errors import request_lang
from lifecircle.api.schemas import AreaOut
from lifecircle.api.state import AreaState, Snapshot

router = APIRouter(tags=["areas"])


def _bbox(snapshot: Snapshot) -> list[float]:
    coords = [c for way in snapshot.data.ways for c in way.coords[:: max(1, len(way.coords) // 4)]]
    coords += [(f.lon, f.lat) for f in snapshot.data.facilities]
    if not coords:
        return [0.0, 0.0, 0.0, 0.0]
    lons, lats = zip(*coords, strict=True)
    return [round(min(lons), 6), round(min(lats), 6), round(max(lons), 6), round(max(lats), 6)]


def area_payload(state: AreaState, snapshot: Snapshot, *, lang: str = "zh") -> dict[str, Any]:
    """Describe the served area: names, data label, date/version, extent, map settings."""
    data = snapshot.data
    west, south, east, north = _bbox(snapshot)
    return {
        "name": state.project.area_name,
        "code": state.project.area_code,
        "data_version": data.data_version,
        "data_date": data.data_date,
        "bbox": [west, south, east, north],
        "center": {"lon": round((west + east) / 2, 6), "lat": round((south + north) / 2, 6)},
        "counts": {
            "compounds": len(data.compounds),
            "facilities": len(data.facilities),
            "boards": len(data.boards),
        },
        "communities": sorted({c.community for c in data.compounds if c.community}),
        "subdistricts": sorted({c.subdistrict for c in data.compounds if c.subdistrict}),
        "profiles": list(snapshot.results),
        "tile_url": state.project.settings.tile_url,
        "notice": state.project.notice(lang),
    }


@router.get("/areas", response_model=list[AreaOut])
def list_areas(request: Request, snapshot: SnapshotDep, crs: CrsParam = Crs.wgs84) -> Response:
    """List the area this server serves (a list of one)."""
    state: AreaState = request.app.state.area
    lang = request_lang(request)
    return cached_json(
        request, snapshot, lambda: [area_payload(state, snapshot, lang=lang)], crs=crs
    )
