"""Sheets past the size limits are refused early, by name, without costing memory or time."""

from __future__ import annotations

import json
import tracemalloc
import zipfile

import pytest

from lifecircle.errors import InputFileError
from lifecircle.io.sheet_limits import SheetLimits, json_depth_ok
from lifecircle.io.sheets import read_sheet
from tests.io.bombs import add_part, rows_xml, write_xlsx

HEADER = (
    '<row><c t="inlineStr"><is><t>名称</t></is></c><c t="inlineStr"><is><t>经度</t></is></c></row>'
)


def _refused(path, match: str, **limits):
    with pytest.raises(InputFileError, match=match) as caught:
        read_sheet(path, limits=SheetLimits(**limits))
    return caught.value


def test_an_xlsx_that_unzips_to_2_gb_is_refused_unopened_with_bounded_memory(tmp_path):
    bomb = write_xlsx(tmp_path / "设施.xlsx", unit=rows_xml(20) * 1400, repeats=2000, crc=False)
    assert bomb.stat().st_size < 10 * 2**20  # ~8 MB on disk, 2 GB unzipped
    unzipped = sum(i.file_size for i in zipfile.ZipFile(bomb).infolist())
    assert unzipped > 2 * 10**9
    tracemalloc.start()
    try:
        error = _refused(bomb, r"unzips to about 2059 MB, more than 100 MB")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20  # the 8 MB file read once, never the 2 GB inside
    assert "sheet_max_unzipped_mb" in error.message("zh")


def test_within_the_unzipped_limit_a_long_sheet_stops_at_the_row_limit(tmp_path):
    sheet = write_xlsx(tmp_path / "长.xlsx", first=HEADER, unit=rows_xml(2) * 50, repeats=20)
    _refused(sheet, r"more than 300 rows", max_rows=300)
    assert len(read_sheet(sheet, limits=SheetLimits(max_rows=1001)).rows) == 1000


def test_a_row_of_too_many_cells_is_refused_before_openpyxl_builds_it(tmp_path):
    wide = write_xlsx(tmp_path / "宽.xlsx", first=HEADER, unit=rows_xml(150), repeats=1)
    _refused(wide, r"row 2 has 150 columns; a sheet may have at most 100")
    prefixed = rows_xml(150).replace("<c ", "<x:c ").replace("</c>", "</x:c>")
    sneaky = write_xlsx(tmp_path / "前缀.xlsx", unit=HEADER + prefixed, repeats=1)
    _refused(sneaky, r"150 columns")


def test_odd_compression_and_too_many_parts_are_refused(tmp_path):
    odd = write_xlsx(tmp_path / "bz.xlsx", unit=HEADER, repeats=1)
    add_part(odd, "xl/media/big.bin", b"0" * 1000, zipfile.ZIP_BZIP2)
    _refused(odd, r"'xl/media/big.bin' of the .xlsx uses a compression")
    many = write_xlsx(tmp_path / "多.xlsx", unit=HEADER, repeats=1)
    for n in range(20):
        add_part(many, f"xl/media/{n}.png", b"x", zipfile.ZIP_DEFLATED)
    _refused(many, r"holds 25 parts, more than 10", max_zip_entries=10)


def test_a_long_cell_is_refused_naming_row_and_column(tmp_path):
    sheet = write_xlsx(tmp_path / "长格.xlsx", unit=HEADER + rows_xml(2, "字" * 400), repeats=1)
    _refused(sheet, r"row 2, column 1 is longer than 300", max_cell_chars=300)


def test_csv_fields_over_the_limit_and_over_the_csv_modules_own_cap(tmp_path):
    path = tmp_path / "设施.csv"
    path.write_text("名称,经度,纬度\n卫生站,117.2,39.1\n" + "x," + "y" * 40_000 + ",39\n", "utf-8")
    _refused(path, r"row 3, column 2 is longer than 32767")
    path.write_text("名称,经度,纬度\n卫生站," + "1" * 200_000 + ",39\n", "utf-8")
    _refused(path, r"row 2, column \? is longer than 32767")  # _csv.Error inside


def test_csv_rows_and_columns_are_limited(tmp_path):
    path = tmp_path / "设施.csv"
    path.write_text("名称,经度,纬度\n" + "卫生站,117.2,39.1\n" * 10 + "\n" * 50, "utf-8")
    _refused(path, r"more than 5 rows", max_rows=5)
    assert len(read_sheet(path, limits=SheetLimits(max_rows=11)).rows) == 10  # blank rows free
    path.write_text("名称,经度,纬度\n" + ",".join(["a"] * 120) + "\n", "utf-8")
    _refused(path, r"row 2 has 120 columns")


def _feature(props: dict, coords: object = (117.2, 39.1)) -> dict:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": coords},
    }


def test_deeply_nested_geojson_is_refused_not_a_recursion_error(tmp_path):
    path = tmp_path / "设施.geojson"
    deep = "[" * 100_000 + "]" * 100_000  # deeper than Python's stack
    path.write_text('{"type": "FeatureCollection", "features": ' + deep + "}", "utf-8")
    _refused(path, r"nests lists/objects more than 32 deep")
    nested: object = [117.2, 39.1]
    for _ in range(40):  # parses, but no geometry is that deep
        nested = [nested]
    doc = {"type": "FeatureCollection", "features": [_feature({"名称": "站"}, nested)]}
    path.write_text(json.dumps(doc), "utf-8")
    _refused(path, r"more than 32 deep")


def test_geojson_features_properties_and_texts_are_limited(tmp_path):
    path = tmp_path / "设施.geojson"
    features = [_feature({"名称": f"站{n}", "类型": "卫生服务站"}) for n in range(6)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    _refused(path, r"more than 5 rows", max_rows=5)
    assert len(read_sheet(path).rows) == 6
    wide = [_feature({f"列{n}": "x" for n in range(120)})]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": wide}), "utf-8")
    _refused(path, r"has 120 columns")
    long = [_feature({"名称": "站"}), _feature({"名称": "站", "备注": "长" * 500})]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": long}), "utf-8")
    _refused(path, r"row 2, column 2 is longer than 300", max_cell_chars=300)


def test_json_depth_counts_lists_and_objects_only():
    assert json_depth_ok({"type": "Point", "coordinates": [1, 2]}, 2)
    assert not json_depth_ok({"a": {"b": {"c": []}}}, 3)
    assert json_depth_ok("just text", 0)
