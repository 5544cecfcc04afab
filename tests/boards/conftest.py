"""Fixtures of the board tests: the demo project, built once, and a few rendered boards.

The demo serves on localhost, which the print checks refuse for real boards; the fixture
gives it a public address (an example domain) as a 街道 would before printing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecircle.boards import make_boards
from lifecircle.boards.fonts import BoardFonts, subset_fonts
from lifecircle.config import PROJECT_FILE
from lifecircle.jobs.demo import build_demo
from lifecircle.project import open_project

PUBLIC_URL = "https://shequ.example.cn/lifecircle"


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The packaged demo project (real OSM of Xinjiekou, Nanjing; demo boards), made public."""
    project, _ = build_demo(tmp_path_factory.mktemp("boards") / "demo")
    path = project.root / PROJECT_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f'public_base_url = "{PUBLIC_URL}"\n', encoding="utf-8")
    return open_project(project.root)


@pytest.fixture(scope="session")
def rendered(demo, tmp_path_factory):
    """Every demo board on A1, rendered and checked in two worker processes as the CLI does."""
    out = tmp_path_factory.mktemp("out") / "boards"
    return make_boards(demo, out, paper="A1", workers=2)


@pytest.fixture(scope="session")
def rendered_a4(demo, tmp_path_factory):
    """Two demo boards on A4 (a gate and a community centre)."""
    out: Path = tmp_path_factory.mktemp("out_a4") / "boards"
    return make_boards(demo, out, board_ids=("demo-gate-1", "demo-centre-4"), paper="A4", workers=1)


#: The characters the font tests draw (the batch font always keeps ASCII and Latin-1 too).
FONT_TEXT = "您在这里南京新街口药店社区卫生服务中心分钟步行老年人北米【示例】…·"


@pytest.fixture(scope="session")
def board_fonts(tmp_path_factory) -> BoardFonts:
    """The installed Noto Sans CJK SC cut down to :data:`FONT_TEXT`, as a batch would."""
    return subset_fonts(tmp_path_factory.mktemp("cache"), [FONT_TEXT])
