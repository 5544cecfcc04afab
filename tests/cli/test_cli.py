"""The command line as a user types it: init, import, status, errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lifecircle.cli import main
from lifecircle.jobs.demo import demo_file
from tests.conftest import SMALL_OSM


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
    assert status["area"] == {"name": "桃园街道", "code": "120103003000", "demo": ""}
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
    assert "不是 lifecircle 项目" in result.output  # errors are in Chinese by default
    assert "Traceback" not in result.output
    run("init", str(tmp_path / "p"), "--name", "x")
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"name,type\n1,2\n")
    result = CliRunner().invoke(main, ["-p", str(tmp_path / "p"), "import", "osm", str(bad)])
    assert result.exit_code == 1 and "broken.osm.pbf" in result.output
    assert "Traceback" not in result.output


def test_demo_builds_the_nanjing_area_and_says_it_is_a_demo(tmp_path):
    result = run("demo", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "演示：南京新街口真实 OSM 数据，非天津数据" in result.output
    assert "【示例】" in result.output  # the sample sheet is named invented on screen
    status = json.loads(run("-p", str(tmp_path / "demo"), "status", "--json").output)
    assert status["area"] == {
        "name": "演示区域（南京新街口 OSM 数据）",
        "code": "",
        "demo": "nanjing",
    }
    assert status["osm"]["file"] == "nanjing_xinjiekou.osm.pbf"
    assert status["osm"]["timestamp"] == "2021-06-12T07:41:41Z"  # Overpass's osm_base
    assert status["boards"]["count"] == 18
    assert status["facilities"]["by_area"]["elderly"]["count"] == 3  # the 【示例】 rows only
    assert status["data_version"]["id"] == 3
    states = {c["type"]: c for c in status["collection"]}
    assert states["breakfast_shop"]["state"] == "complete"
    assert states["breakfast_shop"]["complete_in"] == ["sample_facilities"]
    assert states["bus_stop"]["state"] == "collected" and states["bus_stop"]["sources"]["osm"] > 40
    assert states["kindergarten"]["state"] == "not_collected"
    shown = run("-p", str(tmp_path / "demo"), "status").output
    assert (
        "未采集: ▲养老院" in shown
        and "已声明完整采集: ▲社区卫生服务站（sample_facilities）" in shown
    )
    again = CliRunner().invoke(main, ["demo", str(tmp_path / "demo")])
    assert again.exit_code == 1 and "--fresh" in again.output


def test_the_helsinki_demo_stays_available_as_a_fixture(tmp_path):
    result = run("--lang", "en", "demo", str(tmp_path / "hel"), "--area", "helsinki")
    assert result.exit_code == 0, result.output
    assert "central Helsinki" in result.output and "not Chinese data" in result.output


def test_facility_sheet_dry_run_then_import_then_changes(tmp_path):
    project = tmp_path / "p"
    run("init", str(project), "--name", "测试")
    run("-p", str(project), "import", "osm", str(SMALL_OSM))
    status = json.loads(run("-p", str(project), "status", "--json").output)
    lon, lat = 26.9500, 60.5300  # inside the small Finnish extract
    assert status["walk_network"]["ways"] > 0
    sheet = tmp_path / "设施.csv"
    sheet.write_text(
        f"名称,类型,经度,纬度,电话\n药店甲,药店,{lon},{lat},111\n", encoding="utf-8-sig"
    )
    dry = run("-p", str(project), "import", "facilities", str(sheet), "--dry-run")
    assert dry.exit_code == 0 and "--dry-run" in dry.output
    assert json.loads(run("-p", str(project), "status", "--json").output)["data_version"]["id"] == 1
    assert run("-p", str(project), "import", "facilities", str(sheet)).exit_code == 0
    sheet.write_text(
        f"名称,类型,经度,纬度,电话\n药店甲,药店,{lon},{lat},222\n", encoding="utf-8-sig"
    )
    assert run("-p", str(project), "import", "facilities", str(sheet)).exit_code == 0
    changes = json.loads(run("-p", str(project), "changes", "--json").output)
    assert changes["version"] == 3
    [change] = changes["changes"]
    assert change["action"] == "changed" and change["label"] == "药店甲"
    assert change["fields"] == [{"field": "phone", "before": "111", "after": "222"}]
    history = json.loads(run("-p", str(project), "versions", "--json").output)
    actions = [v["action"] for v in history]
    assert actions == ["import osm", "import facilities", "import facilities"]
    assert history[2]["counts"]["facility"] == {"added": 0, "changed": 1, "removed": 0}
    table = run("-p", str(project), "--lang", "en", "versions")
    assert table.exit_code == 0 and "Data version history" in table.output


def test_bad_sheet_lists_every_bad_row_and_imports_nothing(tmp_path):
    project = tmp_path / "p"
    run("init", str(project), "--name", "测试")
    run("-p", str(project), "import", "osm", str(SMALL_OSM))
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "名称,类型,经度,纬度\n甲,幼儿圆,26.95,60.53\n乙,药店,abc,60.53\n丙,药店,26.95,60.53\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["-p", str(project), "import", "facilities", str(sheet)])
    assert result.exit_code == 1
    assert "bad.csv 第 2 行「类型」列" in result.output and "幼儿园" in result.output
    assert "bad.csv 第 3 行「经度」列" in result.output
    assert json.loads(run("-p", str(project), "status", "--json").output)["data_version"]["id"] == 1
    skipped = run("-p", str(project), "import", "facilities", str(sheet), "--skip-bad-rows")
    assert skipped.exit_code == 0 and "2" in skipped.output
    status = json.loads(run("-p", str(project), "status", "--json").output)
    assert status["sources"]["facility"]["sheet:bad"] == 1


def test_edit_barrier_link_list_remove(tmp_path):
    project = tmp_path / "p"
    run("init", str(project), "--name", "测试")
    run("-p", str(project), "import", "osm", str(SMALL_OSM))
    edits_json = json.loads(run("-p", str(project), "edit", "list", "--json").output)
    assert edits_json == {"edits": [], "warnings": []}
    from lifecircle.project import open_project

    with open_project(project).open_store() as store:
        way = sorted(store.records("walk_way"), key=lambda w: w.osm_id)[0]
    added = run(
        "-p",
        str(project),
        "--lang",
        "en",
        "edit",
        "barrier",
        "--way",
        str(way.osm_id),
        "--note",
        "fence",
        "--author",
        "tester",
    )
    assert added.exit_code == 0 and "Added local edit 1" in added.output
    (lon1, lat1), (lon2, lat2) = way.coords[0], way.coords[-1]
    link = run(
        "-p", str(project), "edit", "link", f"{lon1},{lat1}", f"{lon2},{lat2}", "--author", "t"
    )
    assert link.exit_code == 0, link.output
    listed = json.loads(run("-p", str(project), "edit", "list", "--json").output)
    assert [e["edit_kind"] for e in listed["edits"]] == ["impassable_way", "link"]
    assert listed["edits"][0]["author"] == "tester"
    assert run("-p", str(project), "edit", "remove", "1", "--author", "t").exit_code == 0
    history = json.loads(run("-p", str(project), "versions", "--json").output)
    assert [v["action"] for v in history][-3:] == [
        "edit impassable_way",
        "edit link",
        "edit remove",
    ]
    bad = CliRunner().invoke(
        main, ["-p", str(project), "edit", "barrier", "--way", "1", "--author", "t"]
    )
    assert bad.exit_code == 1 and "1" in bad.output and "Traceback" not in bad.output


def test_a_closed_gate_is_listed_and_the_build_says_which_compound_it_shuts(tmp_path):
    project = tmp_path / "p"
    run("init", str(project), "--name", "测试")
    run("-p", str(project), "import", "osm", str(SMALL_OSM))
    from lifecircle.project import open_project

    with open_project(project).open_store() as store:
        home = next(c for c in store.records("compound") if len(c.entrances) >= 2)
    lon, lat = home.entrances[0]
    shut = run(
        "-p", str(project), "edit", "gate", f"{lon},{lat}", "--note", "车堵门", "--author", "t"
    )
    assert shut.exit_code == 0, shut.output
    assert "小区出入口关闭" in run("-p", str(project), "edit", "list").output
    built = run("-p", str(project), "build", "--profile", "standard")
    assert built.exit_code == 0, built.output
    said = built.output.replace("\n", "")
    assert "有出入口被标为关闭" in said and home.source_id in said


def test_declaring_a_type_complete_turns_not_collected_into_gaps(tmp_path):
    project = tmp_path / "p"
    run("init", str(project), "--name", "测试")
    run("-p", str(project), "import", "osm", str(SMALL_OSM))
    sheet = tmp_path / "社区设施.csv"
    sheet.write_text("名称,类型,经度,纬度\n药店甲,药店,26.9500,60.5300\n", encoding="utf-8")
    imported = run(
        "-p", str(project), "import", "facilities", str(sheet), "--complete-types", "早餐店，药店"
    )
    assert imported.exit_code == 0, imported.output
    assert "完整采集声明" in imported.output  # the declarations are part of the version
    before = run("-p", str(project), "access", "--compound", "街坊 1")
    assert "未采集" in before.output
    gaps = run("-p", str(project), "gaps", "--profile", "standard")
    assert "早餐店" in gaps.output and "幼儿园" in gaps.output
    assert "缺项排名（按受影响居民）" in gaps.output
    weighted = run("-p", str(project), "gaps", "--profile", "standard", "--weight", "elderly")
    assert "缺项排名（按受影响的60岁以上老人）" in weighted.output.replace("\n", "")
    assert "受影响人数”按：60岁以上老人" in weighted.output.replace("\n", "")
    withdrawn = run("-p", str(project), "collection", "withdraw", "早餐店", "--dataset", "社区设施")
    assert withdrawn.exit_code == 0 and "撤销完整采集声明 早餐店" in withdrawn.output
    status = json.loads(run("-p", str(project), "status", "--json").output)
    states = {c["type"]: c["state"] for c in status["collection"]}
    assert (states["breakfast_shop"], states["pharmacy"]) == ("not_collected", "complete")
    unknown = CliRunner().invoke(
        main, ["-p", str(project), "collection", "declare", "早餐店", "--dataset", "没有"]
    )
    assert unknown.exit_code == 1 and "社区设施" in unknown.output


def test_an_import_that_would_empty_a_dataset_needs_replace(tmp_path):
    project = tmp_path / "p"
    run("init", str(project), "--name", "测试")
    run("-p", str(project), "import", "osm", str(SMALL_OSM))
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        "名称,类型,经度,纬度\n药店甲,药店,26.9500,60.5300\n药店乙,药店,26.9510,60.5300\n",
        encoding="utf-8",
    )
    assert run("-p", str(project), "import", "facilities", str(sheet)).exit_code == 0
    sheet.write_text("名称,类型,经度,纬度\n", encoding="utf-8")
    dry = run("-p", str(project), "import", "facilities", str(sheet), "--dry-run")
    assert "会删除数据集「s」已有 2 条记录中的 2 条" in dry.output and "--replace" in dry.output
    refused = CliRunner().invoke(main, ["-p", str(project), "import", "facilities", str(sheet)])
    assert refused.exit_code == 1 and "--replace" in refused.output
    assert json.loads(run("-p", str(project), "status", "--json").output)["facilities"]["total"]
    done = run("-p", str(project), "import", "facilities", str(sheet), "--replace")
    assert done.exit_code == 0 and "已写入数据版本 3" in done.output


def test_build_and_status_report_points_on_islands(tmp_path):
    """Nanjing's extract has shop entrances on footway pieces no street connects to."""
    project = str(tmp_path / "nanjing")
    run("init", project, "--name", "新街口")
    run("-p", project, "import", "osm", str(demo_file("nanjing_xinjiekou.osm.pbf")))
    before = json.loads(run("-p", project, "status", "--json").output)["attachment"]
    assert before == {"built": False}
    built = run("-p", project, "build", "--profile", "standard", "--profile", "wheelchair")
    assert built.exit_code == 0, built.output
    status = json.loads(run("-p", project, "status", "--json").output)["attachment"]
    islands = status["island_ids"]["facilities"]
    assert status["built"] and status["island"] == {"facilities": len(islands)} and islands
    flat = built.output.replace("\n", "")
    assert f"{len(islands)} 个设施有出入口接在与主路网不相连的孤立路段上" in flat
    assert islands[0] in flat
    assert set(status["impassable"]) == {"standard", "wheelchair"}
    assert "接入路网" in run("-p", project, "status").output


