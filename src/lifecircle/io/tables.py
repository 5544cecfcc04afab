"""Write result tables (gap rows, coverage summaries) as CSV, XLSX or GeoJSON for staff and GIS.

Only formats values it is given. CSV is UTF-8 with a BOM so Excel shows Chinese correctly; XLSX
headers are the Chinese (or English) labels from the message catalogue, verdicts are words
(可达 / 缺 / 未采集) and shares percentages. The XLSX opens on its notes: the data's label (a demo
says so), the date, and how coverage is counted.
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

from lifecircle.engine.coverage import AreaCoverage, TypeCoverage, UncollectedType
from lifecircle.engine.gaps import CircleReport, GapRow, MissingType
from lifecircle.errors import ConfigError
from lifecircle.i18n import catalogue, t
from lifecircle.model import Compound

FORMATS = (".csv", ".xlsx", ".geojson")


@dataclasses.dataclass(frozen=True)
class GapReport:
    """Everything ``lifecircle gaps`` writes: rows and summaries of one or more profiles.

    ``by_type`` covers the whole area, ``by_type_community`` each community; ``coverage`` and
    ``coverage_by_subdistrict`` are the content-area lines; ``not_collected`` the types the
    data holds nothing of; ``notice`` a label every output carries (the demo's), or empty.
    """

    rows: Sequence[GapRow]
    by_type: Sequence[TypeCoverage]
    by_type_community: Sequence[TypeCoverage]
    coverage: Sequence[AreaCoverage]
    coverage_by_subdistrict: Sequence[AreaCoverage]
    top_missing: Sequence[MissingType]
    not_collected: Sequence[UncollectedType]
    circles: Mapping[str, Sequence[CircleReport]]  # profile -> reports
    conventions: Sequence[str]  # one line per profile (profile.describe()), then notes
    data_date: str
    notice: str = ""
    area_names: Mapping[str, str] = dataclasses.field(default_factory=dict)  # code -> 中文名
    #: Types a sheet was declared to hold completely: their gaps are real, the others' may be
    #: missing data (a column of the per-type and top-missing tables says which).
    complete_types: frozenset[str] = frozenset()

    def type_names(self) -> dict[str, str]:
        """Chinese name of every type code the report mentions."""
        names = {r.type: r.type_name for r in self.rows}
        return names | {u.type: u.type_name for u in self.not_collected}


#: Columns holding shares (0–1), shown as percentages in XLSX.
_SHARES = ("share", "share_compounds", "share_residents")


def _records(
    items: Sequence[Any],
    names: Mapping[str, str] | None = None,
    complete: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    out = []
    for item in items:
        row = dataclasses.asdict(item)
        if complete is not None:
            row["declared_complete"] = item.type in complete
        if isinstance(item, TypeCoverage):
            row["share_compounds"] = _rounded(item.share_compounds)
            row["share_residents"] = _rounded(item.share_residents)
        if isinstance(item, AreaCoverage):
            row["share"] = _rounded(item.share)
            codes = row["not_collected"]
            row["not_collected"] = "、".join((names or {}).get(c, c) for c in codes)
        out.append(row)
    return out


def _rounded(share: float | None) -> float | None:
    return round(share, 4) if share is not None else None


def _circle_records(circles: Mapping[str, Sequence[CircleReport]]) -> list[dict[str, Any]]:
    out = []
    for profile, reports in circles.items():
        for report in reports:
            row = {"profile": profile, **dataclasses.asdict(report)}
            row["lacking"] = "; ".join(f"{k}:{v}" for k, v in report.lacking.items() if v)
            row["not_collected"] = "; ".join(report.not_collected)
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


def _sheet(
    book: Workbook,
    title: str,
    records: Sequence[Mapping[str, Any]],
    lang: str,
    areas: Mapping[str, str],
) -> None:
    sheet = book.create_sheet(title)
    if not records:
        return
    keys = list(records[0])
    sheet.append([t(f"col.{key}", lang) if f"col.{key}" in catalogue() else key for key in keys])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([_cell(key, record[key], lang, areas) for key in keys])
    for k, key in enumerate(keys, start=1):
        if key in _SHARES:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=k, max_col=k):
                cell.number_format = "0%"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column[:200])
        sheet.column_dimensions[column[0].column_letter].width = min(max(8, width * 1.6), 48)


def _cell(key: str, value: Any, lang: str, areas: Mapping[str, str]) -> Any:
    if key == "reach" and isinstance(value, str):
        return t(f"reach.{value}", lang)
    if key == "content_area" and lang == "zh":
        return areas.get(value, value)
    if key == "group" and value == "":
        return t("gaps.whole_area", lang)
    if isinstance(value, bool):
        return t("gaps.yes" if value else "gaps.no", lang)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _notes(report: GapReport, lang: str) -> list[str]:
    """Return the notes: the label, the date, the conventions and how coverage is counted."""
    lines = [report.notice] if report.notice else []
    lines += [t("gaps.data_date", lang, date=report.data_date), *report.conventions]
    lines += [t(f"gaps.note_{key}", lang) for key in ("not_collected", "weighted", "strict")]
    return lines


def write_gap_report(
    report: GapReport, out: Path, *, compounds: Sequence[Compound], lang: str = "zh"
) -> list[Path]:
    """Write the gap table to ``out`` (.csv, .xlsx or .geojson) and its summaries; list paths.

    An XLSX holds everything, its notes first; CSV and GeoJSON write the rows to ``out`` and
    each summary to ``<stem>_<name>.csv`` beside it (plus ``<stem>_notes.txt``).
    """
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError("error.output.format", path=str(out), suffix=suffix, formats=FORMATS)
    out.parent.mkdir(parents=True, exist_ok=True)
    names = report.type_names()
    complete = frozenset(report.complete_types)
    summaries = {
        "by_type": _records(report.by_type, complete=complete),
        "coverage": _records(report.coverage, names),
        "top_missing": _records(report.top_missing, complete=complete),
        "not_collected": _records(report.not_collected),
        "by_type_community": _records(report.by_type_community, complete=complete),
        "coverage_subdistrict": _records(report.coverage_by_subdistrict, names),
        "circles": _circle_records(report.circles),
    }
    if suffix == ".xlsx":
        book = Workbook()
        notes = book.active
        assert notes is not None  # a new workbook has one sheet: the notes
        notes.title = t("gaps.sheet_notes", lang)
        for k, line in enumerate(_notes(report, lang)):
            notes.append([line])
            notes.cell(k + 1, 1).font = Font(bold=k == 0 and bool(report.notice))
        notes.column_dimensions["A"].width = 120
        for name, records in summaries.items():
            _sheet(book, t(f"gaps.sheet_{name}", lang), records, lang, report.area_names)
        _sheet(book, t("gaps.sheet_rows", lang), _records(report.rows), lang, report.area_names)
        book.properties.title = report.notice or t("gaps.sheet_rows", lang)
        book.save(out)
        return [out]
    rows = _records(report.rows)
    written = [write_csv(out, rows) if suffix == ".csv" else _write_geojson(out, report, compounds)]
    for name, records in summaries.items():
        written.append(write_csv(out.with_name(f"{out.stem}_{name}.csv"), records))
    notes_path = out.with_name(f"{out.stem}_notes.txt")
    notes_path.write_text("\n".join(_notes(report, lang)) + "\n", encoding="utf-8")
    return [*written, notes_path]


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
            "notice": report.notice,
            "not_collected_types": [u.type for u in report.not_collected],
            "data_date": report.data_date,
            "conventions": list(report.conventions),
            "attribution": "© OpenStreetMap contributors",
        },
        "features": list(features.values()),
    }
    out.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return out
