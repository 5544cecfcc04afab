"""Errors carry a catalogue key: English from str(), Chinese (or English) from message(lang)."""

import pickle

import numpy as np
import pytest

from lifecircle import geo as crs_io
from lifecircle.errors import (
    NO_HEADER,
    BadRowsError,
    ConfigError,
    LifecircleError,
    LocationError,
    Msg,
    OsmFileError,
    RowProblem,
    UnknownTypeError,
)
from lifecircle.io.osm import read_osm
from lifecircle.io.records import facilities_from_sheet
from lifecircle.io.sheets import read_sheet
from lifecircle.jobs.checks import LocatedPoint, build_area_index, check_crs
from lifecircle.jobs.demo import demo_file
from lifecircle.model import WalkWay
from lifecircle.project import open_project
from lifecircle.taxonomy import load_taxonomy

HELSINKI = demo_file("helsinki.osm.pbf")  # the packaged demo extract (real OSM)


def test_message_parts_render_in_the_language_asked():
    closest = Msg("error.type.closest", types=("幼儿园", "托育机构"))
    assert closest.render("zh") == "，最接近的类型：幼儿园、托育机构"
    assert closest.render("en") == "; closest known types: 幼儿园, 托育机构"
    nested = Msg("error.type.unknown", value="幼儿圆", closest=closest)
    assert nested.render("zh") == "未知的设施类型「幼儿圆」，最接近的类型：幼儿园、托育机构"
    assert Msg("error.type.unknown", value="x", closest=None).render("en") == (
        "unknown facility type 'x'"
    )
    assert str(Msg("error.noun.name")) == "name"


def test_text_that_is_not_a_key_is_shown_as_it_is():
    err = ConfigError("something went wrong in a module not yet converted")
    assert str(err) == err.message("zh") == "something went wrong in a module not yet converted"


def test_unknown_type_with_suggestions_in_both_languages():
    with pytest.raises(UnknownTypeError) as info:
        load_taxonomy().resolve_type("幼儿圆")
    err = info.value
    assert str(err) == err.message("en")
    assert str(err).startswith("unknown facility type '幼儿圆'; closest known types: 幼儿园")
    assert "`lifecircle taxonomy` lists them" in str(err)
    zh = err.message("zh")
    assert zh.startswith("未知的设施类型「幼儿圆」，最接近的类型：幼儿园")
    assert "请填写分类代码" in zh and "unknown" not in zh


def test_row_problem_keeps_english_str_and_renders_chinese():
    problem = RowProblem(
        "设施.csv",
        3,
        "类型",
        "幼儿圆",
        UnknownTypeError("幼儿圆", ["幼儿园"]).lead,
        Msg("error.type.how"),
    )
    assert str(problem).startswith(
        "设施.csv, row 3, column '类型': unknown facility type '幼儿圆'; "
        "closest known types: 幼儿园 (value '幼儿圆') — use a taxonomy code"
    )
    assert problem.message == "unknown facility type '幼儿圆'; closest known types: 幼儿园"
    assert problem.render("zh").startswith(
        "设施.csv 第 3 行「类型」列：未知的设施类型「幼儿圆」，最接近的类型：幼儿园"
        "（值 '幼儿圆'）——请填写分类代码"
    )


def test_row_problem_without_value_or_header():
    missing = RowProblem(
        "f.csv", 2, "名称", "", Msg("error.row.missing", what=Msg("error.noun.name"))
    )
    assert str(missing) == "f.csv, row 2, column '名称': missing name"
    assert missing.render("zh") == "f.csv 第 2 行「名称」列：缺少名称"
    assert missing.hint == ""
    overflow = RowProblem("f.csv", 4, NO_HEADER, "23号", Msg("error.row.overflow"))
    assert overflow.column == "(no header)" and "column '(no header)'" in str(overflow)
    assert overflow.render("zh").startswith("f.csv 第 4 行「无表头」列：")


def test_bad_rows_error_counts_the_rest_in_both_languages():
    problems = [
        RowProblem("f.csv", n, "经度", "abc", Msg("error.value.degrees")) for n in (2, 3, 4)
    ]
    err = BadRowsError(problems)
    assert str(err) == (
        "f.csv, row 2, column '经度': not a number of degrees (value 'abc') (and 2 more bad rows); "
        "nothing was imported — fix the rows or pass --skip-bad-rows"
    )
    assert err.message("zh") == (
        "f.csv 第 2 行「经度」列：不是有效的度数（值 'abc'）（另有 2 行有问题）。"
        "未导入任何数据：请修正这些行，或加上 --skip-bad-rows 只导入无误的行"
    )


