"""The walks a board's map draws: from the board to each listed facility, and their crossings.

Traces the shortest walks on the very graph the board's minutes come from (the build's walk,
:func:`lifecircle.engine.walk.build_walk`), so a drawn route is the walk its minutes measure.
Where several routes share a street it is drawn once, wider (the main walking routes); the
mapped crossings, footbridges and underpasses they use are marked. Returns lon/lat values;
drawing is :mod:`lifecircle.boards.mapsvg`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine.attach import Walk
from lifecircle.engine.rules import inclusive
from lifecircle.model import WalkNode, WalkWay

#: Kinds of crossing a route can use, as drawn and named on the map legend.
CROSSING_KINDS = ("crossing", "footbridge", "underpass")


@dataclass(frozen=True)
class RouteLine:
    """One stretch of street used by ``count`` of the routes (WGS-84 lon/lat vertices)."""

    coords: tuple[tuple[float, float], ...]
    count: int


@dataclass(frozen=True)
class Crossing:
    """A mapped crossing, footbridge or underpass a route uses."""

    kind: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Routes:
    """Every route of one board, merged by street stretch."""

    lines: tuple[RouteLine, ...] = ()
    crossings: tuple[Crossing, ...] = ()


def way_crossing(tags: Mapping[str, str]) -> str | None:
    """Say what a way is when walked across a road: crossing, footbridge, underpass, None.

    >>> way_crossing({"highway": "footway", "footway": "crossing"})
    'crossing'
    >>> way_crossing({"highway": "steps", "bridge": "yes"}), way_crossing({"highway": "path"})
    ('footbridge', None)
    """
    if tags.get("footway") == "crossing" or tags.get("path") == "crossing":
        return "crossing"
    if tags.get("bridge", "no") not in ("no", "") and tags.get("highway") in _FOOT:
        return "footbridge"
    if (tags.get("tunnel", "no") not in ("no", "") or tags.get("layer", "0").startswith("-")) and (
        tags.get("highway") in _FOOT
    ):
        return "underpass"
    return None


_FOOT = frozenset({"footway", "steps", "path", "pedestrian", "corridor", "cycleway"})


def node_crossing(tags: Mapping[str, str]) -> bool:
    """Whether a node is a mapped crossing of a road (zebra, signals for walkers)."""
    return tags.get("highway") == "crossing" or tags.get("crossing", "no") not in ("no", "")


@dataclass(frozen=True, eq=False)
class RouteIndex:
    """Lookups built once per batch: edge by its two nodes, tags by OSM id."""

    walk: Walk
    edge_keys: np.ndarray  # sorted min(u,v) * n + max(u,v)
    edge_order: np.ndarray
    way_kind: Mapping[int, str]
    crossing_nodes: frozenset[int]

    @classmethod
    def build(cls, walk: Walk, ways: Sequence[WalkWay], nodes: Sequence[WalkNode]) -> RouteIndex:
        """Index ``walk``'s edges and the crossing-like ways and nodes of the data."""
        graph = walk.graph
        lo = np.minimum(graph.edge_u, graph.edge_v)
        hi = np.maximum(graph.edge_u, graph.edge_v)
        keys = lo * graph.n_nodes + hi
        # among parallel edges the cheapest is the one the search walked
        order = np.lexsort((graph.edge_cost, keys))
        kinds = {w.osm_id: k for w in ways if (k := way_crossing(w.tags)) is not None}
        crossing = frozenset(n.osm_id for n in nodes if node_crossing(n.tags))
        return cls(walk, keys[order], order, kinds, crossing)

    def edge(self, a: int, b: int) -> int:
        """Return the cheapest edge joining nodes ``a`` and ``b``."""
        key = min(a, b) * self.walk.graph.n_nodes + max(a, b)
        return int(self.edge_order[np.searchsorted(self.edge_keys, key)])


def trace_routes(
    index: RouteIndex, start: int, facilities: Sequence[int], *, limit: float
) -> Routes:
    """Trace the walk from node ``start`` to each facility (indices) within ``limit``."""
    walk = index.walk
    if start < 0 or not facilities:
        return Routes()
    dist, pred = dijkstra(
        walk.graph.matrix,
        directed=False,
        indices=start,
        limit=inclusive(limit),
        return_predecessors=True,
    )
    counts: dict[int, int] = {}
    for facility in facilities:
        points = walk.facility_nodes[walk.facility_of_point == facility]
        if not len(points):
            continue
        node = int(points[np.argmin(dist[points])])
        if not np.isfinite(dist[node]):
            continue
        for edge in _edges_to(index, pred, node):
            counts[edge] = counts.get(edge, 0) + 1
    return _routes(index, counts)


def _edges_to(index: RouteIndex, pred: np.ndarray, node: int) -> list[int]:
    """Return the edges of the search's path to ``node``, from ``node`` back to the start."""
    path = [node]
    while pred[path[-1]] >= 0:
        path.append(int(pred[path[-1]]))
    if len(path) < 2:
        return []
    after, before = np.array(path[:-1]), np.array(path[1:])
    keys = np.minimum(before, after) * index.walk.graph.n_nodes + np.maximum(before, after)
    edges: list[int] = index.edge_order[np.searchsorted(index.edge_keys, keys)].tolist()
    return edges


def _routes(index: RouteIndex, counts: Mapping[int, int]) -> Routes:
    graph = index.walk.graph
    edges = list(counts)
    if not edges:
        return Routes()
    # every edge's points and both end nodes unprojected in one call (one per edge was slow)
    slices = [graph.coords_xy[graph.coord_start[e] : graph.coord_start[e + 1]] for e in edges]
    ends = graph.node_xy[np.column_stack((graph.edge_u[edges], graph.edge_v[edges])).ravel()]
    xy = np.concatenate([*slices, ends])
    lon, lat = graph.metric.to_lonlat(xy[:, 0], xy[:, 1])
    cuts = np.cumsum([len(part) for part in slices])
    lines, crossings = [], []
    seen: set[tuple[str, int]] = set()
    start = 0
    for k, (edge, cut) in enumerate(zip(edges, cuts.tolist(), strict=True)):
        part_lon, part_lat = lon[start:cut], lat[start:cut]
        lines.append(
            RouteLine(tuple(zip(part_lon.tolist(), part_lat.tolist(), strict=True)), counts[edge])
        )
        way = int(graph.edge_way[edge])
        kind = index.way_kind.get(way)
        if kind is not None and ("way", way) not in seen:
            seen.add(("way", way))
            mid = (cut - start) // 2
            crossings.append(Crossing(kind, float(part_lon[mid]), float(part_lat[mid])))
        for side, end in enumerate((graph.edge_u[edge], graph.edge_v[edge])):
            osm = int(graph.node_osm[end])
            if osm in index.crossing_nodes and ("node", osm) not in seen:
                seen.add(("node", osm))
                at = int(cuts[-1]) + 2 * k + side
                crossings.append(Crossing("crossing", float(lon[at]), float(lat[at])))
        start = cut
    return Routes(tuple(lines), tuple(crossings))
