"""The build use case: from the stored data to access results for each walking profile.

Reads the store once, builds each profile's walk graph (with staff's local edits), attaches
gates, facilities and boards, computes access and walking areas, and caches the results by
data version. It renders nothing; the CLI and web read :class:`ProfileResult` values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from lifecircle import __version__
from lifecircle.access import (
    AccessPoints,
    AccessTable,
    CostUnit,
    NearestResult,
    attach_all,
    compound_access,
    entrance_access,
    nearest_by_type,
)
from lifecircle.edits import local_rules
from lifecircle.errors import Msg
from lifecircle.gaps import CompoundAccessTable
from lifecircle.io import graph_cache, results_cache
from lifecircle.isochrones import CELL_M, walksheds
from lifecircle.model import Board, Compound, Facility, WalkNode, WalkWay
from lifecircle.network import LocalRules, WalkGraph, build_walk_graph
from lifecircle.profiles import WalkProfile, get_profile
from lifecircle.project import Project

LEVELS_MIN = (5, 10, 15)
DEFAULT_PROFILES = ("standard", "elderly", "wheelchair")
#: Compounds' walking areas (web map, gap reports) are traced on 8 m cells (~28 % faster than
#: 4 m, same area to 0.1 %); boards keep the 4 m cells, because they are printed large.
COMPOUND_CELL_M = 8.0
#: Below this many walkable ways, starting worker processes costs more than it saves.
PARALLEL_MIN_WAYS = 20_000
Progress = Callable[[str], None]
#: Record kinds the walk graph is built from: a change to any of them means a new graph.
NETWORK_KINDS = ("walk_way", "walk_node", "local_edit")


@dataclass(frozen=True)
class AreaData:
    """Everything the engine reads from the store, read once per build."""

    ways: tuple[WalkWay, ...]
    nodes: tuple[WalkNode, ...]
    facilities: tuple[Facility, ...]
    compounds: tuple[Compound, ...]
    boards: tuple[Board, ...]
    type_codes: tuple[str, ...]
    data_version: int
    data_date: str
    taxonomy_version: str
    #: Staff's local edits as graph rules (the same for every profile).
    rules: LocalRules = field(default_factory=LocalRules)
    #: Newest data version that changed the walking network (ways, nodes, local edits).
    network_version: int = 0
    #: Orphaned local edits (render in the user's language; ``str()`` is English).
    warnings: tuple[Msg, ...] = ()


@dataclass(frozen=True, eq=False)
class ProfileResult:
    """Access results of one profile: per compound, per board, per node, and walking areas.

    ``compounds`` and ``boards`` are tables over ``type_codes`` with costs in the profile's unit
    (seconds, or metres in the distance convention); ``heat[t]`` is the cost from every graph
    node to the nearest facility of ``type_codes[t]`` and ``node_lonlat`` where the nodes are.
    ``compound_areas[i]`` / ``board_areas[j]`` are the nested 5/10/15 walking areas.
    """

    profile: WalkProfile
    type_codes: tuple[str, ...]
    compounds: AccessTable
    boards: AccessTable
    heat: np.ndarray
    node_lonlat: np.ndarray
    compound_areas: list[list[BaseGeometry]]
    board_areas: list[list[BaseGeometry]]
    unreached: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def gap_table(self) -> CompoundAccessTable:
        """Return the compound table in the shape :mod:`lifecircle.gaps` reads."""
        counts = {level: self.compounds.counts[:, :, k] for k, level in enumerate(LEVELS_MIN)}
        return CompoundAccessTable(
            self.profile, self.type_codes, self.compounds.cost, self.compounds.nearest, counts
        )


def read_area(project: Project) -> AreaData:
    """Read what the engine needs from the project's store."""
    taxonomy = project.taxonomy()
    with project.open_store() as store:
        ways = tuple(w for w in store.records("walk_way") if isinstance(w, WalkWay))
        latest = store.latest_version()
        rules, warnings = local_rules(store, ways=list(ways))
        return AreaData(
            ways=ways,
            nodes=tuple(n for n in store.records("walk_node") if isinstance(n, WalkNode)),
            facilities=tuple(f for f in store.records("facility") if isinstance(f, Facility)),
            compounds=tuple(c for c in store.records("compound") if isinstance(c, Compound)),
            boards=tuple(b for b in store.records("board") if isinstance(b, Board)),
            type_codes=tuple(t.code for t in taxonomy.types),
            data_version=latest.id if latest else 0,
            data_date=latest.created_at if latest else "",
            taxonomy_version=taxonomy.version,
            rules=rules,
            warnings=tuple(warnings),
            network_version=store.last_change(NETWORK_KINDS),
        )


