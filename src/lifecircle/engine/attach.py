"""Where facilities, compounds and boards join the walk: the access points of each.

Gathers every point (gates, facility entrances or outline crossings, boards) with its level and
the place it belongs to, attaches them all once in one
:func:`lifecircle.engine.snap.attach_points` call on the full walk network, and says which owner
each node serves and which points are far off, on an island, or — for one profile — reached only
over ways that walker cannot use (:func:`walk_on`). Computes no costs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from lifecircle.engine.graph import CLOSED_GATE_M, WalkGraph, cheapest_csr
from lifecircle.engine.points import Points, gather_points
from lifecircle.engine.profiles import WalkProfile
from lifecircle.engine.snap import EdgeLines, SnapRules, attach_points
from lifecircle.model import Board, Compound, Facility, LonLat

PointKind = Literal["facility", "compound", "board"]
#: Why a point is reported: farther than the snapping limit from every edge, attached to a
#: piece of network cut off from the main one, or reached only over ways a profile cannot use.
PointIssue = Literal["far", "island", "impassable", "closed"]
#: How point kinds and issues are numbered in a cache file.
_KIND_CODES = ("facility", "compound", "board")
_ISSUE_CODES = ("", "far", "island", "impassable", "closed")


@dataclass(frozen=True)
class FarPoint:
    """A point reported after attaching: too far off, on an island, or cut off for a profile.

    ``index`` is the owner's position in the sequence given to :func:`attach_all`; ``issue``
    says what is wrong (see :data:`PointIssue`). Far and cut-off points are not attached.
    """

    kind: PointKind
    index: int
    lon: float
    lat: float
    issue: PointIssue = "far"


@dataclass(frozen=True, eq=False)
class FacilitySources:
    """Facility access-point nodes by type code, and the facility index of each node."""

    nodes: Mapping[str, np.ndarray]
    owners: Mapping[str, np.ndarray]


@dataclass(frozen=True, eq=False)
class Walk:
    """The graph with every point attached, and which facility, compound or board each serves.

    Attributes
    ----------
    graph
        The walk graph with all points attached (use it, not the graph passed in).
    facility_nodes, facility_of_point
        Node of each attached facility access point and the facility's index; a facility may
        have several (entrances, or where walkable edges cross its outline).
    type_codes, planned
        Type code and ``status == "planned"`` of every facility, in input order.
    closed
        Facilities with ``status == "closed"``: ignored, they have no access points.
    facilities_unreached, compounds_unreached, boards_unreached
        Owners none of whose points could be attached (or, on a profile's walk, none of whose
        points that walker can leave).
    entrance_nodes, entrance_owner
        Node of each attached compound gate (or representative point, for a compound without
        gates) and the compound's index.
    board_nodes
        Node of each board, ``-1`` when unreached.
    points
        Every point given, with its node and what was wrong with it, if anything.
    n_compounds, max_snap_m
        How many compounds were given; the snapping limit used (metres).
    """

    graph: WalkGraph
    facility_nodes: np.ndarray
    facility_of_point: np.ndarray
    type_codes: tuple[str, ...]
    planned: np.ndarray
    closed: tuple[int, ...]
    facilities_unreached: tuple[int, ...]
    entrance_nodes: np.ndarray
    entrance_owner: np.ndarray
    compounds_unreached: tuple[int, ...]
    board_nodes: np.ndarray
    boards_unreached: tuple[int, ...]
    points: PointTable
    n_compounds: int
    max_snap_m: float

    @property
    def reported(self) -> tuple[FarPoint, ...]:
        """Every point far off, attached on an island, or cut off for this walk's profile."""
        t = self.points
        return tuple(
            FarPoint(t.kind[i], int(t.owner[i]), float(t.lon[i]), float(t.lat[i]), t.issue[i])
            for i in np.flatnonzero(t.issue != "").tolist()
        )

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Return the walk as arrays plus a JSON-able dict, for a cache file."""
        arrays, info = self.graph.to_arrays()
        t = self.points
        arrays = {f"graph_{name}": array for name, array in arrays.items()}
        arrays |= {
            "point_kind": np.array([_KIND_CODES.index(k) for k in t.kind], dtype=np.int8),
            "point_issue": np.array([_ISSUE_CODES.index(i) for i in t.issue], dtype=np.int8),
            "point_owner": t.owner, "point_lon": t.lon, "point_lat": t.lat, "point_node": t.node,
            "planned": self.planned,
        }  # fmt: skip
        info = {
            "graph": info,
            "type_codes": list(self.type_codes),
            "closed": list(self.closed),
            "counts": [self.n_compounds, len(self.board_nodes)],
            "max_snap_m": self.max_snap_m,
        }
        return arrays, info

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], info: Mapping[str, Any], profile: WalkProfile
    ) -> Walk:
        """Rebuild a walk written by :meth:`to_arrays` (``KeyError`` if a part is absent)."""
        graph_arrays = {k[len("graph_") :]: v for k, v in arrays.items() if k.startswith("graph_")}
        graph = WalkGraph.from_arrays(graph_arrays, info["graph"], profile)
        table = PointTable(
            kind=np.array(_KIND_CODES, dtype=object)[arrays["point_kind"]],
            owner=arrays["point_owner"],
            lon=arrays["point_lon"],
            lat=arrays["point_lat"],
            node=arrays["point_node"],
            issue=np.array(_ISSUE_CODES, dtype=object)[arrays["point_issue"]],
        )
        n_compounds, n_boards = info["counts"]
        return _assign(
            graph=graph,
            table=table,
            codes=tuple(info["type_codes"]),
            planned=arrays["planned"].astype(bool),
            closed=tuple(info["closed"]),
            counts=(int(n_compounds), int(n_boards)),
            max_snap_m=float(info["max_snap_m"]),
        )

    @property
    def far_points(self) -> tuple[FarPoint, ...]:
        """Points farther than ``max_snap_m`` from every edge (not attached)."""
        return tuple(p for p in self.reported if p.issue == "far")

    def sources(
        self, *, include_planned: bool = False, type_codes: Sequence[str] | None = None
    ) -> FacilitySources:
        """Access points grouped by type, for :func:`lifecircle.engine.access.nearest_by_type` & co.

        ``type_codes`` fixes the keys and their order (a type without facilities gets empty
        arrays, so it still appears in results); by default the types present, sorted.
        Planned facilities are left out unless ``include_planned``.
        """
        owner = self.facility_of_point
        keep = np.ones(len(owner), dtype=bool) if include_planned else ~self.planned[owner]
        codes = np.array(self.type_codes, dtype=object)[owner]
        wanted = sorted(set(codes[keep].tolist())) if type_codes is None else list(type_codes)
        nodes, owners = {}, {}
        for code in wanted:
            mask = keep & (codes == code)
            nodes[code], owners[code] = self.facility_nodes[mask], owner[mask]
        return FacilitySources(nodes=nodes, owners=owners)


def island_edges(graph: WalkGraph, passable: np.ndarray | None = None) -> np.ndarray:
    """Mark the edges not on the main network (the connected piece with the most metres).

    ``passable`` (an edge mask) leaves out edges nobody can walk (at walls) when finding pieces;
    they are no part of the main network either.

    >>> from lifecircle.engine.bounded import street_graph
    >>> island_edges(street_graph(0.0, 100.0)).tolist()
    [False]
    """
    if graph.n_edges == 0:
        return np.zeros(0, dtype=bool)
    keep = np.ones(graph.n_edges, dtype=bool) if passable is None else passable
    sub = graph.matrix if passable is None else _masked_matrix(graph, keep)
    _, label = connected_components(sub, directed=False)
    metres = np.bincount(
        label[graph.edge_u[keep]], weights=graph.edge_length_m[keep], minlength=label.max() + 1
    )
    island: np.ndarray = (label[graph.edge_u] != int(np.argmax(metres))) | ~keep
    return island


def _masked_matrix(graph: WalkGraph, keep: np.ndarray) -> sp.csr_matrix:
    u, v = graph.edge_u[keep], graph.edge_v[keep]
    rows, cols = np.concatenate([u, v]), np.concatenate([v, u])
    return cheapest_csr(graph.n_nodes, rows, cols, np.ones(len(rows)))


@dataclass(frozen=True, eq=False)
class PointTable:
    """Every point of a walk, facilities first: whose it is, where, its node and any issue.

    ``kind[i]`` and ``owner[i]`` name the owner (its index in the sequence of its kind);
    ``lon``/``lat`` where the point is; ``node[i]`` its graph node (``-1``: not usable);
    ``issue[i]`` ``""`` or a :data:`PointIssue`.
    """

    kind: np.ndarray
    owner: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    node: np.ndarray
    issue: np.ndarray


def attach_all(
    graph: WalkGraph,
    *,
    facilities: Sequence[Facility] = (),
    compounds: Sequence[Compound] = (),
    boards: Sequence[Board] = (),
    max_snap_m: float = 300.0,
    edge_level: np.ndarray | None = None,
    passable: np.ndarray | None = None,
    closed_gates: Sequence[LonLat] = (),
) -> Walk:
    """Attach every facility, compound gate and board to the graph in one go.

    Closed facilities are ignored; planned ones are attached and flagged. A facility is reached
    at its entrances if it has any; an area facility (``outline_wkt``) without entrances at the
    points where walkable edges on its level cross its outline, or, if none does, at the
    outline point nearest to such an edge; any other at its location. A compound is reached at
    its gates, else at its representative point; a board at its location. Each point joins an
    edge by :class:`~lifecircle.engine.snap.SnapRules`: on its own level (``edge_level``, see
    :func:`~lifecircle.engine.points.edge_levels`), on the main network (pieces found over the
    ``passable`` edges), on its home's side of an uncrossable road. Points farther than
    ``max_snap_m`` metres from every edge are not attached but reported, and so are those
    attached on an island. A compound gate within :data:`~lifecircle.engine.graph.CLOSED_GATE_M`
    of one of ``closed_gates`` is not used (issue ``closed``): its compound walks out by its
    other gates, and a compound whose every gate is closed is unreached.

    Examples
    --------
    >>> from lifecircle.engine.bounded import street_graph
    >>> g = street_graph(0.0, 100.0)
    >>> lon, lat = g.metric.to_lonlat(50.0, 10.0)
    >>> far = g.metric.to_lonlat(50.0, 900.0)
    >>> shops = [Facility("a", "A", "shop", lon, lat), Facility("b", "B", "shop", *far)]
    >>> points = attach_all(g, facilities=shops)
    >>> points.facility_of_point.tolist(), points.facilities_unreached
    ([0], (1,))
    """
    levels = np.zeros(graph.n_edges, dtype=np.int64) if edge_level is None else edge_level
    edges = EdgeLines.of(graph)  # drawn and indexed once, for outlines and for snapping
    found = gather_points(graph, levels, facilities, compounds, boards, edges)
    rules = SnapRules(
        edge_level=levels,
        edge_island=island_edges(graph, passable),
        point_level=found.level,
        point_home=found.home,
    )
    attached = attach_points(
        graph, found.lon, found.lat, max_snap_m=max_snap_m, rules=rules, edges=edges
    )
    issue = np.where(attached.node < 0, "far", np.where(attached.on_island, "island", ""))
    shut = _at_closed_gates(graph, found, closed_gates)
    issue = np.where(shut, "closed", issue).astype(object)
    node = np.where(shut, -1, attached.node)
    table = PointTable(found.kind, found.owner, found.lon, found.lat, node, issue)
    closed = tuple(i for i, f in enumerate(facilities) if f.status == "closed")
    return _assign(
        graph=attached.graph,
        table=table,
        codes=tuple(f.type_code for f in facilities),
        planned=np.array([f.status == "planned" for f in facilities], dtype=bool),
        closed=closed,
        counts=(len(compounds), len(boards)),
        max_snap_m=max_snap_m,
    )


def _assign(
    *,
    graph: WalkGraph,
    table: PointTable,
    codes: tuple[str, ...],
    planned: np.ndarray,
    closed: tuple[int, ...],
    counts: tuple[int, int],
    max_snap_m: float,
) -> Walk:
    """Make the walk from every point's node (``-1``: not usable) and issue."""
    node = table.node
    n_compounds, n_boards = counts

    def pick(kind: str) -> tuple[np.ndarray, np.ndarray]:
        mask = (table.kind == kind) & (node >= 0)
        return node[mask], table.owner[mask]

    fac_nodes, fac_owner = pick("facility")
    ent_nodes, ent_owner = pick("compound")
    board_nodes = np.full(n_boards, -1, dtype=np.int64)
    b_nodes, b_owner = pick("board")
    board_nodes[b_owner] = b_nodes
    return Walk(
        graph=graph,
        facility_nodes=fac_nodes,
        facility_of_point=fac_owner,
        type_codes=codes,
        planned=planned,
        closed=closed,
        facilities_unreached=_missing(len(codes), fac_owner, skip=closed),
        entrance_nodes=ent_nodes,
        entrance_owner=ent_owner,
        compounds_unreached=_missing(n_compounds, ent_owner),
        board_nodes=board_nodes,
        boards_unreached=_missing(n_boards, b_owner),
        points=table,
        n_compounds=n_compounds,
        max_snap_m=max_snap_m,
    )


