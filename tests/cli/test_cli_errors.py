"""CLI errors in the user's language: Chinese by default, English with --lang en or the setting."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lifecircle.cli import main
from tests.conftest import SMALL_OSM

#: Inside the small Finnish extract: row 2 has a typo in the type, row 3 a bad longitude.
BAD_SHEET = "名称,类型,经度,纬度\n甲,幼儿圆,26.95,60.53\n乙,药店,abc,60.53\n丙,药店,26.95,60.53\n"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "p"
    assert invoke("init", str(folder), "--name", "测试").exit_code == 0
    assert invoke("-p", str(folder), "import", "osm", str(SMALL_OSM)).exit_code == 0
    return folder


@pytest.fixture
def bad_sheet(tmp_path):
    sheet = tmp_path / "设施.csv"
    sheet.write_text(BAD_SHEET, encoding="utf-8")
    return sheet


def test_bad_sheet_errors_are_chinese_by_default(project, bad_sheet):
    result = invoke("-p", str(project), "import", "facilities", str(bad_sheet))
    assert result.exit_code == 1
    first, *listed = result.output.splitlines()
    assert first.startswith(
        "错误：设施.csv 第 2 行「类型」列：未知的设施类型「幼儿圆」，最接近的类型：幼儿园"
    )
    assert "（值 '幼儿圆'）——请填写分类代码、中文类型名称或高德类型代码" in first
    assert first.endswith(
        "（另有 1 行有问题）。未导入任何数据：请修正这些行，或加上 --skip-bad-rows 只导入无误的行"
    )
    assert any(
        "设施.csv 第 3 行「经度」列：不是有效的度数（值 'abc'）——请填写十进制度数" in line
        for line in listed
    )
    assert "row 2" not in result.output and "Traceback" not in result.output


def test_bad_sheet_errors_are_english_with_lang_en(project, bad_sheet):
    result = invoke("-p", str(project), "--lang", "en", "import", "facilities", str(bad_sheet))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(
        "Error: 设施.csv, row 2, column '类型': unknown facility type '幼儿圆'; "
        "closest known types: 幼儿园"
    )
    assert first.endswith(
        "(and 1 more bad rows); nothing was imported — fix the rows or pass --skip-bad-rows"
    )
    assert "设施.csv, row 3, column '经度': not a number of degrees (value 'abc')" in result.output
    assert "第 2 行" not in result.output


def test_the_language_setting_chooses_english_errors(project, bad_sheet):
    result = invoke(
        "-p", str(project), "--set", "language=en", "import", "facilities", str(bad_sheet)
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: 设施.csv, row 2, column '类型'")


def test_skipped_rows_are_listed_in_the_chosen_language(project, bad_sheet):
    args = ["-p", str(project), "import", "facilities", str(bad_sheet)]
    zh = invoke(*args, "--skip-bad-rows", "--dry-run")
    assert zh.exit_code == 0, zh.output
    assert "跳过了 2 行有问题的数据" in zh.output
    assert "  • 设施.csv 第 2 行「类型」列：未知的设施类型「幼儿圆」" in zh.output
    en = invoke("--lang", "en", *args, "--skip-bad-rows", "--dry-run")
    assert "  • 设施.csv, row 3, column '经度': not a number of degrees" in en.output
    status = json.loads(invoke("-p", str(project), "status", "--json").output)
    assert status["data_version"]["id"] == 1  # dry runs wrote nothing


def test_not_a_project_in_both_languages(tmp_path):
    zh = invoke("-p", str(tmp_path), "status")
    assert zh.exit_code == 1
    assert zh.output.startswith(f"错误：{tmp_path} 不是 lifecircle 项目")
    en = invoke("-p", str(tmp_path), "--lang", "en", "status")
    assert en.exit_code == 1
    assert en.output.startswith(f"Error: {tmp_path} is not a lifecircle project")
