"""``lifecircle areas cut`` and ``lifecircle batch …`` as a user types them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from lifecircle.cli import main
from lifecircle.jobs.imports import import_sheet
from lifecircle.model import Compound
from lifecircle.project import open_project
from tests.areas_fixtures import HELSINKI, TILES


def run(*args: str):
    return CliRunner().invoke(main, ["--lang", "en", *args], catch_exceptions=False)


def test_no_areas_is_one_line_and_status_1(tmp_path):
    result = run("batch", "build", str(tmp_path))
    assert result.exit_code == 1
    assert "no areas in" in result.output and "lifecircle areas cut" in result.output
    assert "Traceback" not in result.output


def test_a_bad_boundaries_file_names_the_feature_and_writes_nothing(tmp_path):
    bad = json.loads(TILES.read_text(encoding="utf-8"))
    bad["features"][2]["properties"]["code"] = "12AB"
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(bad), encoding="utf-8")
    out = tmp_path / "areas"
    result = run("areas", "cut", str(HELSINKI), "--boundaries", str(path), "--out", str(out),
                 "--code-field", "code")  # fmt: skip
    assert result.exit_code == 1
    assert "bad.geojson: feature 3, property 'code': '12AB'" in result.output
    assert not out.exists()


def _one_board_each(areas):
    """Put a 【示例】 board at the first gate of each area's largest compound."""
    for area in sorted(p for p in areas.iterdir() if p.is_dir()):
        project = open_project(area)
        with project.open_store() as store:
            compounds = [c for c in store.records("compound") if isinstance(c, Compound)]
        lon, lat = max(compounds, key=lambda c: c.residents or 0).entrances[0]
        sheet = area / "boards.csv"
        sheet.write_text(
            "编号,名称,经度,纬度,备注\n"
            f"b1,【示例】测试展板,{lon},{lat},made up for a test\n", encoding="utf-8"
        )  # fmt: skip
        import_sheet(project, "boards", sheet)


@pytest.mark.slow
def test_cut_build_gaps_boards_then_everything_is_current(tmp_path):
    areas = tmp_path / "areas"
    result = run("areas", "cut", str(HELSINKI), "--boundaries", str(TILES), "--out", str(areas),
                 "--buffer-m", "300", "--code-field", "code")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "© OpenStreetMap contributors" in result.output
    names = sorted(p.name for p in areas.iterdir())
    assert names == ["999900-【示例】西南 SW", "999901-【示例】东南 SE", "999902-【示例】西北 NW",
                     "999903-【示例】东北 NE"]  # fmt: skip
    again = run("areas", "cut", str(HELSINKI), "--boundaries", str(TILES), "--out", str(areas),
                "--code-field", "code")  # fmt: skip
    assert again.output.count("already there, kept") == 4
    _one_board_each(areas)
    result = run("batch", "build", str(areas), "--profile", "standard", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "build: 4 done, 0 skipped (already current), 0 failed" in result.output
    result = run("batch", "gaps", str(areas), "--profile", "standard")
    assert "gaps: 4 done" in result.output, result.output
    assert all((p / "gaps" / "gaps.xlsx").is_file() for p in areas.iterdir())
    result = run("batch", "boards", str(areas), "--draft")
    assert "boards: 4 done" in result.output, result.output
    assert all((p / "boards" / "b1.pdf").is_file() for p in areas.iterdir())
    for job in ("build --profile standard", "gaps --profile standard", "boards --draft"):
        result = run("batch", *job.split()[:1], str(areas), *job.split()[1:])
        assert "0 done, 4 skipped" in result.output, (job, result.output)
    out = tmp_path / "report" / "city.xlsx"
    result = run("batch", "report", str(areas), "--out", str(out), "--profile", "standard")
    assert result.exit_code == 0, result.output
    assert "4 areas, 4 of them built" in result.output
    book = load_workbook(out)
    assert book.sheetnames == ["Notes", "Areas", "Coverage by type per area",
                               "Top gaps by people", "Map"]  # fmt: skip
    assert [row[0] for row in book["Areas"].iter_rows(min_row=2, values_only=True)] == [
        "【示例】西南 SW", "【示例】东南 SE", "【示例】西北 NW", "【示例】东北 NE",
    ]  # fmt: skip
    assert (out.parent / "city.png").is_file()