def test_swapped_lat_lon_hint_in_both_languages(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('名称,类型,经纬度\n药店甲,pharmacy,"39.1,117.2"\n', encoding="utf-8")
    result = facilities_from_sheet(
        read_sheet(path), dataset="f", crs="wgs84", resolve_type=lambda text: text
    )
    (problem,) = result.problems
    assert "latitude 117.2 is outside -90…90" in problem.message and "swapped" in problem.hint
    zh = problem.render("zh")
    assert zh.startswith("f.csv 第 2 行「经纬度」列：纬度 117.2 超出 -90…90 的范围")
    assert zh.endswith("——经度和纬度似乎填反了：经度在前，纬度在后")  # no area known yet


def test_swapped_hint_uses_the_areas_own_centre(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("名称,类型,经度,纬度\n药店甲,pharmacy,32.04,118.79\n", encoding="utf-8")
    nanjing = (118.7859, 32.0404)
    result = facilities_from_sheet(
        read_sheet(path), dataset="f", crs="wgs84", resolve_type=lambda t: t, centre=nanjing
    )
    (problem,) = result.problems
    assert problem.render("zh").endswith("本区域经度约 118.8、纬度约 32.0，经度在前，纬度在后")
    assert "longitude is about 118.8 and latitude about 32.0" in problem.render("en")


def _street_grid(lon0: float, lat0: float, step: float) -> list[WalkWay]:
    """A hand-made 6 × 6 street grid (synthetic, not OSM data)."""
    ways = []
    for i in range(6):
        lon, lat = lon0 + i * step, lat0 + i * step
        ways.append(WalkWay(2 * i + 1, (1, 2), ((lon, lat0), (lon, lat0 + 5 * step))))
        ways.append(WalkWay(2 * i + 2, (3, 4), ((lon0, lat), (lon0 + 5 * step, lat))))
    return ways


def test_gcj02_suspicion_in_both_languages():
    lon0, lat0, step = 117.200, 39.100, 0.0025  # in Hexi, Tianjin
    index = build_area_index(_street_grid(lon0, lat0, step), boundary=None, margin_m=500)
    rng = np.random.default_rng(7)
    lon = lon0 + rng.integers(0, 6, size=8) * step  # on north-south streets
    lat = lat0 + rng.uniform(0, 5, size=8) * step
    glon, glat = crs_io.wgs84_to_gcj02(lon, lat)
    points = [
        LocatedPoint(n + 2, f"p{n}", float(x), float(y))
        for n, (x, y) in enumerate(zip(glon, glat, strict=True))
    ]
    with pytest.raises(LocationError) as info:
        check_crs(index, points, declared_crs="wgs84", file="设施.csv")
    en, zh = str(info.value), info.value.message("zh")
    assert en.startswith("设施.csv: read as WGS84 the points lie a median of ")
    assert en.endswith("re-run with --crs gcj02. Nothing was imported.")
    assert zh.startswith("设施.csv：按 WGS84 读取时，这些点距 OSM 步行道路的中位距离为 ")
    assert "看起来是 GCJ02 坐标，请加上 --crs gcj02 重新导入" in zh


def test_truncated_osm_file_in_both_languages(tmp_path):
    half = tmp_path / "half.osm.pbf"
    data = HELSINKI.read_bytes()
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(OsmFileError) as info:
        read_osm(half, match_type=lambda tags: None)
    assert "truncated by an interrupted download" in str(info.value)
    zh = info.value.message("zh")
    assert "half.osm.pbf 不是可读取的 OpenStreetMap 文件" in zh
    assert "因下载中断而不完整" in zh and "请重新下载" in zh


def test_not_a_project_in_both_languages(tmp_path):
    with pytest.raises(ConfigError) as info:
        open_project(tmp_path)
    assert info.value.msg.key == "error.project.not_found"
    assert f"{tmp_path} is not a lifecircle project (no lifecircle.toml" in str(info.value)
    assert info.value.message("en") == str(info.value)
    zh = info.value.message("zh")
    assert zh.startswith(
        f"{tmp_path} 不是 lifecircle 项目（此文件夹及上级文件夹中都没有 lifecircle.toml）"
    )
    assert "lifecircle init" in zh


def test_every_error_class_takes_a_key():
    err = LifecircleError("error.osm.empty", path="a.osm.pbf")
    assert str(err) == "OSM file a.osm.pbf is empty (0 bytes) — download the extract again"
    assert err.message("zh") == "OSM 文件 a.osm.pbf 是空的（0 字节）；请重新下载"


def test_errors_survive_pickling_with_their_key_and_fields():
    problems = [RowProblem("f.csv", 2, "经度", "abc", Msg("error.value.degrees"))]
    for err in (
        ConfigError("error.config.levels"),
        UnknownTypeError("幼儿圆", ["幼儿园"]),
        BadRowsError(problems),
    ):
        copy = pickle.loads(pickle.dumps(err))
        assert type(copy) is type(err) and str(copy) == str(err)
        assert copy.message("zh") == err.message("zh")
    assert pickle.loads(pickle.dumps(BadRowsError(problems))).problems == tuple(problems)


def test_the_drawn_tree_lists_every_error_and_every_error_lives_in_errors_py():
    import importlib
    import pkgutil

    import lifecircle
    from lifecircle import errors

    for found in pkgutil.walk_packages(lifecircle.__path__, "lifecircle."):
        importlib.import_module(found.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    every = {c for c in subclasses(errors.LifecircleError) if c.__module__.startswith("lifecircle")}
    assert {c.__module__ for c in every} == {"lifecircle.errors"}
    tree = errors.__doc__.split("Exception tree::", 1)[1]
    drawn = {line.split("── ")[1].split()[0] for line in tree.splitlines() if "── " in line}
    assert drawn == {c.__name__ for c in every}
