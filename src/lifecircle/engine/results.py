"""One profile's results for an area: access tables and the walking areas.

:func:`compute_profile` computes them on the profile's walk (:func:`~lifecircle.engine.walk.
build_walk`); :meth:`ProfileResult.to_arrays` / :meth:`ProfileResult.from_arrays` are what the
cache stores. Costs are in the profile's unit; the faces show them through
:mod:`lifecircle.engine.rules`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from lifecircle.engine.access import (
    AccessTable,
    NearestResult,
    compound_access,
    entrance_access,
    nearest_by_type,
)
from lifecircle.engine.area import AreaData
from lifecircle.engine.attach import PointIssue, Walk
from lifecircle.engine.bounded import typed_sources
from lifecircle.engine.entrance import SetCounts
from lifecircle.engine.gaps import CompoundAccessTable
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.profiles import WalkProfile
from lifecircle.engine.rules import LEVELS_MIN, cost_unit, level_limits
from lifecircle.engine.walk import SNAP_MAX_M, build_walk
from lifecircle.engine.walksheds import CELL_M, walksheds

#: Compounds' walking areas (web map, gap reports) are traced on 8 m cells (~28 % faster than
#: 4 m, same area to 0.1 %); boards keep the 4 m cells, because they are printed large.
COMPOUND_CELL_M = 8.0
_TABLES = ("compounds", "boards")


@dataclass(frozen=True, eq=False)
class ProfileResult:
    """Access results of one profile: per compound, per board, and walking areas.

    ``compounds`` and ``boards`` are tables over ``type_codes`` with costs in the profile's unit
    (seconds, or metres in the distance convention). ``compound_areas[i]`` /
    ``board_areas[j]`` are the nested 5/10/15 walking areas.
    ``unreached`` lists, by kind, the owners this profile cannot walk from or to at all;
    ``issues`` lists them by what was wrong with their points (``far``, ``island``,
    ``impassable``; see :data:`~lifecircle.engine.attach.PointIssue`).
    """

    profile: WalkProfile
    type_codes: tuple[str, ...]
    compounds: AccessTable
    boards: AccessTable
    compound_areas: list[list[BaseGeometry]]
    board_areas: list[list[BaseGeometry]]
    unreached: dict[str, list[str]] = field(default_factory=dict)
    issues: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    seconds: float = 0.0

    def gap_table(self) -> CompoundAccessTable:
        """Return the compound table in the shape :mod:`lifecircle.engine.gaps` reads."""
        counts = {level: self.compounds.counts[:, :, k] for k, level in enumerate(LEVELS_MIN)}
        return CompoundAccessTable(
            self.profile, self.type_codes, self.compounds.cost, self.compounds.nearest, counts
        )

    def verdict_row(self, area: AreaData, *, board: int) -> tuple[AccessTable, int]:
        """Return the table and row whose costs judge a board: its compound's, else its own.

        A board at a compound's gate says what that compound lacks (the same as the gap
        report, walking from any of its gates); a community centre's board judges from where
        it stands.
        """
        compound = area.board_compound(board)
        return (self.boards, board) if compound is None else (self.compounds, compound)

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Return the result as arrays plus a JSON-able dict, for a cache file."""
        arrays: dict[str, np.ndarray] = {}
        for name in _TABLES:
            table: AccessTable = getattr(self, name)
            arrays |= {
                f"{name}_cost": table.cost,
                f"{name}_nearest": table.nearest,
                f"{name}_counts": table.counts,
            }
        info = {
            "type_codes": list(self.type_codes),
            "limits": list(self.compounds.limits),
            "unreached": self.unreached,
            "issues": self.issues,
            "seconds": self.seconds,
            "compound_areas": _wkb(self.compound_areas),
            "board_areas": _wkb(self.board_areas),
        }
        return arrays, info

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], info: Mapping[str, Any], profile: WalkProfile
    ) -> ProfileResult:
        """Rebuild a result written by :meth:`to_arrays` (``KeyError`` if a part is absent)."""
        codes, limits = tuple(info["type_codes"]), tuple(info["limits"])
        tables = {
            name: AccessTable(
                codes,
                limits,
                arrays[f"{name}_cost"],
                arrays[f"{name}_nearest"],
                arrays[f"{name}_counts"],
                cost_unit(profile),
            )
            for name in _TABLES
        }
        return cls(
            profile=profile,
            type_codes=codes,
            compounds=tables["compounds"],
            boards=tables["boards"],
            compound_areas=[[shapely.from_wkb(h) for h in g] for g in info["compound_areas"]],
            board_areas=[[shapely.from_wkb(h) for h in g] for g in info["board_areas"]],
            unreached=dict(info["unreached"]),
            issues=dict(info["issues"]),
            seconds=float(info["seconds"]),
        )


