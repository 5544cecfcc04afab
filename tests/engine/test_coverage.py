"""Coverage per required type, then per content area, on the hand-made rows of test_gaps."""

from __future__ import annotations

import numpy as np
import pytest

from lifecircle.engine.coverage import (
    WHOLE_AREA,
    coverage_by_area,
    coverage_by_type,
    uncollected_types,
)
from lifecircle.engine.gaps import CompoundAccessTable, gap_rows
from lifecircle.engine.profiles import ELDERLY
from tests.engine.test_gaps import COLLECTED, FACILITIES, TAX, compounds, rows


def test_per_type_counts_compounds_and_weights_residents():
    found = {c.type: c for c in coverage_by_type(rows()) if c.group == WHOLE_AREA}
    assert "gym" not in found  # as-needed types are not summarised
    kindergarten = found["kindergarten"]  # c1 only (1,000 of 1,500 known residents)
    assert (kindergarten.compounds, kindergarten.compounds_within) == (3, 1)
    assert kindergarten.share_compounds == pytest.approx(1 / 3)
    assert kindergarten.share_residents == pytest.approx(1000 / 1500)
    pharmacy = found["pharmacy"]  # c1 and c2; c3's residents are unknown (counted as 0)
    assert (pharmacy.compounds_within, pharmacy.share_residents) == (2, pytest.approx(1.0))
    assert not kindergarten.full and not pharmacy.full
    breakfast = found["breakfast_shop"]  # declared complete, none reachable
    assert (breakfast.collected, breakfast.compounds_within, breakfast.share_residents) == (
        True,
        0,
        0.0,
    )


def test_a_type_not_collected_has_no_shares_rather_than_zero():
    health = next(c for c in coverage_by_type(rows()) if c.type == "community_health_station")
    assert not health.collected and not health.full
    assert health.compounds_within is None and health.share_compounds is None
    assert health.share_residents is None and health.compounds == 3


def test_per_community_types_and_the_strict_rule():
    cov = {(c.group, c.content_area): c for c in coverage_by_area(rows())}
    education = cov[("甲社区", "education")]  # c2 lacks both: neither type covers all
    assert (education.required_types, education.types_full, education.not_collected) == (2, 0, ())
    assert (education.compounds, education.compounds_all_within) == (2, 1)
    assert education.share == pytest.approx(1000 / 1500)
    health = cov[("甲社区", "health")]  # pharmacy covers both; the health station: no data
    assert (health.required_types, health.types_full) == (2, 1)
    assert health.not_collected == ("community_health_station",)
    assert (health.compounds_all_within, health.share) == (2, pytest.approx(1.0))
    sports = cov[("甲社区", "sports")]  # only an as-needed type: everyone is covered
    assert (sports.required_types, sports.compounds_all_within) == (0, 2)
    convenience = cov[("甲社区", "convenience")]
    assert (convenience.types_full, convenience.compounds_all_within) == (0, 0)
    lone = cov[("乙社区", "health")]
    assert lone.compounds_all_within == 0 and lone.residents == 0 and lone.share is None


def test_an_area_whose_required_types_are_all_not_collected_cannot_be_judged():
    codes = ("community_health_station",)
    cost = np.full((3, 1), np.inf)
    within = {level: np.zeros((3, 1), dtype=int) for level in (5, 10, 15)}
    table = CompoundAccessTable(ELDERLY, codes, cost, np.full((3, 1), -1), within)
    found = gap_rows(
        table, compounds=compounds(), facilities=FACILITIES, taxonomy=TAX, collected=COLLECTED
    )
    [area] = coverage_by_area(found, group_by=None)
    assert (area.group, area.content_area, area.required_types) == (WHOLE_AREA, "health", 1)
    assert area.compounds_all_within is None and area.share is None
    assert area.not_collected == codes


def test_uncollected_types_lists_required_ones_first():
    gone = uncollected_types(TAX, COLLECTED | {t.code for t in TAX.types if not t.required})
    assert [u.type for u in gone][:3] == [
        t.code for t in TAX.types if t.required and t.code not in COLLECTED
    ][:3]
    assert all(u.required for u in gone)
    assert "community_health_station" in {u.type for u in gone}
    assert not uncollected_types(TAX, {t.code for t in TAX.types})
