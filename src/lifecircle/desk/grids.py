"""Grids (网格, 微网格): import them from a file and route a case's place to its grid.

A grid's shape is its outline, else the outlines (or gates) of the compounds it lists. A case
goes to the micro-grid its compound or point falls in (and that micro-grid's grid), else the
grid; outside every grid it goes to the nearest one, which the route says, unless it lies
farther than ``desk_outside_grid_max_m``. Distances are metres in a local projection.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from lifecircle.desk.machine import OPEN_STATES
from lifecircle.errors import BadRowsError, DeskError, LocationError, Msg, RowProblem
from lifecircle.geo import LocalMetric, local_metric_transformer
from lifecircle.io.grids import GridSheetRow, read_grids
from lifecircle.model import Compound
from lifecircle.store import Store
from lifecircle.store.accounts import AuditEntry, UserRow
from lifecircle.store.grids import GridChanges, GridRow

#: A compound without an outline stands for this disc around its point and gates (m).
COMPOUND_POINT_M = 40.0


@dataclass(frozen=True)
class Route:
    """Where a case goes: its grid, its micro-grid, and how far outside every grid it lay."""

    grid: GridRow | None
    microgrid: GridRow | None = None
    outside_m: float | None = None

    @property
    def community(self) -> str:
        """The community of the grid (or micro-grid) the case went to."""
        for found in (self.microgrid, self.grid):
            if found is not None and found.community:
                return found.community
        return ""

    @property
    def subdistrict(self) -> str:
        """The sub-district of the grid (or micro-grid) the case went to."""
        for found in (self.microgrid, self.grid):
            if found is not None and found.subdistrict:
                return found.subdistrict
        return ""


def _compound_shape(compound: Compound) -> BaseGeometry:
    if compound.outline_wkt:
        return shapely.from_wkt(compound.outline_wkt)
    points = [(compound.lon, compound.lat), *compound.entrances]
    return shapely.MultiPoint(points)


class GridIndex:
    """The active grids' shapes in local metres, for routing points and compounds.

    Examples
    --------
    >>> square = "POLYGON ((117.20 39.10, 117.21 39.10, 117.21 39.11, 117.20 39.11, 117.20 39.10))"
    >>> index = GridIndex([GridRow("G1", "一网格", "grid", outline_wkt=square)], {})
    >>> index.route(lon=117.205, lat=39.105).grid.code
    'G1'
    >>> route = index.route(lon=117.215, lat=39.105)  # ~430 m east of the square
    >>> route.grid.code, round(route.outside_m, -1)
    ('G1', 430.0)
    """

    def __init__(self, grids: Sequence[GridRow], compounds: Mapping[str, Compound]) -> None:
        self.grids = [g for g in grids if not g.retired]
        self.by_code = {g.code: g for g in self.grids}
        shapes = [self._shape(g, compounds) for g in self.grids]
        centre = shapely.union_all([s for s in shapes if s is not None] or [shapely.Point(0, 0)])
        middle = centre.centroid if not centre.is_empty else shapely.Point(117.2, 39.1)
        self.metric: LocalMetric = local_metric_transformer(middle.x, middle.y)
        self.shapes = [None if s is None else self.metric.geometry_to_metres(s) for s in shapes]
        self.by_compound: dict[str, GridRow] = {}
        for grid in sorted(self.grids, key=lambda g: g.kind == "microgrid"):
            for key in grid.compounds:
                self.by_compound[key] = grid  # a micro-grid's listing wins over its grid's

    @staticmethod
    def _shape(grid: GridRow, compounds: Mapping[str, Compound]) -> BaseGeometry | None:
        if grid.outline_wkt:
            return shapely.from_wkt(grid.outline_wkt)
        parts = [_compound_shape(compounds[k]) for k in grid.compounds if k in compounds]
        return shapely.union_all(parts) if parts else None

    def _within(self, grid: GridRow) -> float:
        """Metres a point must be within to count as inside the grid (0 for a drawn outline)."""
        return 0.0 if grid.outline_wkt else COMPOUND_POINT_M

    def _parent(self, grid: GridRow) -> GridRow | None:
        return self.by_code.get(grid.parent) if grid.kind == "microgrid" else grid

    def route(
        self, *, lon: float | None, lat: float | None, compound_key: str | None = None
    ) -> Route:
        """Route a place: the compound's listing first, then the point (inside, else nearest)."""
        if compound_key and compound_key in self.by_compound:
            found = self.by_compound[compound_key]
            if found.kind == "microgrid":
                return Route(self._parent(found), found)
            return Route(found, self._microgrid_at(lon, lat, parent=found.code))
        if lon is None or lat is None or not self.grids:
            return Route(None)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return Route(None)
        x, y = self.metric.to_metres(lon, lat)
        point = shapely.Point(x, y)
        dists = [np.inf if s is None else float(shapely.distance(s, point)) for s in self.shapes]
        inside = [
            (self.shapes[i].area if self.shapes[i] is not None else 0.0, i)  # type: ignore[union-attr]
            for i, g in enumerate(self.grids)
            if dists[i] <= self._within(g)
        ]
        micros = sorted(a for a in inside if self.grids[a[1]].kind == "microgrid")
        grids = sorted(a for a in inside if self.grids[a[1]].kind == "grid")
        if micros:  # the smallest micro-grid holding the point, and its grid
            found = self.grids[micros[0][1]]
            return Route(self._parent(found), found)
        if grids:
            return Route(self.grids[grids[0][1]])
        gaps = [d - self._within(g) for d, g in zip(dists, self.grids, strict=True)]
        nearest = int(np.argmin(gaps))
        if not np.isfinite(gaps[nearest]):
            return Route(None)
        found = self.grids[nearest]
        micro = found if found.kind == "microgrid" else None
        return Route(self._parent(found), micro, gaps[nearest])

    def _microgrid_at(self, lon: float | None, lat: float | None, *, parent: str) -> GridRow | None:
        if lon is None or lat is None:
            return None
        x, y = self.metric.to_metres(lon, lat)
        point = shapely.Point(x, y)
        for grid, shape in zip(self.grids, self.shapes, strict=True):
            mine = grid.kind == "microgrid" and grid.parent == parent and shape is not None
            if mine and float(shapely.distance(shape, point)) <= self._within(grid):
                return grid
        return None


