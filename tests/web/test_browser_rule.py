"""Without Chromium the browser tests skip locally and fail on CI (LIFECIRCLE_REQUIRE_BROWSER=1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import web_fixtures


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setattr(web_fixtures, "CHROMIUM", Path(tmp_path / "nothing"))
    monkeypatch.setattr(web_fixtures.shutil, "which", lambda name: None)


def test_missing_chromium_skips_locally(no_chromium, monkeypatch):
    monkeypatch.delenv("LIFECIRCLE_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception):
        web_fixtures.chromium_path()


def test_missing_chromium_fails_on_ci(no_chromium, monkeypatch):
    monkeypatch.setenv("LIFECIRCLE_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="Chromium"):
        web_fixtures.chromium_path()
