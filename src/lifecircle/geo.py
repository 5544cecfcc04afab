"""Convert lon/lat between WGS-84, GCJ-02 (AMap/Tencent) and BD-09 (Baidu), and measure in metres.

Implements the published offset formulas (standards-notes §6.2) with numpy; floats in give floats
out, arrays give arrays of the same shape. It reads no files and never decides which CRS data is in.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, overload

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from lifecircle.errors import ConfigError

CrsName = Literal["wgs84", "gcj02", "bd09"]
FloatArray = NDArray[np.float64]
#: A coordinate: one float, or an array of them (the result has the same shape).
Coord = TypeVar("Coord", float, FloatArray)

#: Krasovsky 1940 semi-major axis and eccentricity², as in the published GCJ-02 formula.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
#: Mean Earth radius (IUGG), used by :func:`haversine_m`.
EARTH_RADIUS_M = 6371008.8

_CRS_ALIASES: dict[CrsName, tuple[str, ...]] = {
    "wgs84": (
        "wgs84", "wgs", "epsg4326", "4326", "gps", "osm", "openstreetmap",
        "cgcs2000", "epsg4490", "天地图", "tianditu",
    ),
    "gcj02": (
        "gcj02", "gcj", "火星坐标", "火星坐标系", "国测局坐标", "国测局", "高德", "高德地图",
        "amap", "autonavi", "gaode", "腾讯", "腾讯地图", "tencent", "qq", "微信", "wechat",
    ),
    "bd09": ("bd09", "bd09ll", "bd", "百度", "百度地图", "百度坐标", "baidu"),
}  # fmt: skip


def parse_crs(text: str) -> CrsName:
    """Name the coordinate system meant by ``text`` (case, spaces and punctuation ignored).

    CGCS2000 / Tianditu (天地图) count as WGS-84: they differ by centimetres, far below what
    a walking map can show.

    >>> parse_crs("GCJ-02"), parse_crs("百度"), parse_crs("EPSG:4326")
    ('gcj02', 'bd09', 'wgs84')
    """
    key = "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())
    for name, aliases in _CRS_ALIASES.items():
        if key in aliases:
            return name
    raise ConfigError("error.crs.unknown", value=text)


def _arrays(lon: Any, lat: Any) -> tuple[FloatArray, FloatArray]:
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _like(value: FloatArray, template: Any) -> Any:
    """Return a float when the caller passed scalars, else the array."""
    return float(value) if np.ndim(template) == 0 else value


def _worst_abs(*errors: FloatArray) -> float:
    """Return the largest finite absolute error (NaN inputs must not stop the others)."""
    finite = [np.abs(e[np.isfinite(e)]) for e in errors]
    return max((float(np.max(f, initial=0.0)) for f in finite), default=0.0)


@overload
def out_of_china(lon: float, lat: float) -> bool: ...
@overload
def out_of_china(lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]: ...
def out_of_china(lon: Any, lat: Any) -> Any:
    """Tell where the GCJ-02 offset does not apply (the published rough rectangle).

    >>> out_of_china(24.94, 60.17), out_of_china(117.2, 39.1)
    (True, False)
    """
    x, y = _arrays(lon, lat)
    outside = (x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271)
    return bool(outside) if np.ndim(lon) == 0 else outside


def _gcj_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Compute the GCJ-02 shift in degrees at WGS-84 ``lon``/``lat`` (zero outside China)."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    t_lat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )  # fmt: skip
    t_lon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )  # fmt: skip
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (t_lat * 180.0) / (
        (_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * np.pi
    )
    d_lon = (t_lon * 180.0) / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def wgs84_to_gcj02(lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
    """Shift WGS-84 degrees to GCJ-02 (unchanged outside China).

    >>> lon, lat = wgs84_to_gcj02(117.2, 39.1)
    >>> round(lon, 5), round(lat, 5)
    (117.2063, 39.10102)
    """
    x, y = _arrays(lon, lat)
    d_lon, d_lat = _gcj_offset(x, y)
    return _like(x + d_lon, lon), _like(y + d_lat, lat)


def gcj02_to_wgs84(lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
    """Invert the GCJ-02 shift exactly (iterated to 1e-10°, well under 0.5 m).

    The shift varies slowly, so the fixed-point iteration ``w ← w − (forward(w) − g)`` contracts
    by a factor of ~1e-5 per step; a handful of steps suffice.

    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02(117.2, 39.1))
    >>> round(lon, 9), round(lat, 9)
    (117.2, 39.1)
    """
    g_lon, g_lat = _arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(30):
        d_lon, d_lat = _gcj_offset(w_lon, w_lat)
        err_lon, err_lat = w_lon + d_lon - g_lon, w_lat + d_lat - g_lat
        w_lon, w_lat = w_lon - err_lon, w_lat - err_lat
        if _worst_abs(err_lon, err_lat) <= 1e-10:
            break
    outside = out_of_china(g_lon, g_lat)
    return (
        _like(np.where(outside, g_lon, w_lon), lon),
        _like(np.where(outside, g_lat, w_lat), lat),
    )


def gcj02_to_bd09(lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
    """Add Baidu's extra offset to GCJ-02 degrees (the published formula, applied everywhere).

    >>> lon, lat = gcj02_to_bd09(117.2, 39.1)
    >>> round(lon, 5), round(lat, 5)
    (117.20654, 39.10582)
    """
    x, y = _arrays(lon, lat)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _like(z * np.cos(theta) + 0.0065, lon), _like(z * np.sin(theta) + 0.006, lat)


def bd09_to_gcj02(lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
    """Remove Baidu's extra offset (the published formula; round trip within 0.2 m).

    >>> lon, lat = bd09_to_gcj02(*gcj02_to_bd09(117.2, 39.1))
    >>> round(lon, 5), round(lat, 5)
    (117.2, 39.1)
    """
    x, y = _arrays(lon, lat)
    x, y = x - 0.0065, y - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return _like(z * np.cos(theta), lon), _like(z * np.sin(theta), lat)


def wgs84_to_bd09(lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
    """WGS-84 → GCJ-02 → BD-09.

    >>> lon, lat = wgs84_to_bd09(117.2, 39.1)
    >>> round(lon, 4), round(lat, 4)
    (117.2128, 39.1069)
    """
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
    """BD-09 → GCJ-02 → WGS-84.

    >>> lon, lat = bd09_to_wgs84(*wgs84_to_bd09(117.2, 39.1))
    >>> round(lon, 5), round(lat, 5)
    (117.2, 39.1)
    """
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84: dict[CrsName, Callable[[Any, Any], tuple[Any, Any]]] = {
    "wgs84": lambda lon, lat: (lon, lat),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84: dict[CrsName, Callable[[Any, Any], tuple[Any, Any]]] = {
    "wgs84": lambda lon, lat: (lon, lat),
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def to_wgs84(lon: Coord, lat: Coord, crs: str) -> tuple[Coord, Coord]:
    """Convert from ``crs`` (any spelling :func:`parse_crs` accepts) to WGS-84.

    >>> lon, lat = to_wgs84(117.2063, 39.10102, "高德")
    >>> round(lon, 4), round(lat, 4)
    (117.2, 39.1)
    """
    lon_out, lat_out = _TO_WGS84[parse_crs(crs)](lon, lat)
    return lon_out, lat_out


def from_wgs84(lon: Coord, lat: Coord, crs: str) -> tuple[Coord, Coord]:
    """Convert WGS-84 to ``crs`` (e.g. GCJ-02 for AMap and WeChat maps).

    >>> lon, lat = from_wgs84(117.2, 39.1, "gcj02")
    >>> round(lon, 4), round(lat, 4)
    (117.2063, 39.101)
    """
    lon_out, lat_out = _FROM_WGS84[parse_crs(crs)](lon, lat)
    return lon_out, lat_out


def haversine_m(lon1: Coord, lat1: Coord, lon2: Coord, lat2: Coord) -> Coord:
    """Great-circle distance in metres between WGS-84 points (spherical, error < 0.5 %).

    >>> round(haversine_m(117.2, 39.1, 117.2, 39.101), 1)
    111.2
    """
    x1, y1 = np.radians(np.asarray(lon1, np.float64)), np.radians(np.asarray(lat1, np.float64))
    x2, y2 = np.radians(np.asarray(lon2, np.float64)), np.radians(np.asarray(lat2, np.float64))
    h = np.sin((y2 - y1) / 2.0) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2.0) ** 2
    dist_m = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    result: Coord = _like(dist_m, dist_m)
    return result


@dataclass(frozen=True)
class LocalMetric:
    """A local azimuthal-equidistant projection in metres centred on ``lon0``/``lat0``.

    Distances and areas are true to ~0.1 % within 50 km of the centre, enough for a district.
    Build it once per area with :func:`local_metric_transformer` and reuse it.
    """

    lon0: float
    lat0: float
    proj4: str
    _forward: Transformer = field(repr=False, compare=False)
    _inverse: Transformer = field(repr=False, compare=False)

    def to_metres(self, lon: Coord, lat: Coord) -> tuple[Coord, Coord]:
        """Project WGS-84 degrees to local x/y metres (east/north of the centre)."""
        x, y = self._forward.transform(*_arrays(lon, lat))
        return _like(np.asarray(x), lon), _like(np.asarray(y), lat)

    def to_lonlat(self, x_m: Coord, y_m: Coord) -> tuple[Coord, Coord]:
        """Unproject local x/y metres back to WGS-84 degrees."""
        lon, lat = self._inverse.transform(*_arrays(x_m, y_m))
        return _like(np.asarray(lon), x_m), _like(np.asarray(lat), y_m)

    def geometry_to_metres(self, geom: BaseGeometry) -> BaseGeometry:
        """Project a WGS-84 shapely geometry to local metres (for buffers and lengths)."""
        return shapely.transform(
            geom, lambda xy: np.column_stack(self.to_metres(xy[:, 0], xy[:, 1]))
        )

    def geometry_to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        """Unproject a geometry in local metres back to WGS-84."""
        return shapely.transform(geom, self._xy_to_lonlat)

    def geometries_to_lonlat(self, geoms: Sequence[BaseGeometry]) -> list[BaseGeometry]:
        """Unproject several geometries in local metres back to WGS-84, in one transform."""
        return list(shapely.transform(np.asarray(geoms, dtype=object), self._xy_to_lonlat))

    def _xy_to_lonlat(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack(self.to_lonlat(xy[:, 0], xy[:, 1]))


def local_metric_transformer(lon0: float, lat0: float) -> LocalMetric:
    """Make a metric projection centred on a WGS-84 point (usually the area's centre).

    >>> metric = local_metric_transformer(117.2, 39.1)
    >>> x, y = metric.to_metres(117.2, 39.101)
    >>> round(x, 3), round(y, 1)
    (0.0, 111.0)
    """
    if not (-180.0 <= lon0 <= 180.0 and -90.0 <= lat0 <= 90.0):
        raise ConfigError("error.crs.bad_centre", lon=lon0, lat=lat0)
    proj4 = f"+proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +datum=WGS84 +units=m +no_defs"
    # the very pipeline PROJ derives from EPSG:4326 -> proj4 (always_xy), written out: looking
    # the CRSs up in PROJ's database took ~27 ms per projection, the pipeline ~0.15 ms
    step = f"+proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +x_0=0 +y_0=0 +ellps=WGS84"
    degrees = "+proj=unitconvert +xy_in=deg +xy_out=rad"
    forward = Transformer.from_pipeline(f"+proj=pipeline +step {degrees} +step {step}")
    inverse = Transformer.from_pipeline(f"+proj=pipeline +step +inv {step} +step +inv {degrees}")
    return LocalMetric(float(lon0), float(lat0), proj4, forward, inverse)
