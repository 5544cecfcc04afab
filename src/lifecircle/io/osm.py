"""Read an OpenStreetMap extract (.osm.pbf/.osm/.osm.bz2/.osm.gz): walk ways, facilities, buildings.

One streaming read with pyosmium (plus its relation pre-pass to assemble multipolygons) gives a
frozen :class:`OsmExtract`. Facility types come from the caller's ``match_type``; walking costs,
profiles and compounds are decided elsewhere. It prints nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import shapely
from shapely.geometry.base import BaseGeometry

from lifecircle.cache import basemap as base
from lifecircle.errors import Msg, OsmFileError
from lifecircle.io import osm_geom as geo
from lifecircle.io import osm_tags as tagrules
from lifecircle.io.osm_merge import MergedPair, merge_points_into_areas
from lifecircle.model import (
    Building,
    CandidateSite,
    Facility,
    LonLat,
    ResidentialArea,
    WalkNode,
    WalkWay,
    round_lonlat,
)

TypeMatcher = Callable[[Mapping[str, str]], str | None]
CandidateTest = Callable[[Mapping[str, str]], bool]

#: File name endings to use: pyosmium picks the parser from the name.
OSM_SUFFIXES = (".osm.pbf", ".osm", ".osm.bz2", ".osm.gz")
_NO_TIMESTAMP_BEFORE = datetime(1971, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class OsmExtract:
    """What lifecircle needs from one OSM extract, in WGS-84.

    ``bounds`` (lon_min, lat_min, lon_max, lat_max) is the extent of the walk network.
    ``osm_timestamp`` is the newest timestamp of the objects read (tagged nodes, walkable ways,
    tagged areas), else the file header's, in ISO-8601 UTC.
    """

    path: str
    ways: tuple[WalkWay, ...]
    nodes: tuple[WalkNode, ...]
    facilities: tuple[Facility, ...]
    residential_areas: tuple[ResidentialArea, ...]
    buildings: tuple[Building, ...]
    bounds: tuple[float, float, float, float]
    osm_timestamp: str | None
    clipped_to_boundary: bool
    #: Places that could host a new facility and are no facility themselves (site planning).
    candidates: tuple[CandidateSite, ...] = ()
    #: Buildings, water, green space and rail lines near the walk network, for printed maps.
    basemap: base.Basemap = field(default_factory=base.Basemap.empty)
    #: Points folded into the area of their type they lie in or beside (one facility each).
    merged: tuple[MergedPair, ...] = ()


@dataclass
class _Scan:
    """Everything collected in one pass (mutable while reading, discarded after)."""

    source: str
    match_type: TypeMatcher
    keep_candidate: CandidateTest | None = None
    candidates: list[CandidateSite] = field(default_factory=list)
    area_candidates: list[geo.AreaItem] = field(default_factory=list)
    walk_candidates: dict[int, tuple[float, float, dict[str, str]]] = field(default_factory=dict)
    entrances: dict[int, LonLat] = field(default_factory=dict)
    ways: list[WalkWay] = field(default_factory=list)
    point_facilities: list[Facility] = field(default_factory=list)
    area_facilities: list[geo.AreaItem] = field(default_factory=list)
    buildings: list[geo.AreaItem] = field(default_factory=list)
    residential: list[geo.AreaItem] = field(default_factory=list)
    #: Base-map areas (layer name in ``type_code``) and rail lines, for printed boards.
    scenery: list[geo.AreaItem] = field(default_factory=list)
    rail: list[tuple[LonLat, ...]] = field(default_factory=list)
    newest: datetime = _NO_TIMESTAMP_BEFORE


def read_osm(
    path: str | Path,
    *,
    match_type: TypeMatcher,
    boundary: BaseGeometry | None = None,
    network_buffer_m: float = 1500.0,
    keep_candidate: CandidateTest | None = None,
) -> OsmExtract:
    """Read walkable ways, tagged walk nodes, facilities, buildings and residential land.

    Parameters
    ----------
    path
        An ``.osm.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` extract.
    match_type
        Returns the facility type code for an object's tags, or None if it is no facility.
    boundary
        Optional WGS-84 (multi)polygon. Facilities, buildings and residential areas are kept
        when their representative point lies in it; walkable ways when they come within
        ``network_buffer_m`` metres of it, so walks across the line still work.
    network_buffer_m
        How far beyond ``boundary`` the walk network reaches, in metres.
    keep_candidate
        Optionally says whether an object that is no facility could host one (the taxonomy's
        ``candidate_osm`` rules); such objects become ``candidates`` (areas at a point inside).

    Raises
    ------
    OsmFileError
        The file is missing, truncated, not OSM data, or has no walkable ways (inside the
        buffered boundary).
    LocationError
        ``boundary`` is empty or not in WGS-84 degrees.

    Examples
    --------
    The hand-made Hexi fixture, with amenity values as type codes:

    >>> extract = read_osm(
    ...     "tests/data/osm/hexi_synthetic.osm", match_type=lambda tags: tags.get("amenity")
    ... )
    >>> len(extract.ways)
    15
    >>> [(f.source_id, f.type_code) for f in extract.facilities]  # doctest: +NORMALIZE_WHITESPACE
    [('osm:node/50', 'pharmacy'), ('osm:way/150', 'school'),
     ('osm:relation/200', 'kindergarten')]
    """
    file = _checked_path(Path(path))
    scan = _Scan(source=f"osm:{file.name}", match_type=match_type, keep_candidate=keep_candidate)
    factory = osmium.geom.WKBFactory()
    for obj in _objects(file):
        kind = obj.type_str()
        if kind == "n":
            _on_node(scan, obj)
        elif kind == "w":
            _on_way(scan, obj)
        elif kind == "a":
            _on_area(scan, obj, factory)
    extract = _assemble(file, scan, boundary, network_buffer_m)
    if not extract.ways:
        raise _no_ways_error(file, scan, boundary, network_buffer_m)
    return extract


def _checked_path(file: Path) -> Path:
    if not file.exists():
        raise OsmFileError("error.osm.not_found", path=file)
    if file.is_dir():
        raise OsmFileError("error.osm.folder", path=file)
    if file.stat().st_size == 0:
        raise OsmFileError("error.osm.empty", path=file)
    return file


def _read_error(file: Path, exc: RuntimeError) -> OsmFileError:
    text = str(exc)
    if "detect file format" in text:
        return OsmFileError("error.osm.unknown_format", path=file, suffixes=OSM_SUFFIXES)
    return OsmFileError("error.osm.unreadable", path=file, detail=text)


def _objects(file: Path) -> Iterator[Any]:
    """Stream the objects the reader needs; pyosmium's RuntimeErrors become OsmFileError.

    C++ filters drop untagged nodes, ways without highway/railway/public_transport and all
    relations (their multipolygons arrive as areas) before any Python code sees them.
    """
    walk_keys = osmium.filter.KeyFilter("highway", "railway", "public_transport")
    walk_keys.enable_for(osmium.osm.WAY)
    processor = (
        osmium.FileProcessor(str(file))
        .with_locations()
        .with_areas()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY | osmium.osm.AREA))
        .with_filter(osmium.filter.EmptyTagFilter())
        .with_filter(walk_keys)
    )
    stream = iter(processor)
    while True:
        try:
            obj = next(stream)
        except StopIteration:
            return
        except RuntimeError as exc:
            raise _read_error(file, exc) from exc
        yield obj


def _tags(obj: Any) -> dict[str, str]:
    return {tag.k: tag.v for tag in obj.tags}


def _note_time(scan: _Scan, obj: Any) -> None:
    stamp = obj.timestamp
    if stamp > scan.newest:
        scan.newest = stamp


def _on_node(scan: _Scan, obj: Any) -> None:
    location = obj.location
    if not location.valid():
        return
    _note_time(scan, obj)
    tags = _tags(obj)
    lon, lat = round_lonlat(location.lon, location.lat)
    kept = tagrules.walk_node_tags(tags)
    if kept is not None:
        scan.walk_candidates[obj.id] = (lon, lat, kept)
    if tagrules.is_entrance(tags):
        scan.entrances[obj.id] = (lon, lat)
    code = scan.match_type(tags)
    if code is not None:
        scan.point_facilities.append(
            _facility(f"osm:node/{obj.id}", code, tags, (lon, lat), source=scan.source)
        )
    elif scan.keep_candidate is not None and scan.keep_candidate(tags):
        scan.candidates.append(_candidate(f"osm:node/{obj.id}", tags, (lon, lat), scan.source))


def _on_way(scan: _Scan, obj: Any) -> None:
    tags = _tags(obj)
    if base.is_rail(tags):
        scan.rail.append(_longest_located_run(obj.nodes)[1])
    if not tagrules.is_walkable(tags):
        return
    node_ids, coords = _longest_located_run(obj.nodes)
    if len(node_ids) < 2:
        return
    _note_time(scan, obj)
    kept = tagrules.select_tags(tags, tagrules.WALK_WAY_TAG_KEYS, tagrules.WALK_WAY_TAG_PREFIXES)
    scan.ways.append(WalkWay(obj.id, node_ids, coords, kept))


def _longest_located_run(refs: Any) -> tuple[tuple[int, ...], tuple[LonLat, ...]]:
    """Return the longest stretch of consecutive nodes whose location is in the file.

    Extracts cut at a bounding box drop the nodes of a way beyond the cut; keeping the longest
    located stretch (not the located nodes glued together) avoids straight jumps across gaps.
    """
    best: list[tuple[int, LonLat]] = []
    run: list[tuple[int, LonLat]] = []
    for ref in refs:
        location = ref.location
        if location.valid():
            # osmium stores 1e-7° integers, so lon/lat are already what round_lonlat gives
            run.append((ref.ref, (location.lon, location.lat)))
            continue
        if len(run) > len(best):
            best = run
        run = []
    if len(run) > len(best):
        best = run
    return tuple(r[0] for r in best), tuple(r[1] for r in best)


def _on_area(scan: _Scan, obj: Any, factory: Any) -> None:
    tags = _tags(obj)
    is_building = "building" in tags and tags["building"] != "no"
    is_residential = tags.get("landuse") == "residential"
    code = scan.match_type(tags)
    candidate = code is None and scan.keep_candidate is not None and scan.keep_candidate(tags)
    layer = base.area_layer(tags)
    if code is None and not (is_building or is_residential or candidate or layer is not None):
        return
    try:
        wkb = bytes.fromhex(factory.create_multipolygon(obj))  # bytes parse faster than hex
    except RuntimeError:  # a broken ring libosmium could not assemble; nothing to measure
        return
    _note_time(scan, obj)
    kind = "way" if obj.from_way() else "relation"
    source_id = f"osm:{kind}/{obj.orig_id()}"
    if code is not None:
        gates = _ring_entrances(obj, scan.entrances)
        scan.area_facilities.append(geo.AreaItem(source_id, wkb, tags, code, gates))
    if candidate:
        scan.area_candidates.append(geo.AreaItem(source_id, wkb, tags))
    if is_building:
        scan.buildings.append(geo.AreaItem(source_id, wkb, tagrules.building_tags(tags)))
    if layer is not None:
        scan.scenery.append(geo.AreaItem(source_id, wkb, {}, layer))
    if is_residential:
        scan.residential.append(geo.AreaItem(source_id, wkb, tagrules.residential_area_tags(tags)))


def _ring_entrances(area: Any, entrances: Mapping[int, LonLat]) -> tuple[LonLat, ...]:
    """Entrance nodes on an area's outer rings, in ring order, each once."""
    found: dict[int, LonLat] = {}
    for ring in area.outer_rings():
        for ref in ring:
            if ref.ref in entrances:
                found.setdefault(ref.ref, entrances[ref.ref])
    return tuple(found.values())


def _facility(
    source_id: str,
    type_code: str,
    tags: Mapping[str, str],
    lonlat: LonLat,
    *,
    source: str,
    outline_wkt: str | None = None,
    entrances: tuple[LonLat, ...] = (),
) -> Facility:
    return Facility(
        source_id=source_id,
        name=tagrules.display_name(tags),
        type_code=type_code,
        lon=lonlat[0],
        lat=lonlat[1],
        outline_wkt=outline_wkt,
        entrances=entrances,
        address=tagrules.address(tags),
        phone=tagrules.phone(tags),
        opening_hours=tags.get("opening_hours", "").strip(),
        source=source,
        extra=tagrules.facility_extra(tags),
    )


def _candidate(
    source_id: str, tags: Mapping[str, str], lonlat: LonLat, source: str
) -> CandidateSite:
    kept = {**tagrules.facility_extra(tags), **tagrules.select_tags(tags, ("landuse", "name"))}
    return CandidateSite(
        source_id, tagrules.display_name(tags), lonlat[0], lonlat[1], kept,
        address=tagrules.address(tags), source=source,
    )  # fmt: skip


# --------------------------------------------------------------------------- assembling


def _assemble(
    file: Path, scan: _Scan, boundary: BaseGeometry | None, network_buffer_m: float
) -> OsmExtract:
    """Build geometries in bulk, clip to the boundary and freeze the result."""
    area_facilities = geo.Outlines.parse(scan.area_facilities)
    buildings = geo.Outlines.parse(scan.buildings)
    residential = geo.Outlines.parse(scan.residential)
    area_candidates = geo.Outlines.parse(scan.area_candidates)
    ways, points, candidates = scan.ways, scan.point_facilities, scan.candidates
    scenery = _basemap(scan, buildings)
    if boundary is not None:
        region = geo.checked_boundary(boundary)
        ways = geo.ways_near(ways, region, network_buffer_m)
        points = [
            f for f, keep in zip(points, geo.points_inside(points, region), strict=True) if keep
        ]
        area_facilities = area_facilities.inside(region)
        buildings = buildings.inside(region)
        residential = residential.inside(region)
        area_candidates = area_candidates.inside(region)
        candidates = [c for c in candidates if shapely.intersects_xy(region, c.lon, c.lat)]
    on_ways = {node_id for way in ways for node_id in way.node_ids}
    nodes = [
        WalkNode(node_id, lon, lat, tags)
        for node_id, (lon, lat, tags) in sorted(scan.walk_candidates.items())
        if node_id in on_ways
    ]
    facilities: list[Facility] | tuple[Facility, ...] = points + [
        _facility(
            item.source_id,
            item.type_code or "",
            item.tags,
            point,
            source=scan.source,
            outline_wkt=wkt,
            entrances=item.entrances,
        )
        for item, wkt, point in area_facilities.rows()
    ]
    facilities, merged = merge_points_into_areas(facilities)
    return OsmExtract(
        path=str(file),
        ways=tuple(sorted(ways, key=lambda w: w.osm_id)),
        nodes=tuple(nodes),
        facilities=tuple(sorted(facilities, key=lambda f: geo.id_order(f.source_id))),
        residential_areas=tuple(
            ResidentialArea(item.source_id, tagrules.display_name(item.tags), wkt, item.tags)
            for item, wkt, _ in residential.rows()
        ),
        buildings=tuple(
            Building(item.source_id, wkt, item.tags) for item, wkt, _ in buildings.rows()
        ),
        bounds=geo.bounds(ways),
        osm_timestamp=_timestamp(file, scan.newest),
        clipped_to_boundary=boundary is not None,
        candidates=tuple(
            sorted(
                candidates
                + [
                    _candidate(i.source_id, i.tags, p, scan.source)
                    for i, _, p in area_candidates.rows()
                ],
                key=lambda c: geo.id_order(c.source_id),
            )
        ),
        basemap=scenery.clipped(geo.bounds(ways)) if ways else scenery,
        merged=merged,
    )


def _basemap(scan: _Scan, buildings: geo.Outlines) -> base.Basemap:
    """Collect the printed map's scenery (not clipped to the boundary: maps show beyond it)."""
    areas = geo.Outlines.parse(scan.scenery)
    kinds = np.array([item.type_code for item in areas.items], dtype=object)
    rails = [coords for coords in scan.rail if len(coords) >= 2]
    return base.Basemap(
        {
            "buildings": buildings.geoms,
            "water": areas.geoms[kinds == "water"],
            "green": areas.geoms[kinds == "green"],
            "rail": np.array([shapely.linestrings(c) for c in rails], dtype=object),
        }
    )


def _timestamp(file: Path, newest: datetime) -> str | None:
    if newest > _NO_TIMESTAMP_BEFORE:
        return newest.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        with osmium.io.Reader(str(file), osmium.osm.NOTHING) as reader:
            header = reader.header()
    except RuntimeError:
        return None
    stamp = header.get("osmosis_replication_timestamp", "") or header.get("timestamp", "")
    return stamp or None


def _no_ways_error(
    file: Path, scan: _Scan, boundary: BaseGeometry | None, buffer_m: float
) -> OsmFileError:
    if boundary is None or not scan.ways:
        return OsmFileError("error.osm.no_ways", path=file)
    return OsmFileError(
        "error.osm.boundary_misses",
        path=file,
        n=len(scan.ways),
        extent=_fmt(geo.bounds(scan.ways)),
        buffer_m=buffer_m,
        boundary_extent=_fmt(boundary.bounds),
    )


def _fmt(bounds: tuple[float, ...]) -> Msg:
    lon_min, lat_min, lon_max, lat_max = bounds
    return Msg(
        "error.osm.extent", lon_min=lon_min, lon_max=lon_max, lat_min=lat_min, lat_max=lat_max
    )
