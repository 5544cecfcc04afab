"""One walk per profile: the walk network with every facility, gate and board attached.

:func:`build_walk` is the only place that turns an area's data into the graph every face
walks on — the build, the boards, site planning and the point queries of the web app — so
they all measure the same walk. Every point is attached once, on the full walk network (cached
per network data version in the project's cache folder); each profile then walks the part of
it that walker can use, at its own costs, so a profile never reaches a place by a way another
profile would not have used to get there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from lifecircle.bulk import paused_gc
from lifecircle.cache.entries import load_entry, save_entry
from lifecircle.engine.area import AreaData
from lifecircle.engine.attach import Walk, attach_all, walk_on
from lifecircle.engine.costs import edge_costs, profile_graph
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.network import NETWORK, build_network
from lifecircle.engine.points import edge_levels
from lifecircle.engine.profiles import WalkProfile
from lifecircle.model import Facility
from lifecircle.version import __version__

#: Cache kind of the walk networks (``cache/graphs/network-<key>.npz``) and of the network
#: with every point attached (``cache/graphs/attached-<key>.npz``).
GRAPHS = "graphs"
ATTACHED = "attached"
#: Default largest distance (metres) from a point to the walk network it may be attached over.
SNAP_MAX_M = 300.0


def network_key(area: AreaData) -> str:
    """Return the cache key of the area's walk network: code and network data version.

    Facility or compound imports keep the key (they do not change the streets).
    """
    basis = {"code": __version__, "network": area.network_version}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def load_network(area: AreaData, *, cache_dir: Path | None = None) -> WalkGraph:
    """Return the area's full walk network with local rules, from the cache or built and cached.

    ``cache_dir`` None builds it afresh and caches nothing.
    """
    key = network_key(area)
    if cache_dir is not None:
        found = load_entry(cache_dir, GRAPHS, NETWORK.name, key)
        if found is not None:
            try:
                return WalkGraph.from_arrays(*found, NETWORK)
            except (KeyError, TypeError, ValueError):
                pass  # a damaged or older file: rebuilt below
    with paused_gc():  # a district's network makes 400,000 arrays and lists: lifecircle.bulk
        graph = build_network(area.ways, area.nodes, rules=area.rules)
    if cache_dir is not None:
        arrays, info = graph.to_arrays()
        save_entry(cache_dir, GRAPHS, NETWORK.name, key, arrays=arrays, info=info)
    return graph


def load_walk_graph(
    area: AreaData, profile: WalkProfile, *, cache_dir: Path | None = None
) -> WalkGraph:
    """Return the profile's walk graph (no points attached) on the area's cached network."""
    network = load_network(area, cache_dir=cache_dir)
    return profile_graph(network, area.ways, area.nodes, profile, rules=area.rules)


def attached_key(area: AreaData, snap_max_m: float) -> str:
    """Return the cache key of the attached network: code, network, the points, the limit.

    The points' own digest, not the data version: callers may add facilities in memory
    (a plan's sites opened to check it) without a new version.
    """
    digest = hashlib.sha256()
    for f in area.facilities:
        level = (f.extra.get("layer"), f.extra.get("location"))
        where = (f.lon, f.lat, f.entrances, f.outline_wkt, level)
        digest.update(repr((f.source_id, f.type_code, f.status, where)).encode())
    for c in area.compounds:
        digest.update(repr((c.source_id, c.name, c.lon, c.lat, c.entrances)).encode())
    for b in area.boards:
        digest.update(repr((b.board_id, b.lon, b.lat, b.compound)).encode())
    basis = {
        "code": __version__,
        "network": area.network_version,
        "points": digest.hexdigest(),
        "snap_max_m": snap_max_m,
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def load_attached(
    area: AreaData, *, snap_max_m: float = SNAP_MAX_M, cache_dir: Path | None = None
) -> Walk:
    """Return the network with the area's points attached, from the cache or made and cached.

    Every profile of one build (and every worker process) then attaches nothing itself.
    """
    key = attached_key(area, snap_max_m)
    if cache_dir is not None:
        found = load_entry(cache_dir, GRAPHS, ATTACHED, key)
        if found is not None:
            try:
                return Walk.from_arrays(*found, NETWORK)
            except (KeyError, TypeError, ValueError, IndexError):
                pass  # a damaged or older file: made again below
    network = load_network(area, cache_dir=cache_dir)
    with paused_gc():  # with the area's records alive, one full collection took half a second
        attached = attach_to_network(area, network, snap_max_m=snap_max_m)
    if cache_dir is not None:
        arrays, info = attached.to_arrays()
        save_entry(cache_dir, GRAPHS, ATTACHED, key, arrays=arrays, info=info)
    return attached


def attach_to_network(
    area: AreaData,
    network: WalkGraph,
    *,
    snap_max_m: float = SNAP_MAX_M,
    facilities: Sequence[Facility] | None = None,
) -> Walk:
    """Attach every facility, gate and board to the full network, once for every profile.

    Points join ways on their own level and prefer the main network over islands (see
    :func:`~lifecircle.engine.attach.attach_all`); islands are found over the edges any
    pedestrian can pass.
    """
    passable, _ = edge_costs(network, area.ways, area.nodes, NETWORK, rules=area.rules)
    return attach_all(
        network,
        facilities=area.facilities if facilities is None else facilities,
        compounds=area.compounds,
        boards=area.boards,
        max_snap_m=snap_max_m,
        edge_level=edge_levels(network, area.ways),
        passable=passable,
        closed_gates=area.rules.closed_gates,
    )


def build_walk(
    area: AreaData,
    profile: WalkProfile,
    *,
    snap_max_m: float = SNAP_MAX_M,
    cache_dir: Path | None = None,
    facilities: Sequence[Facility] | None = None,
) -> Walk:
    """Return the profile's walk graph with every facility, compound gate and board attached.

    Parameters
    ----------
    area
        The area's data (ways, nodes, local rules, facilities, compounds, boards).
    profile
        Who walks.
    snap_max_m
        Points farther than this from every walkable edge are not attached (and reported in
        the result's ``far_points``).
    cache_dir
        The project's cache folder, where the network is kept per network version and the
        points attached to it per data version; ``None`` builds both afresh.
    facilities
        Attach these instead of ``area.facilities`` (site planning attaches the existing
        facilities of a type and the candidate sites); facility indices then refer to it.

    Examples
    --------
    >>> from lifecircle.engine.area import area_from_streets
    >>> from lifecircle.engine.profiles import STANDARD
    >>> area = area_from_streets([(0.0, 0.0), (0.01, 0.0)])
    >>> walk = build_walk(area, STANDARD)
    >>> walk.graph.n_edges, len(walk.facility_nodes)
    (1, 0)
    """
    if facilities is None:
        attached = load_attached(area, snap_max_m=snap_max_m, cache_dir=cache_dir)
    else:
        network = load_network(area, cache_dir=cache_dir)
        attached = attach_to_network(area, network, snap_max_m=snap_max_m, facilities=facilities)
    return walk_for(area, attached, profile)


def walk_for(area: AreaData, attached: Walk, profile: WalkProfile) -> Walk:
    """Return one profile's walk from the points attached to the full network."""
    graph = profile_graph(attached.graph, area.ways, area.nodes, profile, rules=area.rules)
    return walk_on(attached, graph)
