"""One walk per profile: the walk graph with every facility, gate and board attached.

:func:`build_walk` is the only place that turns an area's data into the graph every face
walks on — the build, the boards, site planning and the point queries of the web app — so
they all measure the same walk. The graph (before attaching) is cached per network data
version and profile in the project's cache folder; attaching is redone each time (it
depends on the facilities, which change more often than the streets).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from lifecircle.cache.entries import load_entry, save_entry
from lifecircle.engine.area import AreaData
from lifecircle.engine.attach import Walk, attach_all
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.network import build_walk_graph
from lifecircle.engine.profiles import WalkProfile
from lifecircle.model import Facility
from lifecircle.version import __version__

#: Cache kind of the walk graphs (``cache/graphs/<profile>-<key>.npz``).
GRAPHS = "graphs"
#: Default largest distance (metres) from a point to the walk network it may be attached over.
SNAP_MAX_M = 300.0


def graph_key(area: AreaData, profile: WalkProfile) -> str:
    """Return the cache key of a profile's graph: code, network data version, profile.

    Facility or compound imports keep the key (they do not change the streets).
    """
    basis = {"code": __version__, "network": area.network_version, "profile": repr(profile)}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def load_walk_graph(
    area: AreaData, profile: WalkProfile, *, cache_dir: Path | None = None
) -> WalkGraph:
    """Return the profile's walk graph with local rules, from the cache or built and cached.

    ``cache_dir`` None builds it afresh and caches nothing.
    """
    key = graph_key(area, profile)
    if cache_dir is not None:
        found = load_entry(cache_dir, GRAPHS, profile.name, key)
        if found is not None:
            try:
                return WalkGraph.from_arrays(*found, profile)
            except (KeyError, TypeError, ValueError):
                pass  # a damaged or older file: rebuilt below
    graph = build_walk_graph(area.ways, area.nodes, profile, rules=area.rules)
    if cache_dir is not None:
        arrays, info = graph.to_arrays()
        save_entry(cache_dir, GRAPHS, profile.name, key, arrays=arrays, info=info)
    return graph


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
        The project's cache folder, where the graph is kept per network version; ``None``
        builds it afresh.
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
    graph = load_walk_graph(area, profile, cache_dir=cache_dir)
    return attach_all(
        graph,
        facilities=area.facilities if facilities is None else facilities,
        compounds=area.compounds,
        boards=area.boards,
        max_snap_m=snap_max_m,
    )