@lru_cache(maxsize=8)
def _cached_index(url: str, grids_version: str, compounds_version: int) -> GridIndex:
    del grids_version, compounds_version  # part of the cache key only
    with Store.open(url) as store:
        grids = store.grids.all()
        compounds = _compounds(store)
    return GridIndex(grids, compounds)


def _compounds(store: Store) -> dict[str, Compound]:
    return {c.key: c for c in store.records("compound") if isinstance(c, Compound)}


def grid_index(store: Store, url: str) -> GridIndex:
    """Return the routing index of the store's current grids (built once per grid import)."""
    return _cached_index(url, store.grids.version(), store.last_change(["compound"]))


def checked_route(
    index: GridIndex,
    *,
    lon: float | None,
    lat: float | None,
    compound_key: str | None = None,
    max_outside_m: float,
) -> Route:
    """Route a place, refusing one farther than ``max_outside_m`` outside every grid.

    Raises
    ------
    LocationError
        Naming the point, the distance to the nearest grid, and whether lon/lat look swapped.
    """
    route = index.route(lon=lon, lat=lat, compound_key=compound_key)
    if route.outside_m is None or route.outside_m < max_outside_m or route.grid is None:
        return route
    assert lon is not None and lat is not None  # a route outside came from a point
    flipped = index.route(lon=lat, lat=lon) if -90 <= lon <= 90 else None
    swapped = flipped is not None and (flipped.outside_m or 0.0) < max_outside_m
    raise LocationError(
        "error.desk.outside_grids",
        point=f"{lon:.6f},{lat:.6f}",
        dist_m=round(route.outside_m),
        grid=route.grid.name,
        max_m=round(max_outside_m),
        hint=Msg("error.desk.swapped" if swapped else "error.desk.check_point"),
    )


def route_to(index: GridIndex, code: str) -> Route:
    """Return the route to a grid or micro-grid named by its code (staff dispatching by hand).

    Raises
    ------
    DeskError
        No active grid has that code.
    """
    found = index.by_code.get(code)
    if found is None:
        known = tuple(sorted(index.by_code))[:30] or ("—",)
        raise DeskError("error.desk.unknown_grid", field="grid", value=code, known=known)
    if found.kind == "microgrid":
        return Route(index.by_code.get(found.parent), found)
    return Route(found)


def route_fields(users: Sequence[UserRow], route: Route) -> dict[str, object]:
    """Return the case fields a route sets: grid, micro-grid, areas, distance, and assignee.

    The assignee is the grid's 网格员 when exactly one enabled account of ``users`` is bound
    to the grid; with none or several the case waits for the grid's team (all of them see it).
    """
    if route.grid is None:
        return {}
    code = route.grid.code
    workers = [
        u.name for u in users if u.role_level == "grid" and u.area == code and not u.disabled
    ]
    return {
        "grid": code,
        "microgrid": route.microgrid.code if route.microgrid else None,
        "community": route.community,
        "subdistrict": route.subdistrict,
        "outside_grid_m": None if route.outside_m is None else round(route.outside_m, 1),
        "assignee": workers[0] if len(workers) == 1 else None,
    }