def cache_key(data: AreaData, profile: WalkProfile, project: Project) -> str:
    """Results are reused while data version, taxonomy, profile and snapping stay the same."""
    basis = {
        "code": __version__,
        "data_version": data.data_version,
        "taxonomy": data.taxonomy_version,
        "profile": repr(profile),
        "snap_max_m": project.settings.snap_max_m,
    }
    return _digest(basis)


def _digest(basis: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def walk_graph(data: AreaData, profile: WalkProfile, project: Project) -> WalkGraph:
    """Return the profile's walk graph: from the cache next to the store, or built and cached.

    Keyed by the network's data version (ways, nodes, local edits), the profile and the code
    version, so facility or compound imports reuse the graph.
    """
    basis = {"code": __version__, "network": data.network_version, "profile": repr(profile)}
    key = _digest(basis)
    graph = graph_cache.load_graph(project.cache_dir, key, profile)
    if graph is None:
        graph = build_walk_graph(data.ways, data.nodes, profile, rules=data.rules)
        graph_cache.save_graph(project.cache_dir, key, graph)
    return graph


def _names(points: AccessPoints, data: AreaData) -> dict[str, list[str]]:
    return {
        "facilities": [data.facilities[i].source_id for i in points.facilities_unreached],
        "compounds": [data.compounds[i].source_id for i in points.compounds_unreached],
        "boards": [data.boards[i].board_id for i in points.boards_unreached],
    }


def _board_table(
    points: AccessPoints, sources: Any, limits: Sequence[float], heat: NearestResult
) -> AccessTable:
    graph = points.graph
    ok = np.flatnonzero(points.board_nodes >= 0)
    cost = np.full((len(points.board_nodes), len(heat.type_codes)), np.inf)
    nearest = np.full(cost.shape, -1, dtype=np.int64)
    counts = np.zeros((*cost.shape, len(limits)), dtype=np.int64)
    if len(ok):
        got = entrance_access(
            graph,
            points.board_nodes[ok],
            sources.nodes,
            owners=sources.owners,
            limits=limits,
            nearest=heat,
        ).entrances
        cost[ok], nearest[ok], counts[ok] = got.cost, got.nearest, got.counts
    unit: CostUnit = "m" if graph.profile.convention == "distance" else "s"
    return AccessTable(tuple(sources.nodes), tuple(limits), cost, nearest, counts, unit)


def origin_sets(points: AccessPoints, n_compounds: int) -> tuple[list[Any], list[Any]]:
    """Each compound's gate nodes and each board's node (empty when not attached)."""
    gate_sets = [points.entrance_nodes[points.entrance_owner == c] for c in range(n_compounds)]
    board_sets = [
        np.array([n]) if n >= 0 else np.array([], dtype=np.int64) for n in points.board_nodes
    ]
    return gate_sets, board_sets


def _areas(
    points: AccessPoints, limits: Sequence[float], n_compounds: int
) -> tuple[list[Any], list[Any]]:
    gate_sets, board_sets = origin_sets(points, n_compounds)
    graph = points.graph
    return traced(graph, gate_sets, limits, COMPOUND_CELL_M), traced(
        graph, board_sets, limits, CELL_M
    )


def traced(
    graph: WalkGraph, sets: Sequence[np.ndarray], limits: Sequence[float], cell_m: float
) -> list[Any]:
    """Trace the walking areas of each origin set (an empty list for an empty set)."""
    found = iter(walksheds(graph, [s for s in sets if len(s)], limits=limits, cell_m=cell_m))
    return [next(found) if len(s) else [] for s in sets]


def access_part(
    data: AreaData, profile: WalkProfile, project: Project
) -> tuple[ProfileResult, AccessPoints]:
    """One profile's results without the walking areas, and the attached points to trace them."""
    started = time.perf_counter()
    graph = walk_graph(data, profile, project)
    points = attach_all(
        graph,
        facilities=data.facilities,
        compounds=data.compounds,
        boards=data.boards,
        max_snap_m=project.settings.snap_max_m,
    )
    sources = points.sources(type_codes=data.type_codes)
    heat = nearest_by_type(points.graph, sources.nodes, owners=sources.owners)
    access = compound_access(points, type_codes=data.type_codes, nearest=heat)
    boards = _board_table(points, sources, profile_limits(profile), heat)
    lon, lat = points.graph.node_lonlat()
    partial = ProfileResult(
        profile=profile,
        type_codes=data.type_codes,
        compounds=access.compounds,
        boards=boards,
        heat=heat.cost.astype(np.float32),
        node_lonlat=np.column_stack([lon, lat]).astype(np.float32),
        compound_areas=[],
        board_areas=[],
        unreached=_names(points, data),
        seconds=time.perf_counter() - started,
    )
    return partial, points


def profile_limits(profile: WalkProfile) -> list[float]:
    """Return the 5/10/15-minute levels as cost limits in the profile's unit."""
    return [profile.threshold(level) for level in LEVELS_MIN]


def build_profile(data: AreaData, profile: WalkProfile, project: Project) -> ProfileResult:
    """Compute one profile's results from the area data (no caching)."""
    started = time.perf_counter()
    partial, points = access_part(data, profile, project)
    compound_areas, board_areas = _areas(points, profile_limits(profile), len(data.compounds))
    return dataclasses.replace(
        partial,
        compound_areas=compound_areas,
        board_areas=board_areas,
        seconds=time.perf_counter() - started,
    )


def _compute(
    data: AreaData, profiles: Sequence[WalkProfile], project: Project, workers: int
) -> list[ProfileResult]:
    """Compute profiles one after another, or spread over ``workers`` processes."""
    if workers <= 1:
        return [build_profile(data, profile, project) for profile in profiles]
    from lifecircle._parallel_build import compute_in_workers

    return compute_in_workers(data, profiles, project, workers)


def build(
    project: Project,
    profiles: Sequence[str] = DEFAULT_PROFILES,
    *,
    force: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
) -> tuple[AreaData, dict[str, ProfileResult]]:
    """Build (or load from the cache) the results of each profile for the project.

    Profiles not in the cache are computed in up to ``workers`` processes (default: the
    ``build_workers`` setting) when the network is large enough for that to pay off
    (:data:`PARALLEL_MIN_WAYS` walkable ways); results are the same either way.
    """
    data = read_area(project)
    results: dict[str, ProfileResult] = {}
    todo: list[tuple[WalkProfile, str]] = []
    for name in profiles:
        profile = get_profile(name)
        key = cache_key(data, profile, project)
        cached = None if force else results_cache.load(project.cache_dir, key, profile)
        if cached is not None:
            results[name] = cached
        else:
            todo.append((profile, key))
    if workers is None:
        workers = project.settings.build_workers if len(data.ways) >= PARALLEL_MIN_WAYS else 1
    if progress and todo:
        progress(", ".join(profile.name for profile, _ in todo))
    computed = _compute(data, [profile for profile, _ in todo], project, workers)
    for (profile, key), result in zip(todo, computed, strict=True):
        results_cache.save(project.cache_dir, key, result)
        results[profile.name] = result
    return data, {name: results[name] for name in profiles}