def _at_closed_gates(graph: WalkGraph, found: Points, closed: Sequence[LonLat]) -> np.ndarray:
    """Which points are compound gates within ``CLOSED_GATE_M`` of a closed gate."""
    if not closed or len(found.kind) == 0:
        return np.zeros(len(found.kind), dtype=bool)
    gx, gy = graph.metric.to_metres(
        np.array([p[0] for p in closed], dtype=float), np.array([p[1] for p in closed], dtype=float)
    )
    px, py = graph.metric.to_metres(found.lon, found.lat)
    gap, _ = cKDTree(np.column_stack([np.atleast_1d(gx), np.atleast_1d(gy)])).query(
        np.column_stack([px, py])
    )
    return np.asarray((found.kind == "compound") & (gap <= CLOSED_GATE_M), dtype=bool)


def _missing(n: int, present: np.ndarray, *, skip: Sequence[int] = ()) -> tuple[int, ...]:
    absent = np.ones(n, dtype=bool)
    absent[present] = False
    absent[list(skip)] = False
    return tuple(np.flatnonzero(absent).tolist())


def walk_on(walk: Walk, graph: WalkGraph) -> Walk:
    """Return the walk on one profile's graph of the same network (same nodes, fewer edges).

    A point whose piece of that graph holds no edge of a way — its only access is steps, for
    a wheelchair — is cut off: not used, and reported as ``impassable``.

    Examples
    --------
    See ``tests/engine/test_attach.py``: a kindergarten beside steps is unreachable by
    wheelchair, not attached to the next street.
    """
    if graph.n_nodes != walk.graph.n_nodes:
        raise ValueError("walk_on needs a graph of the walk's own network (same nodes)")
    n_pieces, label = connected_components(graph.matrix, directed=False)
    with_way = np.zeros(n_pieces, dtype=bool)
    with_way[label[graph.edge_u[graph.edge_way >= 0]]] = True
    t = walk.points
    cut = (t.node >= 0) & ~with_way[label[np.maximum(t.node, 0)]]
    table = dataclasses.replace(
        t, node=np.where(cut, -1, t.node), issue=np.where(cut, "impassable", t.issue)
    )
    return _assign(
        graph=graph,
        table=table,
        codes=walk.type_codes,
        planned=walk.planned,
        closed=walk.closed,
        counts=(walk.n_compounds, len(walk.board_nodes)),
        max_snap_m=walk.max_snap_m,
    )
