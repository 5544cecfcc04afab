"""Site planning on the packaged demo (real OSM of central Helsinki), checked by the engine."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from lifecircle.engine.access import entrance_access
from lifecircle.engine.area import AreaData
from lifecircle.engine.results import compute_profile
from lifecircle.engine.walk import build_walk
from lifecircle.io.candidates import read_candidates
from lifecircle.jobs.demo import build_demo
from lifecircle.model import CandidateSite, Facility
from lifecircle.plan.costs import gate_costs
from lifecircle.plan.sites import SitePlan, plan_sites, planned_facilities, save_plan
from lifecircle.project import Project

CANTEEN = "elderly_canteen"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project, _ = build_demo(tmp_path_factory.mktemp("plan") / "demo", area="helsinki")
    return project


@pytest.fixture(scope="module")
def canteen_plan(demo: Project) -> SitePlan:
    return plan_sites(demo, CANTEEN, n_sites=2, profile="elderly")


def _engine_counts(plan: SitePlan, project: Project, added: list[Facility]) -> np.ndarray:
    """Facilities of the type within its level of each compound, by the engine's own build."""
    data: AreaData = dataclasses.replace(plan.data, facilities=(*plan.data.facilities, *added))
    result = compute_profile(data, plan.profile, cache_dir=project.cache_dir)
    t = data.type_codes.index(plan.ftype.code)
    counts: np.ndarray = result.gap_table().count_within[plan.ftype.level_min][:, t]
    return counts


def test_osm_import_keeps_places_that_could_host_but_are_no_facility(demo: Project) -> None:
    with demo.open_store() as store:
        sites = [r for r in store.records("candidate_site") if isinstance(r, CandidateSite)]
        facility_keys = {r.key for r in store.records("facility")}
    kinds = {(k, v) for s in sites for k, v in s.tags.items() if k in ("leisure", "landuse")}
    assert ("leisure", "park") in kinds and ("landuse", "grass") in kinds
    assert not facility_keys & {s.source_id for s in sites}


def test_the_chosen_sites_cover_what_the_plan_claims_when_the_engine_reruns(
    demo: Project, canteen_plan: SitePlan
) -> None:
    result = canteen_plan.result
    assert result.optimal and result.status == "Optimal"
    assert len(result.chosen) == 2
    assert result.exact.people(canteen_plan.problem.weights) >= result.greedy.people(
        canteen_plan.problem.weights
    )
    before = _engine_counts(canteen_plan, demo, [])
    assert ((before > 0) == result.covered_before).all()
    opened = [dataclasses.replace(f, status="open") for f in planned_facilities(canteen_plan)]
    after = _engine_counts(canteen_plan, demo, opened)
    assert ((after > 0) == result.covered).all()
    newly = result.covered & ~result.covered_before
    people = canteen_plan.problem.weights[newly].sum()
    assert people == pytest.approx(result.objective) and people > 0


def test_saved_plan_becomes_planned_facilities_in_a_new_version(
    tmp_path: Path, canteen_plan: SitePlan
) -> None:
    project, _ = build_demo(tmp_path / "demo", area="helsinki")
    version = save_plan(canteen_plan, project, author="test")
    assert version is not None
    with project.open_store() as store:
        planned = [
            r
            for r in store.records("facility")
            if isinstance(r, Facility) and r.status == "planned"
        ]
    assert {p.type_code for p in planned} == {CANTEEN}
    assert len(planned) == 2
    assert save_plan(canteen_plan, project, author="test") is None  # same plan: no new version
    again = plan_sites(project, CANTEEN, n_sites=2, profile="elderly")
    assert again.result.chosen == canteen_plan.result.chosen  # planned sites are not yet open


def test_capacities_limit_the_people_each_sheet_site_serves(
    demo: Project, canteen_plan: SitePlan, tmp_path: Path
) -> None:
    chosen = [canteen_plan.candidates[j] for j in canteen_plan.result.chosen]
    sheet = tmp_path / "candidates.csv"
    rows = ["名称,经度,纬度,容量,费用"] + [
        f"候选{k},{c.lon},{c.lat},300,{k}万" for k, c in enumerate(chosen, start=1)
    ]
    sheet.write_text("\n".join(rows), encoding="utf-8")
    sites = read_candidates(sheet)
    assert [s.capacity for s in sites] == [300.0, 300.0]
    assert [s.cost for s in sites] == [10_000.0, 20_000.0]
    plan = plan_sites(
        demo, CANTEEN, n_sites=2, profile="elderly", sheet_candidates=sites, use_osm=False
    )
    loads = plan.problem.weights @ plan.result.exact.assigned.toarray()
    assert np.all(loads <= 300.0 + 1e-6) and loads.sum() == pytest.approx(600.0)
    assert plan.result.objective == pytest.approx(600.0)
    assert plan.result.optimal


def test_walking_coverage_agrees_with_the_engines_counts(canteen_plan: SitePlan) -> None:
    # the candidates as one temporary facility type: entrance_access counts them per compound
    data, profile = canteen_plan.data, canteen_plan.profile
    sites = [Facility(c.source_id, c.name, "t", c.lon, c.lat) for c in canteen_plan.candidates]
    points = build_walk(data, profile, facilities=sites)  # the one walk every face measures on
    nodes, owner = points.facility_nodes, points.facility_of_point
    limit = canteen_plan.limit
    costs = gate_costs(points, nodes, owner, n_sites=len(sites), limit=limit)
    counts = entrance_access(
        points.graph, points.entrance_nodes, {"t": nodes}, owners={"t": owner},
        entrance_owner=points.entrance_owner, limits=[limit],
    ).compounds.counts[:, 0, 0]  # fmt: skip
    assert np.diff(costs.indptr).tolist() == counts.tolist()
    assert costs.nnz == canteen_plan.problem.coverage.nnz > 0
    assert costs.data.max() <= limit
