"""``lifecircle plan`` as a user types it: tables, written files, saving, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from rich.console import Console

from lifecircle.cli import main
from lifecircle.cli.plan import _site_table
from lifecircle.engine.profiles import STANDARD
from lifecircle.errors import BadRowsError
from lifecircle.io.candidates import read_candidates
from lifecircle.jobs.demo import build_demo
from lifecircle.plan.report import SiteRow


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli_plan") / "demo"
    build_demo(root, area="helsinki")
    return root


def test_plan_prints_exact_and_greedy_and_writes_every_output(
    demo_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan"
    result = CliRunner().invoke(
        main,
        ["-p", str(demo_dir), "--lang", "en", "plan", "--type", "老人家食堂", "--sites", "2",
         "--profile", "elderly", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Exact (HiGHS)" in result.output and "Greedy" in result.output
    assert "proven optimal" in result.output and "optimality gap" in result.output
    assert "more people than greedy" in result.output  # the demo's greedy answer is beaten
    assert (out / "plan_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "© OpenStreetMap contributors" in (out / "plan_map.svg").read_text(encoding="utf-8")
    layer = json.loads((out / "plan.geojson").read_text(encoding="utf-8"))
    chosen = [f for f in layer["features"] if f["properties"]["role"] == "chosen"]
    assert [f["properties"]["rank"] for f in chosen] == [1, 2]
    assert layer["properties"]["status"] == "Optimal" and layer["properties"]["optimal"] is True
    book = load_workbook(out / "plan.xlsx")
    assert book.sheetnames == [
        "Chosen sites", "Compounds served", "Communities", "Uncoverable", "Notes",
    ]  # fmt: skip
    sites = list(book["Chosen sites"].values)
    assert sites[0][0] == "No." and len(sites) == 3


def test_cover_all_lists_compounds_no_candidate_reaches_and_saves(demo_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["-p", str(demo_dir), "plan", "--type", "day_care_centre", "--cover-all", "--save"]
    )
    assert result.exit_code == 0, result.output
    assert "任何候选点位都覆盖不到" in result.output
    text = result.output.replace("\n", "")
    assert "未能覆盖全部小区" in text and "--candidates" in text  # said, with what to do
    assert "否：" in text  # the goal is not met, not 是 beside compounds nobody reaches
    assert "步行口径：按每分钟约 70 米计" in text
    assert "规划中" in result.output


def test_a_type_without_candidates_is_a_one_line_error(demo_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["-p", str(demo_dir), "plan", "--type", "kindergarten", "--cover-all", "--no-osm"]
    )
    assert result.exit_code == 1
    assert "候选点位" in result.output and "--candidates" in result.output


def test_sites_or_cover_all_but_not_both(demo_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["-p", str(demo_dir), "plan", "--type", "kindergarten", "--sites", "2", "--cover-all"]
    )
    assert result.exit_code == 2 and "--cover-all" in result.output


def test_a_bad_cost_names_the_row_and_column(tmp_path: Path) -> None:
    sheet = tmp_path / "c.csv"
    sheet.write_text("name,lon,lat,cost\nA,24.94,60.17,cheap\n", encoding="utf-8")
    with pytest.raises(BadRowsError) as caught:
        read_candidates(sheet)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "cost", "cheap")


def test_a_weight_no_compound_has_is_a_clear_error(demo_dir: Path) -> None:
    # the demo's compounds are derived from OSM buildings: residents estimated, no 60+ figures
    result = CliRunner().invoke(
        main, ["-p", str(demo_dir), "plan", "--type", "elderly_canteen", "--sites", "1",
               "--weight", "elderly"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--weight residents" in result.output


def test_an_unnamed_site_is_said_by_its_address_or_as_unnamed_not_by_its_osm_id() -> None:
    def row(rank: int, address: str) -> SiteRow:
        return SiteRow(
            rank, f"osm:node/{rank}", "", address, 0.0, 0.0, 1, 10.0, 3, 3, None, None, "osm"
        )

    plan = SimpleNamespace(profile=STANDARD)
    report = SimpleNamespace(sites=(row(1, "中山路 12 号"), row(2, "")))
    console = Console(width=200, record=True)
    console.print(_site_table(plan, report, "zh"))  # type: ignore[arg-type]
    lines = [line for line in console.export_text().splitlines() if "osm:node/" in line]
    assert "中山路 12 号" in lines[0] and "（无名称的地点）" in lines[1]
    assert all(line.count("osm:node/") == 1 for line in lines)  # the id only in its own column
