"""Read a staff sheet (CSV in any common encoding, XLSX, GeoJSON) into rows of canonical text.

Headers in Chinese or English are mapped to canonical field names; cells become stripped text.
It checks only that the file is a readable table: field values are judged in ``records``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

from lifecircle.errors import InputFileError, Msg
from lifecircle.io.sheet_limits import SheetLimits, check_xlsx, json_depth_ok, limited_rows
from lifecircle.io.sheet_text import binary_kind, csv_rows, decode_text, sniff_delimiter

#: Canonical field → accepted headers (matched after NFKC, case-folding and dropping punctuation).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "设施编号", "点位编号", "小区编号", "展板编号", "board id"),
    "name": ("name", "名称", "设施名称", "小区名称", "展板名称", "点位名称", "机构名称"),
    "type": ("type", "类型", "设施类型", "类别", "设施类别", "分类", "category"),
    "lon": ("lon", "lng", "long", "longitude", "x", "经度", "东经"),
    "lat": ("lat", "latitude", "y", "纬度", "北纬"),
    "lonlat": ("lonlat", "lnglat", "经纬度", "坐标", "经纬度坐标", "location", "coordinates"),
    "address": ("address", "addr", "地址", "详细地址"),
    "phone": ("phone", "tel", "telephone", "电话", "联系电话", "联系方式", "服务电话"),
    "opening_hours": ("opening hours", "hours", "开放时间", "营业时间", "服务时间", "办公时间"),
    "community": ("community", "所属社区", "社区", "社区名称", "居委会"),
    "subdistrict": ("subdistrict", "街道", "所属街道", "街道办事处"),
    "households": ("households", "户数", "总户数", "住户数"),
    "residents": ("residents", "population", "人口", "人数", "常住人口", "居民数", "总人口"),
    "elderly": ("elderly", "60岁以上", "老年人口", "60岁以上人口", "60岁及以上人口", "老年人数"),
    "children": ("children", "0-6岁", "儿童", "0-6岁儿童", "儿童人数"),
    "entrances": ("entrances", "出入口", "小区出入口", "出入口坐标"),
    "capacity": ("capacity", "容量", "床位", "床位数", "座位", "座位数"),
    "status": ("status", "状态", "运营状态", "营业状态"),
    "verified_on": ("verified on", "verified", "核实日期", "更新日期", "核实时间", "更新时间"),
    "compound": ("compound", "所属小区", "服务小区"),
    "board_kind": ("board kind", "kind", "展板类型", "位置类型"),
    "facing": ("facing", "bearing", "朝向", "读者朝向", "面向", "方位角"),
    "note": ("note", "notes", "remark", "备注", "说明"),
}
#: Row counters: they change whenever a sheet is re-sorted, so keeping them would fake changes.
IGNORED_HEADERS = ("序号", "行号", "No.")
_HEADER_SCAN_ROWS = 10
_BRACKETS = re.compile(r"[(\[【<《].*?[)\]】>》]")


@dataclass(frozen=True)
class SheetRow:
    """One data row: canonical fields as stripped text, plus what did not map to a field.

    ``number`` is the row as a spreadsheet shows it (header = row 1) or the GeoJSON feature
    number; ``extra`` maps unknown headers to text; ``overflow`` holds text found under no
    header (past the last header or under a blank one — often a comma in an unquoted CSV value).
    """

    number: int
    values: Mapping[str, str]
    geometry_wkt: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    overflow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """A whole sheet: where it came from, which header means which field, and its rows."""

    path: str
    name: str
    columns: Mapping[str, str]
    extra_columns: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    encoding: str | None


def normalise_header(text: str) -> str:
    """Reduce a header to lower-case letters and digits so spelling variants compare equal.

    >>> normalise_header(" 0-6岁 "), normalise_header("Opening_Hours"), normalise_header("ＬＯＮ")
    ('06岁', 'openinghours', 'lon')
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


_ALIAS_INDEX: dict[str, str] = {
    normalise_header(alias): canonical
    for canonical, aliases in HEADER_ALIASES.items()
    for alias in (canonical, *aliases)
}


def canonical_field(header: str) -> str | None:
    """Return the canonical field a header means, ignoring a bracketed unit such as ``(人)``.

    >>> canonical_field("设施名称"), canonical_field("经度（GCJ-02）"), canonical_field("颜色")
    ('name', 'lon', None)
    """
    key = normalise_header(header)
    if key in _ALIAS_INDEX:
        return _ALIAS_INDEX[key]
    return _ALIAS_INDEX.get(
        normalise_header(_BRACKETS.sub("", unicodedata.normalize("NFKC", header)))
    )


