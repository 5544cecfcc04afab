"""The 5/10/15-minute walking areas (isochrones), traced from the streets a walker reaches.

Arrays in (a walk graph, costs per node), shapely geometry in WGS-84 out; no files, no SQL, no
state kept between calls. It never draws a convex hull or bridges a block nobody walks into.

Method
------
1. **Reach.** :func:`reached_costs` runs one bounded multi-source Dijkstra (compiled,
   :mod:`lifecircle.engine.dijkstra`) from the origin nodes (a compound's gates, a board): the
   cost of the cheapest origin to every node, ``inf`` beyond the limit. Costs are seconds,
   or metres in the distance convention.
2. **Reached streets.** For a limit ``L`` an edge ``u–v`` of cost ``c`` is walked from ``u`` up
   to the fraction ``(L - cost_u) / c`` of its polyline, and from ``v`` likewise; a point at
   fraction ``t`` costs ``min(cost_u + t c, cost_v + (1 - t) c)``. Cutting on the edge's own
   cost (steps penalties and crossing waits spread along it) is exact for a uniform edge:
   10 minutes at 1.2 m/s along a straight street end at 720 m (:func:`reached_streets`).
3. **Street buffer.** The area is every point within ``street_buffer_m`` (default 50 m: someone
   on a street reaches the buildings along it) of a reached street. It is computed on a grid of
   ``cell_m`` (default 4 m) cells on one lattice per graph: the streets' points every cell and
   the exact cut points are binned with their cost (laid out once per graph,
   :mod:`lifecircle.engine.streetcells`, so a walkshed only costs the cells it reaches); a
   disk-shaped minimum filter gives the cheapest cost within the buffer radius (once per
   walkshed, shared by its limits), and a limit's area is the cells at or under it. On central
   Helsinki the outline lies ~2 m on average from the exact union of 50 m line buffers, at
   ~4 ms CPU per walkshed (three areas, 8 m cells) instead of ~340 ms: that union of thousands
   of overlapping buffers is what costs. The grid work runs in compiled kernels
   (:mod:`lifecircle.engine.raster`) in time proportional to the streets reached.
4. **Holes.** A hole is a block ringed by reached streets. It is filled only when it is small
   (``fill_holes_m2``, default 2 ha: an ordinary city block) *and* holds no part of the network
   left unreached. A river, a railway, a walled compound whose gate is elsewhere, or any large
   block stays a hole; the bank not yet reached across a river is not drawn (beyond its 50 m).
5. **Finish.** Cell edges are traced into rings (each simple; pieces touching at a corner stay
   apart), simplified ring by ring by Douglas-Peucker with ``max(5 m, cell_m)`` (compiled,
   :mod:`lifecircle.engine.outline`: the corners GEOS would keep), made valid where two
   simplified rings cross, forced to nest (each area covers the smaller ones) and unprojected
   to WGS-84.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import shapely
from shapely.geometry.base import BaseGeometry

from lifecircle.engine import dijkstra as reach
from lifecircle.engine import outline, raster
from lifecircle.engine.contract import curve_keys
from lifecircle.engine.graph import WalkGraph, concat_ranges
from lifecircle.engine.profiles import WalkProfile
from lifecircle.engine.rules import cost_unit, inclusive
from lifecircle.engine.streetcells import StreetCells
from lifecircle.errors import WalkshedError
from lifecircle.geo import LocalMetric, local_metric_transformer

#: A person on a street reaches the buildings this far to either side.
STREET_BUFFER_M = 50.0
#: Enclosed holes up to this size (an ordinary city block) are filled when nothing unreached
#: lies inside them.
FILL_HOLES_M2 = 20_000.0
#: Grid cell of the area computation: the outline is good to about this much.
CELL_M = 4.0
#: Douglas-Peucker tolerance of the drawn areas (at least one cell, to remove the staircase).
SIMPLIFY_M = 5.0
#: The empty area (shapely geometries are immutable: one serves every use; making one parses WKT).
_EMPTY = shapely.Polygon()
#: Origin sets searched per compiled call: their (node, cost) lists stay a few MB.
SETS_PER_CALL = 64
#: Largest grid of one walkshed (~80 MB a layer): 18 x 18 km at 4 m.
_MAX_CELLS = 20_000_000


def reached_costs(graph: WalkGraph, origins: np.ndarray, *, limit: float) -> np.ndarray:
    """Cost from the cheapest origin node to every node; ``inf`` beyond ``limit``.

    Parameters
    ----------
    graph
        The walk graph of one profile.
    origins
        Node indices to start from (a compound's gates or one board), all ``>= 0``.
    limit
        The largest cost of interest, in the profile's unit (seconds, or metres).

    Examples
    --------
    >>> from lifecircle.engine.profiles import STANDARD
    >>> g = _line_graph(STANDARD, 0.0, 120.0, 240.0)
    >>> reached_costs(g, np.array([0]), limit=150.0).round(6).tolist()
    [0.0, 100.0, inf]
    """
    nodes, found = reached_nodes(graph, origins, limit=limit)
    costs = np.full(graph.n_nodes, np.inf)
    costs[nodes] = found
    return costs


def reached_nodes(
    graph: WalkGraph, origins: np.ndarray, *, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the nodes within ``limit`` of the cheapest origin, and their costs, cheapest first.

    :func:`reached_costs` without the array of the graph's size: the work follows what the
    walk reaches (:mod:`lifecircle.engine.dijkstra`).

    >>> from lifecircle.engine.profiles import STANDARD
    >>> g = _line_graph(STANDARD, 0.0, 120.0, 240.0)
    >>> nodes, costs = reached_nodes(g, np.array([2]), limit=150.0)
    >>> nodes.tolist(), costs.round(6).tolist()
    ([2, 1], [0.0, 100.0])
    """
    sources = _check_origins(graph, origins)
    _check_limits(graph, [limit])
    # graph.matrix holds both directions of every edge: the directed search is exact
    return reach.reached(graph.matrix, sources, limit)


def reached_streets(graph: WalkGraph, node_cost: np.ndarray, *, limit: float) -> BaseGeometry:
    """Return the streets walked within ``limit``, cut exactly on partly reached edges (WGS-84).

    Examples
    --------
    >>> from lifecircle.engine.profiles import STANDARD
    >>> g = _line_graph(STANDARD, 0.0, 1200.0)
    >>> streets = reached_streets(g, reached_costs(g, np.array([0]), limit=600.0), limit=600.0)
    >>> round(g.metric.geometry_to_metres(streets).length, 6)
    720.0
    """
    costs = _check_costs(graph, node_cost)
    _check_limits(graph, [limit])
    edges = np.flatnonzero(np.minimum(costs[graph.edge_u], costs[graph.edge_v]) <= limit)
    ru, rv = _reach(graph, costs, edges, limit)
    full = ru + rv >= 1.0
    part_u, part_v = ~full & (ru > 0), ~full & (rv > 0)
    lines = _cut(
        graph,
        np.concatenate([edges[full], edges[part_u], edges[part_v]]),
        np.concatenate([np.zeros(full.sum()), np.zeros(part_u.sum()), 1.0 - rv[part_v]]),
        np.concatenate([np.ones(full.sum()), ru[part_u], np.ones(part_v.sum())]),
    )
    return graph.metric.geometry_to_lonlat(shapely.multilinestrings(lines))


def walking_areas(
    graph: WalkGraph,
    node_cost: np.ndarray,
    *,
    limits: Sequence[float],
    street_buffer_m: float = STREET_BUFFER_M,
    fill_holes_m2: float = FILL_HOLES_M2,
    cell_m: float = CELL_M,
) -> list[BaseGeometry]:
    """Trace one WGS-84 (Multi)Polygon per limit from the streets reached within it.

    ``node_cost`` comes from :func:`reached_costs` with ``limit >= max(limits)``. The areas come
    in the order of ``limits`` and nest: each covers every smaller one. A limit that reaches no
    node gives an empty polygon. The method is in the module docstring.

    Examples
    --------
    >>> from lifecircle.engine.profiles import STANDARD
    >>> g = _line_graph(STANDARD, 0.0, 1200.0)
    >>> cost = reached_costs(g, np.array([0]), limit=600.0)
    >>> five, ten = walking_areas(g, cost, limits=[300.0, 600.0])
    >>> [round(g.metric.geometry_to_metres(a).bounds[2] / 10) * 10 for a in (five, ten)]
    [410, 770]
    """
    costs = _check_costs(graph, node_cost)
    _check_limits(graph, limits)
    style = _Style(street_buffer_m, fill_holes_m2, cell_m)
    index = _Index.of(graph, style)
    return graph.metric.geometries_to_lonlat(_areas(graph, costs, limits, style, index=index))


def walksheds(
    graph: WalkGraph,
    origin_sets: Sequence[np.ndarray],
    *,
    limits: Sequence[float],
    street_buffer_m: float = STREET_BUFFER_M,
    fill_holes_m2: float = FILL_HOLES_M2,
    cell_m: float = CELL_M,
    targets: np.ndarray | None = None,
    each_batch: Callable[[np.ndarray, np.ndarray], None] | None = None,
) -> Iterator[list[BaseGeometry]]:
    """Yield the walking areas of many origin sets (one compound's gates, or one board, each).

    The same as :func:`reached_costs` then :func:`walking_areas` for each set, batched: one
    compiled call searches many sets, each once from all its origins, and the node-to-edge
    index is built once per graph. ``each_batch(sets, costs)`` is shown each call's sets
    (indices into ``origin_sets``) and their costs to the ``targets`` nodes, one row per set
    (``inf`` beyond the largest limit), to reuse.

    Examples
    --------
    >>> from lifecircle.engine.profiles import STANDARD
    >>> g = _line_graph(STANDARD, 0.0, 1200.0)
    >>> [len(areas) for areas in walksheds(g, [np.array([0]), np.array([1])], limits=[300.0])]
    [1, 1]
    """
    _check_limits(graph, limits)
    sets = [_check_origins(graph, origins) for origins in origin_sets]
    style = _Style(street_buffer_m, fill_holes_m2, cell_m)
    limit = max(limits, default=0.0)
    index = _Index.of(graph, style)
    found: list[list[BaseGeometry]] = [[] for _ in sets]
    if not sets:
        return
    wanted = None if targets is None or each_batch is None else np.asarray(targets, np.int64)
    # sets near each other searched one after the other: their streets share the caches
    order = np.argsort(curve_keys(graph.node_xy[[s[0] for s in sets]]), kind="stable")
    costs = np.full(graph.n_nodes, np.inf)  # one array for every set: only its nodes set
    for first in range(0, len(sets), SETS_PER_CALL):
        part = order[first : first + SETS_PER_CALL]
        set_ptr = np.zeros(len(part) + 1, dtype=np.int64)
        np.cumsum([len(sets[k]) for k in part.tolist()], out=set_ptr[1:])
        row_ptr, nodes, cost = reach.reached_sets(
            graph.matrix, set_ptr, np.concatenate([sets[k] for k in part.tolist()]),
            inclusive(limit),
        )  # fmt: skip
        seen = None if wanted is None else np.empty((len(part), len(wanted)))
        projected = []
        for j in range(len(part)):
            here = nodes[row_ptr[j] : row_ptr[j + 1]]
            costs[here] = cost[row_ptr[j] : row_ptr[j + 1]]
            here = np.sort(here)  # the streets in the graph's order: near in memory too
            if seen is not None:
                seen[j] = costs[wanted]
            projected += _areas(graph, costs, limits, style, index=index, searched=here)
            costs[here] = np.inf
        if seen is not None and each_batch is not None:
            each_batch(part, seen)
        # one unprojection per call: a transform call costs about as much as a small area
        lonlat = graph.metric.geometries_to_lonlat(projected)
        for j, k in enumerate(part.tolist()):
            found[k] = lonlat[j * len(limits) : (j + 1) * len(limits)]
    yield from found


def area_km2(polygon: BaseGeometry, *, metric: LocalMetric | None = None) -> float:
    """Area of a WGS-84 polygon in km², measured in local metres.

    ``metric`` defaults to a projection centred on the polygon; pass the graph's to save time.

    >>> round(area_km2(shapely.box(24.93, 60.16, 24.95, 60.17)), 3)
    1.237
    >>> area_km2(shapely.Polygon())
    0.0
    """
    if polygon.is_empty:
        return 0.0
    if metric is None:
        centre = polygon.centroid
        metric = local_metric_transformer(centre.x, centre.y)
    return float(metric.geometry_to_metres(polygon).area) / 1e6


def areas_geojson(
    areas: Sequence[BaseGeometry],
    *,
    minutes: Sequence[int],
    profile: WalkProfile,
    metric: LocalMetric | None = None,
) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection of nested areas, largest first (drawn beneath).

    Each feature carries ``minutes``, the cost ``limit`` and its ``unit`` (``s`` or ``m``), the
    ``profile`` name, ``profile_describe`` (which walker and convention) and ``area_km2``.

    >>> from lifecircle.engine.profiles import PLANNING
    >>> fc = areas_geojson([shapely.box(24.93, 60.16, 24.94, 60.17)], minutes=[5], profile=PLANNING)
    >>> props = fc["features"][0]["properties"]
    >>> props["minutes"], props["limit"], props["unit"], props["profile"]
    (5, 300.0, 'm', 'planning')
    """
    if len(areas) != len(minutes):
        raise WalkshedError(
            "error.walkshed.levels", areas=len(areas), n=len(minutes), minutes=str(list(minutes))
        )
    unit = cost_unit(profile)
    features = []
    for area, level in sorted(zip(areas, minutes, strict=True), key=lambda pair: -pair[1]):
        features.append(
            {
                "type": "Feature",
                # 1e-7 degrees is ~1 cm: smaller files, and the geometry stays valid
                "geometry": shapely.geometry.mapping(shapely.set_precision(area, 1e-7)),
                "properties": {
                    "minutes": int(level),
                    "limit": float(profile.threshold(level)),
                    "unit": unit,
                    "profile": profile.name,
                    "profile_describe": profile.describe(),
                    "area_km2": round(area_km2(area, metric=metric), 4),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- internals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    buffer_m: float
    fill_m2: float
    cell_m: float


@dataclass(frozen=True, eq=False)
class _Index:
    """Lookups shared by many walksheds of one graph: edges at a node, streets on the lattice."""

    incident: sp.csr_matrix
    streets: StreetCells

    @classmethod
    def of(cls, graph: WalkGraph, style: _Style) -> _Index:
        """Return the lookups for walksheds of this cell size, built once per graph and size."""
        built = _INDEXES.setdefault(graph, {})
        if style.cell_m not in built:
            built[style.cell_m] = cls(_incidence(graph), StreetCells.of(graph, style.cell_m))
        return built[style.cell_m]


#: Each graph's lookups by cell size, kept while the graph lives: a build traces its
#: compounds' areas in several calls on one graph.
_INDEXES: weakref.WeakKeyDictionary[WalkGraph, dict[float, _Index]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, eq=False)
class _Grid:
    """Cells over one walkshed: the cheapest cost within the buffer radius, and the network."""

    corner: np.ndarray  # x/y metres of the lower-left corner
    cell_m: float
    best: np.ndarray  # (rows, cols) float32
    occupied: np.ndarray  # (rows, cols) bool: a street, reached or not, passes through


def _check_origins(graph: WalkGraph, origins: np.ndarray) -> np.ndarray:
    nodes = np.asarray(origins, dtype=np.int64).ravel()
    bad = nodes[(nodes < 0) | (nodes >= graph.n_nodes)]
    if len(nodes) == 0 or len(bad):
        raise WalkshedError("error.walkshed.origins", nodes=str(bad[:5].tolist()), n=graph.n_nodes)
    return nodes


def _check_costs(graph: WalkGraph, node_cost: np.ndarray) -> np.ndarray:
    costs = np.asarray(node_cost, dtype=float)
    if costs.shape != (graph.n_nodes,):
        raise WalkshedError("error.walkshed.costs", shape=str(costs.shape), n=graph.n_nodes)
    return costs


def _check_limits(graph: WalkGraph, limits: Sequence[float]) -> None:
    bad = [x for x in limits if not np.isfinite(x) or x < 0]
    if bad:
        unit = cost_unit(graph.profile)
        raise WalkshedError("error.walkshed.limits", limits=str(bad), unit=unit)


def _incidence(graph: WalkGraph) -> sp.csr_matrix:
    """Node x edge matrix: row ``n`` holds the edges touching node ``n``."""
    ends = np.concatenate([graph.edge_u, graph.edge_v])
    edge = np.tile(np.arange(graph.n_edges), 2)
    ones = np.ones(len(ends), dtype=np.int8)
    return sp.csr_matrix((ones, (ends, edge)), shape=(graph.n_nodes, graph.n_edges))


def _reach(
    graph: WalkGraph, costs: np.ndarray, edges: np.ndarray, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Fractions of each edge walked within ``limit`` from its ``u`` end and its ``v`` end."""
    c = graph.edge_cost[edges]
    ru = np.clip((limit - costs[graph.edge_u[edges]]) / c, 0.0, 1.0)  # inf cost gives 0
    rv = np.clip((limit - costs[graph.edge_v[edges]]) / c, 0.0, 1.0)
    return ru, rv


def _vertices(graph: WalkGraph, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the polyline vertices, their edge (index into ``edges``) and length fraction."""
    first = graph.coord_start[edges]
    count = graph.coord_start[edges + 1] - first
    piece = np.repeat(np.arange(len(edges)), count)
    offset = np.cumsum(count) - count
    xy = graph.coords_xy[concat_ranges(first, count)]
    step = np.zeros(len(xy))
    step[1:] = np.hypot(*np.diff(xy, axis=0).T)
    step[offset] = 0.0
    run = np.cumsum(step)
    run -= run[offset][piece]
    total = run[offset + count - 1]
    return xy, piece, run / np.where(total > 0, total, 1.0)[piece]


def _points_on(
    graph: WalkGraph, edges: np.ndarray, which: np.ndarray, frac: np.ndarray
) -> np.ndarray:
    """Return the points at length fractions ``frac`` of the polylines of ``edges[which]``."""
    xy, piece, vfrac = _vertices(graph, edges)
    key = piece * 2.0 + vfrac  # increasing: each edge's fractions run 0..1 in order
    last = np.cumsum(graph.coord_start[edges + 1] - graph.coord_start[edges]) - 1
    seg = np.minimum(np.searchsorted(key, which * 2.0 + frac, side="right") - 1, last[which] - 1)
    span = vfrac[seg + 1] - vfrac[seg]
    t = np.clip((frac - vfrac[seg]) / np.where(span > 0, span, 1.0), 0.0, 1.0)
    return np.asarray(xy[seg] + (xy[seg + 1] - xy[seg]) * t[:, None])


def _cut(graph: WalkGraph, edges: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Linestrings of each edge's polyline between two length fractions (vectorised)."""
    if len(edges) == 0:
        return np.empty(0, dtype=object)
    xy, piece, frac = _vertices(graph, edges)
    inner = (frac > start[piece]) & (frac < end[piece])
    ids = np.arange(len(edges))
    points = np.concatenate(
        [_points_on(graph, edges, ids, start), xy[inner], _points_on(graph, edges, ids, end)]
    )
    keys = np.concatenate([np.full(len(edges), -1.0), frac[inner], np.full(len(edges), 2.0)])
    owner = np.concatenate([ids, piece[inner], ids])
    order = np.lexsort((keys, owner))
    return np.asarray(shapely.linestrings(points[order], indices=owner[order]))


def _areas(
    graph: WalkGraph,
    costs: np.ndarray,
    limits: Sequence[float],
    style: _Style,
    *,
    index: _Index,
    searched: np.ndarray | None = None,
) -> list[BaseGeometry]:
    """Areas per limit, nested in ascending order, in local metres in the caller's order.

    ``searched`` holds every node whose cost may be finite, when the caller knows.
    """
    limit = max(limits, default=0.0)
    if searched is None:
        reached = np.flatnonzero(costs <= limit)
    else:
        reached = searched[costs[searched] <= limit]
    incident = index.incident
    edges = raster.reached_edges(
        reached, incident.indptr, incident.indices, graph.edge_u, costs, limit
    )
    grid = _grid(graph, costs, edges, limits, style, index)
    order = np.argsort(np.asarray(limits, dtype=float), kind="stable")
    traced = [_EMPTY] * len(limits)
    if grid is not None:
        levels = _levels(grid, np.asarray(limits, dtype=float)[order], style.fill_m2)
        previous: BaseGeometry = _EMPTY
        for i, area in zip(order.tolist(), levels, strict=True):
            if not previous.is_empty:  # simplified outlines may not nest: make them
                # an overlay's result is valid: only its type needs checking
                area = _polygons_of(shapely.union(area, previous))
            traced[i] = previous = area
    return traced


def _grid(
    graph: WalkGraph,
    costs: np.ndarray,
    edges: np.ndarray,
    limits: Sequence[float],
    style: _Style,
    index: _Index,
) -> _Grid | None:
    # the outermost cells stay outside every area; cells on one lattice for the whole graph
    margin = math.ceil((style.buffer_m + 2 * style.cell_m) / style.cell_m)
    found = index.streets.reached(graph, costs, edges, limits, margin=margin, max_cells=_MAX_CELLS)
    if found is None:
        return None
    cheapest, occupied, low = found
    best = raster.disk_min(cheapest, style.buffer_m / style.cell_m, max(limits, default=0.0))
    corner = low[::-1].astype(float) * style.cell_m  # x, y metres of the first cell
    return _Grid(corner=corner, cell_m=style.cell_m, best=best, occupied=occupied)


def _levels(grid: _Grid, limits: np.ndarray, fill_m2: float) -> list[BaseGeometry]:
    """Return each limit's area (ascending ``limits``), simplified by ``SIMPLIFY_M``, valid.

    Every limit's cells are traced and simplified by one compiled call
    (:func:`lifecircle.engine.outline.trace_levels`) and built into geometries by one call of
    each shapely constructor.
    """
    xy, starts, piece, signed, level = outline.trace_levels(
        grid.best, grid.occupied, limits, fill_m2 / grid.cell_m**2, grid.corner, grid.cell_m,
        max(SIMPLIFY_M, grid.cell_m),
    )  # fmt: skip
    areas = _multipolygons(xy, starts, piece, signed, level, len(limits))
    # rings simplified one by one may cross where a neck is narrower than the tolerance
    valid = shapely.is_valid(areas)
    pieces = shapely.get_num_geometries(areas)
    return [
        _polygonal(area) if not ok else area.geoms[0] if n == 1 else area
        for area, ok, n in zip(areas.tolist(), valid.tolist(), pieces.tolist(), strict=True)
    ]


def _multipolygons(
    xy: np.ndarray,
    starts: np.ndarray,
    piece: np.ndarray,
    signed: np.ndarray,
    group: np.ndarray,
    n_groups: int,
) -> np.ndarray:
    """Build rings into ``n_groups`` MultiPolygons (empty Polygons for groups with no piece).

    Ring ``k`` is ``xy[starts[k]:starts[k + 1]]``, bounds piece ``piece[k]`` (numbered from 0,
    every number used) as its outer ring (``signed > 0``) or a hole; piece ``p`` belongs to
    group ``group[p]``.
    """
    out = np.array([_EMPTY] * n_groups, dtype=object)
    if len(piece) == 0:
        return out
    rings = shapely.linearrings(xy, indices=np.repeat(np.arange(len(piece)), np.diff(starts)))
    order = np.lexsort((signed < 0, piece))  # by piece, its outer ring first, then its holes
    polygons = shapely.polygons(rings[order], indices=piece[order])
    return np.asarray(shapely.multipolygons(polygons, indices=group, out=out))


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Make a geometry a valid (Multi)Polygon, dropping lines and points make_valid leaves."""
    return _polygons_of(shapely.make_valid(geom))


def _polygons_of(geom: BaseGeometry) -> BaseGeometry:
    """Return the (Multi)Polygon parts of a valid geometry (lines and points dropped)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _line_graph(profile: WalkProfile, *x_m: float) -> WalkGraph:
    """Build a straight footway through points on the x axis (doctest helper, near Tianjin)."""
    from lifecircle.engine.network import build_walk_graph
    from lifecircle.model import WalkNode, WalkWay

    metric = local_metric_transformer(117.2, 39.1)
    lon, lat = metric.to_lonlat(np.asarray(x_m), np.zeros(len(x_m)))
    coords = tuple(zip(lon.tolist(), lat.tolist(), strict=True))
    ways = [WalkWay(1, tuple(range(1, len(x_m) + 1)), coords, {"highway": "footway"})]
    nodes = [WalkNode(i, *c, {"highway": "crossing"}) for i, c in enumerate(coords, start=1)]
    return build_walk_graph(ways, nodes, profile, metric=metric)
