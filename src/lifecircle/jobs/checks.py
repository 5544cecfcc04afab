"""Location checks for imported points: outside the area, swapped lon/lat, wrong CRS, far away.

Works on WGS-84 records and the stored walk network; it reports problems and never moves a point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from lifecircle import geo as crs_io
from lifecircle.errors import LocationError, Msg, RowProblem
from lifecircle.model import WalkWay

#: A file is called "in the wrong CRS" when its points sit this far (median) from the walkways …
_CRS_SUSPECT_M = 30.0
#: … and reading them in another CRS brings them at least this many times closer. In a dense
#: street grid a ~550 m GCJ-02 shift often lands a point near *another* street, so the test is
#: relative (median distance as given vs. as the other CRS), not "500 m from any road".
_CRS_GAIN = 2.0
_MIN_POINTS_FOR_CRS = 3


@dataclass(frozen=True)
class LocatedPoint:
    """One point to check: where it came from (for messages) and its WGS-84 position."""

    row: int
    label: str
    lon: float
    lat: float
    column: str = "经度/纬度"


@dataclass(frozen=True)
class AreaIndex:
    """The study area in a local metric CRS: its extent and a spatial index of walkable ways."""

    to_m: Transformer
    area_m: BaseGeometry
    ways_m: np.ndarray
    tree: shapely.STRtree
    from_boundary: bool
    #: The area's centre (lon, lat): the boundary's centroid, else the walkways' mean point.
    centre: tuple[float, float] = (0.0, 0.0)

    def distance_to_ways_m(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Metres from each point to the nearest walkable way (inf without ways)."""
        if len(self.ways_m) == 0:
            return np.full(len(lon), np.inf)
        x, y = self.to_m.transform(lon, lat)
        points = shapely.points(x, y)
        _, dist = self.tree.query_nearest(points, return_distance=True, all_matches=False)
        return np.asarray(dist, dtype=float)

    def inside(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Whether each point lies in the area (boundary or network extent, plus margin)."""
        x, y = self.to_m.transform(lon, lat)
        return np.asarray(shapely.contains_xy(self.area_m, x, y), dtype=bool)


def build_area_index(
    ways: Sequence[WalkWay], *, boundary: BaseGeometry | None, margin_m: float
) -> AreaIndex | None:
    """Index the stored area; ``None`` when there is neither a boundary nor a walk network."""
    if not ways and boundary is None:
        return None
    if boundary is not None:
        lon0, lat0 = boundary.centroid.x, boundary.centroid.y
    else:
        coords = np.array([c for way in ways for c in way.coords])
        lon0, lat0 = float(coords[:, 0].mean()), float(coords[:, 1].mean())
    to_m = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m", always_xy=True
    )
    ways_m = _lines_m(to_m, [way for way in ways if len(way.coords) >= 2])
    lines = list(ways_m)
    if boundary is not None:
        area_m = shapely.transform(boundary, lambda xy: np.column_stack(to_m.transform(*xy.T)))
    else:
        area_m = shapely.convex_hull(shapely.multilinestrings(lines))
    return AreaIndex(
        to_m=to_m,
        area_m=shapely.buffer(area_m, margin_m),
        ways_m=ways_m,
        tree=shapely.STRtree(ways_m),
        from_boundary=boundary is not None,
        centre=(float(lon0), float(lat0)),
    )


def _lines_m(to_m: Transformer, ways: Sequence[WalkWay]) -> np.ndarray:
    """Project the ways to linestrings in metres (one projection and one shapely call)."""
    if not ways:
        return np.empty(0, dtype=object)
    sizes = [len(way.coords) for way in ways]
    xy = np.array([c for way in ways for c in way.coords], dtype=float)
    x, y = to_m.transform(xy[:, 0], xy[:, 1])
    owner = np.repeat(np.arange(len(ways)), sizes)
    return np.asarray(shapely.linestrings(np.column_stack([x, y]), indices=owner), dtype=object)


def check_outside(
    index: AreaIndex, points: Sequence[LocatedPoint], *, file: str
) -> list[RowProblem]:
    """Bad rows for points outside the area, with a hint when swapping lon/lat would fit."""
    if not points:
        return []
    lon = np.array([p.lon for p in points])
    lat = np.array([p.lat for p in points])
    inside = index.inside(lon, lat)
    swapped_inside = index.inside(lat, lon)
    problems = []
    where = Msg("error.location.boundary" if index.from_boundary else "error.location.network")
    for point, ok, swapped in zip(points, inside, swapped_inside, strict=True):
        if ok:
            continue
        hint = Msg("error.location.swapped" if swapped else "error.location.check_crs")
        problems.append(
            RowProblem(
                file=file,
                row=point.row,
                column=point.column,
                value=f"{point.lon:.6f},{point.lat:.6f}",
                what=Msg("error.location.outside", label=point.label, where=where),
                fix=hint,
            )
        )
    return problems


def check_crs(
    index: AreaIndex, points: Sequence[LocatedPoint], *, declared_crs: str, file: str
) -> None:
    """Raise :class:`LocationError` when the points fit the walkways far better in another CRS."""
    if len(points) < _MIN_POINTS_FOR_CRS or len(index.ways_m) == 0:
        return
    lon = np.array([p.lon for p in points])
    lat = np.array([p.lat for p in points])
    if bool(np.all(crs_io.out_of_china(lon, lat))):
        return  # the Chinese offsets are zero outside China: nothing to confuse
    as_given = float(np.median(index.distance_to_ways_m(lon, lat)))
    if as_given < _CRS_SUSPECT_M:
        return
    raw_lon, raw_lat = crs_io.from_wgs84(lon, lat, declared_crs)
    for other in ("wgs84", "gcj02", "bd09"):
        if other == declared_crs:
            continue
        alt_lon, alt_lat = crs_io.to_wgs84(raw_lon, raw_lat, other)
        alt = float(np.median(index.distance_to_ways_m(np.asarray(alt_lon), np.asarray(alt_lat))))
        if alt * _CRS_GAIN < as_given:
            raise LocationError(
                "error.location.wrong_crs",
                file=file,
                declared=declared_crs.upper(),
                as_given_m=as_given,
                alt_m=alt,
                other=other.upper(),
                option=other,
            )


def far_from_network(
    index: AreaIndex, points: Sequence[LocatedPoint], *, max_m: float
) -> list[tuple[LocatedPoint, float]]:
    """Points farther than ``max_m`` metres from every walkable way, with the distance."""
    if not points or len(index.ways_m) == 0:
        return []
    lon = np.array([p.lon for p in points])
    lat = np.array([p.lat for p in points])
    dist = index.distance_to_ways_m(lon, lat)
    return [(p, float(d)) for p, d in zip(points, dist, strict=True) if d > max_m]
