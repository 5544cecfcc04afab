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

from lifecircle.errors import InputFileError
from lifecircle.io import crs as crs_io


def _features(path: Path, data: Any) -> list[Mapping[str, Any]]:
    if not isinstance(data, dict):
        raise InputFileError(f"{path}: not a GeoJSON object")
    if data.get("type") == "FeatureCollection":
        return list(data.get("features") or [])
    if data.get("type") == "Feature":
        return [data]
    if data.get("type") in ("Polygon", "MultiPolygon"):
        return [{"type": "Feature", "properties": {}, "geometry": data}]
    raise InputFileError(
        f"{path}: expected a GeoJSON FeatureCollection, Feature or (Multi)Polygon, "
        f"got type {data.get('type')!r}"
    )


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
    names = ", ".join(str((f.get("properties") or {}).get("name", "?")) for f in features[:20])
    raise InputFileError(
        f"{path}: {len(features)} features and none chosen by "
        f"{feature or '(no --boundary-feature)'}; "
        f"pass --boundary-feature with a property value such as a name or adcode ({names})"
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
        raise InputFileError(f"{path}: boundary file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{path}: not a GeoJSON file ({exc})") from None
    chosen = _pick(path, _features(path, data), feature, area_code)
    try:
        geom = shape(chosen.get("geometry"))
    except (AttributeError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        raise InputFileError(f"{path}: the boundary geometry cannot be read ({exc})") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise InputFileError(
            f"{path}: the boundary must be a Polygon or MultiPolygon, got {geom.geom_type}"
        )
    if crs != "wgs84":
        geom = shapely.transform(
            geom, lambda xy: np.column_stack(crs_io.to_wgs84(xy[:, 0], xy[:, 1], crs))
        )
    return shapely.make_valid(geom)
