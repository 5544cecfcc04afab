"""Derive residential compounds (小区) from an OSM extract when no compound sheet exists.

Named ``landuse=residential`` areas become compounds; failing those, street blocks with homes do.
Residents are estimated from building footprint × levels and every compound says so in
``estimate_method``. It reads no files and never overrides numbers that came from a sheet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from lifecircle.errors import ConfigError
from lifecircle.io._osm_geom import way_lines
from lifecircle.io._osm_tags import RESIDENTIAL_BUILDINGS
from lifecircle.io.crs import LocalMetric, local_metric_transformer
from lifecircle.io.osm import OsmExtract
from lifecircle.model import Compound, LonLat, ResidentialArea, round_lonlat

#: Streets that bound a building block (街坊). Service roads, footways and paths do not: they
#: run inside blocks and compounds, and are where people walk in (the block's entrances).
BLOCK_HIGHWAYS: frozenset[str] = frozenset(
    {
        "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
        "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "road",
        "pedestrian",
    }
)  # fmt: skip
#: Entrances closer than this are one entrance (two sides of one gate, a path beside a road).
ENTRANCE_MERGE_M = 15.0
#: A storey is taken as this tall when only ``height`` is mapped.
STOREY_HEIGHT_M = 3.0
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MAX_LEVELS = 200.0


@dataclass(frozen=True)
class _Buildings:
    """Building outlines in local metres with their levels and how the levels were chosen."""

    outlines: NDArray[np.object_]
    levels: NDArray[np.float64]
    level_source: NDArray[np.str_]  # "levels" | "height" | "default"
    kind: NDArray[np.str_]  # the building=* value
    tree: shapely.STRtree


@dataclass(frozen=True)
class _Context:
    """The extract projected to local metres, with spatial indexes, built once per call."""

    metric: LocalMetric
    lines: NDArray[np.object_]  # walk ways as metric LineStrings, same order as ``ways``
    gate_lines: NDArray[np.bool_]  # ways whose meeting with an outline can be an entrance
    bounds_blocks: NDArray[np.bool_]  # ways that bound street blocks (BLOCK_HIGHWAYS)
    line_tree: shapely.STRtree
    buildings: _Buildings
    source: str
    m2_per_person: float
    default_levels: int


def derive_compounds(
    extract: OsmExtract, *, floor_area_per_person_m2: float = 35.0, default_levels: int = 3
) -> tuple[Compound, ...]:
    """Make one compound per named residential area, else per street block with homes.

    Residents = Σ (footprint inside the outline, m²) × levels ÷ ``floor_area_per_person_m2``
    over residential buildings (``building=apartments/residential/house/…``, plus
    ``building=yes`` inside residential land). Levels come from ``building:levels``, else
    ``height`` ÷ 3 m, else ``default_levels``. Entrances are where walkable ways cross the
    outline (merged within 15 m), else the outline point nearest to the walk network.

    Examples
    --------
    >>> from lifecircle.io.osm import read_osm
    >>> extract = read_osm("tests/data/osm/hexi_synthetic.osm", match_type=lambda tags: None)
    >>> [(c.name, c.residents, len(c.entrances)) for c in derive_compounds(extract)]
    [('示例花园', 3117, 2)]
    """
    if floor_area_per_person_m2 <= 0 or default_levels < 1:
        raise ConfigError(
            f"floor_area_per_person_m2={floor_area_per_person_m2!r} and "
            f"default_levels={default_levels!r} must be positive (defaults: 35 m², 3 levels)"
        )
    context = _context(
        extract, m2_per_person=floor_area_per_person_m2, default_levels=default_levels
    )
    named = [area for area in extract.residential_areas if area.name]
    if named:
        kinds = context.buildings.kind
        homes = np.isin(kinds, list(RESIDENTIAL_BUILDINGS)) | (kinds == "yes")
        outlines = shapely.from_wkt(np.array([a.outline_wkt for a in named], dtype=object))
        outlines_m = _to_metric(context.metric, outlines)
        points = shapely.get_coordinates(shapely.point_on_surface(outlines)).tolist()
        return tuple(
            _compound_from_area(area, outline_m, round_lonlat(*point), context, homes)
            for area, outline_m, point in zip(named, outlines_m, points, strict=True)
        )
    return _compounds_from_blocks(extract, context)


# --------------------------------------------------------------------------- context


def _context(extract: OsmExtract, *, m2_per_person: float, default_levels: int) -> _Context:
    lon_min, lat_min, lon_max, lat_max = extract.bounds
    metric = local_metric_transformer((lon_min + lon_max) / 2, (lat_min + lat_max) / 2)
    lines = _to_metric(metric, way_lines(extract.ways))
    gate = np.array([_can_be_gate(w.tags) for w in extract.ways], dtype=bool)
    bounding = np.array(
        [w.tags.get("highway") in BLOCK_HIGHWAYS and w.tags.get("area") != "yes"
         for w in extract.ways],
        dtype=bool,
    )  # fmt: skip
    return _Context(
        metric=metric,
        lines=lines,
        gate_lines=gate,
        bounds_blocks=bounding,
        line_tree=shapely.STRtree(lines),
        buildings=_buildings(extract, metric, default_levels),
        source=f"osm:{Path(extract.path).name}",
        m2_per_person=m2_per_person,
        default_levels=default_levels,
    )


def _to_metric(metric: LocalMetric, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    projected: NDArray[np.object_] = shapely.transform(
        geoms, lambda xy: np.column_stack(metric.to_metres(xy[:, 0], xy[:, 1]))
    )
    return projected


def _to_lonlat(metric: LocalMetric, points_m: NDArray[np.float64]) -> list[LonLat]:
    if len(points_m) == 0:
        return []
    lon, lat = metric.to_lonlat(points_m[:, 0], points_m[:, 1])
    return [round_lonlat(x, y) for x, y in zip(lon.tolist(), lat.tolist(), strict=True)]


def _can_be_gate(tags: Mapping[str, str]) -> bool:
    """Whether a way crossing an outline can be a way in.

    Not when closed to people on foot, and not bridges or tunnels: they pass over or under the
    edge without meeting it (a ``tunnel=building_passage`` through a gate house does count).
    """
    if tags.get("foot") == "no" or (tags.get("access") == "no" and "foot" not in tags):
        return False
    if tags.get("bridge", "no") != "no":
        return False
    return tags.get("tunnel", "no") in ("no", "building_passage")


def _buildings(extract: OsmExtract, metric: LocalMetric, default_levels: int) -> _Buildings:
    outlines = _to_metric(
        metric, shapely.from_wkt(np.array([b.outline_wkt for b in extract.buildings], dtype=object))
    )
    chosen = [building_levels(b.tags, default_levels=default_levels) for b in extract.buildings]
    return _Buildings(
        outlines=outlines,
        levels=np.array([c[0] for c in chosen], dtype=np.float64),
        level_source=np.array([c[1] for c in chosen], dtype=str),
        kind=np.array([b.tags.get("building", "yes") for b in extract.buildings], dtype=str),
        tree=shapely.STRtree(outlines),
    )


def building_levels(tags: Mapping[str, str], *, default_levels: int = 3) -> tuple[float, str]:
    """Choose a building's number of storeys and say from what.

    ``building:levels`` (first number), else ``height`` ÷ 3 m rounded to whole storeys (at
    least 1), else ``default_levels``; absurd values (≤ 0 or > 200) are ignored.

    >>> building_levels({"building:levels": "6"}), building_levels({"height": "30 m"})
    ((6.0, 'levels'), (10.0, 'height'))
    >>> building_levels({"building:levels": "many"}, default_levels=3)
    (3.0, 'default')
    """
    levels = _first_number(tags.get("building:levels"))
    if levels is not None and 0 < levels <= _MAX_LEVELS:
        return levels, "levels"
    height_m = _first_number(tags.get("height"))
    if height_m is not None and 0 < height_m <= _MAX_LEVELS * STOREY_HEIGHT_M:
        return float(max(1, round(height_m / STOREY_HEIGHT_M))), "height"
    return float(default_levels), "default"


def _first_number(text: str | None) -> float | None:
    match = _NUMBER.search(text or "")
    return float(match.group()) if match else None


# --------------------------------------------------------------------------- estimates


@dataclass(frozen=True)
class _Estimate:
    buildings: int
    floor_m2: float
    residents: int | None
    by_source: Mapping[str, int]


def _estimate(outline_m: BaseGeometry, context: _Context, counts: NDArray[np.bool_]) -> _Estimate:
    """Floor area of the counted buildings inside ``outline_m`` and the residents it houses."""
    bld = context.buildings
    idx = bld.tree.query(outline_m, predicate="intersects")
    idx = idx[counts[idx]]
    inside_m2 = shapely.area(shapely.intersection(bld.outlines[idx], outline_m))
    idx, inside_m2 = idx[inside_m2 > 0], inside_m2[inside_m2 > 0]
    floor_m2 = float(np.sum(inside_m2 * bld.levels[idx]))
    sources = {s: int(np.sum(bld.level_source[idx] == s)) for s in ("levels", "height", "default")}
    residents = round(floor_m2 / context.m2_per_person) if len(idx) else None
    return _Estimate(len(idx), floor_m2, residents, sources)


def _method(estimate: _Estimate, context: _Context, *, where: str) -> str:
    """Say in plain words (Chinese, then English) how the residents were estimated."""
    m2_per_person, default_levels = context.m2_per_person, context.default_levels
    zh_where, en_where = ("小区", "the area") if where == "area" else ("街坊", "the block")
    if estimate.residents is None:
        return (
            f"{zh_where}内未标注住宅建筑，无法估算人口（非普查数据）。 "
            f"No residential buildings are mapped inside {en_where} in OpenStreetMap, so "
            "residents are unknown (not a census figure)."
        )
    src = estimate.by_source
    return (
        f"按OpenStreetMap建筑估算，非普查数据：{zh_where}内住宅建筑 {estimate.buildings} 栋，"
        f"建筑面积约 {estimate.floor_m2:,.0f} m²（{zh_where}内占地面积 × 层数；层数取自 "
        f"building:levels {src['levels']} 栋、height÷3 m {src['height']} 栋、缺省 "
        f"{default_levels} 层 {src['default']} 栋），按每人 {m2_per_person:g} m² 计约 "
        f"{estimate.residents} 人。 Estimated from OpenStreetMap buildings, not a census figure: "
        f"{estimate.buildings} residential buildings inside {en_where}, about "
        f"{estimate.floor_m2:,.0f} m² of floor area (footprint inside {en_where} × levels; levels "
        f"from building:levels for {src['levels']}, height ÷ 3 m for {src['height']}, the default "
        f"{default_levels} for {src['default']}) ÷ {m2_per_person:g} m² per person ≈ "
        f"{estimate.residents} residents."
    )


# --------------------------------------------------------------------------- compounds


def _compound_from_area(
    area: ResidentialArea,
    outline_m: BaseGeometry,
    lonlat: LonLat,
    context: _Context,
    homes: NDArray[np.bool_],
) -> Compound:
    """Turn one named residential area into a compound; ``homes`` marks the buildings counted."""
    estimate = _estimate(outline_m, context, homes)
    return Compound(
        source_id=area.osm_id,
        name=area.name,
        lon=lonlat[0],
        lat=lonlat[1],
        outline_wkt=area.outline_wkt,
        entrances=tuple(_to_lonlat(context.metric, _entrances(outline_m, context))),
        residents=estimate.residents,
        estimate_method=_method(estimate, context, where="area"),
        source=context.source,
    )


def _entrances(
    outline_m: BaseGeometry, context: _Context, *, minor_only: bool = False
) -> NDArray[np.float64]:
    """Find where walkable ways that enter the outline cross its edge (metres, merged in 15 m).

    A way only counts if it reaches 1 m inside, so streets that merely run along or end at the
    edge from outside are not gates; for blocks (``minor_only``) only footways, service roads
    and the like count, as the edge itself is street. Without any crossing, the edge point
    nearest to a walk way.
    """
    edge = outline_m.boundary
    inner = outline_m.buffer(-1.0)
    idx = context.line_tree.query(outline_m, predicate="intersects")
    idx = idx[context.gate_lines[idx]]
    if minor_only:
        idx = idx[~context.bounds_blocks[idx]]
    if not inner.is_empty:
        idx = idx[shapely.intersects(context.lines[idx], inner)]
    crossings = shapely.get_parts(shapely.intersection(context.lines[idx], edge))
    points = crossings[shapely.get_type_id(crossings) == 0]  # crossings, not shared stretches
    if len(points):
        return _merge_close(shapely.get_coordinates(points), ENTRANCE_MERGE_M)
    return _nearest_edge_point(edge, context)


def _merge_close(points_m: NDArray[np.float64], merge_m: float) -> NDArray[np.float64]:
    """Keep points in (x, y) order, dropping any within ``merge_m`` of one already kept."""
    ordered = points_m[np.lexsort((points_m[:, 1], points_m[:, 0]))]
    kept = ordered[:1]
    for point in ordered[1:]:
        if np.min(np.hypot(*(kept - point).T)) > merge_m:
            kept = np.vstack([kept, point])
    return kept


def _nearest_edge_point(edge: BaseGeometry, context: _Context) -> NDArray[np.float64]:
    if len(context.lines) == 0:
        return np.empty((0, 2))
    nearest = context.line_tree.nearest(edge)
    link = shapely.shortest_line(edge, context.lines[nearest])
    start: NDArray[np.float64] = shapely.get_coordinates(link)[:1]
    return start


# --------------------------------------------------------------------------- blocks


def _compounds_from_blocks(extract: OsmExtract, context: _Context) -> tuple[Compound, ...]:
    """Turn street blocks holding homes into compounds ``街坊 1…n``, numbered north to south."""
    counts = _block_homes(extract, context)
    found: list[tuple[LonLat, BaseGeometry, _Estimate]] = []
    for block_m in _blocks(context):
        estimate = _estimate(block_m, context, counts)
        if estimate.buildings:
            point = _to_lonlat(context.metric, shapely.get_coordinates(block_m.point_on_surface()))
            found.append((point[0], block_m, estimate))
    found.sort(key=lambda f: (-round(f[0][1], 5), round(f[0][0], 5)))
    return tuple(
        _block_compound(number, lonlat, block_m, estimate, context)
        for number, (lonlat, block_m, estimate) in enumerate(found, start=1)
    )


def _block_homes(extract: OsmExtract, context: _Context) -> NDArray[np.bool_]:
    """Mark the buildings that count as homes in a block.

    Residential types count anywhere, ``building=yes`` only on (unnamed) residential land.
    """
    kinds = context.buildings.kind
    homes = np.isin(kinds, list(RESIDENTIAL_BUILDINGS))
    land = shapely.from_wkt(
        np.array([a.outline_wkt for a in extract.residential_areas], dtype=object)
    )
    if len(land) and np.any(kinds == "yes"):
        land_m = _to_metric(context.metric, land)
        points = shapely.point_on_surface(context.buildings.outlines)
        building_idx, _ = shapely.STRtree(land_m).query(points, predicate="within")
        on_land = np.zeros(len(kinds), dtype=bool)
        on_land[building_idx] = True
        homes |= (kinds == "yes") & on_land
    return homes


def _blocks(context: _Context) -> list[BaseGeometry]:
    """Polygonize the block-bounding streets in metres.

    A frame 10 m outside the network closes the blocks at the extract's edge; it stays clear of
    the outermost streets so it never runs along (and slightly off) one of them.
    """
    if not context.bounds_blocks.any():
        return []
    frame = shapely.box(*shapely.total_bounds(context.lines)).buffer(10.0, join_style="mitre")
    lines = np.concatenate([context.lines[context.bounds_blocks], [frame.exterior]])
    noded = shapely.union_all(lines)
    blocks = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    return [b for b in blocks if b.area > 1.0]


def _block_compound(
    number: int, lonlat: LonLat, block_m: BaseGeometry, estimate: _Estimate, context: _Context
) -> Compound:
    outline = context.metric.geometry_to_lonlat(block_m)
    return Compound(
        source_id=f"osm-block:{lonlat[0]:.5f},{lonlat[1]:.5f}",
        name=f"街坊 {number}",
        lon=lonlat[0],
        lat=lonlat[1],
        outline_wkt=str(shapely.to_wkt(outline, rounding_precision=7)),
        entrances=tuple(_to_lonlat(context.metric, _entrances(block_m, context, minor_only=True))),
        residents=estimate.residents,
        estimate_method=_method(estimate, context, where="block"),
        source=context.source,
    )
