"""Derive residential compounds (小区) from an OSM extract when no compound sheet exists.

Named ``landuse=residential`` areas become compounds, street blocks with homes outside them become
``街坊 n``. Residents are estimated from building footprint × levels and every compound says how in
``estimate_method``. It reads no files and never overrides numbers that came from a sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from lifecircle.errors import ConfigError
from lifecircle.geo import LocalMetric, local_metric_transformer
from lifecircle.io.osm import OsmExtract
from lifecircle.io.osm_geom import to_metric, way_lines
from lifecircle.io.osm_residents import (
    Estimate,
    Homes,
    describe_estimate,
    estimate_residents,
    find_homes,
)
from lifecircle.io.osm_tags import is_entrance
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
#: Through roads: where one crosses a compound's outline is an entrance only if no gate, path or
#: minor road is left to take the place.
MAJOR_HIGHWAYS: frozenset[str] = frozenset(
    {"trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
     "tertiary", "tertiary_link"}
)  # fmt: skip
#: Which crossing of equal standing is the main gate: the one of the biggest way (footways 1).
_WAY_WEIGHT: Mapping[str, int] = {
    "unclassified": 5, "residential": 5, "road": 5, "living_street": 4, "service": 3,
    "pedestrian": 2,
}  # fmt: skip
#: Entrances closer than this are one entrance (two paths through one gate, a path beside a road).
ENTRANCE_MERGE_M = 40.0
#: A compound gets at most this many entrances, spread out along its outline.
MAX_ENTRANCES = 8
#: A gate or entrance node this close to a crossing makes it a gate.
GATE_NODE_M = 5.0


@dataclass(frozen=True)
class _Context:
    """The extract projected to local metres, with spatial indexes, built once per call."""

    metric: LocalMetric
    lines: NDArray[np.object_]  # walk ways as metric LineStrings, same order as ``ways``
    gate_lines: NDArray[np.bool_]  # ways whose meeting with an outline can be an entrance
    bounds_blocks: NDArray[np.bool_]  # ways that bound street blocks (BLOCK_HIGHWAYS)
    major: NDArray[np.bool_]  # ways that are through roads (MAJOR_HIGHWAYS)
    weight: NDArray[np.int_]  # _WAY_WEIGHT of each way
    line_tree: shapely.STRtree
    gate_tree: shapely.STRtree  # gate and entrance nodes
    buildings: Homes
    source: str


def derive_compounds(
    extract: OsmExtract, *, floor_area_per_person_m2: float = 35.0, default_levels: int = 3
) -> tuple[Compound, ...]:
    """Make one compound per named residential area, then one per street block with homes.

    Homes are residential buildings (``building=apartments/residential/house/…``) and
    ``building=yes`` standing on ``landuse=residential`` land, named or not, but never a
    building tagged with a non-residential use (a shop, an office, a school …; see
    :func:`~lifecircle.io.osm_residents.is_home`); a building stands where its representative
    point is. Every named area is a compound. Every street block in
    which a home stands outside all named areas is a compound ``街坊 n`` (numbered north to
    south), outlined as the block less the named areas. Residents = Σ (home footprint inside the
    compound's outline, m²) × levels ÷ ``floor_area_per_person_m2``; where named areas overlap,
    the smaller one counts the overlap, so no square metre is counted twice (left out are only
    parts of homes lying in a block where no home stands, or beyond the walk network's extent).
    Levels come from ``building:levels``, else ``height`` ÷ 3 m, else ``default_levels``.

    Entrances are where walkable ways entering the outline cross it (for blocks: footways,
    service roads and the like crossing the street edge), best first: crossings within 5 m of a
    gate or entrance node, then minor ways, then through roads (:data:`MAJOR_HIGHWAYS`); among
    equals the bigger way (a street or service road before a footway). Crossings within 40 m of
    a better one are dropped; of the rest at most 8 are kept by farthest-point sampling from the
    best, through roads only if slots remain. With no crossing, the outline point nearest to the
    walk network is the one entrance.

    Examples
    --------
    >>> from lifecircle.io.osm import read_osm
    >>> extract = read_osm("tests/data/osm/hexi_synthetic.osm", match_type=lambda tags: None)
    >>> [(c.name, c.residents, len(c.entrances)) for c in derive_compounds(extract)]
    [('示例花园', 3117, 2), ('街坊 1', 823, 1), ('街坊 2', 417, 1)]
    """
    if floor_area_per_person_m2 <= 0 or default_levels < 1:
        bad = "floor_area_per_person_m2" if floor_area_per_person_m2 <= 0 else "default_levels"
        value = floor_area_per_person_m2 if bad == "floor_area_per_person_m2" else default_levels
        raise ConfigError("error.config.not_positive", name=bad, value=value)
    context = _context(
        extract, m2_per_person=floor_area_per_person_m2, default_levels=default_levels
    )
    named = [area for area in extract.residential_areas if area.name]
    outlines = shapely.from_wkt(np.array([a.outline_wkt for a in named], dtype=object))
    outlines_m = to_metric(context.metric, outlines)
    points = shapely.get_coordinates(shapely.point_on_surface(outlines)).tolist()
    from_areas = [
        _compound_from_area(area, outline_m, region_m, round_lonlat(*point), context)
        for area, outline_m, region_m, point in zip(
            named, outlines_m, _counted_regions(outlines_m), points, strict=True
        )
    ]
    return (*from_areas, *_compounds_from_blocks(context, shapely.union_all(outlines_m)))


# --------------------------------------------------------------------------- context


def _context(extract: OsmExtract, *, m2_per_person: float, default_levels: int) -> _Context:
    lon_min, lat_min, lon_max, lat_max = extract.bounds
    metric = local_metric_transformer((lon_min + lon_max) / 2, (lat_min + lat_max) / 2)
    lines = to_metric(metric, way_lines(extract.ways))
    highways = [w.tags.get("highway", "") for w in extract.ways]
    not_areas = [w.tags.get("area") != "yes" for w in extract.ways]
    gates = [(n.lon, n.lat) for n in extract.nodes if is_entrance(n.tags)]
    gate_points = to_metric(metric, shapely.points(np.array(gates).reshape(-1, 2)))
    return _Context(
        metric=metric,
        lines=lines,
        gate_lines=np.array([_can_be_gate(w.tags) for w in extract.ways], dtype=bool),
        bounds_blocks=np.isin(highways, list(BLOCK_HIGHWAYS)) & np.array(not_areas, dtype=bool),
        major=np.array([h in MAJOR_HIGHWAYS for h in highways], dtype=bool),
        weight=np.array([_WAY_WEIGHT.get(h, 1) for h in highways], dtype=int),
        line_tree=shapely.STRtree(lines),
        gate_tree=shapely.STRtree(gate_points),
        buildings=find_homes(
            extract.buildings,
            extract.residential_areas,
            metric,
            grounds=[f.outline_wkt for f in extract.facilities if f.outline_wkt],
            m2_per_person=m2_per_person,
            default_levels=default_levels,
        ),
        source=f"osm:{Path(extract.path).name}",
    )


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


# --------------------------------------------------------------------------- named areas


def _counted_regions(outlines_m: NDArray[np.object_]) -> NDArray[np.object_]:
    """Take from each named area what smaller named areas count (estates split in phases)."""
    regions = outlines_m.copy()
    size = shapely.area(outlines_m)
    for i, j in shapely.STRtree(outlines_m).query(outlines_m, predicate="intersects").T:
        if (size[j], j) < (size[i], i):
            regions[i] = shapely.difference(regions[i], outlines_m[j])
    return regions


def _compound_from_area(
    area: ResidentialArea,
    outline_m: BaseGeometry,
    region_m: BaseGeometry,
    lonlat: LonLat,
    context: _Context,
) -> Compound:
    """Turn one named residential area into a compound counting the homes in ``region_m``."""
    shrunk = outline_m.area - region_m.area > 0.01
    estimate = estimate_residents(region_m, context.buildings, shrunk=shrunk)
    return Compound(
        source_id=area.osm_id,
        name=area.name,
        lon=lonlat[0],
        lat=lonlat[1],
        outline_wkt=area.outline_wkt,
        entrances=tuple(_to_lonlat(context.metric, _entrances(outline_m, context))),
        residents=estimate.residents,
        estimate_method=describe_estimate(estimate, context.buildings, where="area"),
        source=context.source,
    )


# --------------------------------------------------------------------------- entrances


def _entrances(
    outline_m: BaseGeometry, context: _Context, *, street_edge: BaseGeometry | None = None
) -> NDArray[np.float64]:
    """Choose the entrances of an outline in metres, best first (see :func:`derive_compounds`).

    A way only counts if it reaches 1 m inside, so streets that merely run along or end at the
    edge from outside are not gates. For blocks, ``street_edge`` is the block's own edge: only
    crossings on it count, and only by ways that do not bound blocks (the edge is street).
    """
    idx = context.line_tree.query(outline_m, predicate="intersects")
    idx = idx[context.gate_lines[idx]]
    if street_edge is not None:
        idx = idx[~context.bounds_blocks[idx]]
    inner = outline_m.buffer(-1.0)
    if not inner.is_empty:
        idx = idx[shapely.intersects(context.lines[idx], inner)]
    parts, owner = shapely.get_parts(
        shapely.intersection(context.lines[idx], outline_m.boundary), return_index=True
    )
    is_point = shapely.get_type_id(parts) == 0  # crossings, not shared stretches
    points, way = parts[is_point], idx[owner[is_point]]
    if street_edge is not None:
        on_edge = shapely.dwithin(street_edge, points, 1.0)
        points, way = points[on_edge], way[on_edge]
    if len(points) == 0:
        return _nearest_edge_point(outline_m.boundary, context)
    tier = np.where(context.major[way], 2, 1)
    at_gate, _ = context.gate_tree.query(points, predicate="dwithin", distance=GATE_NODE_M)
    tier[at_gate] = 0
    return _spread(shapely.get_coordinates(points), tier=tier, weight=context.weight[way])


def _spread(
    points_m: NDArray[np.float64], *, tier: NDArray[np.int_], weight: NDArray[np.int_]
) -> NDArray[np.float64]:
    """Merge points within ENTRANCE_MERGE_M and keep at most MAX_ENTRANCES, spread out.

    Points are ranked by ``tier`` (lower first), then ``weight`` (higher first), then x, y. A
    point within the merge distance of a better one goes; the best is kept first, then the
    remaining point of the lowest tier farthest from all kept, until the cap.
    """
    order = np.lexsort((points_m[:, 1], points_m[:, 0], -weight, tier))
    points_m, tier = points_m[order], tier[order]
    kept = [0]
    for i in range(1, len(points_m)):
        if np.min(np.hypot(*(points_m[kept] - points_m[i]).T)) > ENTRANCE_MERGE_M:
            kept.append(i)
    points_m, tier = points_m[kept], tier[kept]
    chosen = [0]
    gap_m = np.hypot(*(points_m - points_m[0]).T)
    gap_m[0] = -np.inf
    while len(chosen) < min(MAX_ENTRANCES, len(points_m)):
        open_ = gap_m > -np.inf
        best_tier = open_ & (tier == tier[open_].min())
        pick = int(np.argmax(np.where(best_tier, gap_m, -np.inf)))
        chosen.append(pick)
        gap_m = np.minimum(gap_m, np.hypot(*(points_m - points_m[pick]).T))
        gap_m[pick] = -np.inf
    return points_m[chosen]


def _nearest_edge_point(edge: BaseGeometry, context: _Context) -> NDArray[np.float64]:
    if len(context.lines) == 0:
        return np.empty((0, 2))
    nearest = context.line_tree.nearest(edge)
    link = shapely.shortest_line(edge, context.lines[nearest])
    start: NDArray[np.float64] = shapely.get_coordinates(link)[:1]
    return start


# --------------------------------------------------------------------------- blocks


def _compounds_from_blocks(context: _Context, taken: BaseGeometry) -> tuple[Compound, ...]:
    """Turn street blocks where homes stand outside ``taken`` (named areas) into ``街坊 1…n``."""
    shapely.prepare(taken)
    bld = context.buildings
    free = bld.points[bld.homes & ~shapely.intersects(taken, bld.points)]
    blocks = _blocks(context)
    holding, _ = shapely.STRtree(free).query(blocks, predicate="intersects")
    found: list[tuple[LonLat, BaseGeometry, BaseGeometry, Estimate]] = []
    for block_m in blocks[np.unique(holding)]:
        shrunk = block_m.intersects(taken) and block_m.intersection(taken).area > 0.01
        region_m = block_m.difference(taken) if shrunk else block_m
        point = shapely.get_coordinates(region_m.point_on_surface())
        lonlat = _to_lonlat(context.metric, point)[0]
        counted = estimate_residents(region_m, context.buildings, shrunk=shrunk)
        found.append((lonlat, block_m, region_m, counted))
    found.sort(key=lambda f: (-round(f[0][1], 5), round(f[0][0], 5)))
    return tuple(
        _block_compound(number, lonlat, block_m, region_m, estimate, context)
        for number, (lonlat, block_m, region_m, estimate) in enumerate(found, start=1)
    )


def _blocks(context: _Context) -> NDArray[np.object_]:
    """Polygonize the block-bounding streets in metres.

    A frame 10 m outside the network closes the blocks at the extract's edge; it stays clear of
    the outermost streets so it never runs along (and slightly off) one of them.
    """
    if not context.bounds_blocks.any():
        return np.array([], dtype=object)
    frame = shapely.box(*shapely.total_bounds(context.lines)).buffer(10.0, join_style="mitre")
    lines = np.concatenate([context.lines[context.bounds_blocks], [frame.exterior]])
    noded = shapely.union_all(lines)
    blocks = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    kept: NDArray[np.object_] = blocks[shapely.area(blocks) > 1.0]
    return kept


def _block_compound(
    number: int,
    lonlat: LonLat,
    block_m: BaseGeometry,
    region_m: BaseGeometry,
    estimate: Estimate,
    context: _Context,
) -> Compound:
    outline = context.metric.geometry_to_lonlat(region_m)
    entrances = _entrances(region_m, context, street_edge=block_m.boundary)
    return Compound(
        source_id=f"osm-block:{lonlat[0]:.5f},{lonlat[1]:.5f}",
        name=f"街坊 {number}",
        lon=lonlat[0],
        lat=lonlat[1],
        outline_wkt=str(shapely.to_wkt(outline, rounding_precision=7)),
        entrances=tuple(_to_lonlat(context.metric, entrances)),
        residents=estimate.residents,
        estimate_method=describe_estimate(estimate, context.buildings, where="block"),
        source=context.source,
    )
