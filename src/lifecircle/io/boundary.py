"""Read an area boundary polygon from a GeoJSON file (one feature, or one chosen from many).

Returns a WGS-84 shapely geometry; it does not clip anything itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from lifecircle import geo as crs_io
from lifecircle.errors import InputFileError, Msg


def _features(path: Path, data: Any) -> list[Mapping[str, Any]]:
    if not isinstance(data, dict):
        raise InputFileError("error.boundary.not_object", path=path)
    if data.get("type") == "FeatureCollection":
        return list(data.get("features") or [])
    if data.get("type") == "Feature":
        return [data]
    if data.get("type") in ("Polygon", "MultiPolygon"):
        return [{"type": "Feature", "properties": {}, "geometry": data}]
    raise InputFileError("error.boundary.wrong_type", path=path, found=str(data.get("type")))


def _pick(
    path: Path, features: list[Mapping[str, Any]], feature: str, code: str
) -> Mapping[str, Any]:
    if len(features) == 1 and not feature:
        return features[0]
    wanted = [w for w in (feature, code[:6] if code else "") if w]
    for value in wanted:
        hits = [
            f for f in features if value in {str(v) for v in (f.get("properties") or {}).values()}
        ]
        if len(hits) == 1:
            return hits[0]
    names = tuple(str((f.get("properties") or {}).get("name", "?")) for f in features[:20])
    raise InputFileError(
        "error.boundary.choose",
        path=path,
        n=len(features),
        chosen=(
            Msg("error.boundary.by_value", value=feature)
            if feature
            else Msg("error.boundary.no_feature_option")
        ),
        names=names,
    )


def read_boundary(
    path: str | Path, *, feature: str = "", area_code: str = "", crs: str = "wgs84"
) -> BaseGeometry:
    """Read the area polygon from ``path``, converted to WGS-84.

    With several features, the one whose property values include ``feature`` (or the first six
    digits of ``area_code``, the district adcode) is used.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputFileError("error.boundary.not_found", path=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError("error.boundary.not_geojson", path=path, detail=str(exc)) from None
    chosen = _pick(path, _features(path, data), feature, area_code)
    try:
        geom = shape(chosen.get("geometry"))
    except (AttributeError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        raise InputFileError("error.boundary.bad_geometry", path=path, detail=str(exc)) from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise InputFileError("error.boundary.not_polygon", path=path, found=geom.geom_type)
    if crs != "wgs84":
        geom = shapely.transform(
            geom, lambda xy: np.column_stack(crs_io.to_wgs84(xy[:, 0], xy[:, 1], crs))
        )
    return shapely.make_valid(geom)
