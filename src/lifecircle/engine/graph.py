"""The walk graph of one profile: arrays of nodes, edges, costs and geometry, and a sparse matrix.

The data structure and its array helpers only; building it from OSM ways is
:mod:`lifecircle.engine.network`'s job, attaching points :mod:`lifecircle.engine.snap`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from lifecircle.engine.profiles import WalkProfile
from lifecircle.geo import LocalMetric, local_metric_transformer
from lifecircle.model import LonLat

#: Scipy's csgraph treats a stored 0 as "no edge" in some paths: keep every cost positive.
MIN_COST = 1e-6
#: The arrays of a :class:`WalkGraph`, as written to its cache file.
GRAPH_ARRAYS = (
    "node_xy",
    "node_osm",
    "edge_u",
    "edge_v",
    "edge_cost",
    "edge_length_m",
    "edge_way",
    "edge_side",
    "coord_start",
    "coords_xy",
)


#: A closed gate shuts compound gates and the walk edge within this many metres of where staff
#: marked it (a click on a phone map is rarely closer than a few metres).
CLOSED_GATE_M = 25.0


@dataclass(frozen=True)
class LocalRules:
    """Staff's local knowledge applied on top of OSM (it survives OSM re-imports).

    ``impassable_ways`` / ``impassable_nodes``: OSM ids nobody can pass (a closed gate, a
    crossing removed). ``uncrossable_ways``: roads people walk along but cannot cross (an
    arterial with a central fence): their intersections are split by side. ``links``: walking
    connections OSM lacks, as two WGS-84 points (a gate in a wall, a passage).
    ``closed_gates``: WGS-84 points where a compound's gate is shut (locked, cars parked
    across it): the edge nearest each is cut, and no compound gate within
    :data:`CLOSED_GATE_M` of one is used (its compound walks out by its other gates).
    """

    impassable_ways: frozenset[int] = frozenset()
    impassable_nodes: frozenset[int] = frozenset()
    uncrossable_ways: frozenset[int] = frozenset()
    links: tuple[tuple[LonLat, LonLat], ...] = ()
    closed_gates: tuple[LonLat, ...] = ()


@dataclass(frozen=True, eq=False)
class WalkGraph:
    """An undirected walk graph in local metres with one cost per edge (seconds or metres).

    Edge ``i`` joins ``edge_u[i]``–``edge_v[i]``; its polyline is
    ``coords_xy[coord_start[i]:coord_start[i + 1]]`` drawn from ``u`` to ``v``.
    ``node_osm`` is the OSM node id, or ``-1`` for points added later. ``edge_way`` is the OSM
    way an edge lies on (``-1``: a staff link or a point's connector); ``edge_side`` is ``0``,
    or ``+1`` / ``-1`` for the left / right copy of an uncrossable road (left of the way's
    drawing direction), whose two sides never meet.
    """

    profile: WalkProfile
    metric: LocalMetric
    node_xy: np.ndarray
    node_osm: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_cost: np.ndarray
    edge_length_m: np.ndarray
    edge_way: np.ndarray
    edge_side: np.ndarray
    coord_start: np.ndarray
    coords_xy: np.ndarray
    notes: tuple[str, ...] = field(default=())

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """Symmetric sparse cost matrix; parallel edges keep their cheapest cost."""
        u = np.concatenate([self.edge_u, self.edge_v])
        v = np.concatenate([self.edge_v, self.edge_u])
        cost = np.concatenate([self.edge_cost, self.edge_cost])
        loop = u == v
        return cheapest_csr(self.n_nodes, u[~loop], v[~loop], cost[~loop])

    def node_lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """WGS-84 lon/lat of every node."""
        lon, lat = self.metric.to_lonlat(self.node_xy[:, 0], self.node_xy[:, 1])
        return np.asarray(lon), np.asarray(lat)

    def edge_coords(self, edge: int) -> np.ndarray:
        """Return the polyline of one edge in metres, from ``u`` to ``v``."""
        return self.coords_xy[self.coord_start[edge] : self.coord_start[edge + 1]]

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Return the graph as arrays plus a small JSON-able dict, for a cache file.

        The profile is not stored: :meth:`from_arrays` is given the one the cache key names.
        """
        info = {"lon0": self.metric.lon0, "lat0": self.metric.lat0, "notes": list(self.notes)}
        return {name: getattr(self, name) for name in GRAPH_ARRAYS}, info

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], info: Mapping[str, Any], profile: WalkProfile
    ) -> WalkGraph:
        """Rebuild a graph written by :meth:`to_arrays` (``KeyError`` if an array is absent).

        >>> from lifecircle.engine.bounded import street_graph
        >>> g = street_graph(0.0, 120.0)
        >>> back = WalkGraph.from_arrays(*g.to_arrays(), g.profile)
        >>> back.edge_cost.tolist() == g.edge_cost.tolist(), back.metric.lon0 == g.metric.lon0
        (True, True)
        """
        metric = local_metric_transformer(float(info["lon0"]), float(info["lat0"]))
        found = {name: arrays[name] for name in GRAPH_ARRAYS}
        return cls(profile=profile, metric=metric, notes=tuple(info["notes"]), **found)


