"""Read a grid file: 网格 and 微网格 as GeoJSON polygons, or a sheet listing compounds per grid.

Headers (Chinese or English): 网格编码/code, 网格名称/name, 类型/kind (网格 | 微网格),
所属网格/parent, 社区/community, 街道/subdistrict, 区/district, 包含小区/compounds (names
separated by 、 ， ; or new lines). Every bad field is a :class:`~lifecircle.errors.RowProblem`
naming file, row and column; whether the named compounds exist is judged by
:mod:`lifecircle.desk.grids`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from lifecircle import geo
from lifecircle.errors import InputFileError, Msg, RowProblem
from lifecircle.io.sheets import Sheet, SheetRow, normalise_header, read_sheet

#: Our field → (the field ``read_sheet`` may have mapped it to, other accepted headers).
FIELDS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "code": ("id", ("code", "网格编码", "编码", "网格代码", "grid code", "网格编号")),
    "name": ("name", ("网格名称", "网格", "grid name", "grid")),
    "kind": ("type", ("kind", "level", "层级", "级别", "网格类型")),
    "parent": ("", ("parent", "所属网格", "上级网格", "parent grid")),
    "community": ("community", ()),
    "subdistrict": ("subdistrict", ()),
    "district": ("", ("district", "区", "所属区", "区县")),
    "compounds": ("compound", ("compounds", "小区", "包含小区", "覆盖小区", "小区列表")),
}
KINDS: Mapping[str, str] = {
    normalise_header(text): kind
    for kind, texts in {
        "grid": ("grid", "网格", "基础网格", "综合网格"),
        "microgrid": ("microgrid", "micro-grid", "micro grid", "微网格", "楼栋网格"),
    }.items()
    for text in texts
}
_SPLIT = re.compile(r"[、，,;；\n]+")


@dataclass(frozen=True)
class GridSheetRow:
    """One grid as read from a file (outline in WGS-84 WKT, compounds by name or key)."""

    number: int
    code: str
    name: str
    kind: str
    parent: str
    community: str
    subdistrict: str
    district: str
    outline_wkt: str | None
    compounds: tuple[str, ...]
    compounds_header: str = "compounds"


def _headers(sheet: Sheet) -> dict[str, str]:
    """Return the header as written in the file of each of our fields (else the field's name)."""
    found = {}
    for name, (canonical, aliases) in FIELDS.items():
        wanted = {normalise_header(a) for a in (name, *aliases)}
        header = sheet.columns.get(canonical) if canonical else None
        if header is None:
            header = next((h for h in sheet.extra_columns if normalise_header(h) in wanted), None)
        found[name] = header or name
    return found


def _field(row: SheetRow, name: str, headers: Mapping[str, str]) -> tuple[str, str]:
    """Return (header as written, text) of one of our fields in one row."""
    canonical = FIELDS[name][0]
    header = headers[name]
    text = row.values.get(canonical, "") if canonical else ""
    return header, (text or row.extra.get(header, "")).strip()


def _names(text: str) -> tuple[str, ...]:
    """Split a list of compound names (a JSON list from GeoJSON, or text with separators).

    >>> _names("桃园里、 华苑 ;  新村"), _names('["桃园里", "华苑"]')
    (('桃园里', '华苑', '新村'), ('桃园里', '华苑'))
    """
    if text.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            items = None
        if isinstance(items, list):
            return tuple(str(i).strip() for i in items if str(i).strip())
    return tuple(p.strip() for p in _SPLIT.split(text) if p.strip())


def _outline(file: str, row: SheetRow, crs: str, problems: list[RowProblem]) -> str | None:
    if row.geometry_wkt is None:
        return None
    geom = shapely.from_wkt(row.geometry_wkt)
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        what = Msg("error.grids.not_polygon", found=geom.geom_type)
        problems.append(RowProblem(file, row.number, "geometry", "", what))
        return None
    if crs != "wgs84":
        geom = shapely.transform(
            geom, lambda xy: np.column_stack(geo.to_wgs84(xy[:, 0], xy[:, 1], crs))
        )
    return str(shapely.make_valid(geom).wkt)


def _row(
    file: str, row: SheetRow, crs: str, headers: Mapping[str, str], problems: list[RowProblem]
) -> GridSheetRow | None:
    found = {name: _field(row, name, headers) for name in FIELDS}
    before = len(problems)
    code_col, code = found["code"]
    if not code:
        what = Msg("error.row.missing", what=Msg("grids.noun.code"))
        problems.append(RowProblem(file, row.number, code_col, "", what))
    kind_col, kind_text = found["kind"]
    parent = found["parent"][1]
    kind = KINDS.get(normalise_header(kind_text)) if kind_text else None
    if kind_text and kind is None:
        what = Msg("error.grids.bad_kind")
        problems.append(RowProblem(file, row.number, kind_col, kind_text, what))
    outline = _outline(file, row, crs, problems)
    compounds = _names(found["compounds"][1])
    if outline is None and not compounds and row.geometry_wkt is None:
        what = Msg("error.grids.no_place")
        problems.append(RowProblem(file, row.number, found["compounds"][0], "", what))
    if len(problems) > before:
        return None
    return GridSheetRow(
        number=row.number,
        code=code,
        name=found["name"][1] or code,
        kind=kind or ("microgrid" if parent else "grid"),
        parent=parent,
        community=found["community"][1],
        subdistrict=found["subdistrict"][1],
        district=found["district"][1],
        outline_wkt=outline,
        compounds=compounds,
        compounds_header=found["compounds"][0],
    )


def _check_tree(
    file: str, rows: Sequence[GridSheetRow], headers: Mapping[str, str], problems: list[RowProblem]
) -> None:
    """Codes are unique; a micro-grid names a grid of the file as its parent; a grid none."""
    by_code: dict[str, GridSheetRow] = {}
    for row in rows:
        if row.code in by_code:
            what = Msg("error.grids.duplicate_code", row=by_code[row.code].number)
            problems.append(RowProblem(file, row.number, headers["code"], row.code, what))
        by_code.setdefault(row.code, row)
    for row in rows:
        parent = by_code.get(row.parent) if row.parent else None
        if row.kind == "microgrid" and (parent is None or parent.kind != "grid"):
            what = Msg("error.grids.bad_parent", parent=row.parent or "—")
            problems.append(RowProblem(file, row.number, headers["parent"], row.parent, what))
        elif row.kind == "grid" and row.parent:
            what = Msg("error.grids.grid_with_parent")
            problems.append(RowProblem(file, row.number, headers["parent"], row.parent, what))


def read_grids(
    path: str | Path, *, crs: str = "wgs84"
) -> tuple[list[GridSheetRow], list[RowProblem]]:
    """Read a grid file (GeoJSON, CSV or XLSX); return its grids and the problems found.

    A row with a problem is left out of the grids; the caller decides whether any problem
    stops the import (the desk's import stops at the first file with problems).

    Raises
    ------
    InputFileError
        The file cannot be read as a table or GeoJSON at all.
    """
    file = Path(path).name
    try:
        sheet = read_sheet(path)
    except InputFileError as exc:
        if exc.msg.key == "error.sheet.no_header":  # headers only a grid file uses
            raise InputFileError("error.grids.no_header", file=file) from None
        raise
    problems: list[RowProblem] = []
    headers = _headers(sheet)
    made = (_row(file, row, crs, headers, problems) for row in sheet.rows)
    rows = [r for r in made if r is not None]
    if not sheet.rows:
        problems.append(RowProblem(file, 1, "", "", Msg("error.grids.empty")))
    _check_tree(file, rows, headers, problems)
    return rows, problems
