"""Shared fixtures: one project factory for every configuration the tests need."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from lifecircle.jobs.imports import import_osm
from lifecircle.project import Project, init_project

DATA = Path(__file__).parent / "data"
SMALL_OSM = DATA / "osm" / "test.osm.pbf"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the slow end-to-end tests out of a plain run; CI sets LIFECIRCLE_TEST_ALL=1.

    An explicit ``-m`` expression (e.g. ``-m slow``) decides on its own.
    """
    if os.environ.get("LIFECIRCLE_TEST_ALL") == "1" or config.getoption("markexpr"):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """Create a project in tmp_path; ``osm=`` imports an extract into it first."""
    counter = iter(range(1000))

    def factory(*, name: str = "测试街道", code: str = "", osm: Path | None = None) -> Project:
        project = init_project(tmp_path / f"p{next(counter)}", name=name, code=code)
        if osm is not None:
            import_osm(project, osm, author="test")
        return project

    return factory