def _wkb(areas: list[list[Any]]) -> list[list[str]]:
    return [[str(shapely.to_wkb(a, hex=True)) for a in group] for group in areas]


def _unreached(walk: Walk, area: AreaData) -> dict[str, list[str]]:
    return {
        "facilities": [area.facilities[i].source_id for i in walk.facilities_unreached],
        "compounds": [area.compounds[i].source_id for i in walk.compounds_unreached],
        "boards": [area.boards[i].board_id for i in walk.boards_unreached],
    }


#: The owner kinds of a walk's points, as the result tables name them.
_KINDS = {"facility": "facilities", "compound": "compounds", "board": "boards"}


def _issues(walk: Walk, area: AreaData) -> dict[str, dict[str, list[str]]]:
    """Owners with a point far off, on an island, cut off for this profile or closed, by issue."""
    out: dict[str, dict[str, list[str]]] = {
        issue: {kind: [] for kind in _KINDS.values()} for issue in get_args(PointIssue)
    }
    seen: set[tuple[str, str, int]] = set()
    for p in walk.reported:
        if (p.issue, p.kind, p.index) in seen:
            continue
        seen.add((p.issue, p.kind, p.index))
        out[p.issue][_KINDS[p.kind]].append(_owner_id(area, p.kind, p.index))
    return out


def _owner_id(area: AreaData, kind: str, index: int) -> str:
    if kind == "board":
        return area.boards[index].board_id
    if kind == "compound":
        return area.compounds[index].source_id
    return area.facilities[index].source_id


def _board_table(walk: Walk, sources: Any, nearest: NearestResult) -> AccessTable:
    graph = walk.graph
    limits = level_limits(graph.profile)
    ok = np.flatnonzero(walk.board_nodes >= 0)
    cost = np.full((len(walk.board_nodes), len(nearest.type_codes)), np.inf)
    which = np.full(cost.shape, -1, dtype=np.int64)
    counts = np.zeros((*cost.shape, len(limits)), dtype=np.int64)
    if len(ok):
        got = entrance_access(
            graph,
            walk.board_nodes[ok],
            sources.nodes,
            owners=sources.owners,
            limits=limits,
            nearest=nearest,
        ).entrances
        cost[ok], which[ok], counts[ok] = got.cost, got.nearest, got.counts
    return AccessTable(tuple(sources.nodes), limits, cost, which, counts, cost_unit(graph.profile))


def nearest_at_origins(walk: Walk, sources: Any) -> NearestResult:
    """Every gate's and board's nearest facility of each type, however far.

    One whole-graph search per type (``sources``: :meth:`Walk.sources`), kept only at the
    attached gates and boards.
    """
    origins = np.concatenate([walk.entrance_nodes, walk.board_nodes])
    return nearest_by_type(
        walk.graph, sources.nodes, owners=sources.owners, at=origins[origins >= 0]
    )


def load_kernels() -> None:
    """Load the compiled search and tracing kernels (numba's cache) by running each once.

    On a three-edge street: what a worker process would otherwise pay (about half a second)
    in its first real profile, paid while it waits for one.
    """
    from lifecircle.engine.bounded import street_graph  # a tiny graph of the doctests'

    graph = street_graph(0.0, 120.0, 240.0, 360.0)
    shops, owners = {"shop": np.array([0, 3])}, {"shop": np.array([0, 1])}
    nearest = nearest_by_type(graph, shops, owners=owners)
    gates, limits = np.array([1, 2]), [100.0, 200.0, 300.0]
    entrance_access(graph, gates, shops, owners=owners, limits=limits, nearest=nearest)
    entrance_access(graph, gates, shops, owners=owners, limits=limits)
    for cell_m in (COMPOUND_CELL_M, CELL_M):
        trace_walksheds(graph, [gates[:1], gates], limits, cell_m)


