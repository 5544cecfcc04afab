"""``lifecircle care`` as staff type it: make a key, import a sheet, list visits, the report,
export, forget, rotate — and refusing to start without a key file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from lifecircle.cli import main
from lifecircle.desk.context import open_desk
from tests.care.test_sheet import GOOD, sheet
from tests.desk.conftest import Clock, fill


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def test_the_register_from_the_command_line(make_project, tmp_path: Path) -> None:
    project = make_project()
    desk = open_desk(project, clock=Clock())
    fill(desk)
    desk.store.close()
    p = str(project.root)
    refused = run("-p", p, "care", "visits", env={"LIFECIRCLE_CARE_KEY_PATH": ""})
    assert refused.exit_code == 1 and "care init-key" in refused.output

    key = tmp_path / "secret" / "care.key"
    made = run("-p", p, "care", "init-key", str(key))
    assert made.exit_code == 0 and key.is_file()
    env = {"LIFECIRCLE_CARE_KEY_PATH": str(key)}

    path = sheet(tmp_path, GOOD)
    dry = run("-p", p, "care", "import", str(path), "--dry-run", env=env)
    assert dry.exit_code == 0 and "试运行" in dry.output
    assert "已导入 2 人" in run("-p", p, "care", "import", str(path), env=env).output
    listed = json.loads(run("-p", p, "care", "visits", "--json", env=env).output)
    assert [r["name"] for r in listed] == ["刘桂芝", "陈玉兰"]
    assert listed[0]["phones"] == ["138****2222"]
    only_g2 = json.loads(run("-p", p, "care", "visits", "--grid", "G2", "--json", env=env).output)
    assert [r["name"] for r in only_g2] == ["陈玉兰"]

    out = tmp_path / "care.xlsx"
    report = run("-p", p, "care", "report", "--month", "2026-11", "--out", str(out), env=env)
    assert report.exit_code == 0 and "月探访率" in load_workbook(out).sheetnames

    exported = json.loads(run("-p", p, "care", "export", "1", env=env).output)
    assert exported["person"]["name"] == "刘桂芝"
    gone = run("-p", p, "care", "forget", "1", "--yes", env=env)
    assert gone.exit_code == 0 and "匿名化" in gone.output
    rotated = run("-p", p, "care", "rotate-key", "--drop-old", env=env)
    assert rotated.exit_code == 0 and "k2" in rotated.output
    assert json.loads(run("-p", p, "care", "export", "2", env=env).output)["person"]["name"] == (
        "陈玉兰"
    )
    log = json.loads(
        run(
            "-p", p, "care", "access-log", "--since", "2020-01-01", "--until", "2100-01-01", env=env
        ).output
    )
    assert {"import", "list", "export", "forget", "rotate_key"} <= {r["action"] for r in log}
    checked = run("-p", p, "care", "purge", "--dry-run", env=env)
    assert checked.exit_code == 0 and "试运行" in checked.output and "0 人" in checked.output
    purged = run("-p", p, "care", "purge", env=env)
    assert purged.exit_code == 0 and "本次清理已记入访问日志" in purged.output
    after = run(
        "-p", p, "care", "access-log", "--since", "2020-01-01", "--until", "2100-01-01", env=env
    )
    assert [r["action"] for r in json.loads(after.output)].count("purge") == 1  # not the dry run
