"""The desk configuration: the packaged file is complete, and a mistake names file, entry, field."""

from __future__ import annotations

import pytest

from lifecircle.desk.config import load_desk_config, packaged_config_text, parse_desk_config
from lifecircle.errors import ConfigError, DeskError


def test_the_packaged_file_has_the_published_limits():
    config = load_desk_config()
    limits = {
        code: (t.response.text, t.response.clock, t.resolution.text)
        for code, t in config.tiers.items()
    }
    assert limits == {
        "emergency": ("2h", "natural", "2h"),
        "utility": ("2h", "working", "24h"),
        "general": ("2h", "working", "7d"),
        "complex": ("2h", "working", "15d"),
    }
    private = {c.code for c in config.categories if c.private}
    assert private == {"neighbour_dispute", "family_contact", "welfare"}
    walking = {c.code for c in config.categories if c.walking}
    assert {"path_damage", "blocked_access", "footbridge"} <= walking
    assert {d.code for d in config.departments} >= {
        "property",
        "housing",
        "urban_management",
        "police",
        "justice",
        "water",
        "heating",
    }
    assert config.working_time.years == {2026}
    assert config.working_time.day_minutes == 450


def _with(old: str, new: str) -> str:
    text = packaged_config_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('resolution = "7d"', 'resolution = "seven days"', ("tiers.general", "resolution")),
        (
            'response_clock = "working"',
            'response_clock = "office"',
            ("tiers.utility", "response_clock"),
        ),
        ('tier = "utility"', 'tier = "urgent"', ("categories[0]", "tier")),
        ('code = "water_leak"', 'code = "Water Leak"', ("categories[0]", "code")),
        ("radius_m = 30", "radius_m = -5", ("categories[0]", "radius_m")),
        ("household = true", 'household = "yes"', ("categories[0]", "household")),
        ('"2026-01-01..2026-01-03"', '"2026-01-03..2026-01-01"', ("working_time", "holidays")),
        (
            '[["08:30", "12:00"], ["13:30", "17:30"]]',
            '[["13:30", "17:30"], ["11:30", "14:00"]]',
            ("working_time", "periods"),
        ),
        ('timezone = "Asia/Shanghai"', 'timezone = "Beijing"', ("working_time", "timezone")),
        ('report_in = "24h"', 'report_in = "soon"', ("departments[0]", "report_in")),
    ],
)
def test_a_bad_value_names_the_file_entry_and_field(old: str, new: str, named: tuple[str, str]):
    with pytest.raises(ConfigError) as info:
        parse_desk_config(_with(old, new), path="mine.toml")
    text = str(info.value)
    assert text.startswith("mine.toml, " + named[0]) and f": {named[1]} = " in text
    assert "mine.toml 的 " + named[0] in info.value.message("zh")


def test_a_repeated_code_and_broken_toml_are_refused():
    twice = (
        packaged_config_text()
        + '\n[[categories]]\ncode = "other"\nname_zh = "x"\nname_en = "x"\n'
        + 'group = "x"\ntier = "general"\n'
    )
    with pytest.raises(ConfigError, match="'other' appears more than once"):
        parse_desk_config(twice, path="mine.toml")
    with pytest.raises(ConfigError) as info:
        parse_desk_config("tiers = [", path="mine.toml")
    assert info.value.msg.key == "error.config.bad_toml"


def test_the_project_may_bring_its_own_file(make_project, tmp_path):
    project = make_project()
    own = project.root / "desk.toml"
    own.write_text(_with('resolution = "7d"', 'resolution = "5d"'), encoding="utf-8")
    (project.root / "lifecircle.toml").write_text(
        (project.root / "lifecircle.toml")
        .read_text(encoding="utf-8")
        .replace("[settings]\n", '[settings]\ndesk_config_path = "desk.toml"\n'),
        encoding="utf-8",
    )
    from lifecircle.project import open_project

    config = load_desk_config(open_project(project.root))
    assert config.tiers["general"].resolution.text == "5d"
    with pytest.raises(DeskError) as info:
        config.category("no_such")
    assert info.value.field == "category" and "water_leak" in str(info.value)