def _match_compound(name: str, compounds: Mapping[str, Compound]) -> list[str]:
    if name in compounds:
        return [name]
    return sorted(k for k, c in compounds.items() if c.name == name)


def _resolve(
    file: str, rows: Sequence[GridSheetRow], compounds: Mapping[str, Compound]
) -> tuple[dict[str, tuple[str, ...]], list[RowProblem]]:
    """Turn each grid's compound names into compound keys (unknown or ambiguous: problems)."""
    names = sorted({c.name for c in compounds.values()})
    resolved: dict[str, tuple[str, ...]] = {}
    problems = []
    for row in rows:
        keys = []
        for name in row.compounds:
            found = _match_compound(name, compounds)
            if len(found) == 1:
                keys.append(found[0])
                continue
            if found:
                what = Msg("error.grids.ambiguous_compound", keys=tuple(found[:5]))
            else:
                close = tuple(difflib.get_close_matches(name, names, n=3, cutoff=0.5))
                what = Msg("error.grids.unknown_compound", closest=close or ("—",))
            problems.append(RowProblem(file, row.number, row.compounds_header, name, what))
        resolved[row.code] = tuple(keys)
    return resolved, problems


def _grid_row(
    row: GridSheetRow, keys: tuple[str, ...], compounds: Mapping[str, Compound], source: str
) -> GridRow:
    shape = shapely.from_wkt(row.outline_wkt) if row.outline_wkt else None
    if shape is None and keys:
        shape = shapely.union_all([_compound_shape(compounds[k]) for k in keys])
    communities = Counter(compounds[k].community for k in keys if compounds[k].community)
    subdistricts = Counter(compounds[k].subdistrict for k in keys if compounds[k].subdistrict)
    return GridRow(
        code=row.code,
        name=row.name,
        kind=row.kind,
        parent=row.parent,
        community=row.community or (communities.most_common(1)[0][0] if communities else ""),
        subdistrict=row.subdistrict or (subdistricts.most_common(1)[0][0] if subdistricts else ""),
        district=row.district,
        outline_wkt=row.outline_wkt,
        compounds=keys,
        bbox=None if shape is None else tuple(float(v) for v in shape.bounds),  # type: ignore[arg-type]
        source=source,
    )


def _inherit(grids: list[GridRow]) -> list[GridRow]:
    """Micro-grids without a community or sub-district take their grid's."""
    by_code = {g.code: g for g in grids}
    out = []
    for grid in grids:
        parent = by_code.get(grid.parent)
        if grid.kind == "microgrid" and parent is not None:
            grid = GridRow(
                **{
                    **grid.__dict__,
                    "community": grid.community or parent.community,
                    "subdistrict": grid.subdistrict or parent.subdistrict,
                    "district": grid.district or parent.district,
                }
            )
        out.append(grid)
    return out


def read_grid_file(store: Store, path: Path, *, crs: str = "wgs84") -> list[GridRow]:
    """Read and check a grid file against the stored compounds; write nothing.

    Raises
    ------
    BadRowsError
        Rows with problems (missing code, bad kind or parent, unknown compounds …).
    InputFileError
        The file cannot be read at all.
    """
    rows, problems = read_grids(path, crs=crs)
    compounds = _compounds(store)
    resolved, unknown = _resolve(path.name, rows, compounds)
    if problems or unknown:
        raise BadRowsError([*problems, *unknown])
    source = f"file:{path.name}"
    return _inherit([_grid_row(r, resolved[r.code], compounds, source) for r in rows])


def import_grids(
    store: Store, path: Path, *, crs: str = "wgs84", author: str, now_s: int, dry_run: bool = False
) -> tuple[list[GridRow], GridChanges | None]:
    """Make the file's grids the active ones (the rest retired) as one write; ``dry_run``: check.

    Raises
    ------
    BadRowsError, InputFileError
        The file is bad; nothing is written.
    DeskError
        A grid missing from the file still has open cases (import it again, or move them).
    """
    grids = read_grid_file(store, path, crs=crs)
    keep = {g.code for g in grids}
    gone = [g.code for g in store.grids.all() if g.code not in keep]
    busy = store.cases.count_by("grid", gone, OPEN_STATES) if gone else {}
    busy.update(store.cases.count_by("microgrid", gone, OPEN_STATES) if gone else {})
    if busy:
        listed = tuple(f"{code} ({n})" for code, n in sorted(busy.items()))
        raise DeskError("error.desk.grids_in_use", file=path.name, grids=listed)
    if dry_run:
        return grids, None
    audit = AuditEntry(author, "desk.grids.import", path.name, {"grids": len(grids)})
    return grids, store.grids.replace_all(grids, now_s=now_s, audit=audit)
