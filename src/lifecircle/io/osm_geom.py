"""Geometry helpers of the OSM reader: area outlines in bulk, boundary clipping, way lines.

Works on shapely arrays so a district's 100k buildings cost no per-object Python loops.
It reads no files; :mod:`lifecircle.io.osm` and :mod:`lifecircle.io.osm_compounds` use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from lifecircle.errors import LocationError
from lifecircle.geo import LocalMetric, local_metric_transformer
from lifecircle.model import Facility, LonLat, WalkWay, round_lonlat


@dataclass
class AreaItem:
    """A tagged area seen during the read, waiting for its geometry to be built in bulk."""

    source_id: str
    wkb: bytes
    tags: dict[str, str]
    type_code: str | None = None
    entrances: tuple[LonLat, ...] = ()


@dataclass(frozen=True)
class Outlines:
    """Area items with their shapely outlines and representative points, handled as arrays."""

    items: list[AreaItem]
    geoms: NDArray[np.object_]
    points: NDArray[np.float64]  # (n, 2) lon/lat of a point surely inside each outline

    @classmethod
    def parse(cls, items: list[AreaItem]) -> Outlines:
        """Parse all WKB at once; single-part multipolygons become plain polygons."""
        ordered = sorted(items, key=lambda i: id_order(i.source_id))
        geoms = shapely.from_wkb(np.array([i.wkb for i in ordered], dtype=object))
        geoms = np.where(
            shapely.get_num_geometries(geoms) == 1, shapely.get_geometry(geoms, 0), geoms
        )
        points = shapely.get_coordinates(shapely.point_on_surface(geoms)).reshape(-1, 2)
        return cls(ordered, geoms, points)

    def inside(self, region: BaseGeometry) -> Outlines:
        """Keep the items whose representative point lies in ``region`` (or on its edge)."""
        keep = shapely.intersects_xy(region, self.points[:, 0], self.points[:, 1])
        items = [item for item, k in zip(self.items, keep, strict=True) if k]
        return Outlines(items, self.geoms[keep], self.points[keep])

    def rows(self) -> Iterator[tuple[AreaItem, str, LonLat]]:
        """Yield each item with its outline as WKT and its rounded representative point."""
        wkts = shapely.to_wkt(self.geoms, rounding_precision=7).tolist()
        for item, wkt, (lon, lat) in zip(self.items, wkts, self.points.tolist(), strict=True):
            yield item, wkt, round_lonlat(lon, lat)


def id_order(source_id: str) -> tuple[int, int]:
    """Sort key for ``osm:node/…``, ``osm:way/…``, ``osm:relation/…``: by kind, then numeric id.

    >>> sorted(["osm:way/10", "osm:node/9", "osm:way/9"], key=id_order)
    ['osm:node/9', 'osm:way/9', 'osm:way/10']
    """
    kind, _, number = source_id.rpartition("/")
    return ({"osm:node": 0, "osm:way": 1, "osm:relation": 2}.get(kind, 3), int(number))


def checked_boundary(boundary: BaseGeometry) -> BaseGeometry:
    """Return ``boundary`` prepared for fast tests, after checking it is non-empty WGS-84."""
    if boundary.is_empty:
        raise LocationError("error.boundary.empty")
    lon_min, lat_min, lon_max, lat_max = boundary.bounds
    if not (-180 <= lon_min <= lon_max <= 180 and -90 <= lat_min <= lat_max <= 90):
        raise LocationError("error.boundary.not_wgs84", extent=str(boundary.bounds))
    shapely.prepare(boundary)
    return boundary


def points_inside(points: Sequence[Facility], region: BaseGeometry) -> list[bool]:
    """For each point facility, whether it lies in ``region`` (or on its edge)."""
    if not points:
        return []
    lons = np.array([f.lon for f in points])
    lats = np.array([f.lat for f in points])
    return [bool(v) for v in shapely.intersects_xy(region, lons, lats)]


def to_metric(metric: LocalMetric, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Return WGS-84 geometries in the local metric projection (an array in, an array out)."""
    projected: NDArray[np.object_] = shapely.transform(
        geoms, lambda xy: np.column_stack(metric.to_metres(xy[:, 0], xy[:, 1]))
    )
    return projected


def way_lines(ways: Sequence[WalkWay]) -> NDArray[np.object_]:
    """Return the ways as an array of WGS-84 LineStrings, in the same order."""
    if not ways:
        return np.array([], dtype=object)
    counts = np.array([len(w.coords) for w in ways])
    coords = np.array([xy for w in ways for xy in w.coords], dtype=np.float64)
    lines: NDArray[np.object_] = shapely.linestrings(
        coords, indices=np.repeat(np.arange(len(ways)), counts)
    )
    return lines


def ways_near(ways: list[WalkWay], region: BaseGeometry, buffer_m: float) -> list[WalkWay]:
    """Keep the ways that touch the region grown by ``buffer_m`` metres (local projection)."""
    if not ways:
        return []
    centre = region.centroid
    metric = local_metric_transformer(centre.x, centre.y)
    grown = metric.geometry_to_lonlat(metric.geometry_to_metres(region).buffer(buffer_m))
    shapely.prepare(grown)
    keep = shapely.intersects(grown, way_lines(ways))
    return [w for w, k in zip(ways, keep, strict=True) if k]


def bounds(ways: Sequence[WalkWay]) -> tuple[float, float, float, float]:
    """Return lon_min, lat_min, lon_max, lat_max of the ways (all NaN when there are none)."""
    if not ways:
        nan = float("nan")
        return (nan, nan, nan, nan)
    xy = np.array([xy for w in ways for xy in w.coords], dtype=np.float64)
    lon_min, lat_min = xy.min(axis=0).tolist()
    lon_max, lat_max = xy.max(axis=0).tolist()
    return (lon_min, lat_min, lon_max, lat_max)
