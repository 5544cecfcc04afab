"""Walking minutes and routes from any point (where I stand, a gate, a board) to facilities.

Numeric engine for the web: the profile's walk (:func:`~lifecircle.engine.walk.build_walk`,
the same one the build measures on), queried many times by bounded Dijkstra — from a
compound's attached gates, a board's node, or any point snapped onto its nearest edge (partial
edge counted). No HTTP, no files: the API turns these values into JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from pathlib import Path

import numpy as np
import shapely
import shapely.ops
from scipy.sparse.csgraph import dijkstra

from lifecircle.engine.area import AreaData
from lifecircle.engine.attach import Walk, attach_all
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.profiles import WalkProfile
from lifecircle.engine.rules import inclusive, level_limit
from lifecircle.engine.walk import SNAP_MAX_M, build_walk
from lifecircle.errors import LocationError
from lifecircle.model import Facility, LonLat

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
    """A profile's walk, ready for point queries.

    ``facility_nodes[k]`` is an access point of facility ``facility_of_point[k]`` (an index
    into the facilities given to the walk); planned facilities are left out, as in the build.
    """

    walk: Walk
    facility_nodes: np.ndarray
    facility_of_point: np.ndarray
    n_facilities: int
    snap_max_m: float

    @property
    def graph(self) -> WalkGraph:
        """The walk graph with every point attached."""
        return self.walk.graph

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
        return profile.metres_per_unit

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
        """Bounded costs from the nearest of ``points`` (WGS-84, snapped) to every node."""
        snaps = tuple(self.snap(lon, lat) for lon, lat in points)
        best: dict[int, float] = {}
        for snap in snaps:
            for node, offset in self._ends(snap):
                best[node] = min(best.get(node, np.inf), offset)
        sources = np.array(list(best), dtype=np.int64)
        offsets = np.array([best[n] for n in sources.tolist()])
        return self._search(snaps, sources, offsets, limit)

    def reach_compound(self, compound: int, *, limit: float) -> PointReach:
        """Bounded costs from a compound's attached gates (as the build walks from them)."""
        nodes = self.walk.entrance_nodes[self.walk.entrance_owner == compound]
        return self._search((), nodes, np.zeros(len(nodes)), limit)

    def reach_board(self, board: int, *, limit: float) -> PointReach:
        """Bounded costs from a board's attached node (nothing when it is off the network)."""
        node = int(self.walk.board_nodes[board])
        nodes = np.array([node] if node >= 0 else [], dtype=np.int64)
        return self._search((), nodes, np.zeros(len(nodes)), limit)

    def _search(
        self, snaps: tuple[Snap, ...], sources: np.ndarray, offsets: np.ndarray, limit: float
    ) -> PointReach:
        n = self.graph.n_nodes
        if not len(sources):
            empty = np.zeros((0, n), dtype=np.int32)
            cost = np.full(n, np.inf)
            return PointReach(snaps, sources, offsets, cost, np.zeros(n, np.int64), empty, limit)
        bound = inclusive(limit)
        dist, pred = dijkstra(
            self.graph.matrix,
            directed=False,
            indices=sources,
            limit=bound,
            return_predecessors=True,
        )
        total = np.atleast_2d(dist) + offsets[:, None]
        row = np.argmin(total, axis=0)
        cost = total[row, np.arange(total.shape[1])]
        cost[cost > bound] = np.inf
        return PointReach(snaps, sources, offsets, cost, row, np.atleast_2d(pred), limit)

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
        limit = level_limit(self.graph.profile, 15) * 4
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


def engine_from_walk(walk: Walk, *, snap_max_m: float = SNAP_MAX_M) -> PointEngine:
    """Index a walk for point queries (planned facilities are not reached, as in the build)."""
    owner = walk.facility_of_point
    keep = ~walk.planned[owner] if len(owner) else np.zeros(0, dtype=bool)
    engine = PointEngine(
        walk=walk,
        facility_nodes=walk.facility_nodes[keep],
        facility_of_point=owner[keep],
        n_facilities=len(walk.planned),
        snap_max_m=snap_max_m,
    )
    engine.warm_up()
    return engine


def engine_from_graph(
    graph: WalkGraph, facilities: Sequence[Facility], *, snap_max_m: float = SNAP_MAX_M
) -> PointEngine:
    """Attach ``facilities`` to ``graph`` and index it for point queries (for hand-made graphs).

    Examples
    --------
    >>> from lifecircle.engine.bounded import street_graph
    >>> g = street_graph(0.0, 1000.0)
    >>> shop = Facility("s", "Shop", "shop", *g.metric.to_lonlat(500.0, 0.0))
    >>> engine = engine_from_graph(g, [shop])
    >>> start = g.metric.to_lonlat(100.0, 12.0)
    >>> reach = engine.reach([start], limit=900.0)
    >>> round(float(engine.facility_costs(reach)[0]) * 1.2)  # 12 m to the street + 400 m along
    412
    """
    walk = attach_all(graph, facilities=facilities, max_snap_m=snap_max_m)
    return engine_from_walk(walk, snap_max_m=snap_max_m)


def build_point_engine(
    area: AreaData,
    profile: WalkProfile,
    *,
    snap_max_m: float = SNAP_MAX_M,
    cache_dir: Path | None = None,
) -> PointEngine:
    """Build the point engine of one profile on its walk (every facility, gate and board)."""
    walk = build_walk(area, profile, snap_max_m=snap_max_m, cache_dir=cache_dir)
    return engine_from_walk(walk, snap_max_m=snap_max_m)
