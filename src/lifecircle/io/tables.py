"""Write result tables (gap rows, coverage summaries) as CSV, XLSX or GeoJSON for staff and GIS.

Only formats values it is given. CSV is UTF-8 with a BOM so Excel shows Chinese correctly; XLSX
headers are the Chinese (or English) labels from the message catalogue.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from lifecircle.engine.gaps import AreaCoverage, CircleReport, GapRow, MissingType
from lifecircle.errors import ConfigError
from lifecircle.i18n import catalogue, t
from lifecircle.model import Compound

FORMATS = (".csv", ".xlsx", ".geojson")


@dataclasses.dataclass(frozen=True)
class GapReport:
    """Everything ``lifecircle gaps`` writes: rows and summaries of one or more profiles."""

    rows: Sequence[GapRow]
    coverage: Sequence[AreaCoverage]
    coverage_by_subdistrict: Sequence[AreaCoverage]
    top_missing: Sequence[MissingType]
    circles: Mapping[str, Sequence[CircleReport]]  # profile -> reports
    conventions: Sequence[str]  # one line per profile (profile.describe()), then notes
    data_date: str


def _records(items: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        row = dataclasses.asdict(item)
        if isinstance(item, AreaCoverage):
            share = item.share
            row["share"] = round(share, 4) if share is not None else None
        out.append(row)
    return out


def _circle_records(circles: Mapping[str, Sequence[CircleReport]]) -> list[dict[str, Any]]:
    out = []
    for profile, reports in circles.items():
        for report in reports:
            row = {"profile": profile, **dataclasses.asdict(report)}
            row["lacking"] = "; ".join(f"{k}:{v}" for k, v in report.lacking.items() if v)
            out.append(row)
    return out


def write_csv(path: Path, records: Sequence[Mapping[str, Any]]) -> Path:
    """Write dict rows as UTF-8-with-BOM CSV (the keys of the first row are the header)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        if not records:
            return path
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return path


def _sheet(book: Workbook, title: str, records: Sequence[Mapping[str, Any]], lang: str) -> None:
    sheet = book.create_sheet(title)
    if not records:
        return
    keys = list(records[0])
    sheet.append([t(f"col.{key}", lang) if f"col.{key}" in catalogue() else key for key in keys])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([_cell(record[key]) for key in keys])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column[:200])
        sheet.column_dimensions[column[0].column_letter].width = min(max(8, width * 1.6), 48)


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_gap_report(
    report: GapReport, out: Path, *, compounds: Sequence[Compound], lang: str = "zh"
) -> list[Path]:
    """Write the gap table to ``out`` (.csv, .xlsx or .geojson) and its summaries; list paths."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError("error.output.format", path=str(out), suffix=suffix, formats=FORMATS)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = _records(report.rows)
    summaries = {
        "coverage": _records(report.coverage),
        "coverage_subdistrict": _records(report.coverage_by_subdistrict),
        "top_missing": _records(report.top_missing),
        "circles": _circle_records(report.circles),
    }
    if suffix == ".xlsx":
        book = Workbook()
        if book.active is not None:
            book.remove(book.active)  # start with no sheet; each table adds its own
        _sheet(book, t("gaps.sheet_rows", lang), rows, lang)
        for name, records in summaries.items():
            _sheet(book, t(f"gaps.sheet_{name}", lang), records, lang)
        notes = book.create_sheet(t("gaps.sheet_notes", lang))
        for line in [t("gaps.data_date", lang, date=report.data_date), *report.conventions]:
            notes.append([line])
        book.save(out)
        return [out]
    written = [write_csv(out, rows) if suffix == ".csv" else _write_geojson(out, report, compounds)]
    for name, records in summaries.items():
        written.append(write_csv(out.with_name(f"{out.stem}_{name}.csv"), records))
    return written


def _write_geojson(out: Path, report: GapReport, compounds: Sequence[Compound]) -> Path:
    by_id = {c.source_id: c for c in compounds}
    features: dict[tuple[str, str], dict[str, Any]] = {}
    for row in report.rows:
        compound = by_id.get(row.compound_id)
        if compound is None:
            continue
        feature = features.setdefault(
            (row.compound_id, row.profile),
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [compound.lon, compound.lat]},
                "properties": {
                    "compound_id": row.compound_id,
                    "compound_name": row.compound_name,
                    "community": row.community,
                    "profile": row.profile,
                    "residents": row.residents,
                    "residents_estimated": row.residents_estimated,
                    "elderly": row.elderly,
                    "children": row.children,
                    "missing_types": [],
                },
            },
        )
        props = feature["properties"]
        props[f"nearest_{row.type}"] = row.nearest_min if row.nearest_m is None else row.nearest_m
        if row.missing:
            props["missing_types"].append(row.type)
    for feature in features.values():
        feature["properties"]["n_missing"] = len(feature["properties"]["missing_types"])
    collection = {
        "type": "FeatureCollection",
        "properties": {
            "data_date": report.data_date,
            "conventions": list(report.conventions),
            "attribution": "© OpenStreetMap contributors",
        },
        "features": list(features.values()),
    }
    out.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return out
