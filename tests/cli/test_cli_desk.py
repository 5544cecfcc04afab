"""``lifecircle desk`` as staff type it: import grids, list them and cases, the monthly report,
Open311 keys, notices and retention — errors as one line with exit status 1."""

from __future__ import annotations

import json

from click.testing import CliRunner
from openpyxl import load_workbook

from lifecircle.cli import main
from lifecircle.desk.context import open_desk
from lifecircle.desk.open311 import client_of
from lifecircle.store import Snapshot
from tests.desk.conftest import COMPOUNDS, Clock, file


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_desk_from_the_command_line(make_project, tmp_path):
    project = make_project()
    with project.open_store() as store:
        store.commit(
            [Snapshot("compound", "sheet:test", COMPOUNDS)],
            action="import",
            source="test",
            author="test",
        )
    sheet = tmp_path / "网格.csv"
    sheet.write_text(
        "网格编码,网格名称,类型,所属网格,社区,街道,包含小区\n"
        "G1,一网格,网格,,桃园社区,桃园街道,桃园里、桃园西里\n"
        "G2,二网格,网格,,华苑社区,桃园街道,华苑\n",
        encoding="utf-8",
    )
    p = str(project.root)
    dry = run("-p", p, "desk", "import-grids", str(sheet), "--dry-run")
    assert dry.exit_code == 0 and "2 个网格" in dry.output and "试运行" in dry.output
    done = run("-p", p, "desk", "import-grids", str(sheet))
    assert "新增 2" in done.output
    grids = json.loads(run("-p", p, "desk", "grids", "--json").output)
    assert [g["code"] for g in grids] == ["G1", "G2"]

    desk = open_desk(project, clock=Clock())
    case = file(desk, category="sanitation")
    desk.store.close()
    listed = json.loads(run("-p", p, "desk", "cases", "--json").output)
    assert [c["id"] for c in listed] == [case.id] and listed[0]["reporter_phone"] == "138****1234"
    assert json.loads(run("-p", p, "desk", "cases", "--grid", "G2", "--json").output) == []
    table = run("-p", p, "--lang", "en", "desk", "cases", "--overdue")
    assert table.exit_code == 0 and "Cases (" in table.output

    out = tmp_path / "report.xlsx"
    report = run("-p", p, "desk", "report", "--month", "2026-11", "--out", str(out))
    assert report.exit_code == 0 and "受理 1 件" in report.output
    assert "总览" in load_workbook(out).sheetnames

    made = run("-p", p, "desk", "api-key", "add", "platform")
    key = made.output.strip().splitlines()[-1]
    desk = open_desk(project)
    assert client_of(desk, key) == "platform"
    desk.store.close()
    assert "platform\t有效" in run("-p", p, "desk", "api-key", "list").output
    assert "已停用" in run("-p", p, "desk", "api-key", "disable", "platform").output
    taken = CliRunner().invoke(main, ["-p", p, "desk", "api-key", "add", "platform"])
    assert taken.exit_code == 1 and "platform" in taken.output and "Traceback" not in taken.output

    assert "发送成功 0 条" in run("-p", p, "desk", "notify", "--remind").output
    assert "将匿名化 0 件" in run("-p", p, "desk", "retention", "--dry-run").output


def test_a_bad_grid_file_is_one_line_and_exit_1(make_project, tmp_path):
    project = make_project()
    bad = tmp_path / "网格.csv"
    bad.write_text(
        "网格编码,网格名称,社区,包含小区\nG1,一网格,桃园社区,没有的小区\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["-p", str(project.root), "desk", "import-grids", str(bad)])
    assert result.exit_code == 1
    assert "网格.csv 第 2 行「包含小区」列" in result.output and "Traceback" not in result.output
    # a sheet of only the grid file's own headers: the message says which headers work
    bad.write_text("网格编码,网格名称,包含小区\nG1,一网格,桃园里\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-p", str(project.root), "desk", "import-grids", str(bad)])
    assert result.exit_code == 1 and "网格表的列名" in result.output
    month = CliRunner().invoke(
        main,
        [
            "-p",
            str(project.root),
            "desk",
            "report",
            "--month",
            "2026-13",
            "--out",
            str(tmp_path / "r.xlsx"),
        ],
    )
    assert month.exit_code == 1 and "2026-13" in month.output
