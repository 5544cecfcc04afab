"""What every public router shares: cacheable JSON answers, coordinate systems, profiles.

A response's ETag is the data version plus the request (path, query, language): unchanged
data answers 304, and rendered bodies are kept per snapshot. The profile parameter accepts the
engine's registry of profiles, no list of its own. Nothing here knows a resource.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import numpy as np
from fastapi import Depends, Query, Request
from fastapi.responses import Response

from lifecircle.api.errors import ApiError, request_lang
from lifecircle.api.state import Snapshot, get_snapshot
from lifecircle.engine.profiles import PROFILES
from lifecircle.geo import from_wgs84, to_wgs84


class Crs(StrEnum):
    """Coordinate systems the API reads and writes (WGS-84 inside)."""

    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


#: What an answer depends on besides the address (the language; the body's encoding).
VARY = "Accept-Encoding, Accept-Language, Cookie"
CrsParam = Annotated[
    Crs, Query(description="Coordinates in and out: wgs84 (default), gcj02 (WeChat/AMap), bd09")
]
ProfileParam = Annotated[
    str,
    Query(
        description="Walking profile: " + ", ".join(PROFILES),
        pattern="^(" + "|".join(PROFILES) + ")$",
        json_schema_extra={"enum": list(PROFILES)},
    ),
]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


def etag_of(snapshot: Snapshot, request: Request, *, vary: str = "") -> str:
    """Return the ETag of an answer: data version + path + sorted query + language (+ ``vary``)."""
    query = sorted(request.query_params.multi_items())
    basis = f"{snapshot.data_version}|{request.url.path}|{query}|{request_lang(request)}|{vary}"
    return '"' + hashlib.blake2b(basis.encode(), digest_size=12).hexdigest() + '"'


def cached_json(
    request: Request,
    snapshot: Snapshot,
    render: Callable[[], Any],
    *,
    crs: Crs = Crs.wgs84,
    vary: str = "",
) -> Response:
    """Answer ``render()`` as JSON with an ETag (304 when the client has it already).

    Repeated requests do not get here: :mod:`lifecircle.api.fastpath` replays them.

    Coordinates (``lon``/``lat`` pairs and GeoJSON ``coordinates``) are converted to ``crs``.
    ``vary`` is anything else the answer depends on (e.g. the time, for "open now").
    """
    etag = etag_of(snapshot, request, vary=vary)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": VARY}
    if etag in _tags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    payload = render()
    if crs is not Crs.wgs84:
        payload = convert_coords(payload, crs.value)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, media_type="application/json", headers=headers)


def _tags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


def to_wgs(lon: float, lat: float, crs: Crs) -> tuple[float, float]:
    """Return an input point given in ``crs`` as WGS-84."""
    if crs is Crs.wgs84:
        return lon, lat
    x, y = to_wgs84(lon, lat, crs.value)
    return float(x), float(y)


def convert_coords(value: Any, crs: str) -> Any:
    """Return a JSON value with every WGS-84 coordinate converted to ``crs``.

    >>> convert_coords({"lon": 116.4, "lat": 39.9}, "gcj02")["lon"] != 116.4
    True
    """
    if isinstance(value, dict):
        out = {k: convert_coords(v, crs) for k, v in value.items() if k != "coordinates"}
        if "coordinates" in value:
            out["coordinates"] = _convert_nested(value["coordinates"], crs)
        if isinstance(value.get("lon"), float) and isinstance(value.get("lat"), float):
            lon, lat = from_wgs84(value["lon"], value["lat"], crs)
            out["lon"], out["lat"] = round(float(lon), 7), round(float(lat), 7)
        return out
    if isinstance(value, list):
        return [convert_coords(v, crs) for v in value]
    return value


def _convert_nested(coords: Any, crs: str) -> Any:
    try:
        array = np.asarray(coords, dtype=float)
    except ValueError:  # rings of different lengths: convert each
        return [_convert_nested(part, crs) for part in coords]
    if array.size == 0 or array.shape[-1] != 2:
        return coords
    lon, lat = from_wgs84(array[..., 0], array[..., 1], crs)
    return np.round(np.stack([lon, lat], axis=-1), 7).tolist()


def require(found: Any, key: str, /, **values: Any) -> Any:
    """``found`` unless it is ``None``: then a 404 with the catalogue message ``key``."""
    if found is None:
        raise ApiError(404, key, **values)
    return found
