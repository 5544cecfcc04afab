"""The care configuration: the packaged defaults, and mistakes named by entry and field."""

from __future__ import annotations

import re

import pytest

from lifecircle.care.config import Interval, load_care_config, packaged_care_text, parse_care_config
from lifecircle.errors import ConfigError


def test_the_packaged_defaults_follow_the_guidance() -> None:
    config = load_care_config()
    by_code = {lv.code: lv for lv in config.levels}
    assert by_code["high"].interval == Interval(7, "d") and by_code["high"].after_change_h == 24
    assert by_code["key"].interval == Interval(1, "mo")
    assert by_code["general"].interval == Interval(3, "mo")
    assert config.categories == ("独居", "空巢", "留守", "失能", "重残", "计划生育特殊家庭")
    assert config.urgent.step_due_min() == {"ring": 15, "door": 60, "contacts": 90}
    assert config.min_count == 5


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('interval = "7d"', 'interval = "weekly"', "levels[0]: interval"),
        ('after_change = "24h"', 'after_change = "1d"', "levels[0]: after_change"),
        ("door_within_min = 60", "door_within_min = 5", "urgent: door_within_min"),
        ("min_count = 5", "min_count = 0", "planning: min_count"),
    ],
)
def test_a_wrong_value_names_its_entry_and_field(old: str, new: str, named: str) -> None:
    text = packaged_care_text()
    assert old in text
    with pytest.raises(ConfigError, match=re.escape(named)):
        parse_care_config(text.replace(old, new, 1), path="my-care.toml")
