"""Fixtures of the board tests: the demo project, built once, and a few rendered boards."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecircle.boards import make_boards
from lifecircle.jobs.demo import build_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The packaged demo project (real OSM of central Helsinki, demo boards)."""
    project, _ = build_demo(tmp_path_factory.mktemp("boards") / "demo")
    return project


@pytest.fixture(scope="session")
def rendered(demo, tmp_path_factory):
    """Every demo board on A1, rendered in two worker processes as the CLI does."""
    out = tmp_path_factory.mktemp("out") / "boards"
    return make_boards(demo, out, paper="A1", workers=2)


@pytest.fixture(scope="session")
def rendered_a4(demo, tmp_path_factory):
    """One demo board on A4."""
    out: Path = tmp_path_factory.mktemp("out_a4") / "boards"
    return make_boards(demo, out, board_ids=("demo-gate-1",), paper="A4", workers=1)