def test_residents_are_calibrated_and_every_output_says_they_are_estimates(tmp_path):
    from openpyxl import load_workbook

    project = str(tmp_path / "p")
    run("init", project, "--name", "测试街道")
    imported = run("-p", project, "import", "osm", str(SMALL_OSM), "--residents-total", "40000",
                   "--residents-source", "测试用总数")  # fmt: skip
    assert imported.exit_code == 0, imported.output
    dry = run("-p", project, "residents", "--total", "30000", "--dry-run")
    assert "试算（未写入）" in dry.output and "30,000" in dry.output
    status = json.loads(run("-p", project, "status", "--json").output)["compounds"]
    assert status["residents"] == 40000  # the dry run wrote nothing
    done = run("-p", project, "residents", "--total", "30000", "--source", "测试用总数")
    assert "已校准" in done.output and "已写入数据版本 2" in done.output
    status = json.loads(run("-p", project, "status", "--json").output)["compounds"]
    assert status["residents"] == 30000
    assert status["residents_calibrated_compounds"] == status["residents_estimated_compounds"] > 0
    assert "已按已知总人口校准" in run("-p", project, "status").output
    out = tmp_path / "gaps.xlsx"
    gaps = run("-p", project, "gaps", "--profile", "standard", "--out", str(out))
    assert "是按 OSM 建筑面积推算的估计值" in gaps.output.replace("\n", "")
    book = load_workbook(out)
    rows = book[book.sheetnames[-1]]  # the notes come first, the rows last
    header = [c.value for c in rows[1]]
    column = header.index("人口为估计值")
    assert {r[column] for r in rows.iter_rows(min_row=2, values_only=True)} == {"是"}
    notes = [r[0] for r in book.worksheets[0].iter_rows(values_only=True)]
    assert any("已按已知总人口校准" in str(n) for n in notes)
    args = ["-p", project, "residents", "--total", "5", "--community", "无"]
    bad = CliRunner().invoke(main, args)
    assert bad.exit_code == 1 and "没有按建筑估算人口的小区" in bad.output
