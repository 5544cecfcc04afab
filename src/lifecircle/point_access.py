"""Walking minutes and routes from any point (where I stand, a gate, a board) to facilities.

Numeric engine for the web: one walk graph per profile with facilities attached, queried many
times by bounded Dijkstra from points snapped onto their nearest edge (partial edge counted).
No HTTP, no files: the API turns these values into JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

import numpy as np
import shapely
import shapely.ops
from scipy.sparse.csgraph import dijkstra

from lifecircle._attach import attach_all
from lifecircle.build import AreaData
from lifecircle.build import walk_graph as cached_walk_graph
from lifecircle.errors import LocationError
from lifecircle.model import Facility, LonLat
from lifecircle.network import WalkGraph, build_walk_graph
from lifecircle.profiles import get_profile
from lifecircle.project import Project

#: Cost of a point's straight connector to the street is walked at the profile speed.
_EPS = 1e-9


@dataclass(frozen=True)
class Snap:
    """Where a point meets the graph: on ``edge`` at ``frac`` (0 = ``u`` end), ``dist_m`` away."""

    lon: float
    lat: float
    edge: int
    frac: float
    dist_m: float


@dataclass(frozen=True, eq=False)
class PointReach:
    """Costs from one or more start points to every node within the limit.

    ``cost[n]`` is the cost (seconds; metres in the distance convention) to node ``n``
    (``inf`` beyond the limit); ``row[n]`` which Dijkstra run reached it best, so the route
    can be read back from ``pred[row[n]]``.
    """

    snaps: tuple[Snap, ...]
    sources: np.ndarray
    offsets: np.ndarray
    cost: np.ndarray
    row: np.ndarray
    pred: np.ndarray
    limit: float


@dataclass(frozen=True)
class Route:
    """A walking route as WGS-84 coordinates and its cost (seconds, or metres)."""

    coords: tuple[LonLat, ...]
    cost: float
    length_m: float


@dataclass(frozen=True, eq=False)
class PointEngine:
    """A profile's walk graph with facilities attached, ready for point queries.

    ``facility_nodes[k]`` is an access point of facility ``facility_of_point[k]`` (an index
    into ``AreaData.facilities``).
    """

    graph: WalkGraph
    facility_nodes: np.ndarray
    facility_of_point: np.ndarray
    n_facilities: int
    snap_max_m: float

    @cached_property
    def _lines(self) -> np.ndarray:
        sizes = np.diff(self.graph.coord_start)
        index = np.repeat(np.arange(self.graph.n_edges), sizes)
        return np.asarray(shapely.linestrings(self.graph.coords_xy, indices=index))

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(self._lines)

    @cached_property
    def _edge_of_pair(self) -> dict[tuple[int, int], int]:
        """The cheapest edge between two nodes (the one the sparse matrix kept)."""
        g = self.graph
        found: dict[tuple[int, int], int] = {}
        for i in np.argsort(-g.edge_cost, kind="stable").tolist():
            a, b = int(g.edge_u[i]), int(g.edge_v[i])
            found[(a, b)] = found[(b, a)] = i
        return found

    @property
    def speed(self) -> float:
        """Metres per cost unit off the graph (the connector from a point to its street)."""
        profile = self.graph.profile
        return profile.speed_mps if profile.convention == "time" else 1.0

    def warm_up(self) -> None:
        """Build the lazy indexes now (so the first request is as fast as the others)."""
        _ = self._tree, self._edge_of_pair, self.graph.matrix

    def snap(self, lon: float, lat: float) -> Snap:
        """Snap a WGS-84 point onto its nearest edge; :class:`LocationError` if too far."""
        x, y = self.graph.metric.to_metres(float(lon), float(lat))
        point = shapely.points(float(x), float(y))
        hits = self._tree.query_nearest(point, max_distance=self.snap_max_m, all_matches=False)
        if len(hits) == 0:
            raise LocationError(
                "error.point.too_far", lon=f"{lon:.6f}", lat=f"{lat:.6f}", max_m=self.snap_max_m
            )
        edge = int(hits[0])
        line = self._lines[edge]
        frac = float(shapely.line_locate_point(line, point, normalized=True))
        dist = float(shapely.distance(point, line))
        return Snap(float(lon), float(lat), edge, frac, dist)

    def _ends(self, snap: Snap) -> list[tuple[int, float]]:
        """Return the nodes a snapped point reaches first, with their costs."""
        g = self.graph
        cost = float(g.edge_cost[snap.edge])
        walk_on = snap.dist_m / self.speed
        return [
            (int(g.edge_u[snap.edge]), walk_on + cost * snap.frac),
            (int(g.edge_v[snap.edge]), walk_on + cost * (1.0 - snap.frac)),
        ]

    def reach(self, points: Sequence[LonLat], *, limit: float) -> PointReach:
        """Bounded costs from the nearest of ``points`` (e.g. a compound's gates) to every node."""
        snaps = tuple(self.snap(lon, lat) for lon, lat in points)
        best: dict[int, float] = {}
        for snap in snaps:
            for node, offset in self._ends(snap):
                best[node] = min(best.get(node, np.inf), offset)
        sources = np.array(list(best), dtype=np.int64)
        offsets = np.array([best[n] for n in sources.tolist()])
        dist, pred = dijkstra(
            self.graph.matrix,
            directed=False,
            indices=sources,
            limit=limit,
            return_predecessors=True,
        )
        total = dist + offsets[:, None]
        row = np.argmin(total, axis=0)
        cost = total[row, np.arange(total.shape[1])]
        cost[cost > limit] = np.inf
        return PointReach(snaps, sources, offsets, cost, row, pred, limit)

    def facility_costs(self, reach: PointReach) -> np.ndarray:
        """Cost to each facility (its cheapest access point); ``inf`` beyond the limit."""
        out = np.full(self.n_facilities, np.inf)
        np.minimum.at(out, self.facility_of_point, reach.cost[self.facility_nodes])
        return out

    def facility_node(self, reach: PointReach, facility: int) -> int:
        """Return the access point of ``facility`` reached first (``-1``: none in the limit)."""
        nodes = self.facility_nodes[self.facility_of_point == facility]
        if not len(nodes) or not np.isfinite(reach.cost[nodes]).any():
            return -1
        return int(nodes[np.argmin(reach.cost[nodes])])

    def route_to_node(self, reach: PointReach, node: int) -> Route:
        """Return the walking route from the start to ``node`` (which must have been reached)."""
        if not np.isfinite(reach.cost[node]):
            raise LocationError("error.point.no_route")
        row = int(reach.row[node])
        path = [node]
        while path[-1] != reach.sources[row]:
            path.append(int(reach.pred[row, path[-1]]))
        path.reverse()
        parts = [self._lead_in(reach, int(reach.sources[row]))]
        length = _length(parts[0])
        for a, b in pairwise(path):
            edge = self._edge_of_pair[(a, b)]
            xy = self.graph.edge_coords(edge)
            parts.append(xy if int(self.graph.edge_u[edge]) == a else xy[::-1])
            length += float(self.graph.edge_length_m[edge])
        return Route(self._lonlat(parts), float(reach.cost[node]), length)

    def _lead_in(self, reach: PointReach, source: int) -> np.ndarray:
        """From the start point along its snapped edge to the source node, in metres."""
        for snap in reach.snaps:
            for node, _ in self._ends(snap):
                if node == source:
                    return self._partial(snap, to_node=node)
        return np.zeros((0, 2))

    def _partial(self, snap: Snap, *, to_node: int) -> np.ndarray:
        """Metres: the point, its foot on the edge, then along the edge to ``to_node``."""
        line = self._lines[snap.edge]
        to_v = to_node == int(self.graph.edge_v[snap.edge]) and to_node != int(
            self.graph.edge_u[snap.edge]
        )
        a, b = (snap.frac, 1.0) if to_v else (0.0, snap.frac)
        piece = _substring(line, a, b)
        piece = piece if to_v else piece[::-1]
        x, y = self.graph.metric.to_metres(snap.lon, snap.lat)
        return np.vstack([[float(x), float(y)], piece])

    def route_between(self, start: LonLat, end: LonLat) -> Route:
        """Return the walking route between two WGS-84 points (within the 15-minute bound × 4)."""
        limit = self.graph.profile.threshold(15) * 4
        reach = self.reach([start], limit=limit)
        target = self.snap(*end)
        options = []
        for node, offset in self._ends(target):
            if np.isfinite(reach.cost[node]):
                options.append((float(reach.cost[node]) + offset, node))
        if not options:
            raise LocationError("error.point.no_route")
        cost, node = min(options)
        route = self.route_to_node(reach, node)
        tail = self._partial(target, to_node=node)[::-1]
        tail_m = _length(tail)
        coords = route.coords + self._lonlat([tail])
        return Route(coords, cost, route.length_m + tail_m)

    def _lonlat(self, parts: Sequence[np.ndarray]) -> tuple[LonLat, ...]:
        xy = np.vstack([p for p in parts if len(p)]) if any(len(p) for p in parts) else None
        if xy is None:
            return ()
        keep = np.ones(len(xy), dtype=bool)
        keep[1:] = np.hypot(*np.diff(xy, axis=0).T) > 0.01  # drop repeated vertices
        lon, lat = self.graph.metric.to_lonlat(xy[keep, 0], xy[keep, 1])
        return tuple(zip(np.atleast_1d(lon).tolist(), np.atleast_1d(lat).tolist(), strict=True))


def _substring(line: shapely.LineString, start: float, end: float) -> np.ndarray:
    if end - start <= _EPS:
        point = np.asarray(line.interpolate(start, normalized=True).coords)
        return np.vstack([point, point])
    return np.asarray(shapely.ops.substring(line, start, end, normalized=True).coords)


def _length(xy: np.ndarray) -> float:
    return float(np.hypot(*np.diff(xy, axis=0).T).sum()) if len(xy) > 1 else 0.0


def walk_graph(data: AreaData, profile_name: str, *, project: Project | None = None) -> WalkGraph:
    """Return one profile's walk graph: from the project's graph cache, or built afresh."""
    profile = get_profile(profile_name)
    if project is not None:
        return cached_walk_graph(data, profile, project)
    return build_walk_graph(data.ways, data.nodes, profile, rules=data.rules)


def engine_from_graph(
    graph: WalkGraph, facilities: Sequence[Facility], *, snap_max_m: float = 300.0
) -> PointEngine:
    """Attach ``facilities`` to ``graph`` and index it for point queries.

    Examples
    --------
    >>> from lifecircle._reach import street_graph
    >>> g = street_graph(0.0, 1000.0)
    >>> shop = Facility("s", "Shop", "shop", *g.metric.to_lonlat(500.0, 0.0))
    >>> engine = engine_from_graph(g, [shop])
    >>> start = g.metric.to_lonlat(100.0, 12.0)
    >>> reach = engine.reach([start], limit=900.0)
    >>> round(float(engine.facility_costs(reach)[0]) * 1.2)  # 12 m to the street + 400 m along
    412
    """
    points = attach_all(graph, facilities=facilities, max_snap_m=snap_max_m)
    engine = PointEngine(
        graph=points.graph,
        facility_nodes=points.facility_nodes,
        facility_of_point=points.facility_of_point,
        n_facilities=len(facilities),
        snap_max_m=snap_max_m,
    )
    engine.warm_up()
    return engine


def build_point_engine(
    data: AreaData, profile_name: str, *, snap_max_m: float, project: Project | None = None
) -> PointEngine:
    """Build the point engine of one profile: its graph with every facility attached."""
    graph = walk_graph(data, profile_name, project=project)
    return engine_from_graph(graph, data.facilities, snap_max_m=snap_max_m)