def concat_ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Return the integer ranges ``starts[i] … starts[i] + lens[i] - 1``, one after another.

    The gather index of CSR rows (or grid cells) without a Python loop.

    >>> concat_ranges(np.array([5, 0, 9]), np.array([2, 0, 3])).tolist()
    [5, 6, 9, 10, 11]
    """
    lens = np.asarray(lens, dtype=np.int64)
    ends = np.cumsum(lens)
    total = int(ends[-1]) if len(ends) else 0
    return np.repeat(np.asarray(starts, dtype=np.int64) - (ends - lens), lens) + np.arange(total)


def cheapest_csr(n: int, rows: np.ndarray, cols: np.ndarray, cost: np.ndarray) -> sp.csr_matrix:
    """Return an n × n CSR matrix of ``cost`` at (rows, cols); repeats keep their cheapest cost.

    Built directly from one integer sort (a COO round trip would sum repeated cells and sort
    twice), which matters for million-edge graphs.

    >>> rows, cols = np.array([0, 0, 1]), np.array([1, 1, 0])
    >>> cheapest_csr(2, rows, cols, np.array([5.0, 3.0, 4.0])).toarray()
    array([[0., 3.],
           [4., 0.]])
    """
    key = rows.astype(np.int64) * n + cols
    order = np.argsort(key)
    key = key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.empty(0, int)
    data = np.minimum.reduceat(cost[order], first) if len(first) else np.empty(0)
    unique = key[first]
    indptr = np.searchsorted(unique // n, np.arange(n + 1)) if n else np.zeros(1, int)
    return sp.csr_matrix((data, unique % n, indptr), shape=(n, n))


class Polylines(NamedTuple):
    """Polylines one after another: ``coords`` (``(n, 2)``) cut into runs of ``sizes``."""

    coords: np.ndarray
    sizes: np.ndarray


def extend_graph(
    graph: WalkGraph,
    u: ArrayLike,
    v: ArrayLike,
    cost: ArrayLike,
    length_m: ArrayLike,
    way: ArrayLike,
    geoms: Sequence[np.ndarray] | Polylines,
    *,
    new_nodes_xy: np.ndarray | None = None,
    drop_edges: np.ndarray | None = None,
    side: ArrayLike | None = None,
) -> WalkGraph:
    """Return a new graph with nodes and edges appended (and some edges dropped).

    ``geoms`` holds each new edge's polyline, as a list or already flat (:class:`Polylines`).

    ``side`` gives the new edges' road side (see :class:`WalkGraph`); by default ``0``.
    """
    keep = np.ones(graph.n_edges, dtype=bool)
    if drop_edges is not None:
        keep[drop_edges] = False
    kept = np.flatnonzero(keep)
    old_sizes = np.diff(graph.coord_start)[kept]
    if not isinstance(geoms, Polylines):
        sizes = np.array([len(g) for g in geoms], dtype=np.int64)
        geoms = Polylines(np.concatenate([*geoms, np.zeros((0, 2))]).reshape(-1, 2), sizes)
    sizes = np.concatenate([old_sizes, geoms.sizes])
    coord_start = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=coord_start[1:])
    old_coords = graph.coords_xy[concat_ranges(graph.coord_start[kept], old_sizes)]
    extra = new_nodes_xy if new_nodes_xy is not None else np.zeros((0, 2))
    new_u = np.asarray(u, dtype=np.int64)
    new_side = np.zeros(len(new_u)) if side is None else side
    return WalkGraph(
        profile=graph.profile,
        metric=graph.metric,
        node_xy=np.vstack([graph.node_xy, extra]),
        node_osm=np.concatenate([graph.node_osm, np.full(len(extra), -1, dtype=np.int64)]),
        edge_u=np.concatenate([graph.edge_u[keep], new_u]),
        edge_v=np.concatenate([graph.edge_v[keep], np.asarray(v, dtype=np.int64)]),
        edge_cost=np.concatenate([graph.edge_cost[keep], np.asarray(cost, dtype=float)]),
        edge_length_m=np.concatenate(
            [graph.edge_length_m[keep], np.asarray(length_m, dtype=float)]
        ),
        edge_way=np.concatenate([graph.edge_way[keep], np.asarray(way, dtype=np.int64)]),
        edge_side=np.concatenate([graph.edge_side[keep], np.asarray(new_side, dtype=np.int8)]),
        coord_start=coord_start,
        coords_xy=np.concatenate([old_coords, geoms.coords]),
        notes=graph.notes,
    )


def group_by_way(graph: WalkGraph) -> Mapping[int, np.ndarray]:
    """Edge indices of each OSM way (links and connectors under ``-1``)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i, way in enumerate(graph.edge_way.tolist()):
        groups[way].append(i)
    return {way: np.array(idx) for way, idx in groups.items()}
