"""The points a walk attaches, with the level each stands on and the place each belongs to.

Gates, facility entrances (or where ways on the facility's level cross its outline) and boards,
as arrays for :func:`lifecircle.engine.attach.attach_all`; and the levels of ways (a tunnel is
below the ground, a bridge above it). Pure functions of records and tags; it attaches nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.snap import EdgeLines
from lifecircle.model import Board, Compound, Facility, WalkWay

_NOT_UNDER = ("no", "building_passage")


@dataclass(frozen=True, eq=False)
class Points:
    """Every point to attach, facilities first: owner kind and index, place, level, home."""

    kind: np.ndarray
    owner: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    level: np.ndarray
    home: np.ndarray


#: The tags :func:`way_level` reads; a way without any of them is on the ground.
_LEVEL_TAGS = frozenset({"layer", "tunnel", "bridge"})


def way_level(tags: Mapping[str, str]) -> int:
    """Return the level of a way: its ``layer``, else ``-1`` in a tunnel, ``1`` on a bridge, 0.

    A tunnel is never on the ground, nor a bridge (``layer=0`` on one is read as -1 / 1); a
    ``tunnel=building_passage`` through a gate house is.

    >>> way_level({"highway": "footway"}), way_level({"tunnel": "yes"})
    (0, -1)
    >>> way_level({"bridge": "yes", "layer": "2"}), way_level({"tunnel": "building_passage"})
    (2, 0)
    """
    layer = _integer(tags.get("layer"))
    if tags.get("tunnel", "no") not in _NOT_UNDER:
        return layer if layer is not None and layer < 0 else -1
    if tags.get("bridge", "no") != "no":
        return layer if layer is not None and layer > 0 else 1
    return layer or 0


def facility_level(facility: Facility) -> int:
    """Return the level a facility stands on: its OSM ``layer``, ``-1`` if underground, else 0.

    >>> facility_level(Facility("x", "商场", "mall", 0, 0, extra={"layer": "-1"}))
    -1
    >>> facility_level(Facility("y", "药店", "pharmacy", 0, 0))
    0
    """
    layer = _integer(facility.extra.get("layer"))
    if layer is not None:
        return layer
    return -1 if facility.extra.get("location") == "underground" else 0


def _integer(text: str | None) -> int | None:
    try:
        return int(str(text).strip()) if text is not None else None
    except ValueError:
        return None


def edge_levels(graph: WalkGraph, ways: Sequence[WalkWay]) -> np.ndarray:
    """Return every edge's level (:func:`way_level` of its way; 0 for links and connectors)."""
    # only a layer, tunnel or bridge tag lifts a way off the ground: look up those few
    raised = {w.osm_id: way_level(w.tags) for w in ways if not _LEVEL_TAGS.isdisjoint(w.tags)}
    if not raised:
        return np.zeros(graph.n_edges, dtype=np.int64)
    ids = np.fromiter(raised, dtype=np.int64, count=len(raised))
    levels = np.fromiter(raised.values(), dtype=np.int64, count=len(raised))
    order = np.argsort(ids)
    ids, levels = ids[order], levels[order]
    at = np.minimum(np.searchsorted(ids, graph.edge_way), len(ids) - 1)
    return np.where(ids[at] == graph.edge_way, levels[at], 0)


