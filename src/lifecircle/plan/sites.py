"""Site planning on a project: candidates, walking coverage, the solve, and saving the plan.

Reads the store (through :func:`lifecircle.jobs.area.read_area`), takes the profile's walk,
measures who each candidate would cover and calls :func:`lifecircle.plan.max_cover` or
:func:`lifecircle.plan.cover_all`. It writes no files; outputs are :mod:`lifecircle.plan.outputs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import scipy.sparse as sp

from lifecircle.engine.area import AreaData
from lifecircle.engine.gaps import GapWeight
from lifecircle.engine.profiles import WalkProfile, get_profile
from lifecircle.engine.rules import minutes_limit
from lifecircle.engine.walk import build_walk
from lifecircle.errors import ConfigError
from lifecircle.jobs.area import read_area
from lifecircle.model import CandidateSite, Facility
from lifecircle.plan import DEFAULT_TIME_LIMIT_S, CoverageProblem, PlanResult, cover_all, max_cover
from lifecircle.plan.costs import gate_costs, gate_costs_by_gate, gate_lonlat
from lifecircle.project import Project
from lifecircle.store import DataVersion, Snapshot
from lifecircle.taxonomy import FacilityType

WeightField = Literal["residents", "elderly", "children", "vulnerable"]
#: ``vulnerable``: people on the welfare register per compound, as suppressed counts only.
WEIGHT_FIELDS: tuple[WeightField, ...] = ("residents", "elderly", "children", "vulnerable")
#: Store scope of a saved plan of one type: saving again replaces the previous plan.
PLAN_SCOPE = "plan:{type}"


@dataclass(frozen=True, eq=False)
class SitePlan:
    """A solved plan with everything needed to explain it.

    ``candidates[j]`` is column ``j`` of ``problem``; ``data.compounds[i]`` row ``i``.
    ``limit`` is the walking limit in the profile's unit (seconds, or metres in the distance
    convention) for ``minutes``; ``existing`` are the open facilities of the type;
    ``unknown_weight`` the compounds whose ``weight`` is not known (counted as 0 people);
    ``candidates_unreached`` the candidates too far from every walkable way to be reached.
    ``gate_of[i, j]`` is ``1 +`` the row of ``gate_lonlat`` (lon, lat) where the best walk
    from compound ``i`` to candidate ``j`` leaves the compound (same pattern as the costs).
    """

    ftype: FacilityType
    profile: WalkProfile
    minutes: int
    limit: float
    weight: WeightField
    data: AreaData
    candidates: tuple[CandidateSite, ...]
    existing: tuple[Facility, ...]
    problem: CoverageProblem
    result: PlanResult
    unknown_weight: tuple[int, ...]
    candidates_unreached: tuple[int, ...]
    gate_of: sp.csr_matrix | None = None
    gate_lonlat: np.ndarray | None = None


def osm_candidates(
    ftype: FacilityType, data: AreaData, stored: Sequence[CandidateSite]
) -> list[CandidateSite]:
    """OSM places that could host ``ftype``: stored candidate sites and facilities of other types.

    A facility of another type (a restaurant for an elderly canteen) is a candidate when its
    OSM tags (``extra``) match the type's ``candidate_osm`` rules; closed ones are not.
    """
    found = [c for c in stored if c.source_id.startswith("osm:") and ftype.could_host(c.tags)]
    for f in data.facilities:
        if f.type_code == ftype.code or f.status != "open" or not f.source_id.startswith("osm:"):
            continue
        if ftype.could_host(f.extra):
            found.append(
                CandidateSite(
                    f.source_id, f.name, f.lon, f.lat, dict(f.extra), address=f.address,
                    source=f.source,
                )
            )  # fmt: skip
    return found


def _dedupe(candidates: Sequence[CandidateSite]) -> tuple[CandidateSite, ...]:
    seen: dict[str, CandidateSite] = {}
    for c in candidates:
        seen.setdefault(c.source_id, c)  # a sheet row wins over the OSM object it names
    return tuple(seen.values())


def coverage_problem(
    data: AreaData,
    profile: WalkProfile,
    *,
    ftype: FacilityType,
    candidates: Sequence[CandidateSite],
    weight: WeightField,
    limit: float,
    snap_max_m: float,
    cache_dir: Path | None = None,
    values: Sequence[float | None] | None = None,
) -> tuple[
    CoverageProblem, tuple[Facility, ...], tuple[int, ...], tuple[sp.csr_matrix, np.ndarray]
]:
    """Build the coverage problem: existing facilities, candidates and compounds on one walk.

    Returns the problem, the existing open facilities of the type, the candidates that
    could not be attached to the walk network, and the gates the walks leave by
    (:attr:`SitePlan.gate_of`, :attr:`SitePlan.gate_lonlat`).
    """
    existing = tuple(f for f in data.facilities if f.type_code == ftype.code and f.status == "open")
    as_points = [Facility(c.source_id, c.name, ftype.code, c.lon, c.lat) for c in candidates]
    points = build_walk(
        data,
        profile,
        facilities=[*existing, *as_points],
        snap_max_m=snap_max_m,
        cache_dir=cache_dir,
    )
    owner, nodes = points.facility_of_point, points.facility_nodes
    old = owner < len(existing)
    before = gate_costs(points, nodes[old], owner[old], n_sites=len(existing), limit=limit)
    found = gate_costs_by_gate(
        points, nodes[~old], owner[~old] - len(existing), n_sites=len(candidates), limit=limit
    )
    cost = found.cost
    if values is None:
        values = [getattr(c, weight) for c in data.compounds]
    problem = CoverageProblem.from_cost_matrix(
        cost,
        limit=limit,
        weights=[0.0 if v is None else float(v) for v in values],
        covered_before=np.diff(before.indptr) > 0,
        capacity=[np.nan if c.capacity is None else c.capacity for c in candidates],
        site_cost=[c.cost or 0.0 for c in candidates],
    )
    unreached = tuple(i - len(existing) for i in points.facilities_unreached if i >= len(existing))
    return problem, existing, unreached, (found.gate, gate_lonlat(points))


def plan_sites(
    project: Project,
    type_text: str,
    *,
    n_sites: int | None,
    profile: str = "standard",
    weight: WeightField = "residents",
    minutes: int | None = None,
    sheet_candidates: Sequence[CandidateSite] = (),
    use_osm: bool = True,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> SitePlan:
    """Plan new sites of one type: ``n_sites`` covering the most people, or (None) cover all.

    ``minutes`` defaults to the type's life-circle level; candidates are the sheet's, then
    (``use_osm``) the OSM places its ``candidate_osm`` rules pick.
    """
    ftype = project.taxonomy().resolve_type(type_text)
    data = read_area(project)
    if not data.compounds:
        raise ConfigError("error.plan.no_compounds")
    values = compound_weights(project, data, weight)
    if all(v is None for v in values):
        raise ConfigError("error.plan.no_weight", weight=weight, n=len(data.compounds))
    found = list(sheet_candidates)
    if use_osm:
        found += osm_candidates(ftype, data, _stored_candidates(project))
    candidates = _dedupe(found)
    if not candidates:
        raise ConfigError("error.plan.no_candidates", type=ftype.code, name=ftype.name_zh)
    walk = get_profile(profile)
    level = minutes if minutes is not None else ftype.level_min
    limit = minutes_limit(walk, level)
    problem, existing, unreached, (gate_of, gates) = coverage_problem(
        data, walk, ftype=ftype, candidates=candidates, weight=weight, limit=limit,
        snap_max_m=project.settings.snap_max_m, cache_dir=project.cache_dir, values=values,
    )  # fmt: skip
    if n_sites is None:
        result = cover_all(problem, time_limit_s=time_limit_s)
    else:
        result = max_cover(problem, n_sites, time_limit_s=time_limit_s)
    unknown = tuple(i for i, v in enumerate(values) if v is None)
    return SitePlan(
        ftype, walk, level, limit, weight, data, candidates, existing, problem, result,
        unknown, unreached, gate_of, gates,
    )  # fmt: skip


def compound_weights(project: Project, data: AreaData, weight: WeightField) -> list[float | None]:
    """Return each compound's weight (``None``: unknown, counted as nobody).

    ``vulnerable`` reads the welfare register's counts per compound, none below the care
    configuration's ``min_count`` (:mod:`lifecircle.care.planning`); never a record.
    """
    if weight != "vulnerable":
        return [getattr(c, weight) for c in data.compounds]
    from lifecircle.care.config import load_care_config
    from lifecircle.care.planning import vulnerable_counts

    with project.open_store() as store:
        counts = vulnerable_counts(store, min_count=load_care_config(project).min_count)
    return [None if c.key not in counts else float(counts[c.key]) for c in data.compounds]


def gap_weight(project: Project, data: AreaData, weight: WeightField) -> GapWeight | None:
    """Return the gap report's ranking weight: the planner's weights (``None``: residents).

    The same numbers :func:`compound_weights` gives the planner, by compound id; for
    ``vulnerable`` the report also says below how many people a count was suppressed.
    """
    if weight == "residents":
        return None
    values = compound_weights(project, data, weight)
    below = None
    if weight == "vulnerable":
        from lifecircle.care.config import load_care_config

        below = load_care_config(project).min_count
    by_id = {c.key: v for c, v in zip(data.compounds, values, strict=True)}
    return GapWeight(weight, by_id, suppressed_below=below)


def _stored_candidates(project: Project) -> list[CandidateSite]:
    with project.open_store() as store:
        return [r for r in store.records("candidate_site") if isinstance(r, CandidateSite)]


def planned_facilities(plan: SitePlan) -> list[Facility]:
    """Return the chosen sites as facilities of the type with ``status = "planned"`` (规划中)."""
    people = plan.result.exact.assigned.T @ plan.problem.weights
    out = []
    for j in plan.result.chosen:
        site = plan.candidates[j]
        out.append(
            Facility(
                source_id=f"plan:{plan.ftype.code}:{site.source_id}",
                name=site.name or plan.ftype.name_zh,
                type_code=plan.ftype.code,
                lon=site.lon,
                lat=site.lat,
                address=site.address,
                capacity=None if site.capacity is None else int(site.capacity),
                status="planned",
                source=f"plan:{site.source or site.source_id}",
                extra={"candidate": site.source_id, "planned_people": f"{people[j]:.0f}"},
            )
        )
    return out


def save_plan(plan: SitePlan, project: Project, *, author: str) -> DataVersion | None:
    """Store the chosen sites as planned facilities (规划中), as one new data version.

    Saving replaces the plan of this type saved before; returns None when nothing changed.
    """
    snapshot = Snapshot(
        "facility", PLAN_SCOPE.format(type=plan.ftype.code), planned_facilities(plan)
    )
    with project.open_store() as store:
        outcome = store.commit(
            [snapshot], action="plan", source=f"plan {plan.ftype.code}", author=author
        )
    return outcome.version
