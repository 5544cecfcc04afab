"""The command line starts fast: ``--help`` and ``--version`` load no heavy library.

Timings are benchmarks' business (``benchmarks/cli_startup.py``); these tests hold the cause:
which modules a bare start imports, and that the lazy command list says what the commands say.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from lifecircle.cli.main import LAZY, load_lazy, main

#: Libraries that cost 0.1–2 s to import; a bare ``lifecircle --help`` must need none of them.
HEAVY = (
    "numpy",
    "scipy",
    "shapely",
    "pyproj",
    "sqlalchemy",
    "openpyxl",
    "weasyprint",
    "fastapi",
    "osmium",
    "highspy",
    "numba",
    "lifecircle.store",
    "lifecircle.engine",
    "lifecircle.jobs",
)


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["-h"]])
def test_help_and_version_import_no_heavy_library(args):
    code = "\n".join(
        [
            "import sys, json",
            "from lifecircle.cli import main",
            "try:",
            f"    main({args!r})",
            "except SystemExit:",
            "    pass",
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))",
        ]
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_help_lists_every_command_with_its_own_help_line():
    listing = CliRunner().invoke(main, ["--help"], terminal_width=200).output
    for name in LAZY:
        command = load_lazy(name)
        assert command.get_short_help_str(200) in listing, name


@pytest.mark.parametrize("name", sorted(LAZY))
def test_the_lazy_help_line_is_the_commands_own(name):
    command = load_lazy(name)
    stand_in = click.Command(name, help=LAZY[name].help)
    assert stand_in.get_short_help_str(200) == command.get_short_help_str(200)
    assert command.name == name


def test_a_lazy_command_runs_like_any_other(tmp_path):
    result = CliRunner().invoke(main, ["-p", str(tmp_path), "status"])
    assert result.exit_code == 1 and "不是 lifecircle 项目" in result.output
