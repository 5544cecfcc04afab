"""Where a staff member may act: inside the project area, and near their own compounds.

Distances in metres on a local flat approximation (good to well under 1 % over a few km).
Reads the store; writes nothing and knows nothing of HTTP.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely

from lifecircle.errors import AccessDenied, LocationError, Msg
from lifecircle.jobs import checks
from lifecircle.model import Compound, Facility, LocalEdit, LonLat, WalkWay
from lifecircle.project import Project
from lifecircle.staff.accounts import User, covers
from lifecircle.store import Store

_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0


def dist_m(a: LonLat, b: LonLat) -> float:
    """Metres between two WGS-84 points (equirectangular; fine for a few kilometres).

    >>> round(dist_m((117.2, 39.1), (117.2, 39.101)))
    111
    """
    lat0 = math.radians((a[1] + b[1]) / 2)
    dx = (b[0] - a[0]) * _M_PER_DEG_LON_EQUATOR * math.cos(lat0)
    dy = (b[1] - a[1]) * _M_PER_DEG_LAT
    return math.hypot(dx, dy)


def _to_local(geom: shapely.Geometry, origin: LonLat) -> shapely.Geometry:
    scale_x = _M_PER_DEG_LON_EQUATOR * math.cos(math.radians(origin[1]))

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(
            ((xy[:, 0] - origin[0]) * scale_x, (xy[:, 1] - origin[1]) * _M_PER_DEG_LAT)
        )

    return shapely.transform(geom, project)


def near_record_m(record: Compound | Facility, point: LonLat) -> float:
    """Metres from ``point`` to a compound or facility: its outline, else its point or gates."""
    if record.outline_wkt:
        outline = _to_local(shapely.from_wkt(record.outline_wkt), point)
        return float(shapely.distance(outline, shapely.Point(0.0, 0.0)))
    places = [(record.lon, record.lat), *record.entrances]
    return min(dist_m(point, p) for p in places)


def subdistrict_of(store: Store, community: str) -> str:
    """Return the sub-district most records of ``community`` name ("" if none names one)."""
    counts: Counter[str] = Counter()
    for kind in ("facility", "compound", "board"):
        for record in store.records(kind):
            if getattr(record, "community", "") == community and getattr(record, "subdistrict", ""):
                counts[record.subdistrict] += 1  # type: ignore[attr-defined]
    return counts.most_common(1)[0][0] if counts else ""


def _network_key(store: Store) -> tuple[str, ...]:
    """Identify the stored walk network and boundary (it changes with every OSM import)."""
    metas = "\n".join(
        store.get_meta(k) or "" for k in ("osm_file", "osm_timestamp", "boundary_wkt")
    )
    return (hashlib.sha256(metas.encode("utf-8")).hexdigest(), str(store.count("walk_way")))


@dataclass(frozen=True)
class _Network:
    """The area index and the walkways in its order (those with two points or more)."""

    index: checks.AreaIndex | None
    ways: tuple[WalkWay, ...]


@lru_cache(maxsize=4)
def _network(url: str, network: tuple[str, ...], margin_m: float) -> _Network:
    # Building the index reads and projects every walkway (~0.1 s on the demo, seconds for a
    # district): build it once per network, outside any write transaction.
    del network  # part of the cache key only
    with Store.open(url) as store:
        ways = [w for w in store.records("walk_way") if isinstance(w, WalkWay)]
        wkt = store.get_meta("boundary_wkt")
    boundary = shapely.from_wkt(wkt) if wkt else None
    index = checks.build_area_index(ways, boundary=boundary, margin_m=margin_m)
    return _Network(index, tuple(w for w in ways if len(w.coords) >= 2))


def _stored_network(project: Project, store: Store) -> _Network:
    return _network(project.database_url, _network_key(store), project.settings.outside_margin_m)


@dataclass(frozen=True)
class NearestWay:
    """The walkway nearest a clicked point, and its vertex (an OSM node) nearest the point."""

    osm_id: int
    name: str
    dist_m: float
    node_id: int
    node_dist_m: float
    #: The way's line (WGS-84 points), to highlight it on the staff map.
    coords: tuple[LonLat, ...] = ()


def nearest_way(project: Project, store: Store, point: LonLat) -> NearestWay | None:
    """Find the stored walkway nearest ``point`` (for marking a barrier by a map click)."""
    network = _stored_network(project, store)
    if network.index is None or not network.ways:
        return None
    x, y = network.index.to_m.transform(point[0], point[1])
    found, dists = network.index.tree.query_nearest(
        shapely.points([x], [y]), return_distance=True, all_matches=False
    )
    way = network.ways[int(found[1][0])]
    node_dists = [dist_m(point, c) for c in way.coords]
    nearest = int(np.argmin(node_dists))
    return NearestWay(
        osm_id=way.osm_id,
        name=way.tags.get("name", ""),
        dist_m=float(dists[0]),
        node_id=way.node_ids[nearest],
        node_dist_m=node_dists[nearest],
        coords=way.coords,
    )


def way_lines(
    project: Project, store: Store, osm_ids: Sequence[int]
) -> dict[int, tuple[LonLat, ...]]:
    """Return the line of each stored walkway named (ids no longer in the network are left out).

    Reads the walk network the area checks already hold in memory, so drawing the barriers on
    the staff map costs no store read per way.
    """
    wanted = set(osm_ids)
    if not wanted:
        return {}
    return {w.osm_id: w.coords for w in _stored_network(project, store).ways if w.osm_id in wanted}


def check_inside(project: Project, store: Store, points: Sequence[LonLat]) -> None:
    """Refuse points outside the project area (boundary or walk network, plus the margin).

    Raises
    ------
    LocationError
        A point is outside (the message says whether lon/lat look swapped).
    """
    index = _stored_network(project, store).index
    if index is None:
        return
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    for point, ok, flipped in zip(
        points, index.inside(lon, lat), index.inside(lat, lon), strict=True
    ):
        if not ok:
            hint = Msg("error.edit.swapped" if flipped else "error.edit.check_numbers")
            raise LocationError(
                "error.edit.outside", point=f"{point[0]:.6f},{point[1]:.6f}", hint=hint
            )


def edit_location(
    store: Store, edit_kind: str, osm_id: int | None, coords: Sequence[LonLat]
) -> list[LonLat]:
    """Where a local edit is: its points, else its OSM way's or node's points (maybe none)."""
    if coords:
        return list(coords)
    if osm_id is None:
        return []
    for way in store.records("walk_way"):
        if not isinstance(way, WalkWay):
            continue
        if edit_kind != "impassable_node" and way.osm_id == osm_id:
            return list(way.coords)
        if edit_kind == "impassable_node" and osm_id in way.node_ids:
            return [way.coords[way.node_ids.index(osm_id)]]
    return []


def require_near_own_compounds(
    project: Project, store: Store, user: User, points: Sequence[LonLat]
) -> None:
    """Refuse a barrier or link unless every point is near a compound of the editor's area.

    District editors may act anywhere. "Near" is ``staff_edit_near_m`` from a compound's
    outline, point or gates.

    Raises
    ------
    AccessDenied
        A point is farther than that from every compound of the editor's area.
    """
    if user.level == "district":
        return
    limit_m = project.settings.staff_edit_near_m
    own = [
        c
        for c in store.records("compound")
        if isinstance(c, Compound)
        and covers(user, community=c.community, subdistrict=c.subdistrict)
    ]
    for point in points or [(math.nan, math.nan)]:
        nearest = min((near_record_m(c, point) for c in own), default=math.inf)
        if not nearest <= limit_m:
            raise AccessDenied(
                "error.staff.not_near_own",
                point=f"{point[0]:.6f},{point[1]:.6f}",
                max_m=limit_m,
                role=user.role_label(),
            )


def may_touch_edit(project: Project, store: Store, user: User, edit: LocalEdit) -> None:
    """Refuse removing a local edit that is not near the editor's compounds (district: any)."""
    points = edit_location(store, edit.edit_kind, edit.osm_id, edit.coords)
    require_near_own_compounds(project, store, user, points)
