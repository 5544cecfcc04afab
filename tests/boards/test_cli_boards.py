"""``lifecircle boards`` on the demo project, and the base map the OSM import leaves for it."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from lifecircle.cache.basemap import load_basemap
from lifecircle.cli.main import main


@pytest.mark.slow
def test_boards_command_writes_pdf_png_and_index(demo, tmp_path):
    out = tmp_path / "boards"
    result = CliRunner().invoke(
        main,
        [
            "-p",
            str(demo.root),
            "boards",
            "--board",
            "demo-gate-2",
            "--paper",
            "A3",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "demo-gate-2.pdf").stat().st_size > 20_000
    assert (out / "demo-gate-2.png").exists()
    with (out / "index.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][0] == "demo-gate-2" and rows[1][-1].endswith("/b/demo-gate-2")
    assert "demo-gate-2.pdf" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_boards_command_needs_a_board_and_names_unknown_ones(demo, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["-p", str(demo.root), "boards", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "--all" in result.output
    result = runner.invoke(
        main, ["-p", str(demo.root), "boards", "--board", "no-such", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1 and "no-such" in result.output and "demo-gate-1" in result.output


@pytest.mark.slow
def test_osm_import_keeps_buildings_water_and_green_for_the_map(demo):
    basemap = load_basemap(demo.cache_dir)
    assert len(basemap.layer("buildings")) > 100
    assert len(basemap.layer("water")) >= 1 and len(basemap.layer("green")) >= 10
    assert len(basemap.layer("rail")) >= 10
    assert all(g.geom_type in ("Polygon", "MultiPolygon") for g in basemap.layer("water"))
