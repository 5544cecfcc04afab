from dataclasses import fields
from pathlib import Path

import pytest

from lifecircle.config import SETTING_HELP, Settings, apply_overrides, load_settings
from lifecircle.errors import ConfigError


def test_every_setting_is_documented_in_the_registry_and_readme():
    names = {f.name for f in fields(Settings)}
    assert names == set(SETTING_HELP)
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for name in names:
        assert f"`{name}`" in readme, f"README settings table lacks {name}"


def test_precedence_defaults_project_file_environment_cli(tmp_path):
    (tmp_path / "lifecircle.toml").write_text(
        '[area]\nname = "x"\n[settings]\nsnap_max_m = 200\nlanguage = "en"\n', encoding="utf-8"
    )
    settings = load_settings(tmp_path, environ={})
    assert settings.snap_max_m == 200.0 and settings.language == "en"
    settings = load_settings(tmp_path, environ={"LIFECIRCLE_SNAP_MAX_M": "150"})
    assert settings.snap_max_m == 150.0
    settings = load_settings(
        tmp_path, environ={"LIFECIRCLE_SNAP_MAX_M": "150"}, cli_overrides={"snap_max_m": "120"}
    )
    assert settings.snap_max_m == 120.0
    assert settings.network_buffer_m == Settings().network_buffer_m


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"snap_max_n": "1"}, "unknown setting 'snap_max_n'"),
        ({"snap_max_m": "far"}, r"'snap_max_m' must be a float, got 'far'"),
        ({"snap_max_m": "-5"}, "must be positive"),
        ({"language": "fr"}, "'zh' or 'en'"),
    ],
)
def test_bad_settings_are_named(values, fragment):
    with pytest.raises(ConfigError, match=fragment):
        apply_overrides(Settings(), values, origin="test")


def test_broken_project_file_names_the_file(tmp_path):
    (tmp_path / "lifecircle.toml").write_text("[area\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"lifecircle\.toml: not a valid TOML"):
        load_settings(tmp_path, environ={})
