"""The one set of rules: shown minutes (rounded up) and the verdict can never disagree."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lifecircle.engine.profiles import ELDERLY, PLANNING, STANDARD
from lifecircle.engine.rules import (
    Reach,
    count_within,
    inclusive,
    is_missing,
    level_limit,
    level_text,
    minutes_limit,
    shown_text,
    shown_value,
    verdict,
    within,
)
from lifecircle.errors import ConfigError


@pytest.mark.parametrize(
    ("minutes", "shown", "missing"),
    [(5.0, 5, False), (14.96, 15, False), (15.0, 15, False), (15.04, 16, True), (0.0, 1, False)],
)
def test_the_hand_checked_minutes(minutes, shown, missing):
    cost = minutes * 60.0
    got = verdict(cost, STANDARD, level_min=15, required=True, collected=True)
    assert (got.value, got.missing) == (shown, missing)
    assert shown_text(cost, STANDARD, "zh") == f"{shown}分钟"
    assert shown_text(cost, STANDARD, "en") == f"{shown} min"


def test_a_shown_value_within_the_level_is_never_missing_and_vice_versa():
    rng = np.random.default_rng(7)
    for profile in (STANDARD, ELDERLY, PLANNING):
        for level in (5, 10, 15):
            limit = level_limit(profile, level)
            costs = np.concatenate(
                [
                    rng.uniform(0, 2 * limit, 2000),
                    limit * (1 + np.array([-1e-12, 0, 1e-12, 1e-10, 1e-9, 2e-9, 1e-6])),
                    [np.nextafter(limit, 0), np.nextafter(limit, np.inf), inclusive(limit)],
                ]
            )
            level_shown = round(limit / 60) if profile.convention == "time" else round(limit)
            for cost in costs.tolist():
                got = verdict(cost, profile, level_min=level, required=True, collected=True)
                assert got.missing == (got.value > level_shown)
                assert got.missing == (not within(cost, limit))
                assert got.missing == is_missing(
                    cost, level, profile, required=True, collected=True
                )


def test_unreached_is_missing_for_required_types_and_beyond_for_as_needed_ones():
    assert (
        verdict(math.inf, STANDARD, level_min=10, required=True, collected=True).reach
        is Reach.missing
    )
    beyond = verdict(math.inf, STANDARD, level_min=10, required=False, collected=True)
    assert (beyond.value, beyond.reach, beyond.missing) == (None, Reach.beyond, False)
    assert shown_text(math.inf, STANDARD, "zh") == "—"


def test_the_planning_profile_shows_metres_to_the_next_ten():
    assert [shown_value(m, PLANNING) for m in (0.0, 300.0, 300.5, 1000.0, 1001.0)] == [
        10,
        300,
        310,
        1000,
        1010,
    ]
    assert verdict(300.0, PLANNING, level_min=5, required=True, collected=True).unit == "m"
    assert verdict(300.5, PLANNING, level_min=5, required=True, collected=True).missing
    assert level_text(PLANNING, 15, "zh") == "1000米" and level_text(STANDARD, 15, "en") == "15 min"


def test_minutes_beyond_the_levels_are_time_only():
    assert minutes_limit(STANDARD, 20) == 1200.0
    assert minutes_limit(PLANNING, 15) == 1000.0
    with pytest.raises(ConfigError, match="planning-distance convention"):
        minutes_limit(PLANNING, 20)


def test_a_type_not_collected_is_neither_within_nor_missing():
    for required in (True, False):
        got = verdict(math.inf, STANDARD, level_min=10, required=required, collected=False)
        assert (got.value, got.reach, got.missing, got.collected) == (
            None,
            Reach.not_collected,
            False,
            False,
        )
        assert not is_missing(math.inf, 10, STANDARD, required=required, collected=False)
    # once collected (a sheet declared complete), the same absence is a gap
    declared = verdict(math.inf, STANDARD, level_min=10, required=True, collected=True)
    assert (declared.reach, declared.missing) == (Reach.missing, True)


def test_a_reached_facility_is_judged_whatever_collected_says():
    for cost, reach in ((300.0, Reach.within), (902.4, Reach.missing)):
        got = verdict(cost, STANDARD, level_min=15, required=True, collected=False)
        assert got.reach is reach


def test_counting_within_over_an_array_agrees_with_within_one_by_one():
    limit = 900.0
    edge = [0.0, 899.9, 900.0, 900.0 * (1 + 1e-12), 900.0 * (1 + 1e-6), 900.1, math.inf]
    rng = np.random.default_rng(3)
    costs = np.concatenate([edge, rng.uniform(800.0, 1000.0, 2000), [math.nan]])
    assert count_within(costs, limit) == sum(within(float(c), limit) for c in costs)
    assert count_within(np.array([math.inf, 0.0]), math.inf) == 1
