"""A boundaries file of many areas: each feature named and coded, bad ones named by number."""

from __future__ import annotations

import json

import pytest

from lifecircle.errors import InputFileError
from lifecircle.io.boundary import read_boundaries, read_boundary, write_boundary
from tests.conftest import DATA

TILES = DATA / "areas" / "helsinki_tiles.geojson"
#: The shared real data beside the checkout (``../shared`` of the main tree, ``../../shared`` of a
#: worktree), when there.
TIANJIN = next(
    (p / "shared" / "data" / "real" for p in DATA.parents if (p / "shared" / "data").is_dir()),
    DATA / "absent",
)


def _write(tmp_path, features):
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _box(name, code="120103001", x=117.2):
    ring = [[x, 39.1], [x + 0.01, 39.1], [x + 0.01, 39.11], [x, 39.11], [x, 39.1]]
    return {
        "type": "Feature",
        "properties": {"name": name, "code": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_every_feature_is_read_with_its_name_and_code():
    found = read_boundaries(TILES, code_field="code")
    assert [f.number for f in found] == [1, 2, 3, 4]
    assert [f.code for f in found] == ["999900", "999901", "999902", "999903"]
    assert found[0].name == "【示例】西南 SW"
    assert found[0].geometry.bounds == pytest.approx((24.9352, 60.1642, 24.9443, 60.1716))
    assert [f.code for f in read_boundaries(TILES)] == ["", "", "", ""]  # no code asked for


def test_a_feature_without_the_name_names_file_feature_and_field(tmp_path):
    bad = _box("")
    path = _write(tmp_path, [_box("甲"), bad])
    with pytest.raises(InputFileError) as info:
        read_boundaries(path)
    assert info.value.msg.key == "error.boundary.feature_field"
    message = info.value.message("en")
    assert str(path) in message and "feature 2" in message and "'name'" in message
    with pytest.raises(InputFileError, match="feature 1 has no value in property 'adcode'"):
        read_boundaries(path, code_field="adcode")


@pytest.mark.parametrize(
    ("feature", "key", "words"),
    [
        (_box("乙", code="12010"), "error.boundary.feature_code", "'12010'"),
        ({**_box("乙"), "geometry": {"type": "Point", "coordinates": [1, 2]}},
         "error.boundary.feature_geometry", "Point"),
        ({**_box("乙"), "geometry": None}, "error.boundary.feature_geometry", "feature 2"),
        (_box("乙", x=500000.0), "error.boundary.feature_geometry", "not WGS-84"),
        (_box("甲"), "error.boundary.feature_duplicate", "same 'name' as feature 1"),
    ],
)  # fmt: skip
def test_bad_features_are_named_by_number(tmp_path, feature, key, words):
    path = _write(tmp_path, [_box("甲"), feature])
    with pytest.raises(InputFileError) as info:
        read_boundaries(path, code_field="code")
    assert info.value.msg.key == key
    assert "feature 2" in info.value.message("en") and words in info.value.message("en")
    assert "第 2 个要素" in info.value.message("zh")


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="no boundary features"):
        read_boundaries(_write(tmp_path, []))


def test_a_written_boundary_reads_back_as_the_area_boundary(tmp_path):
    feature = read_boundaries(TILES)[2]
    path = write_boundary(tmp_path / "b.geojson", feature.geometry, {"name": feature.name})
    assert read_boundary(path).equals(feature.geometry)


def test_the_tianjin_districts_file_gives_sixteen_coded_areas():
    path = TIANJIN / "tianjin-districts-amap" / "tianjin_districts_wgs84.geojson"
    if not path.is_file():
        pytest.skip("the shared Tianjin data is not beside this checkout")
    found = read_boundaries(path, code_field="adcode")
    assert len(found) == 16
    assert {f.code: f.name for f in found}["120103"] == "河西区"