def read_sheet(
    path: str | Path, *, sheet_name: str | None = None, limits: SheetLimits | None = None
) -> Sheet:
    """Read a CSV, XLSX or GeoJSON file into canonical rows.

    ``sheet_name`` picks an XLSX worksheet (default: the first); other formats ignore it.
    ``limits`` bound what is read (default: the settings' defaults); a file past them is
    refused before it costs much memory or time. Raises InputFileError when the file cannot
    be read as a table at all, or is too large.
    """
    path = Path(path)
    limits = limits or SheetLimits()
    if not path.is_file():
        raise InputFileError("error.sheet.not_found", path=path)
    data = path.read_bytes()
    if not data.strip():
        raise InputFileError("error.sheet.empty", file=path.name)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, data, limits)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data, sheet_name, limits)
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, data, limits)
    if suffix in (".xls", ".et", ".wps"):
        raise InputFileError("error.sheet.old_workbook", file=path.name, suffix=suffix)
    raise InputFileError(
        "error.sheet.unsupported",
        file=path.name,
        suffix=suffix or Msg("error.sheet.no_extension"),
    )


# -- file formats ------------------------------------------------------------------------------


def _read_csv(path: Path, data: bytes, limits: SheetLimits) -> Sheet:
    text, encoding = decode_text(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows = limited_rows(csv_rows(path, reader, limits), file=path.name, limits=limits)
    raw_rows = [(n, list(cells)) for n, cells in rows]
    return _table_to_sheet(path, raw_rows, encoding=encoding)


def _read_xlsx(path: Path, data: bytes, sheet_name: str | None, limits: SheetLimits) -> Sheet:
    if not data.startswith(b"PK\x03\x04"):
        kind = binary_kind(data) or Msg("error.filekind.text_as_xlsx")
        raise InputFileError("error.sheet.not_xlsx", file=path.name, kind=kind)
    check_xlsx(path, limits)
    import openpyxl  # only for a file that passed the checks

    try:
        with warnings.catch_warnings():
            # openpyxl warns about WPS/Excel extensions it skips (data validation, styles).
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputFileError(
            "error.sheet.xlsx_unreadable", file=path.name, detail=str(exc)
        ) from None
    try:
        if sheet_name is not None and sheet_name not in book.sheetnames:
            raise InputFileError(
                "error.sheet.no_worksheet",
                file=path.name,
                name=sheet_name,
                names=tuple(book.sheetnames),
            )
        sheet = book[sheet_name] if sheet_name is not None else book.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # a declared A1:XFD1048576 would pad every row
            sheet.reset_dimensions()
        cells = sheet.iter_rows(min_row=1, values_only=True)
        try:
            rows = limited_rows(enumerate(cells, start=1), file=path.name, limits=limits)
            raw_rows = [(n, list(row)) for n, row in rows]
        finally:
            cells.close()  # closes the worksheet stream openpyxl holds open while iterating
    finally:
        book.close()
    return _table_to_sheet(path, raw_rows, encoding=None)


def _read_geojson(path: Path, data: bytes, limits: SheetLimits) -> Sheet:
    text, encoding = decode_text(path, data)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError("error.sheet.bad_json", file=path.name, detail=str(exc)) from None
    except RecursionError:  # nested deeper than Python's own stack
        doc = None
    if doc is None or not json_depth_ok(doc, limits.max_json_depth):
        raise InputFileError("error.sheet.json_too_deep", file=path.name, n=limits.max_json_depth)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise InputFileError("error.sheet.not_feature_collection", file=path.name, found=str(found))
    features = doc.get("features")
    if not isinstance(features, list):
        raise InputFileError("error.sheet.no_features", file=path.name)
    if len(features) > limits.max_rows:
        raise InputFileError("error.sheet.too_many_rows", file=path.name, n=limits.max_rows)
    headers: dict[str, None] = {}
    for number, feature in enumerate(features, start=1):
        properties = _properties(path, feature)
        headers.update(dict.fromkeys(properties))
        _check_properties(path, number, properties, limits)
    if len(headers) > limits.max_columns:
        raise InputFileError(
            "error.sheet.too_many_columns",
            file=path.name,
            row=1,
            got=len(headers),
            n=limits.max_columns,
        )
    mapped = _map_headers(path, list(headers))
    rows = tuple(
        row
        for number, feature in enumerate(features, start=1)
        if (row := _feature_row(path, number, feature, mapped)) is not None
    )
    columns = mapped.columns
    if any(r.values.get("lon") for r in rows) and "lon" not in columns:
        columns = {**columns, "lon": "geometry", "lat": "geometry"}
        rows = tuple(replace(r, values={"lon": "", "lat": "", **r.values}) for r in rows)
    return Sheet(str(path), path.name, columns, tuple(mapped.extras), rows, encoding)


def _properties(path: Path, feature: Any) -> dict[str, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InputFileError("error.sheet.not_a_feature", file=path.name)
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise InputFileError("error.sheet.bad_properties", file=path.name)
    return props


def _check_properties(
    path: Path, number: int, properties: Mapping[str, Any], limits: SheetLimits
) -> None:
    for column, (header, value) in enumerate(properties.items(), start=1):
        if (
            len(str(header)) > limits.max_cell_chars
            or len(_json_text(value)) > limits.max_cell_chars
        ):
            raise InputFileError(
                "error.sheet.cell_too_long",
                file=path.name,
                row=number,
                column=column,
                n=limits.max_cell_chars,
            )


def _feature_row(path: Path, number: int, feature: Any, mapped: _HeaderMap) -> SheetRow | None:
    props = _properties(path, feature)
    values = {name: _json_text(props.get(header)) for name, header in mapped.columns.items()}
    extra = {h: t for h in mapped.extras if (t := _json_text(props.get(h)))}
    wkt = None
    if feature.get("geometry"):
        try:
            geom = shape(feature["geometry"])
        except (
            AttributeError,
            TypeError,
            ValueError,
            IndexError,
            shapely.errors.GEOSException,
        ) as exc:
            raise InputFileError(
                "error.sheet.bad_geometry", file=path.name, number=number, detail=str(exc)
            ) from None
        if geom.geom_type == "Point" and not geom.is_empty:
            values["lon"], values["lat"] = repr(geom.x), repr(geom.y)
        elif not geom.is_empty:
            wkt = shapely.to_wkt(geom, rounding_precision=-1)
            if not values.get("lon") and not values.get("lat") and not values.get("lonlat"):
                point = geom.representative_point()
                values["lon"], values["lat"] = repr(point.x), repr(point.y)
    if not any(values.values()) and not extra and wkt is None:
        return None
    return SheetRow(number, values, wkt, extra)


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


# -- headers and rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class _HeaderMap:
    columns: dict[str, str]  # canonical field -> header
    extras: list[str]
    field_at: dict[int, str]  # position -> canonical field
    extra_at: dict[int, str]  # position -> unknown header
    skipped: set[int]  # row-counter columns


def _map_headers(path: Path, headers: Sequence[str]) -> _HeaderMap:
    """Map headers to canonical fields; unknown ones become extras, row counters are dropped."""
    mapped = _HeaderMap({}, [], {}, {}, set())
    ignored = {normalise_header(h) for h in IGNORED_HEADERS}
    for position, header in enumerate(headers):
        if not header:
            continue
        if normalise_header(header) in ignored:
            mapped.skipped.add(position)
            continue
        canonical = canonical_field(header)
        if canonical is None:
            if header in mapped.extras:
                raise InputFileError("error.sheet.same_header", file=path.name, header=header)
            mapped.extras.append(header)
            mapped.extra_at[position] = header
        elif canonical in mapped.columns:
            raise InputFileError(
                "error.sheet.same_field",
                file=path.name,
                first=mapped.columns[canonical],
                second=header,
                field=canonical,
            )
        else:
            mapped.columns[canonical] = header
            mapped.field_at[position] = canonical
    return mapped


def _find_header(
    path: Path, rows: Sequence[tuple[int, list[str]]], *, encoding: str | None = None
) -> int:
    """Return the index of the header: the first leading row with known column names.

    For a text file the error names the encoding it was read in: a header that reads as
    nonsense usually means the file is in another encoding.
    """
    candidates = [i for i, (_, cells) in enumerate(rows) if any(cells)][:_HEADER_SCAN_ROWS]
    if not candidates:
        raise InputFileError("error.sheet.no_rows", file=path.name)
    known = {i: sum(canonical_field(c) is not None for c in rows[i][1]) for i in candidates}
    for needed in (2, 1):
        for i in candidates:
            if known[i] >= needed:
                return i
    number, cells = rows[candidates[0]]
    read_as = Msg("error.sheet.read_as", encoding=encoding) if encoding else None
    raise InputFileError(
        "error.sheet.no_header", file=path.name, row=number, cells=repr(cells[:6]), read_as=read_as
    )


def _table_to_sheet(
    path: Path, raw_rows: Sequence[tuple[int, Sequence[Any]]], *, encoding: str | None
) -> Sheet:
    texts = [(n, [_cell_text(c) for c in cells]) for n, cells in raw_rows]
    header_at = _find_header(path, texts, encoding=encoding)
    mapped = _map_headers(path, texts[header_at][1])
    rows = tuple(
        row
        for number, cells in raw_rows[header_at + 1 :]
        if (row := _table_row(number, cells, mapped)) is not None
    )
    return Sheet(str(path), path.name, mapped.columns, tuple(mapped.extras), rows, encoding)


def _table_row(number: int, cells: Sequence[Any], mapped: _HeaderMap) -> SheetRow | None:
    texts = [_cell_text(c, mapped.field_at.get(i, "")) for i, c in enumerate(cells)]
    if not any(texts):
        return None
    values = {f: texts[i] if i < len(texts) else "" for i, f in mapped.field_at.items()}
    extra = {h: texts[i] for i, h in mapped.extra_at.items() if i < len(texts) and texts[i]}
    unmapped = set(range(len(texts))) - mapped.field_at.keys() - mapped.extra_at.keys()
    overflow = tuple(texts[i] for i in sorted(unmapped) if texts[i] and i not in mapped.skipped)
    return SheetRow(number, values, None, extra, overflow)


def _number_text(value: float) -> str:
    """Integers without '.0'; other floats at full precision (repr round-trips)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _cell_text(value: Any, field_name: str = "") -> str:
    """Cell → text: dates as ISO, numbers without float noise, a date serial in a date column."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int | float):
        if field_name == "verified_on" and 20000 <= value <= 80000:
            from openpyxl.utils.datetime import from_excel

            return _cell_text(from_excel(value))
        return _number_text(value)
    return str(value).strip()