def origin_sets(walk: Walk) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each compound's gate nodes and each board's node (empty when not attached)."""
    gate_sets = [walk.entrance_nodes[walk.entrance_owner == c] for c in range(walk.n_compounds)]
    board_sets = [
        np.array([n]) if n >= 0 else np.array([], dtype=np.int64) for n in walk.board_nodes
    ]
    return gate_sets, board_sets


def trace_walksheds(
    graph: WalkGraph,
    sets: Sequence[np.ndarray],
    limits: Sequence[float],
    cell_m: float,
    *,
    counts: SetCounts | None = None,
) -> list[Any]:
    """Trace the walking areas of each origin set (an empty list for an empty set).

    ``counts`` (one row per set) is filled from the same searches: the facilities within each
    limit, as :func:`compound_access` counts them (an empty set counts nothing).
    """
    kept = np.array([i for i, s in enumerate(sets) if len(s)], dtype=np.int64)

    def count(rows: np.ndarray, costs: np.ndarray) -> None:
        assert counts is not None
        counts.add(kept[rows], costs)

    found = iter(
        walksheds(
            graph,
            [sets[i] for i in kept.tolist()],
            limits=limits,
            cell_m=cell_m,
            targets=None if counts is None else counts.nodes,
            each_batch=None if counts is None else count,
        )
    )
    return [next(found) if len(s) else [] for s in sets]


def compound_targets(walk: Walk, type_codes: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return the facilities :func:`compound_access` counts, by type (for :class:`SetCounts`)."""
    sources = walk.sources(type_codes=type_codes)
    return typed_sources(walk.graph, sources.nodes, sources.owners)


def with_compound_counts(partial: ProfileResult, counts: np.ndarray) -> ProfileResult:
    """Return a :func:`compute_access` result (``count_compounds=False``) with its counts in."""
    table = partial.compounds
    if counts.shape != table.counts.shape:
        raise ValueError(f"counts of shape {counts.shape} for a table of {table.counts.shape}")
    frozen = np.array(counts, dtype=table.counts.dtype)
    frozen.flags.writeable = False
    return dataclasses.replace(partial, compounds=dataclasses.replace(table, counts=frozen))


def compute_access(
    area: AreaData,
    profile: WalkProfile,
    *,
    snap_max_m: float = SNAP_MAX_M,
    cache_dir: Path | None = None,
    count_compounds: bool = True,
) -> tuple[ProfileResult, Walk]:
    """One profile's results without the walking areas, and the walk to trace them on.

    ``count_compounds`` False leaves the compounds' counts 0, for the walking areas' searches
    to count (:func:`trace_walksheds` with ``counts``, then :func:`with_compound_counts`).
    """
    started = time.perf_counter()
    walk = build_walk(area, profile, snap_max_m=snap_max_m, cache_dir=cache_dir)
    sources = walk.sources(type_codes=area.type_codes)
    nearest = nearest_at_origins(walk, sources)
    access = compound_access(
        walk, type_codes=area.type_codes, nearest=nearest, counted=count_compounds
    )
    partial = ProfileResult(
        profile=profile,
        type_codes=area.type_codes,
        compounds=access.compounds,
        boards=_board_table(walk, sources, nearest),
        compound_areas=[],
        board_areas=[],
        unreached=_unreached(walk, area),
        issues=_issues(walk, area),
        seconds=time.perf_counter() - started,
    )
    return partial, walk


def compute_profile(
    area: AreaData,
    profile: WalkProfile,
    *,
    snap_max_m: float = SNAP_MAX_M,
    cache_dir: Path | None = None,
) -> ProfileResult:
    """Compute one profile's results, walking areas included (no result caching).

    Examples
    --------
    >>> from lifecircle.engine.area import area_from_streets
    >>> from lifecircle.engine.profiles import STANDARD
    >>> from lifecircle.model import Compound, Facility
    >>> area = area_from_streets(
    ...     [(0.0, 0.0), (0.01, 0.0)],
    ...     facilities=[Facility("f", "Shop", "shop", 0.003, 0.0)],
    ...     compounds=[Compound("c", "Home", 0.0, 0.0, entrances=((0.0, 0.0),))],
    ... )
    >>> result = compute_profile(area, STANDARD)
    >>> round(float(result.compounds.cost[0, 0]))  # 334 m at 1.2 m/s
    278
    >>> len(result.compound_areas[0])
    3
    """
    started = time.perf_counter()
    partial, walk = compute_access(
        area, profile, snap_max_m=snap_max_m, cache_dir=cache_dir, count_compounds=False
    )
    gate_sets, board_sets = origin_sets(walk)
    limits = level_limits(profile)
    counts = SetCounts(compound_targets(walk, area.type_codes), limits, len(gate_sets))
    compound_areas = trace_walksheds(walk.graph, gate_sets, limits, COMPOUND_CELL_M, counts=counts)
    return dataclasses.replace(
        with_compound_counts(partial, counts.counts),
        compound_areas=compound_areas,
        board_areas=trace_walksheds(walk.graph, board_sets, limits, CELL_M),
        seconds=time.perf_counter() - started,
    )
