"""Gap rows, rankings and circles on a hand-made access table (numbers checkable by hand)."""

from __future__ import annotations

import numpy as np

from lifecircle.engine.gaps import CompoundAccessTable, circle_reports, gap_rows, top_missing
from lifecircle.engine.profiles import ELDERLY, PLANNING
from lifecircle.model import Compound, Facility
from lifecircle.taxonomy import load_taxonomy

TAX = load_taxonomy()
#: kindergarten ▲5, primary_school ▲10, gym △10, pharmacy ▲5, community_health_station ▲10
#: (no facility, not collected), breakfast_shop ▲10 (no facility, but a sheet declared complete).
TYPES = (
    "kindergarten",
    "primary_school",
    "gym",
    "pharmacy",
    "community_health_station",
    "breakfast_shop",
)
COLLECTED = frozenset(TYPES) - {"community_health_station"}
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
    # rows: c1, c2, c3; columns: TYPES (seconds)
    cost = np.array(
        [
            [200.0, 500.0, INF, 100.0, INF, INF],  # c1: kindergarten 3.3 min, school 8.3 min
            [400.0, 700.0, 300.0, 250.0, INF, INF],  # c2: kindergarten 6.7 > 5, school 11.7 > 10
            [INF, INF, INF, INF, INF, INF],  # c3: nothing reachable
        ]
    )
    nearest = np.full(cost.shape, -1)
    nearest[:2, 0], nearest[:2, 3] = 0, 1
    within = {level: (cost <= level * 60).astype(int) for level in (5, 10, 15)}
    return CompoundAccessTable(profile, TYPES, cost, nearest, within)


def rows():
    return gap_rows(
        table(), compounds=compounds(), facilities=FACILITIES, taxonomy=TAX, collected=COLLECTED
    )


def test_rows_mark_required_types_missing_within_their_level():
    found = rows()
    assert len(found) == 3 * len(TYPES)
    by = {(r.compound_id, r.type): r for r in found}
    assert not by[("c1", "kindergarten")].missing
    assert by[("c1", "kindergarten")].nearest_min == 4  # 3.3 min, shown rounded up
    assert by[("c1", "kindergarten")].nearest_facility_name == "幼儿园A"
    assert by[("c2", "kindergarten")].missing and by[("c2", "primary_school")].missing
    assert not by[("c2", "gym")].missing and not by[("c3", "gym")].missing  # △ never missing
    assert by[("c3", "pharmacy")].nearest_min is None and by[("c3", "pharmacy")].missing
    assert {r.profile for r in found} == {"elderly"}


def test_a_type_with_no_data_is_not_collected_and_a_declared_one_is_missing():
    by = {(r.compound_id, r.type): r for r in rows()}
    for compound in ("c1", "c2", "c3"):
        unknown = by[(compound, "community_health_station")]
        assert (unknown.reach, unknown.missing) == ("not_collected", False)
        declared = by[(compound, "breakfast_shop")]  # none anywhere, but the sheet is complete
        assert (declared.reach, declared.missing) == ("missing", True)
    assert by[("c1", "kindergarten")].reach == "within"
    assert by[("c1", "gym")].reach == "beyond"


def test_top_missing_ranks_by_people_affected_and_never_lists_types_not_collected():
    top = [m for m in top_missing(rows()) if m.group == "甲社区" and m.profile == "elderly"]
    assert [(m.type, m.compounds, m.residents, m.elderly) for m in top] == [
        ("breakfast_shop", 2, 1500, 400),
        ("kindergarten", 1, 500, 100),
        ("primary_school", 1, 500, 100),
    ]


def test_distance_convention_reports_metres():
    cost = np.array([[250.0, 900.0, INF, 310.0, INF, INF]])
    t = CompoundAccessTable(
        PLANNING,
        TYPES,
        cost,
        np.full((1, len(TYPES)), -1),
        {level: (cost <= PLANNING.threshold(level)).astype(int) for level in (5, 10, 15)},
    )
    kg, school, _, pharmacy, *_ = gap_rows(
        t, compounds=compounds()[:1], facilities=[], taxonomy=TAX, collected=COLLECTED
    )
    assert kg.nearest_m == 250.0 and kg.nearest_min is None and not kg.missing  # ≤ 300 m
    assert school.missing  # 900 m > 500 m
    assert pharmacy.missing  # 310 m > 300 m


def _circle(code, cost, collected):
    codes = TAX.circle(code).type_codes
    t = CompoundAccessTable(
        ELDERLY,
        tuple(codes),
        cost,
        np.full(cost.shape, -1),
        {level: (cost <= level * 60).astype(int) for level in (5, 10, 15)},
    )
    reports = circle_reports(t, compounds=compounds()[:2], taxonomy=TAX, collected=collected)
    return next(r for r in reports if r.code == code), codes


def test_circles_need_every_listed_type():
    codes = TAX.circle("health_15min").type_codes
    cost = np.full((2, len(codes)), 100.0)
    cost[1, 0] = INF
    report, _ = _circle("health_15min", cost, set(codes))
    assert (report.compounds, report.compounds_complete) == (2, 1)
    assert report.residents_complete == 1000
    assert report.lacking[codes[0]] == 1 and report.not_collected == ()


def test_circles_judge_only_the_collected_types_and_name_the_others():
    codes = TAX.circle("health_15min").type_codes
    cost = np.full((2, len(codes)), 100.0)
    cost[:, 0] = INF  # nobody reaches the first type: it is not collected
    report, _ = _circle("health_15min", cost, set(codes[1:]))
    assert (report.compounds_complete, report.not_collected) == (2, (codes[0],))
    assert codes[0] not in report.lacking
    nothing, _ = _circle("health_15min", np.full((2, len(codes)), INF), set())
    assert nothing.compounds_complete is None and nothing.residents_complete is None
