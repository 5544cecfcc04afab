"""Gap rows and summaries on a hand-made access table (numbers checkable by hand)."""

from __future__ import annotations

import numpy as np
import pytest

from lifecircle.engine.gaps import (
    CompoundAccessTable,
    circle_reports,
    coverage_by_area,
    gap_rows,
    top_missing,
)
from lifecircle.engine.profiles import ELDERLY, PLANNING
from lifecircle.model import Compound, Facility
from lifecircle.taxonomy import load_taxonomy

TAX = load_taxonomy()
TYPES = ("kindergarten", "primary_school", "gym", "pharmacy")
INF = np.inf


def compounds():
    return [
        Compound(
            "c1", "一号院", 0, 0, community="甲社区", residents=1000, elderly=300, children=50
        ),
        Compound("c2", "二号院", 0, 0, community="甲社区", residents=500, elderly=100, children=20),
        Compound("c3", "三号院", 0, 0, community="乙社区", residents=None),
    ]


FACILITIES = [
    Facility("f0", "幼儿园A", "kindergarten", 0, 0),
    Facility("f1", "药店B", "pharmacy", 0, 0),
]


def table(profile=ELDERLY):
    # rows: c1, c2, c3; columns: TYPES
    cost = np.array(
        [
            [200.0, 500.0, INF, 100.0],  # c1: all reached (gym as-needed, missing allowed)
            [400.0, 700.0, 300.0, 250.0],  # c2: kindergarten 6.7 min > 5, school 11.7 > 10
            [INF, INF, INF, INF],  # c3: nothing reachable
        ]
    )
    nearest = np.array([[0, -1, -1, 1], [0, -1, -1, 1], [-1, -1, -1, -1]])
    within = {level: (cost <= level * 60).astype(int) for level in (5, 10, 15)}
    return CompoundAccessTable(profile, TYPES, cost, nearest, within)


def test_rows_mark_required_types_missing_within_their_level():
    rows = gap_rows(table(), compounds=compounds(), facilities=FACILITIES, taxonomy=TAX)
    assert len(rows) == 3 * 4
    by = {(r.compound_id, r.type): r for r in rows}
    assert not by[("c1", "kindergarten")].missing
    assert by[("c1", "kindergarten")].nearest_min == 4  # 3.3 min, shown rounded up
    assert by[("c1", "kindergarten")].nearest_facility_name == "幼儿园A"
    assert by[("c2", "kindergarten")].missing and by[("c2", "primary_school")].missing
    assert not by[("c2", "gym")].missing and not by[("c3", "gym")].missing  # △ never missing
    assert by[("c3", "pharmacy")].nearest_min is None and by[("c3", "pharmacy")].missing
    assert {r.profile for r in rows} == {"elderly"}


def test_coverage_share_by_community():
    rows = gap_rows(table(), compounds=compounds(), facilities=FACILITIES, taxonomy=TAX)
    cov = {(c.group, c.content_area): c for c in coverage_by_area(rows)}
    education = cov[("甲社区", "education")]
    assert (education.compounds, education.compounds_covered) == (2, 1)
    assert education.share == pytest.approx(1000 / 1500)
    assert cov[("甲社区", "health")].share == pytest.approx(1.0)
    assert cov[("乙社区", "health")].residents == 0 and cov[("乙社区", "health")].share is None


def test_top_missing_ranks_by_people_affected():
    rows = gap_rows(table(), compounds=compounds(), facilities=FACILITIES, taxonomy=TAX)
    top = [m for m in top_missing(rows) if m.group == "甲社区" and m.profile == "elderly"]
    assert [(m.type, m.compounds, m.residents, m.elderly) for m in top] == [
        ("kindergarten", 1, 500, 100),
        ("primary_school", 1, 500, 100),
    ]


def test_distance_convention_reports_metres():
    cost = np.array([[250.0, 900.0, INF, 310.0]])
    t = CompoundAccessTable(
        PLANNING,
        TYPES,
        cost,
        np.full((1, 4), -1),
        {level: (cost <= PLANNING.threshold(level)).astype(int) for level in (5, 10, 15)},
    )
    [kg, school, _, pharmacy] = gap_rows(t, compounds=compounds()[:1], facilities=[], taxonomy=TAX)
    assert kg.nearest_m == 250.0 and kg.nearest_min is None and not kg.missing  # ≤ 300 m
    assert school.missing  # 900 m > 500 m
    assert pharmacy.missing  # 310 m > 300 m


def test_circles_need_every_listed_type():
    codes = TAX.circle("health_15min").type_codes
    cost = np.full((2, len(codes)), 100.0)
    cost[1, 0] = INF
    t = CompoundAccessTable(
        ELDERLY,
        tuple(codes),
        cost,
        np.full(cost.shape, -1),
        {level: (cost <= level * 60).astype(int) for level in (5, 10, 15)},
    )
    [report] = [
        r
        for r in circle_reports(t, compounds=compounds()[:2], taxonomy=TAX)
        if r.code == "health_15min"
    ]
    assert (report.compounds, report.compounds_complete) == (2, 1)
    assert report.residents_complete == 1000
    assert report.lacking[codes[0]] == 1
