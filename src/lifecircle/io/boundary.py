"""Read an area boundary polygon from a GeoJSON file (one feature, or one chosen from many).

Returns a WGS-84 shapely geometry; it does not clip anything itself. :func:`read_boundaries`
reads every feature of a file of many areas (e.g. a district's 街道), each named and coded from
its properties, for ``lifecircle areas cut``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from lifecircle import geo as crs_io
from lifecircle.errors import InputFileError, Msg

#: A statistical code: 6 (district), 9 or 12 digits (街道), as a project's area code.
_CODE_RE = re.compile(r"^\d{6}(\d{3})?(\d{3})?$")


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


@dataclass(frozen=True)
class BoundaryFeature:
    """One feature of a boundaries file: its number (from 1), name, code and WGS-84 polygon."""

    number: int
    name: str
    code: str
    geometry: BaseGeometry


def _feature_text(path: Path, number: int, props: Mapping[str, Any], field: str) -> str:
    value = str(props.get(field) or "").strip()
    if not value:
        raise InputFileError("error.boundary.feature_field", path=path, n=number, field=field)
    return value


def _feature(
    path: Path, number: int, feature: Mapping[str, Any], name_field: str, code_field: str
) -> BoundaryFeature:
    props = feature.get("properties") or {}
    if not isinstance(props, Mapping):
        props = {}
    name = _feature_text(path, number, props, name_field)
    code = _feature_text(path, number, props, code_field) if code_field else ""
    if code and not _CODE_RE.match(code):
        raise InputFileError(
            "error.boundary.feature_code", path=path, n=number, field=code_field, value=code
        )
    try:
        geom = shape(feature.get("geometry"))
    except (AttributeError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        raise InputFileError(
            "error.boundary.feature_geometry", path=path, n=number, detail=str(exc)
        ) from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise InputFileError(
            "error.boundary.feature_geometry", path=path, n=number, detail=geom.geom_type
        )
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputFileError(
            "error.boundary.feature_geometry", path=path, n=number,
            detail=Msg("error.boundary.not_wgs84", extent=_extent(geom)),
        )  # fmt: skip
    return BoundaryFeature(number, name, code, shapely.make_valid(geom))


def _extent(geom: BaseGeometry) -> str:
    return ", ".join(f"{v:.4f}" for v in geom.bounds)


def read_boundaries(
    path: str | Path, *, name_field: str = "name", code_field: str = ""
) -> list[BoundaryFeature]:
    """Read every feature of a WGS-84 boundaries file, named (and coded) from its properties.

    Each feature needs a value in ``name_field`` (and, when given, a 6/9/12-digit code in
    ``code_field``); names must differ. Errors name the file, the feature's number and field.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputFileError("error.boundary.not_found", path=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError("error.boundary.not_geojson", path=path, detail=str(exc)) from None
    features = [
        _feature(path, i, f if isinstance(f, Mapping) else {}, name_field, code_field)
        for i, f in enumerate(_features(path, data), start=1)
    ]
    if not features:
        raise InputFileError("error.boundary.no_features", path=path)
    seen: dict[str, int] = {}
    for found in features:
        if found.name in seen:
            raise InputFileError(
                "error.boundary.feature_duplicate", path=path, n=found.number,
                first=seen[found.name], field=name_field, value=found.name,
            )  # fmt: skip
        seen[found.name] = found.number
    return features


def write_boundary(path: Path, geometry: BaseGeometry, properties: Mapping[str, Any]) -> Path:
    """Write one WGS-84 polygon as a GeoJSON Feature (the file ``read_boundary`` reads back)."""
    feature = {"type": "Feature", "properties": dict(properties), "geometry": mapping(geometry)}
    path.write_text(json.dumps(feature, ensure_ascii=False), encoding="utf-8")
    return path
