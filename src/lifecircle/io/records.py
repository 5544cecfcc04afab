"""Turn canonical sheet rows into Facility, Compound and Board records, collecting every bad field.

A row becomes either one record (coordinates converted to WGS-84) or one or more RowProblems;
nothing partial is returned and nothing is raised for bad values. It does not read files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import shapely

from lifecircle import geo as crs_io
from lifecircle.errors import NO_HEADER, InputFileError, Msg, RowProblem, UnknownTypeError
from lifecircle.io.sheets import Sheet, SheetRow
from lifecircle.io.values import (
    FieldValueError,
    check_lonlat,
    check_opening_hours,
    key_text,
    norm_text,
    parse_bearing,
    parse_board_id,
    parse_board_kind,
    parse_count,
    parse_date,
    parse_degrees,
    parse_entrances,
    parse_pair,
    parse_phone,
    parse_status,
)
from lifecircle.model import Board, Compound, Facility, LonLat, round_lonlat

T = TypeVar("T")
V = TypeVar("V")


@dataclass(frozen=True)
class ParseResult(Generic[T]):
    """Good records plus the problems of the rows that were left out."""

    records: tuple[T, ...]
    problems: tuple[RowProblem, ...]


# -- one row -----------------------------------------------------------------------------------


#: Hints whose example coordinates (Tianjin's ~117, 39) give way to the area's own centre.
_HERE_HINTS = {
    "error.value.swapped": "error.value.swapped_here",
    "error.value.pair_fix": "error.value.pair_fix_here",
    "error.value.gates_fix": "error.value.gates_fix_here",
}


class _Row:
    """One sheet row being read; every failed field is noted as a RowProblem.

    ``centre`` (lon, lat of the project's area, when known) puts the area's own coordinates
    into the hints: a Nanjing sheet is told "经度约 119", not Tianjin's 117.
    """

    def __init__(self, sheet: Sheet, row: SheetRow, centre: LonLat | None = None) -> None:
        self.sheet, self.row, self.centre = sheet, row, centre
        self.problems: list[RowProblem] = []

    def text(self, name: str) -> str:
        return self.row.values.get(name, "")

    def header(self, name: str) -> str:
        return self.sheet.columns.get(name, name)

    def report(self, name: str, value: str, what: Msg, fix: Msg | None = None) -> None:
        if fix is not None and fix.key in _HERE_HINTS and self.centre is not None:
            lon, lat = self.centre
            fix = Msg(_HERE_HINTS[fix.key], lon=f"{lon:.1f}", lat=f"{lat:.1f}")
        problem = RowProblem(self.sheet.name, self.row.number, self.header(name), value, what, fix)
        self.problems.append(problem)

    def parse(self, name: str, parser: Callable[[str], V]) -> V | None:
        """Parse a non-empty field; an empty one gives None."""
        value = self.text(name)
        if not value:
            return None
        try:
            return parser(value)
        except FieldValueError as bad:
            self.report(name, value, bad.what, bad.fix)
            return None

    def required(self, name: str, what: Msg) -> str:
        value = self.text(name)
        if not value:
            fix = Msg("error.row.fill_in", column=self.header(name))
            self.report(name, "", Msg("error.row.missing", what=what), fix)
        return value

    def point(self) -> LonLat | None:
        """Return the row's lon/lat as written (not yet converted), or None after a problem."""
        lon_text, lat_text = self.text("lon"), self.text("lat")
        if not lon_text and not lat_text and ("lonlat" in self.sheet.columns):
            if not self.text("lonlat"):
                missing = Msg("error.row.missing", what=Msg("error.noun.coordinates"))
                self.report("lonlat", "", missing, Msg("error.value.pair_fix"))
            return self.parse("lonlat", parse_pair)
        if not lon_text or not lat_text:
            name = "lat" if lon_text else "lon"
            noun = "error.noun.coordinate" if lon_text or lat_text else "error.noun.coordinates"
            missing = Msg("error.row.missing", what=Msg(noun))
            self.report(name, "", missing, Msg("error.row.fill_lonlat"))
            return None
        lon, lat = self.parse("lon", parse_degrees), self.parse("lat", parse_degrees)
        if lon is None or lat is None:
            return None
        try:
            return check_lonlat(lon, lat)
        except FieldValueError as bad:
            name = "lon" if bad.what.key == "error.value.lon_range" else "lat"
            self.report(name, self.text(name), bad.what, bad.fix)
            return None

    def outline(self) -> str | None:
        wkt = self.row.geometry_wkt
        if wkt and shapely.from_wkt(wkt).geom_type not in ("Polygon", "MultiPolygon"):
            self.report("geometry", wkt[:40], Msg("error.row.geometry"))
            return None
        return wkt

    def counts(self, names: Sequence[str]) -> dict[str, int | None]:
        values = {name: self.parse(name, parse_count) for name in names}
        residents = values.get("residents")
        parts = (("elderly", Msg("error.noun.elderly")), ("children", Msg("error.noun.children")))
        for name, label in parts:
            part = values.get(name)
            if part is not None and residents is not None and part > residents:
                what = Msg("error.row.more_than_residents", label=label, part=part, total=residents)
                fix = Msg(
                    "error.row.check_columns",
                    column=self.header(name),
                    other=self.header("residents"),
                )
                self.report(name, self.text(name), what, fix)
        return values

    def no_overflow(self) -> None:
        if self.row.overflow:
            self.report(
                NO_HEADER,
                ", ".join(self.row.overflow),
                Msg("error.row.overflow"),
                Msg("error.row.overflow_fix"),
            )


# -- building records --------------------------------------------------------------------------


@dataclass
class _Draft:
    """A good row before its coordinates are converted: the record's other fields and its key."""

    key: str
    key_field: str
    fields: dict[str, Any]
    point: LonLat
    entrances: tuple[LonLat, ...] = ()
    outline_wkt: str | None = None


def _require_columns(sheet: Sheet, names: Sequence[str]) -> None:
    """Refuse a sheet that lacks a required column altogether (a whole-file problem)."""
    missing = [n for n in names if n not in sheet.columns]
    if not ({"lon", "lat"} <= sheet.columns.keys() or "lonlat" in sheet.columns):
        missing.append("lon+lat")
    if missing:
        found = (*sheet.columns.values(), *sheet.extra_columns)
        raise InputFileError(
            "error.sheet.missing_columns", file=sheet.name, missing=tuple(missing), found=found
        )


def _row_key(row: _Row, dataset: str, name: str, suffix: str = "") -> tuple[str, str]:
    """Key a row by its id when it has one, else by its normalised name (+ type code)."""
    if ident := norm_text(row.text("id")):
        return f"sheet:{dataset}:{ident}", "id"
    return f"sheet:{dataset}:{key_text(name)}{suffix}", "name"


def _collect(
    sheet: Sheet, read: Callable[[_Row], _Draft | None], centre: LonLat | None = None
) -> tuple[list[_Draft], list[RowProblem]]:
    """Read every row; keep good ones, and report a later row that repeats an earlier key."""
    drafts: list[_Draft] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for sheet_row in sheet.rows:
        row = _Row(sheet, sheet_row, centre)
        draft = read(row)
        row.no_overflow()
        if draft is not None and draft.key in seen:
            noun = "error.noun.name_and_type" if "type_code" in draft.fields else "error.noun.name"
            noun = "error.noun.id" if draft.key_field == "id" else noun
            row.report(
                draft.key_field,
                row.text(draft.key_field),
                Msg("error.row.repeated", what=Msg(noun), row=seen[draft.key]),
                Msg("error.row.repeated_fix"),
            )
        elif draft is not None and not row.problems:
            seen[draft.key] = sheet_row.number
        problems.extend(row.problems)
        if draft is not None and not row.problems:
            drafts.append(draft)
    return drafts, problems


def _converted(drafts: Sequence[_Draft], crs: str) -> Iterator[tuple[_Draft, dict[str, Any]]]:
    """Yield each draft with its WGS-84 lon, lat, entrances and outline (one vectorised call)."""
    flat = [p for d in drafts for p in (d.point, *d.entrances)]
    lon, lat = crs_io.to_wgs84(
        np.array([p[0] for p in flat], dtype=float),
        np.array([p[1] for p in flat], dtype=float),
        crs,
    )
    points = iter([round_lonlat(x, y) for x, y in zip(lon.tolist(), lat.tolist(), strict=True)])
    for draft in drafts:
        (lon_wgs, lat_wgs), entrances = next(points), tuple(next(points) for _ in draft.entrances)
        outline_wkt = _convert_outline(draft.outline_wkt, crs)
        yield draft, dict(lon=lon_wgs, lat=lat_wgs, entrances=entrances, outline_wkt=outline_wkt)


def _convert_outline(wkt: str | None, crs: str) -> str | None:
    if wkt is None:
        return None

    def to_wgs84(xy: np.ndarray) -> np.ndarray:
        return np.round(np.column_stack(crs_io.to_wgs84(xy[:, 0], xy[:, 1], crs)), 7)

    geom = shapely.transform(shapely.from_wkt(wkt), to_wgs84)
    return str(shapely.to_wkt(geom, rounding_precision=-1))


def _source(sheet: Sheet, row: _Row) -> str:
    return f"sheet:{sheet.name}#row {row.row.number}"


def _resolve(row: _Row, text: str, resolve_type: Callable[[str], str]) -> str | None:
    try:
        return resolve_type(text)
    except UnknownTypeError as err:
        row.report("type", text, err.lead, err.fix)
        return None


#: Canonical fields a Facility stores; any other column of a facility sheet goes to ``extra``.
_FACILITY_FIELDS = {f.name for f in dataclasses.fields(Facility)} | {"id", "type", "lonlat"}


def _facility_extra(sheet: Sheet, row: _Row) -> dict[str, str]:
    """Unknown columns plus known ones a facility has no field for, by original header."""
    unused = {
        sheet.columns[name]: value
        for name, value in row.row.values.items()
        if value and name not in _FACILITY_FIELDS and name in sheet.columns
    }
    return {**unused, **row.row.extra}


def facilities_from_sheet(
    sheet: Sheet,
    *,
    dataset: str,
    crs: str,
    resolve_type: Callable[[str], str],
    centre: LonLat | None = None,
) -> ParseResult[Facility]:
    """Read facility rows (name, type, coordinates required) into WGS-84 Facility records.

    ``resolve_type`` maps a type as written (code, Chinese name, AMap code) to a taxonomy code
    and raises UnknownTypeError otherwise; ``crs`` is the coordinate system of the sheet;
    ``centre`` (the area's lon, lat) makes the coordinate hints speak of the area's numbers.
    """
    crs = crs_io.parse_crs(crs)
    _require_columns(sheet, ("name", "type"))

    def read(row: _Row) -> _Draft | None:
        name = row.required("name", Msg("error.noun.name"))
        type_text = row.required("type", Msg("error.noun.facility_type"))
        type_code = _resolve(row, type_text, resolve_type) if type_text else None
        point, outline = row.point(), row.outline()
        entrances = row.parse("entrances", parse_entrances) or ()
        fields = {
            "name": name,
            "type_code": type_code,
            "address": row.text("address"),
            "phone": row.parse("phone", parse_phone) or "",
            "opening_hours": row.parse("opening_hours", check_opening_hours) or "",
            "community": row.text("community"),
            "subdistrict": row.text("subdistrict"),
            "capacity": row.parse("capacity", parse_count),
            "status": row.parse("status", parse_status) or "open",
            "source": _source(sheet, row),
            "verified_on": row.parse("verified_on", parse_date),
            "extra": _facility_extra(sheet, row),
        }
        if row.problems or point is None or type_code is None:
            return None
        key, key_field = _row_key(row, dataset, name, f"|{type_code}")
        return _Draft(key, key_field, fields, point, entrances, outline)

    drafts, problems = _collect(sheet, read, centre)
    records = [Facility(source_id=d.key, **d.fields, **geo) for d, geo in _converted(drafts, crs)]
    return ParseResult(tuple(records), tuple(problems))


def compounds_from_sheet(
    sheet: Sheet, *, dataset: str, crs: str, centre: LonLat | None = None
) -> ParseResult[Compound]:
    """Read compound rows (name and coordinates required; counts, gates, outline optional)."""
    crs = crs_io.parse_crs(crs)
    _require_columns(sheet, ("name",))

    def read(row: _Row) -> _Draft | None:
        name = row.required("name", Msg("error.noun.compound_name"))
        point, outline = row.point(), row.outline()
        entrances = row.parse("entrances", parse_entrances) or ()
        counts = row.counts(("households", "residents", "elderly", "children"))
        fields = {
            "name": name,
            "community": row.text("community"),
            "subdistrict": row.text("subdistrict"),
            "source": _source(sheet, row),
        }
        if row.problems or point is None:
            return None
        key, key_field = _row_key(row, dataset, name)
        return _Draft(key, key_field, {**fields, **counts}, point, entrances, outline)

    drafts, problems = _collect(sheet, read, centre)
    records = [Compound(source_id=d.key, **d.fields, **geo) for d, geo in _converted(drafts, crs)]
    return ParseResult(tuple(records), tuple(problems))


def boards_from_sheet(
    sheet: Sheet, *, dataset: str, crs: str, centre: LonLat | None = None
) -> ParseResult[Board]:
    """Read board rows (id, name, coordinates required; kind centre/gate, compound, community).

    ``dataset`` is accepted for symmetry with the other readers: a board is keyed by its id
    alone, because the id is printed in its QR code.
    """
    crs = crs_io.parse_crs(crs)
    _require_columns(sheet, ("id", "name"))

    def read(row: _Row) -> _Draft | None:
        has_id = row.required("id", Msg("error.noun.board_id"))
        board_id = row.parse("id", parse_board_id) if has_id else None
        name = row.required("name", Msg("error.noun.board_name"))
        point = row.point()
        fields = {
            "board_id": board_id,
            "name": name,
            "board_kind": row.parse("board_kind", parse_board_kind) or "gate",
            "facing_deg": row.parse("facing", parse_bearing),
            "compound": row.text("compound"),
            "community": row.text("community"),
            "subdistrict": row.text("subdistrict"),
            "source": _source(sheet, row),
        }
        if row.problems or point is None or board_id is None:
            return None
        return _Draft(board_id, "id", fields, point)

    drafts, problems = _collect(sheet, read, centre)
    records = [
        Board(**d.fields, lon=geo["lon"], lat=geo["lat"]) for d, geo in _converted(drafts, crs)
    ]
    return ParseResult(tuple(records), tuple(problems))
