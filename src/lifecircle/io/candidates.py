"""Read a staff sheet of candidate sites (rooms, shops, partners that could host a new facility).

Rows become :class:`~lifecircle.model.CandidateSite` records in WGS-84 or RowProblems, the same
way facility sheets are read (zh/en headers, any CRS). It reads the sheet only; no planning.
"""

from __future__ import annotations

import re
from pathlib import Path

from lifecircle import geo as crs_io
from lifecircle.errors import BadRowsError, Msg, RowProblem
from lifecircle.io.records import ParseResult, _collect, _converted, _Draft, _Row, _row_key, _source
from lifecircle.io.records import _require_columns as require_columns
from lifecircle.io.sheets import Sheet, normalise_header, read_sheet
from lifecircle.io.values import FieldValueError, norm_text, parse_count
from lifecircle.model import CandidateSite

#: Headers of the opening-cost column (not a field of other sheets, so it arrives in ``extra``).
COST_HEADERS = frozenset(
    normalise_header(h) for h in ("cost", "费用", "成本", "改造费用", "建设费用", "租金", "预算")
)
_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+")


def parse_cost(text: str) -> float:
    """Read a non-negative amount: ``12000``, ``12,000``, ``1.5万`` (= 15000), ``800元``.

    >>> parse_cost("12,000"), parse_cost("1.5万"), parse_cost("800元")
    (12000.0, 15000.0, 800.0)
    """
    value = norm_text(text).replace(",", "").replace(" ", "")
    scale = 10_000.0 if value.endswith("万") or value.endswith("万元") else 1.0
    value = value.removesuffix("元").removesuffix("万")
    if not _NUMBER.fullmatch(value):
        raise FieldValueError(Msg("error.plan.cost"), Msg("error.plan.cost_fix"))
    return float(value) * scale


def _cost(row: _Row) -> float | None:
    for header, value in row.row.extra.items():
        if normalise_header(header) in COST_HEADERS and value:
            try:
                return parse_cost(value)
            except FieldValueError as bad:
                problem = RowProblem(
                    row.sheet.name, row.row.number, header, value, bad.what, bad.fix
                )
                row.problems.append(problem)
    return None


def candidates_from_sheet(sheet: Sheet, *, dataset: str, crs: str) -> ParseResult[CandidateSite]:
    """Read candidate rows: name and coordinates required; capacity, cost, address optional."""
    crs = crs_io.parse_crs(crs)
    require_columns(sheet, ("name",))

    def read(row: _Row) -> _Draft | None:
        name = row.required("name", Msg("error.noun.name"))
        point = row.point()
        capacity = row.parse("capacity", parse_count)
        fields = {
            "name": name,
            "capacity": None if capacity is None else float(capacity),
            "cost": _cost(row),
            "address": row.text("address"),
            "source": _source(sheet, row),
        }
        if row.problems or point is None:
            return None
        key, key_field = _row_key(row, dataset, name)
        return _Draft(key, key_field, fields, point)

    drafts, problems = _collect(sheet, read)
    records = [
        CandidateSite(source_id=d.key, lon=geo["lon"], lat=geo["lat"], **d.fields)
        for d, geo in _converted(drafts, crs)
    ]
    return ParseResult(tuple(records), tuple(problems))


def read_candidates(path: Path, *, crs: str = "wgs84") -> tuple[CandidateSite, ...]:
    """Read a candidate sheet; any bad row raises :class:`BadRowsError` listing them all."""
    sheet = read_sheet(path)
    parsed = candidates_from_sheet(sheet, dataset=path.stem, crs=crs)
    if parsed.problems:
        raise BadRowsError(parsed.problems)
    return parsed.records
