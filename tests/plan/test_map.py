"""The plan map explains the plan: names, gates and the lines walks take, scale, north, warning."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from lifecircle.jobs.demo import build_demo
from lifecircle.plan.map import compound_states, plan_svg
from lifecircle.plan.mapparts import M_PER_DEG, gate_lines, scale_bar
from lifecircle.plan.outputs import short_warning, write_plan
from lifecircle.plan.report import plan_report
from lifecircle.plan.sites import SitePlan, coverage_problem, plan_sites
from lifecircle.project import Project


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project, _ = build_demo(tmp_path_factory.mktemp("plan_map") / "demo", area="helsinki")
    return project


@pytest.fixture(scope="module")
def canteen(demo: Project) -> SitePlan:
    return plan_sites(demo, "elderly_canteen", n_sites=2, profile="elderly")


def _new_pairs(plan: SitePlan) -> list[tuple[int, int]]:
    states = compound_states(plan)
    assigned = plan.result.exact.assigned.tocoo()
    chosen = set(plan.result.chosen)
    return [
        (int(i), int(j))
        for i, j in zip(assigned.row, assigned.col, strict=True)
        if int(j) in chosen and states[int(i)] in ("new", "partial")
    ]


def test_each_newly_covered_compound_is_joined_to_its_site_from_the_gate_its_walk_uses(
    demo: Project, canteen: SitePlan
) -> None:
    pairs = _new_pairs(canteen)
    assert pairs, "the demo plan covers nobody new?"
    lines = gate_lines(canteen, lambda lon, lat: (lon, lat), compound_states(canteen))
    assert len(lines) == len(pairs)
    assert canteen.gate_of is not None and canteen.gate_lonlat is not None
    only_gate = list(canteen.data.compounds)
    for i, j in pairs:
        lon, lat = canteen.gate_lonlat[int(canteen.gate_of[i, j]) - 1]
        compound = canteen.data.compounds[i]
        gates = compound.entrances or ((compound.lon, compound.lat),)
        assert min(np.hypot(g[0] - lon, g[1] - lat) for g in gates) < 1e-9  # its own gate
        only_gate[i] = dataclasses.replace(compound, entrances=((float(lon), float(lat)),))
    # the engine again, each compound reduced to the gate drawn: the walks cost the same
    data = dataclasses.replace(canteen.data, compounds=tuple(only_gate))
    again, *_ = coverage_problem(
        data, canteen.profile, ftype=canteen.ftype, candidates=canteen.candidates,
        weight=canteen.weight, limit=canteen.limit, snap_max_m=demo.settings.snap_max_m,
    )  # fmt: skip
    for i, j in pairs:
        assert again.walk_cost[i, j] == pytest.approx(canteen.problem.walk_cost[i, j])


def test_the_map_names_sites_and_compounds_and_has_scale_north_and_credit(
    canteen: SitePlan,
) -> None:
    svg = plan_svg(canteen, title="T", subtitle="S", lang="zh")
    text = re.sub(r"<[^>]+>", "|", svg)
    for j in canteen.result.chosen:
        assert (canteen.candidates[j].name or "（无名称的地点）") in text
    states = compound_states(canteen)
    new = [c.name for c, s in zip(canteen.data.compounds, states, strict=True) if s == "new"]
    assert any(name in text for name in new)
    assert "|北|" in text and re.search(r"\|\d+ (米|公里)\|", text)
    assert "© OpenStreetMap contributors" in text
    assert "#c8102e" not in svg  # no warning: a max-cover plan claims nothing about everyone


def test_the_scale_bar_is_as_long_as_it_says() -> None:
    parts = "".join(scale_bar(0.5, x=0, y=0, width=1200, lang="zh"))
    assert "250 米" in parts  # the longest round length within a fifth of 1,200 px
    halves = re.findall(r'<rect x="[\d.]+" y="-6" width="([\d.]+)"', parts)
    assert sum(float(w) for w in halves) == pytest.approx(250 * 0.5)  # black and white halves
    assert abs(M_PER_DEG - 111_195) < 100


def test_cover_all_that_cannot_reach_everyone_says_so_in_red_and_asks_for_candidates(
    demo: Project, tmp_path: Path
) -> None:
    plan = plan_sites(demo, "day_care_centre", n_sites=None, profile="elderly")
    report = plan_report(plan, n_sites=None, lang="zh")
    assert report.short_of_all and plan.result.uncoverable
    warning = short_warning(report, "zh")
    assert str(len(plan.result.uncoverable)) in warning and "--candidates" in warning
    write_plan(plan, report, tmp_path, lang="zh")
    svg = (tmp_path / "plan_map.svg").read_text(encoding="utf-8")
    assert re.search(r'fill="#c8102e">未能覆盖全部小区', svg)
    notes = load_workbook(tmp_path / "plan.xlsx")["说明"]
    assert notes["A1"].value == warning and notes["A1"].font.color.rgb.endswith("C8102E")
    values = {row[0]: row[1] for row in notes.iter_rows(min_row=2, values_only=True)}
    assert values["精确解达到目标"].startswith("否")  # not 是 beside compounds nobody reaches
    assert values["步行口径"] == "按老年人每分钟约 55 米计"
    assert "m/s" not in str(values) and "elderly" not in str(values)
