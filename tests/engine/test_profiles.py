"""One registry of walking profiles, read by the CLI, the API and the README."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lifecircle.api.app import create_app
from lifecircle.cli import main
from lifecircle.engine.profiles import DEFAULT_PROFILES, PROFILES, get_profile
from tests.web_fixtures import test_client

README = Path(__file__).parents[2] / "README.md"


def test_every_profile_is_described_in_the_readme_with_its_speed():
    text = README.read_text(encoding="utf-8")
    for name, profile in PROFILES.items():
        assert f"`{name}`" in text, name
        if profile.convention == "time":
            assert f"{profile.speed_mps:g} m/s" in text, name
    assert set(DEFAULT_PROFILES) <= set(PROFILES)


def test_the_cli_offers_exactly_the_registered_profiles():
    for command in (["access"], ["gaps"], ["plan"], ["boards"]):
        help_text = CliRunner().invoke(main, [*command, "--help"]).output
        listed = help_text.split("--profile", 1)[1].split("[", 1)[1].split("]", 1)[0]
        assert listed.replace(" ", "").replace("\n", "").split("|") == list(PROFILES), command


def test_the_api_accepts_exactly_the_registered_profiles(make_project):
    app = create_app(make_project(), area=object())  # the OpenAPI page needs no area
    spec = test_client(app).get("/openapi.json").json()
    params = spec["paths"]["/api/access/point"]["get"]["parameters"]
    (profile,) = [p for p in params if p["name"] == "profile"]
    assert profile["schema"]["enum"] == list(PROFILES)
    assert get_profile("planning").convention == "distance"
