"""Sheet rows → Facility / Compound / Board records: formats, keys, CRS, every bad field."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import difflib
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
import shapely

from lifecircle import geo as crs
from lifecircle.errors import ConfigError, InputFileError, UnknownTypeError
from lifecircle.io.records import (
    boards_from_sheet,
    compounds_from_sheet,
    facilities_from_sheet,
)
from lifecircle.io.sheets import read_sheet

DATA = Path(__file__).parents[1] / "data"
SHEETS = DATA / "sheets"

# A stand-in for Taxonomy.resolve_type(text).code: taxonomy code, Chinese name or AMap code.
FAKE_TYPES = {
    "clinic": "clinic",
    "社区卫生服务站": "clinic",
    "090300": "clinic",
    "day_care": "day_care",
    "日间照料中心": "day_care",
    "library": "library",
    "图书馆": "library",
    "140500": "library",
}


def resolve(text: str) -> str:
    if text in FAKE_TYPES:
        return FAKE_TYPES[text]
    raise UnknownTypeError(text, difflib.get_close_matches(text, FAKE_TYPES, cutoff=0.3))


def facilities(path: Path, crs_name: str = "wgs84"):
    return facilities_from_sheet(
        read_sheet(path), dataset="fac", crs=crs_name, resolve_type=resolve
    )


def write_text(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(result) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.value) for p in result.problems]


# -- the same facilities in every format -------------------------------------------------------


def reference_rows() -> list[list[str]]:
    text = (SHEETS / "facilities.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def typed(header: str, text: str) -> object:
    """A cell as Excel would hold it: numbers as numbers, dates as dates."""
    if not text:
        return None
    if header in ("经度", "纬度"):
        return float(text)
    if header in ("序号", "床位"):
        return int(text.replace(",", ""))
    if header == "核实日期":
        return dt.date.fromisoformat(text)
    return text


def write_format(tmp_path: Path, fmt: str) -> Path:
    header, *rows = reference_rows()
    if fmt in ("utf-8", "utf-8-sig", "gb18030"):
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
        path = tmp_path / f"facilities-{fmt}.csv"
        path.write_bytes(buffer.getvalue().encode(fmt))
    elif fmt == "xlsx":
        book = openpyxl.Workbook()
        book.active.append(header)
        for row in rows:
            book.active.append([typed(h, t) for h, t in zip(header, row, strict=True)])
        path = tmp_path / "facilities.xlsx"
        book.save(path)
    else:
        features = []
        for row in rows:
            props = {h: typed(h, t) for h, t in zip(header, row, strict=True)}
            point = [props.pop("经度"), props.pop("纬度")]
            props["核实日期"] = str(props["核实日期"])
            geometry = {"type": "Point", "coordinates": point}
            features.append({"type": "Feature", "properties": props, "geometry": geometry})
        path = tmp_path / "facilities.geojson"
        doc = {"type": "FeatureCollection", "features": features}
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "gb18030", "xlsx", "geojson"])
def test_every_format_gives_identical_records(tmp_path, fmt):
    expected = facilities(SHEETS / "facilities.csv")
    result = facilities(write_format(tmp_path, fmt))
    assert result.problems == ()
    assert [dataclasses.replace(r, source="") for r in result.records] == [
        dataclasses.replace(r, source="") for r in expected.records
    ]
    numbers = [2, 3, 4, 5] if fmt != "geojson" else [1, 2, 3, 4]
    assert [r.source for r in result.records] == [
        f"sheet:{write_format(tmp_path, fmt).name}#row {n}" for n in numbers
    ]


def test_reference_facilities_field_by_field():
    result = facilities(SHEETS / "facilities.csv")
    assert result.problems == ()
    first, second, third, fourth = result.records
    assert first.source_id == "sheet:fac:F001" and first.source == "sheet:facilities.csv#row 2"
    assert (first.name, first.type_code, first.lon, first.lat) == (
        "友谊里社区卫生服务站",
        "clinic",
        117.2101,
        39.0952,
    )
    assert (first.phone, first.opening_hours, first.community) == (
        "022-23456789",
        "08:00-17:00",
        "友谊里社区",
    )
    assert first.status == "open" and first.verified_on == "2024-05-01" and first.capacity is None
    assert first.subdistrict == "友谊路街道"
    # unknown columns (known ones a facility has no field for too); never the 序号 counter
    assert first.extra == {"负责人": "张红"}
    assert second.type_code == "day_care" and second.capacity == 20 and second.status == "open"
    assert third.type_code == "library" and third.capacity == 1200 and third.status == "planned"
    assert fourth.type_code == "clinic" and fourth.status == "closed"
    assert fourth.lon == 117.2012346  # rounded to 1e-7° by model.round_lonlat


def test_english_headers_give_the_same_records():
    zh = facilities(SHEETS / "facilities.csv").records
    en = facilities(SHEETS / "facilities_en.csv").records
    strip = {"source": "", "extra": {}}
    assert [dataclasses.replace(r, **strip) for r in en] == [
        dataclasses.replace(r, **strip) for r in zh
    ]
    assert en[0].subdistrict == "友谊路街道" and en[0].extra == {"Contact": "张红"}


# -- coordinates -------------------------------------------------------------------------------


@pytest.mark.parametrize("crs_name", ["gcj02", "高德", "bd09", "百度"])
def test_converted_input_lands_within_half_a_metre_of_the_truth(tmp_path, crs_name):
    truth = (117.2, 39.1)  # in Hexi
    lon, lat = crs.from_wgs84(*truth, crs_name)
    path = write_text(
        tmp_path, f'名称,类型,经度,纬度,出入口\nA,clinic,{lon!r},{lat!r},"{lon!r},{lat!r}"\n'
    )
    (record,) = facilities(path, crs_name).records
    assert crs.haversine_m(*truth, record.lon, record.lat) < 0.5
    assert record.entrances == ((record.lon, record.lat),)  # gates use the row's CRS too
    assert crs.haversine_m(*truth, lon, lat) > 400  # unconverted it would be ~550 m off


def test_real_gcj02_polygons_convert_vertex_by_vertex():
    """Tianjin districts read as compounds from the GCJ-02 GeoJSON match the WGS-84 file."""
    result = compounds_from_sheet(
        read_sheet(DATA / "tianjin" / "tianjin_districts_gcj02.geojson"), dataset="tj", crs="gcj02"
    )
    assert result.problems == () and len(result.records) == 16
    wgs = json.loads((DATA / "tianjin" / "tianjin_districts_wgs84.geojson").read_text("utf-8"))
    truth = {
        f["properties"]["name"]: shapely.geometry.shape(f["geometry"]) for f in wgs["features"]
    }
    for record in result.records:
        ours = shapely.get_coordinates(shapely.from_wkt(record.outline_wkt))
        theirs = shapely.get_coordinates(truth[record.name])
        assert crs.haversine_m(ours[:, 0], ours[:, 1], theirs[:, 0], theirs[:, 1]).max() < 0.15
        assert truth[record.name].contains(shapely.Point(record.lon, record.lat))
    hexi = next(r for r in result.records if r.name == "河西区")
    assert hexi.source_id == "sheet:tj:河西区" and hexi.source.endswith("#row 3")


# -- every kind of bad field -------------------------------------------------------------------

HEADER = "名称,类型,经度,纬度,床位,状态,核实日期,出入口\n"


@pytest.mark.parametrize(
    ("row", "column", "value", "message", "hint"),
    [
        (",clinic,117.2,39.1,,,,", "名称", "", "missing name", "名称"),
        ("A,,117.2,39.1,,,,", "类型", "", "missing facility type", ""),
        ("A,clinic,,39.1,,,,", "经度", "", "missing coordinate", "经度 and 纬度"),
        ("A,clinic,,,,,,", "经度", "", "missing coordinates", ""),
        ("A,clinic,117.2a,39.1,,,,", "经度", "117.2a", "not a number of degrees", "117.2"),
        ("A,clinic,39.1,117.2,,,,", "纬度", "117.2", "latitude 117.2 is outside", "swapped"),
        ("A,clinic,217.2,39.1,,,,", "经度", "217.2", "longitude 217.2 is outside", ""),
        ("A,clinic,117.2,39.1,-3,,,", "床位", "-3", "must not be negative", ""),
        ("A,clinic,117.2,39.1,12.5,,,", "床位", "12.5", "must be a whole number", ""),
        ("A,clinic,117.2,39.1,约20,,,", "床位", "约20", "not a number", "1234"),
        ("A,clinic,117.2,39.1,,busy,,", "状态", "busy", "unknown status", "开放"),
        ("A,clinic,117.2,39.1,,,2024-02-30,", "核实日期", "2024-02-30", "not a valid date", ""),
        ("A,clinic,117.2,39.1,,,五月,", "核实日期", "五月", "not a valid date", "2024-05-01"),
        (
            'A,clinic,117.2,39.1,,,,"117.2,39.1,117.3,39.2"',
            "出入口",
            "117.2,39.1,117.3,39.2",
            "several gates without a separator",
            ";",
        ),
        ("A,clinic,117.2,39.1,,,,117.2", "出入口", "117.2", "expected two numbers", ""),
        ("A,clinic,117.2,39.1,,,,39.1 117.2", "出入口", "39.1 117.2", "latitude", "swapped"),
        ("A,诊所X,117.2,39.1,,,,", "类型", "诊所X", "unknown facility type '诊所X'", ""),
        ("A,clinic,117.2,39.1,,,,,23号", "(no header)", "23号", "without a header", "quote"),
    ],
)
def test_bad_field_is_reported_with_file_row_and_original_header(
    tmp_path, row, column, value, message, hint
):
    path = write_text(tmp_path, HEADER + "Good,clinic,117.21,39.11,,,,\n" + row + "\n")
    result = facilities(path)
    assert [r.name for r in result.records] == ["Good"]  # the good row still comes through
    (problem,) = result.problems
    assert (problem.file, problem.row, problem.column, problem.value) == ("f.csv", 3, column, value)
    assert message in problem.message and hint in problem.hint
    assert str(problem).startswith(f"f.csv, row 3, column '{column}'")


def test_unknown_type_carries_the_resolver_suggestions(tmp_path):
    path = write_text(tmp_path, HEADER + "A,clinc,117.2,39.1,,,,\n")
    (problem,) = facilities(path).problems
    assert "closest known types: clinic" in problem.message


def test_every_bad_field_of_a_row_is_collected_and_no_record_is_made(tmp_path):
    path = write_text(tmp_path, HEADER + "A,nope,abc,39.1,-1,maybe,2024-13-01,x\n")
    result = facilities(path)
    assert result.records == ()
    assert [p.column for p in result.problems] == [
        "类型",
        "经度",
        "出入口",
        "床位",
        "状态",
        "核实日期",
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("开放", "open"),
        ("正常", "open"),
        ("营业", "open"),
        ("OPEN", "open"),
        ("", "open"),
        ("关闭", "closed"),
        ("停业", "closed"),
        ("Closed", "closed"),
        ("规划", "planned"),
        ("规划中", "planned"),
        ("拟建", "planned"),
    ],
)
def test_status_words(tmp_path, status, expected):
    path = write_text(tmp_path, f"名称,类型,经度,纬度,状态\nA,clinic,117.2,39.1,{status}\n")
    assert facilities(path).records[0].status == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", "2024-05-01"),
        ("2024/5/1", "2024-05-01"),
        ("2024.5.1", "2024-05-01"),
        ("2024年5月1日", "2024-05-01"),
        ("20240501", "2024-05-01"),
        ("2024-05-01 00:00:00", "2024-05-01"),
    ],
)
def test_date_spellings(tmp_path, text, expected):
    path = write_text(tmp_path, f"名称,类型,经度,纬度,核实日期\nA,clinic,117.2,39.1,{text}\n")
    assert facilities(path).records[0].verified_on == expected


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        ("117.2", "39.1"),
        ("117.2°", "39.1°"),
        ("117.2E", "39.1N"),
        ("117°12′", "39°6′"),
        ("１１７.２", "３９.１"),
    ],
)
def test_degree_spellings(tmp_path, lon, lat):
    path = write_text(tmp_path, f"名称,类型,经度,纬度\nA,clinic,{lon},{lat}\n")
    (record,) = facilities(path).records
    assert (record.lon, record.lat) == (117.2, 39.1)


# -- compounds ---------------------------------------------------------------------------------


def test_reference_compounds_counts_and_gate_spellings():
    result = compounds_from_sheet(read_sheet(SHEETS / "compounds.csv"), dataset="c", crs="wgs84")
    assert result.problems == ()
    xfl, yyl, js = result.records
    assert (xfl.households, xfl.residents, xfl.elderly, xfl.children) == (1200, 3100, 820, 140)
    assert yyl.residents == 2150 and (yyl.lon, yyl.lat) == (117.2098, 39.0957)
    assert xfl.entrances == ((117.215, 39.098), (117.216, 39.099))  # ASCII , ;
    assert yyl.entrances == ((117.2095, 39.095), (117.2101, 39.0962))  # full-width ，；
    assert js.entrances == ((117.2228, 39.0893), (117.2234, 39.0899))  # "lon lat | lon lat"
    assert xfl.source_id == "sheet:c:C01" and xfl.estimate_method is None


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("A,1000,300,20,117.2,39.1", "", None),
        (
            "A,1000,1200,20,117.2,39.1",
            "60岁以上人口",
            "more residents aged 60+ (1200) than residents (1000)",
        ),
        (
            "A,1000,300,1001,117.2,39.1",
            "0-6岁儿童",
            "more children aged 0–6 (1001) than residents (1000)",
        ),
        ('A,"1,000",300,"1 001",117.2,39.1', "0-6岁儿童", "more children"),
        ("A,1000.0,3e2,20,117.2,39.1", "", None),
    ],
)
def test_compound_age_groups_cannot_exceed_residents(tmp_path, row, column, message):
    path = write_text(tmp_path, f"小区名称,常住人口,60岁以上人口,0-6岁儿童,经度,纬度\n{row}\n")
    result = compounds_from_sheet(read_sheet(path), dataset="c", crs="wgs84")
    if message is None:
        assert result.problems == () and len(result.records) == 1
    else:
        (problem,) = result.problems
        assert (problem.row, problem.column) == (2, column) and message in problem.message
        assert result.records == ()


def test_lonlat_cell_swapped(tmp_path):
    path = write_text(tmp_path, '小区名称,经纬度\nA,"39.1,117.2"\n')
    (problem,) = compounds_from_sheet(read_sheet(path), dataset="c", crs="wgs84").problems
    assert (problem.column, problem.value) == ("经纬度", "39.1,117.2") and "swapped" in problem.hint


# -- keys and duplicates -----------------------------------------------------------------------


def test_duplicate_ids_are_reported_on_the_later_row(tmp_path):
    path = write_text(
        tmp_path, "编号,名称,类型,经度,纬度\nF1,A,clinic,117.2,39.1\nF1,B,clinic,117.3,39.2\n"
    )
    result = facilities(path)
    assert [r.source_id for r in result.records] == ["sheet:fac:F1"]
    assert problems_of(result) == [(3, "编号", "F1")]
    assert "same id as row 2" in result.problems[0].message


def test_without_ids_facilities_are_keyed_by_name_and_type(tmp_path):
    path = write_text(
        tmp_path,
        "名称,类型,经度,纬度\n幸福里 服务站,clinic,117.2,39.1\n幸福里服务站,library,117.2,39.1\n"
        "幸福里服务站,社区卫生服务站,117.2,39.1\n",
    )
    result = facilities(path)
    assert [r.source_id for r in result.records] == [
        "sheet:fac:幸福里服务站|clinic",
        "sheet:fac:幸福里服务站|library",
    ]
    assert problems_of(result) == [(4, "名称", "幸福里服务站")]
    assert "same name and type as row 2" in result.problems[0].message


def test_compounds_without_ids_are_keyed_by_normalised_name(tmp_path):
    path = write_text(
        tmp_path, "小区名称,经度,纬度\nSunny Garden,117.2,39.1\nsunny  garden ,117.3,39.2\n"
    )
    result = compounds_from_sheet(read_sheet(path), dataset="hexi", crs="wgs84")
    assert [r.source_id for r in result.records] == ["sheet:hexi:sunnygarden"]
    assert problems_of(result) == [(3, "小区名称", "sunny  garden")]


# -- boards ------------------------------------------------------------------------------------


def test_reference_boards():
    result = boards_from_sheet(read_sheet(SHEETS / "boards.csv"), dataset="b", crs="wgs84")
    assert result.problems == ()
    centre, gate = result.records
    assert (centre.board_id, centre.board_kind, centre.community) == (
        "hx-yyl-01",
        "centre",
        "友谊里社区",
    )
    assert (gate.board_id, gate.board_kind, gate.compound) == ("hx-xfl-n", "gate", "幸福里")
    assert gate.key == "hx-xfl-n" and gate.source == "sheet:boards.csv#row 3"


@pytest.mark.parametrize(
    ("row", "column", "value", "message", "hint"),
    [
        ("HX 001,A,,117.2,39.1", "展板编号", "HX 001", "lowercase letters", "use 'hx-001'"),
        ("hx/1?,A,,117.2,39.1", "展板编号", "hx/1?", "lowercase letters", "use 'hx-1'"),
        (",A,,117.2,39.1", "展板编号", "", "missing board id", ""),
        ("hx-2,,,117.2,39.1", "展板名称", "", "missing board name", ""),
        ("hx-3,A,路口,117.2,39.1", "展板类型", "路口", "unknown board kind", "社区中心"),
        ("hx-1,A,,117.2,39.1", "展板编号", "hx-1", "same id as row 2", ""),
    ],
)
def test_bad_board_rows(tmp_path, row, column, value, message, hint):
    text = "展板编号,展板名称,展板类型,经度,纬度\nhx-1,First,gate,117.2,39.1\n" + row + "\n"
    result = boards_from_sheet(read_sheet(write_text(tmp_path, text)), dataset="b", crs="wgs84")
    assert [b.board_id for b in result.records] == ["hx-1"]
    (problem,) = result.problems
    assert (problem.row, problem.column, problem.value) == (3, column, value)
    assert message in problem.message and hint in problem.hint


# -- whole-sheet problems ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reader", "missing"),
    [
        ("名称,经度,纬度\nA,117.2,39.1\n", "facilities", "type"),
        ("名称,类型,经度\nA,clinic,117.2\n", "facilities", "lon+lat"),
        ("名称,经度,纬度\nA,117.2,39.1\n", "boards", "id"),
        ('户数,经纬度\n100,"117.2,39.1"\n', "compounds", "name"),
    ],
)
def test_missing_required_column_is_a_whole_file_error(tmp_path, text, reader, missing):
    sheet = read_sheet(write_text(tmp_path, text))
    with pytest.raises(InputFileError, match=rf"f\.csv: no column for {re.escape(missing)}"):
        if reader == "facilities":
            facilities_from_sheet(sheet, dataset="f", crs="wgs84", resolve_type=resolve)
        elif reader == "boards":
            boards_from_sheet(sheet, dataset="f", crs="wgs84")
        else:
            compounds_from_sheet(sheet, dataset="f", crs="wgs84")


def test_unknown_crs_is_a_config_error(tmp_path):
    sheet = read_sheet(write_text(tmp_path, "名称,经度,纬度\nA,117.2,39.1\n"))
    with pytest.raises(ConfigError, match="gcj02"):
        compounds_from_sheet(sheet, dataset="f", crs="mars")


def test_line_geometry_is_not_an_outline(tmp_path):
    line = {"type": "LineString", "coordinates": [[117.2, 39.1], [117.3, 39.2]]}
    doc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"名称": "A"}, "geometry": line}],
    }
    path = tmp_path / "c.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = compounds_from_sheet(read_sheet(path), dataset="c", crs="wgs84")
    (problem,) = result.problems
    assert (problem.row, problem.column) == (1, "geometry") and "Polygon" in problem.message


def test_subdistrict_column_is_kept_on_compounds_and_boards(tmp_path):
    sheet = tmp_path / "c.csv"
    sheet.write_text(
        "小区名称,所属社区,所属街道,经纬度\n幸福里,幸福里社区,桃园街道,117.2155 39.0985\n"
    )
    (compound,) = compounds_from_sheet(read_sheet(sheet), dataset="c", crs="wgs84").records
    assert (compound.community, compound.subdistrict) == ("幸福里社区", "桃园街道")
    boards = tmp_path / "b.csv"
    boards.write_text("编号,名称,街道,经度,纬度\nb1,幸福里北门,桃园街道,117.2155,39.0985\n")
    (board,) = boards_from_sheet(read_sheet(boards), dataset="b", crs="wgs84").records
    assert board.subdistrict == "桃园街道"


@pytest.mark.parametrize(
    ("phone", "hours", "column", "message"),
    [
        ("请找王主任", "", "电话", "not a phone number"),
        ("12", "", "电话", "not a phone number"),
        ("", "Mo-Fr 08:00-25:00", "开放时间", "25:00 is not a time of day"),
        ("", "周一至周五 8:75-17:00", "开放时间", "8:75 is not a time of day"),
    ],
)
def test_bad_phones_and_impossible_hours_are_row_problems(tmp_path, phone, hours, column, message):
    text = (
        "名称,类型,经度,纬度,电话,开放时间\n好,clinic,117.21,39.11,022-23456789,Mo-Fr 08:00-17:00\n"
    )
    path = write_text(tmp_path, text + f"坏,clinic,117.2,39.1,{phone},{hours}\n")
    result = facilities(path)
    assert [r.name for r in result.records] == ["好"]
    (problem,) = result.problems
    assert (problem.row, problem.column) == (3, column) and message in problem.message
    assert problem.hint


def test_phones_are_tidied_and_free_text_hours_kept_as_written(tmp_path):
    text = (
        "名称,类型,经度,纬度,电话,开放时间\n"
        "站,clinic,117.2,39.1,０２２－２３４５６７８９转１２,周一至周五 8:30-17:00\n"
    )
    (record,) = facilities(write_text(tmp_path, text)).records
    assert record.phone == "022-23456789转12" and record.opening_hours == "周一至周五 8:30-17:00"
