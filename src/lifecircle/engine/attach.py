"""Where facilities, compounds and boards join the walk graph: the access points of each.

Gathers every point (gates, facility entrances or outline crossings, boards), attaches them all
in one :func:`lifecircle.engine.snap.attach_points` call and says which owner each node serves.
Re-exported by :mod:`lifecircle.engine.access`; it computes no costs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely

from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.snap import attach_points
from lifecircle.model import Board, Compound, Facility

PointKind = Literal["facility", "compound", "board"]


@dataclass(frozen=True)
class FarPoint:
    """A point farther than ``max_snap_m`` from every walkable edge: not attached, reported.

    ``index`` is the owner's position in the sequence given to :func:`attach_all`.
    """

    kind: PointKind
    index: int
    lon: float
    lat: float


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
        Owners none of whose points lies within ``max_snap_m`` of a walkable edge.
    entrance_nodes, entrance_owner
        Node of each attached compound gate (or representative point, for a compound without
        gates) and the compound's index.
    board_nodes
        Node of each board, ``-1`` when unreached.
    far_points
        Every point left unattached, so each can be reported.
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
    far_points: tuple[FarPoint, ...]
    n_compounds: int
    max_snap_m: float

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


def attach_all(
    graph: WalkGraph,
    *,
    facilities: Sequence[Facility] = (),
    compounds: Sequence[Compound] = (),
    boards: Sequence[Board] = (),
    max_snap_m: float = 300.0,
) -> Walk:
    """Attach every facility, compound gate and board to the graph in one go.

    Closed facilities are ignored; planned ones are attached and flagged. A facility is reached
    at its entrances if it has any; an area facility (``outline_wkt``) without entrances at the
    points where walkable edges cross its outline, or, if none does, at the outline point
    nearest to a walkable edge; any other at its location. A compound is reached at its gates,
    else at its representative point; a board at its location. Points farther than
    ``max_snap_m`` metres from every walkable edge are not attached but listed in
    ``far_points``.

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
    owner_kind, owner, lon, lat = _gather(graph, facilities, compounds, boards)
    attached = attach_points(graph, lon, lat, max_snap_m=max_snap_m)
    node = attached.node
    far = tuple(
        FarPoint(kind, int(i), float(x), float(y))
        for kind, i, x, y, n in zip(owner_kind, owner, lon, lat, node, strict=True)
        if n < 0
    )

    def pick(kind: str) -> tuple[np.ndarray, np.ndarray]:
        mask = (owner_kind == kind) & (node >= 0)
        return node[mask], owner[mask]

    fac_nodes, fac_owner = pick("facility")
    ent_nodes, ent_owner = pick("compound")
    board_nodes = np.full(len(boards), -1, dtype=np.int64)
    b_nodes, b_owner = pick("board")
    board_nodes[b_owner] = b_nodes
    closed = tuple(i for i, f in enumerate(facilities) if f.status == "closed")
    return Walk(
        graph=attached.graph,
        facility_nodes=fac_nodes,
        facility_of_point=fac_owner,
        type_codes=tuple(f.type_code for f in facilities),
        planned=np.array([f.status == "planned" for f in facilities], dtype=bool),
        closed=closed,
        facilities_unreached=_missing(len(facilities), fac_owner, skip=closed),
        entrance_nodes=ent_nodes,
        entrance_owner=ent_owner,
        compounds_unreached=_missing(len(compounds), ent_owner),
        board_nodes=board_nodes,
        boards_unreached=_missing(len(boards), b_owner),
        far_points=far,
        n_compounds=len(compounds),
        max_snap_m=max_snap_m,
    )


def _missing(n: int, present: np.ndarray, *, skip: Sequence[int] = ()) -> tuple[int, ...]:
    absent = np.ones(n, dtype=bool)
    absent[present] = False
    absent[list(skip)] = False
    return tuple(np.flatnonzero(absent).tolist())


def _gather(
    graph: WalkGraph,
    facilities: Sequence[Facility],
    compounds: Sequence[Compound],
    boards: Sequence[Board],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All points to attach: (kind, owner index, lon, lat) arrays, facilities first."""
    rows: list[tuple[str, int, float, float]] = []
    open_ = [i for i, f in enumerate(facilities) if f.status != "closed"]
    outlined = [i for i in open_ if facilities[i].outline_wkt and not facilities[i].entrances]
    on_outline = _outline_points(graph, [str(facilities[i].outline_wkt) for i in outlined])
    by_outline = dict(zip(outlined, on_outline, strict=True))
    for i in open_:
        f = facilities[i]
        points = f.entrances or by_outline.get(i) or [(f.lon, f.lat)]
        rows.extend(("facility", i, x, y) for x, y in points)
    for i, c in enumerate(compounds):
        rows.extend(("compound", i, x, y) for x, y in (c.entrances or [(c.lon, c.lat)]))
    rows.extend(("board", i, b.lon, b.lat) for i, b in enumerate(boards))
    kind = np.array([r[0] for r in rows], dtype=object)
    owner = np.array([r[1] for r in rows], dtype=np.int64)
    lon = np.array([r[2] for r in rows], dtype=float)
    lat = np.array([r[3] for r in rows], dtype=float)
    return kind, owner, lon, lat


def _outline_points(
    graph: WalkGraph, outlines_wkt: Sequence[str]
) -> list[list[tuple[float, float]]]:
    """WGS-84 points where walkable edges cross each outline (else its point nearest an edge).

    An outline that is empty yields no points (the facility falls back to its location).
    """
    if not outlines_wkt or graph.n_edges == 0:
        return [[] for _ in outlines_wkt]
    metric = graph.metric
    shapes = shapely.from_wkt(np.array(outlines_wkt, dtype=object))
    rings = shapely.boundary(
        shapely.transform(shapes, lambda xy: np.column_stack(metric.to_metres(xy[:, 0], xy[:, 1])))
    )
    sizes = np.diff(graph.coord_start)
    lines = shapely.linestrings(graph.coords_xy, indices=np.repeat(np.arange(graph.n_edges), sizes))
    tree = shapely.STRtree(lines)
    ring_i, edge_i = tree.query(rings, predicate="intersects")
    hits = shapely.intersection(rings[ring_i], lines[edge_i])
    xy, which = shapely.get_coordinates(hits, return_index=True)
    owner = ring_i[which]
    lonely = np.setdiff1d(np.flatnonzero(~shapely.is_empty(rings)), owner)
    if len(lonely):
        near_ring, near_edge = tree.query_nearest(rings[lonely], all_matches=False)
        bridge = shapely.shortest_line(rings[lonely][near_ring], lines[near_edge])
        xy = np.vstack([xy, shapely.get_coordinates(bridge)[::2]])
        owner = np.concatenate([owner, lonely[near_ring]])
    # crossings of several edges at one junction give the same point: keep it once
    key = np.column_stack([owner, np.round(xy, 2)])
    _, first = np.unique(key, axis=0, return_index=True)
    first = np.sort(first)
    lon, lat = metric.to_lonlat(xy[first, 0], xy[first, 1])
    out: list[list[tuple[float, float]]] = [[] for _ in outlines_wkt]
    for k, x, y in zip(owner[first].tolist(), np.atleast_1d(lon), np.atleast_1d(lat), strict=True):
        out[k].append((float(x), float(y)))
    return out