def gather_points(
    graph: WalkGraph,
    edge_level: np.ndarray,
    facilities: Sequence[Facility],
    compounds: Sequence[Compound],
    boards: Sequence[Board],
    edges: EdgeLines | None = None,
) -> Points:
    """Return every point to attach, facilities first (see :class:`Points`).

    A facility is reached at its entrances if it has any; an area facility without entrances
    where edges on its level cross its outline (else at the outline point nearest such an
    edge); any other at its location. A compound at its gates, else its representative
    point; a board where it stands. Homes: a facility's location, a compound's representative
    point, a board's compound's (else the board itself). ``edges``: the graph's drawn edges,
    if already made.
    """
    rows: list[tuple[str, int, float, float, int, tuple[float, float]]] = []
    open_ = [i for i, f in enumerate(facilities) if f.status != "closed"]
    outlined = [i for i in open_ if facilities[i].outline_wkt and not facilities[i].entrances]
    on_outline = _outline_points(
        graph,
        [str(facilities[i].outline_wkt) for i in outlined],
        edge_level=edge_level,
        levels=[facility_level(facilities[i]) for i in outlined],
        edges=edges,
    )
    by_outline = dict(zip(outlined, on_outline, strict=True))
    for i in open_:
        f = facilities[i]
        points = f.entrances or by_outline.get(i) or [(f.lon, f.lat)]
        home = (f.lon, f.lat)
        rows.extend(("facility", i, x, y, facility_level(f), home) for x, y in points)
    for i, c in enumerate(compounds):
        home = (c.lon, c.lat)
        rows.extend(("compound", i, x, y, 0, home) for x, y in (c.entrances or [home]))
    homes = _board_homes(boards, compounds)
    rows.extend(("board", i, b.lon, b.lat, 0, homes[i]) for i, b in enumerate(boards))
    return Points(
        kind=np.array([r[0] for r in rows], dtype=object),
        owner=np.array([r[1] for r in rows], dtype=np.int64),
        lon=np.array([r[2] for r in rows], dtype=float),
        lat=np.array([r[3] for r in rows], dtype=float),
        level=np.array([r[4] for r in rows], dtype=np.int64),
        home=np.array([r[5] for r in rows], dtype=float).reshape(-1, 2),
    )


def _board_homes(
    boards: Sequence[Board], compounds: Sequence[Compound]
) -> list[tuple[float, float]]:
    """Place each board with its compound (named by id or unique name), else where it stands."""
    by_key: dict[str, Compound | None] = {}
    for c in compounds:
        by_key[c.name] = None if c.name in by_key else c
    by_key.update({c.source_id: c for c in compounds})
    homes = []
    for b in boards:
        home = by_key.get(b.compound) if b.compound else None
        homes.append((home.lon, home.lat) if home is not None else (b.lon, b.lat))
    return homes


def _outline_points(
    graph: WalkGraph,
    outlines_wkt: Sequence[str],
    *,
    edge_level: np.ndarray,
    levels: Sequence[int],
    edges: EdgeLines | None = None,
) -> list[list[tuple[float, float]]]:
    """WGS-84 points where edges on each outline's level cross it (else its point nearest one).

    A tunnel under a building or a bridge over a school ground is no way in. An outline that
    is empty, or has no edge of its level at all, yields no points (the facility falls back to
    its location).
    """
    if not outlines_wkt or graph.n_edges == 0:
        return [[] for _ in outlines_wkt]
    metric = graph.metric
    shapes = shapely.from_wkt(np.array(outlines_wkt, dtype=object))
    rings = shapely.boundary(
        shapely.transform(shapes, lambda xy: np.column_stack(metric.to_metres(xy[:, 0], xy[:, 1])))
    )
    edges = edges or EdgeLines.of(graph)
    lines, tree = edges.lines, edges.tree
    level = np.asarray(levels, dtype=np.int64)
    ring_i, edge_i = tree.query(rings, predicate="intersects")
    same = edge_level[edge_i] == level[ring_i]
    ring_i, edge_i = ring_i[same], edge_i[same]
    hits = shapely.intersection(rings[ring_i], lines[edge_i])
    xy, which = shapely.get_coordinates(hits, return_index=True)
    owner = ring_i[which]
    lonely = np.setdiff1d(np.flatnonzero(~shapely.is_empty(rings)), owner)
    for lvl in np.unique(level[lonely]).tolist():
        group = lonely[level[lonely] == lvl]
        on_level = np.flatnonzero(edge_level == lvl)
        if not len(on_level):
            continue
        near_ring, near_edge = shapely.STRtree(lines[on_level]).query_nearest(
            rings[group], all_matches=False
        )
        bridge = shapely.shortest_line(rings[group][near_ring], lines[on_level][near_edge])
        xy = np.vstack([xy, shapely.get_coordinates(bridge)[::2]])
        owner = np.concatenate([owner, group[near_ring]])
    # crossings of several edges at one junction give the same point: keep it once
    key = np.column_stack([owner, np.round(xy, 2)])
    _, first = np.unique(key, axis=0, return_index=True)
    first = np.sort(first)
    lon, lat = metric.to_lonlat(xy[first, 0], xy[first, 1])
    out: list[list[tuple[float, float]]] = [[] for _ in outlines_wkt]
    for k, x, y in zip(owner[first].tolist(), np.atleast_1d(lon), np.atleast_1d(lat), strict=True):
        out[k].append((float(x), float(y)))
    return out
