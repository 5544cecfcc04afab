"""The command line as a user types it: init, import, status, errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lifecircle.cli import main

from .conftest import SMALL_OSM


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_init_import_status_json(tmp_path):
    project = tmp_path / "taoyuan"
    result = run("init", str(project), "--code", "120103003000")
    assert result.exit_code == 0, result.output
    assert "桃园街道" in result.output
    result = run("-p", str(project), "import", "osm", str(SMALL_OSM))
    assert result.exit_code == 0, result.output
    result = run("-p", str(project), "status", "--json")
    status = json.loads(result.output)
    assert status["area"] == {"name": "桃园街道", "code": "120103003000"}
    assert status["data_version"]["id"] == 1
    assert status["walk_network"]["ways"] > 100 and status["walk_network"]["length_km"] > 10
    assert set(status["facilities"]["by_area"]) >= {"elderly", "health", "education"}
    assert status["sources"]["walk_way"] == {"osm": status["walk_network"]["ways"]}
    assert status["compounds"]["count"] > 0
    result = run("-p", str(project), "--lang", "en", "status")
    assert result.exit_code == 0 and "Walk network" in result.output
    assert "© OpenStreetMap contributors" in result.output


def test_errors_are_one_line_with_exit_status_1(tmp_path):
    result = CliRunner().invoke(main, ["-p", str(tmp_path), "status"])
    assert result.exit_code == 1
    assert "is not a lifecircle project" in result.output
    assert "Traceback" not in result.output
    run("init", str(tmp_path / "p"), "--name", "x")
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"name,type\n1,2\n")
    result = CliRunner().invoke(main, ["-p", str(tmp_path / "p"), "import", "osm", str(bad)])
    assert result.exit_code == 1 and "broken.osm.pbf" in result.output
    assert "Traceback" not in result.output


def test_demo_builds_the_bundled_area(tmp_path):
    result = run("demo", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "Helsinki" in result.output or "赫尔辛基" in result.output
    status = json.loads(run("-p", str(tmp_path / "demo"), "status", "--json").output)
    assert status["boards"]["count"] > 0
    assert status["facilities"]["by_area"]["elderly"]["count"] >= 2
    assert status["data_version"]["id"] == 3
    again = CliRunner().invoke(main, ["demo", str(tmp_path / "demo")])
    assert again.exit_code == 1 and "--fresh" in again.output
