"""Reading staff sheets: encodings, delimiters, headers, XLSX/GeoJSON values, whole-file errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
import shapely

from lifecircle.errors import InputFileError
from lifecircle.io.sheets import canonical_field, read_sheet

SHEETS = Path(__file__).parents[1] / "data" / "sheets"


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ","):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, *sheets: tuple[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


# -- encodings and delimiters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter", "reported"),
    [
        ("utf-8-sig", ",", "utf-8-sig"),  # Excel "CSV UTF-8"
        ("gb18030", ",", "gb18030"),  # Excel/WPS "CSV" on a Chinese Windows
        ("gbk", ";", "gb18030"),
        ("utf-16", "\t", "utf-16"),  # Excel "Unicode text"
        ("utf-8", "\t", "utf-8"),
    ],
)
def test_every_encoding_and_delimiter_gives_the_same_rows(tmp_path, encoding, delimiter, reported):
    reference = read_sheet(SHEETS / "facilities.csv")
    path = write_csv(
        tmp_path / "f.csv",
        csv_rows(SHEETS / "facilities.csv"),
        encoding=encoding,
        delimiter=delimiter,
    )
    if encoding in ("gb18030", "gbk"):
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # so detection really had work to do
    sheet = read_sheet(path)
    assert sheet.encoding == reported
    assert sheet.rows == reference.rows
    assert sheet.columns == reference.columns
    assert reference.encoding == "utf-8"


def test_reference_sheet_reads_as_a_person_sees_it():
    sheet = read_sheet(SHEETS / "facilities.csv")
    assert sheet.name == "facilities.csv"
    assert sheet.columns["name"] == "设施名称" and sheet.columns["lon"] == "经度"
    assert sheet.extra_columns == ("负责人",)
    assert [r.number for r in sheet.rows] == [2, 3, 4, 5]
    second = sheet.rows[1]
    assert second.values["address"] == "河西区幸福里5号楼, 底商"  # quoted comma stays in the cell
    assert second.values["capacity"] == "20" and second.values["type"] == "日间照料中心"
    assert sheet.rows[0].extra == {"负责人": "张红"} and second.extra == {}
    assert "序号" not in sheet.columns.values() and all("序号" not in r.extra for r in sheet.rows)


def test_tab_file_keeps_a_lonlat_cell_with_a_comma(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("名称\t经纬度\t户数\n幸福里\t117.2155,39.0985\t1,200\n", encoding="utf-8")
    row = read_sheet(path).rows[0]
    assert row.values == {"name": "幸福里", "lonlat": "117.2155,39.0985", "households": "1,200"}


def test_empty_rows_are_skipped_but_row_numbers_match_the_spreadsheet(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "名称,经度,纬度\n\nA,117.1,39.1\n,,\n  ,\t,\nB,117.2,39.2\n\n", encoding="utf-8"
    )
    sheet = read_sheet(path)
    assert [(r.number, r.values["name"]) for r in sheet.rows] == [(3, "A"), (6, "B")]


def test_cells_beyond_the_header_are_kept_as_overflow(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("名称,地址,,经度,纬度\nA,友谊路,23号,117.1,39.1,x\n", encoding="utf-8")
    row = read_sheet(path).rows[0]
    assert row.overflow == ("23号", "x")
    assert row.values["lon"] == "117.1"


# -- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("设施名称", "name"),
        ("小区名称", "name"),
        (" NAME ", "name"),
        ("名 称", "name"),
        ("ｎａｍｅ", "name"),  # full-width letters
        ("类别", "type"),
        ("lng", "lon"),
        ("X", "lon"),
        ("经度（GCJ-02）", "lon"),
        ("Latitude", "lat"),
        ("经纬度", "lonlat"),
        ("坐标", "lonlat"),
        ("Opening_Hours", "opening_hours"),
        ("营业时间", "opening_hours"),
        ("常住人口(人)", "residents"),
        ("60岁以上", "elderly"),
        ("0-6岁儿童", "children"),
        ("0~6岁", "children"),
        ("小区出入口", "entrances"),
        ("床位", "capacity"),
        ("更新日期", "verified_on"),
        ("服务小区", "compound"),
        ("位置类型", "board_kind"),
        ("备注", "note"),
        ("所属街道", "subdistrict"),
        ("颜色", None),
        ("序号", None),
    ],
)
def test_header_aliases(header, expected):
    assert canonical_field(header) == expected


def test_english_and_chinese_headers_read_the_same_values():
    zh, en = read_sheet(SHEETS / "facilities.csv"), read_sheet(SHEETS / "facilities_en.csv")
    assert zh.columns.keys() == en.columns.keys()
    for a, b in zip(zh.rows, en.rows, strict=True):
        same = {k: v for k, v in a.values.items() if k not in ("status", "capacity")}
        assert same == {k: v for k, v in b.values.items() if k not in ("status", "capacity")}
    assert en.extra_columns == ("Contact",)  # "No." is a row counter, dropped like 序号


def test_duplicate_canonical_columns_name_both_headers(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("名称,设施名称,经度,纬度\nA,A,117.1,39.1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"f\.csv.*'名称'.*'设施名称'"):
        read_sheet(path)


def test_duplicate_unknown_columns_are_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("名称,颜色,颜色\nA,红,绿\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="颜色"):
        read_sheet(path)


# -- XLSX --------------------------------------------------------------------------------------


def test_xlsx_values_become_sensible_text(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        (
            "设施",
            [
                ["河西区养老设施统计表"],  # a title row above the header, as staff often add
                [],
                ["名称", "经度", "纬度", "床位", "电话", "核实日期", "开放时间", "备注"],
                [
                    "A",
                    117.2,
                    39.123456789012,
                    20,
                    2223456789,
                    dt.date(2024, 5, 1),
                    dt.time(8, 30),
                    1234.0,
                ],
                [None, None],
                [
                    "B",
                    117,
                    39.1,
                    20.0,
                    "022-1",
                    dt.datetime(2024, 5, 2, 0, 0),
                    "8:00",
                    dt.datetime(2024, 5, 2, 9, 30),
                ],
                ["C", 117.3, 39.2, None, None, 45413, None, None],
            ],
        ),
    )
    sheet = read_sheet(path)
    assert sheet.encoding is None
    a, b, c = sheet.rows
    assert (a.number, b.number, c.number) == (4, 6, 7)
    assert a.values == {
        "name": "A",
        "lon": "117.2",
        "lat": "39.123456789012",
        "capacity": "20",
        "phone": "2223456789",
        "verified_on": "2024-05-01",
        "opening_hours": "08:30:00",
        "note": "1234",
    }
    assert b.values["lon"] == "117" and b.values["capacity"] == "20"
    assert b.values["verified_on"] == "2024-05-02" and b.values["note"] == "2024-05-02 09:30:00"
    assert c.values["verified_on"] == "2024-05-01"  # a date serial typed into a date column


def test_xlsx_reads_the_named_worksheet(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        ("说明", [["本表由社区填写"]]),
        ("小区", [["小区名称", "经纬度"], ["幸福里", "117.2,39.1"]]),
    )
    sheet = read_sheet(path, sheet_name="小区")
    assert sheet.rows[0].values == {"name": "幸福里", "lonlat": "117.2,39.1"}
    with pytest.raises(InputFileError, match=r"f\.xlsx.*no header row"):
        read_sheet(path)  # the first worksheet is a note, not a table
    with pytest.raises(InputFileError, match=r"no worksheet named '设施'.*说明, 小区"):
        read_sheet(path, sheet_name="设施")


# -- GeoJSON -----------------------------------------------------------------------------------


def feature(geometry, **properties):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def test_geojson_properties_and_geometries(tmp_path):
    square = [[[117.20, 39.10], [117.21, 39.10], [117.21, 39.11], [117.20, 39.11], [117.20, 39.10]]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            feature(
                {"type": "Point", "coordinates": [117.2101, 39.0952]}, 名称="站", 床位=20, 开放=True
            ),
            feature({"type": "Polygon", "coordinates": square}, 名称="幸福里", 户数=1200.0),
            feature(None, 名称="无图形", 经纬度="117.2,39.1"),
            feature(None),
        ],
    }
    path = tmp_path / "f.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    sheet = read_sheet(path)
    point, polygon, plain = sheet.rows
    assert sheet.columns["lon"] == "geometry" and sheet.extra_columns == ("开放",)
    assert point.values["lon"] == "117.2101" and point.values["capacity"] == "20"
    assert point.extra == {"开放": "true"} and point.geometry_wkt is None
    assert polygon.values["households"] == "1200"
    outline = shapely.from_wkt(polygon.geometry_wkt)
    assert outline.equals(shapely.Polygon(square[0]))
    assert outline.contains(
        shapely.Point(float(polygon.values["lon"]), float(polygon.values["lat"]))
    )
    assert plain.number == 3 and plain.values["lonlat"] == "117.2,39.1" and not plain.values["lon"]


# -- whole-file problems -----------------------------------------------------------------------


def xlsx_bytes(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "real.xlsx", ("s", [["名称"], ["A"]])).read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "pattern"),
    [
        ("empty.csv", b"", r"empty\.csv: the file is empty"),
        ("blank.csv", b" \r\n\r\n", r"blank\.csv: the file is empty"),
        ("bom.csv", b"\xef\xbb\xbf", r"bom\.csv: the file is empty"),
        ("commas.csv", b",,,\n,,\n", r"commas\.csv: the file is empty"),
        ("noheader.csv", "幸福里,117.2,39.1\n".encode(), r"noheader\.csv: no header row.*幸福里"),
        (
            "report.csv",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            r"report\.csv: not a text table.*PDF",
        ),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", r"photo\.csv: .*PNG"),
        ("blob.csv", b"abc\x00\x01\x02def", r"blob\.csv: not a text table.*binary"),
        ("table.csv", "xlsx", r"table\.csv: .*zip archive \(an \.xlsx"),
        ("text.xlsx", "名称,经度\nA,117\n".encode(), r"text\.xlsx: not an \.xlsx workbook.*CSV"),
        (
            "broken.xlsx",
            b"PK\x03\x04garbage",
            r"broken\.xlsx: the \.xlsx workbook cannot be opened",
        ),
        ("old.xls", b"\xd0\xcf\x11\xe0", r"old\.xls: old \.xls workbooks.*save as \.xlsx"),
        ("notes.docx", b"PK\x03\x04", r"notes\.docx: unsupported file type '\.docx'"),
        ("bad.geojson", b'{"type": "Feature"', r"bad\.geojson: not valid JSON"),
        (
            "one.geojson",
            b'{"type": "Feature", "properties": {}, "geometry": null}',
            r"one\.geojson: expected a GeoJSON FeatureCollection, found 'Feature'",
        ),
        ("list.json", b"[1, 2]", r"list\.json: expected a GeoJSON FeatureCollection, found 'list'"),
        (
            "odd.geojson",
            b'{"type": "FeatureCollection", "features": [{"type": "Point"}]}',
            r"odd\.geojson: .*not a Feature",
        ),
        (
            "geom.geojson",
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
            b'"properties": {}, "geometry": {"type": "Polygon", "coordinates": [[1, 2]]}}]}',
            r"geom\.geojson, feature 1: the geometry cannot be read",
        ),
    ],
)
def test_unreadable_files_raise_input_file_error_naming_the_file(tmp_path, name, content, pattern):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(tmp_path) if content == "xlsx" else content)
    with pytest.raises(InputFileError, match=pattern):
        read_sheet(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match=r"nothere\.csv: file not found"):
        read_sheet(tmp_path / "nothere.csv")


def test_other_single_byte_encodings_fall_back_to_detection(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,lon,lat\nCafé Über,117.2,39.1\nRésidence,117.3,39.2\n".encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("gb18030")  # neither UTF-8 nor GB18030 can read it
    sheet = read_sheet(path)
    assert [r.values["name"] for r in sheet.rows] == ["Café Über", "Résidence"]
    assert sheet.encoding not in ("utf-8", "gb18030")
