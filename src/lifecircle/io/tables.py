"""Write the gap report (rows, summaries, matrix) as XLSX, CSV or GeoJSON for staff and GIS.

Only formats values it is given, in the report's language: headers, profiles, content areas,
verdicts and type lists are words (English only with ``--lang en``), shares are percentages
in XLSX, and every text cell passes :mod:`lifecircle.io.cells` (formula-looking names stay
text; CSV fields are quoted and escaped). CSV is UTF-8 with a BOM so Excel shows Chinese. The
XLSX opens on its notes (:mod:`lifecircle.io.gaps_xlsx`); GeoJSON draws each compound's
outline where known.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping

from lifecircle.engine.coverage import AreaCoverage, TypeCoverage, UncollectedType
from lifecircle.engine.gaps import CircleReport, GapRow, GapWeight, MissingType
from lifecircle.engine.profiles import WalkProfile, plain_rule, profile_label, rule_details
from lifecircle.errors import ConfigError
from lifecircle.i18n import t
from lifecircle.io.cells import write_csv
from lifecircle.io.gaps_xlsx import write_gap_xlsx
from lifecircle.io.report_tables import (
    TOP_COLUMNS,
    UNCOLLECTED_COLUMNS,
    Column,
    Matrix,
    MatrixCell,
    Table,
    Words,
    area_table,
    circle_table,
    estimated_ids,
    matrices,
    matrix_text,
    row_table,
    type_table,
)
from lifecircle.model import Compound
from lifecircle.taxonomy import Taxonomy

FORMATS = (".csv", ".xlsx", ".geojson")


@dataclasses.dataclass(frozen=True)
class GapReport:
    """Everything ``lifecircle gaps`` writes: rows and summaries of one or more profiles.

    ``by_type`` covers the whole area, ``by_type_community`` each community; ``coverage`` and
    ``coverage_by_subdistrict`` are the content-area lines; ``not_collected`` the types the
    data holds nothing of; ``profiles`` the walking profiles measured (their rules are said in
    plain words by :meth:`rules`); ``notice`` a label every output carries (the demo's), or
    empty.
    """

    rows: Sequence[GapRow]
    by_type: Sequence[TypeCoverage]
    by_type_community: Sequence[TypeCoverage]
    coverage: Sequence[AreaCoverage]
    coverage_by_subdistrict: Sequence[AreaCoverage]
    top_missing: Sequence[MissingType]
    not_collected: Sequence[UncollectedType]
    circles: Mapping[str, Sequence[CircleReport]]  # profile -> reports
    profiles: Sequence[WalkProfile]
    data_date: str
    taxonomy: Taxonomy
    notice: str = ""
    #: Types a sheet was declared to hold completely: their gaps are real, the others' may be
    #: missing data (a column of the per-type and top-missing tables says which).
    complete_types: frozenset[str] = frozenset()
    #: How many compounds' residents are estimates (and calibrated), in the report's language.
    estimates: Sequence[str] = ()
    #: Who the top-missing ranking counts as the people affected (``None``: the residents).
    weight: GapWeight | None = None

    def profile_names(self) -> tuple[str, ...]:
        """Names of the profiles measured, in order."""
        return tuple(p.name for p in self.profiles)

    def rules(self, lang: str) -> list[str]:
        """One line per profile: who, and the walking rule in plain words."""
        return [
            t("gaps.rule_line", lang, who=profile_label(p.name, lang), rule=plain_rule(p, lang))
            for p in self.profiles
        ]

    def rule_details(self, lang: str) -> list[str]:
        """One line per profile with every setting (speed, steps, crossings), for staff."""
        return [rule_details(p, lang) for p in self.profiles]

    def notes(self, lang: str) -> list[str]:
        """Return the notes: label, date, walking rules (plain, then in full), the verdicts."""
        lines = [self.notice] if self.notice else []
        lines.append(t("gaps.data_date", lang, date=self.data_date))
        lines += self.rules(lang) + self.rule_details(lang)
        keys = ("rounding", "missing", "not_collected", "weighted", "strict", "estimated")
        lines += [t(f"gaps.note_{key}", lang) for key in keys]
        return lines + self.weight_notes(lang) + list(self.estimates)

    def weight_notes(self, lang: str) -> list[str]:
        """Say who the ranking counts as the people affected, and what was suppressed."""
        name = self.weight.name if self.weight else "residents"
        lines = [t("gaps.note_ranked_by", lang, weight=t(f"plan.weight_{name}", lang))]
        if self.weight is not None and self.weight.suppressed_below is not None:
            lines.append(t("gaps.note_suppressed", lang, n=self.weight.suppressed_below))
        return lines

    def tables(self, words: Words) -> list[Table]:
        """Every summary table and the detail rows, in the order the outputs show them."""
        complete = frozenset(self.complete_types)
        rows = self.rows
        return [
            type_table(
                "by_type", self.by_type, rows=rows, words=words, complete=complete, group_by=None
            ),
            type_table(
                "by_type_community",
                self.by_type_community,
                rows=rows,
                words=words,
                complete=complete,
                group_by="community",
            ),
            area_table("coverage", self.coverage, rows=rows, words=words, group_by="community"),
            area_table(
                "coverage_subdistrict",
                self.coverage_by_subdistrict,
                rows=rows,
                words=words,
                group_by="subdistrict",
            ),
            _top_table(self, words, complete),
            _uncollected_table(self.not_collected, words),
            circle_table(self.circles, words),
            row_table(rows, words),
        ]


def _top_table(report: GapReport, words: Words, complete: frozenset[str]) -> Table:
    group_estimated = {
        row.community or "—" for row in report.rows if row.compound_id in words.estimated
    }
    values = tuple(
        (
            words.profile(m.profile),
            words.group(m.group),
            words.type(m.type),
            words.yes(m.type in complete),
            m.compounds,
            m.residents,
            m.elderly,
            m.children,
            words.yes(m.group in group_estimated),
            *((m.weighted,) if report.weight else ()),
        )
        for m in report.top_missing
    )
    extra = (Column(f"weighted_{report.weight.name}", "people"),) if report.weight else ()
    return Table("top_missing", TOP_COLUMNS + extra, values)


def _uncollected_table(items: Sequence[UncollectedType], words: Words) -> Table:
    values = tuple(
        (
            words.area(u.content_area),
            words.type(u.type),
            u.level_min,
            words.yes(u.required),
            words.yes(u.in_osm),
        )
        for u in items
    )
    return Table("not_collected", UNCOLLECTED_COLUMNS, values)


def write_gap_report(
    report: GapReport, out: Path, *, compounds: Sequence[Compound], lang: str = "zh"
) -> list[Path]:
    """Write the gap report to ``out`` (.csv, .xlsx or .geojson) and its summaries; list paths.

    An XLSX holds everything, its notes first; CSV and GeoJSON write the rows to ``out`` and
    each summary and matrix to ``<stem>_<name>.csv`` beside it (plus ``<stem>_notes.txt``).
    """
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError("error.output.format", path=str(out), suffix=suffix, formats=FORMATS)
    out.parent.mkdir(parents=True, exist_ok=True)
    words = Words(lang, report.taxonomy, estimated_ids(compounds))
    tables = report.tables(words)
    found = matrices(report.rows)
    if suffix == ".xlsx":
        rules = {p.name: plain_rule(p, lang) for p in report.profiles}
        book = write_gap_xlsx(
            out,
            notes=report.notes(lang),
            notice=report.notice,
            rules=rules,
            tables=tables,
            matrices=found,
            words=words,
        )
        return [book]
    *summaries, rows = tables
    if suffix == ".csv":
        written = [_table_csv(out, rows, lang)]
    else:
        written = [_write_geojson(out, report, compounds, words)]
    for table in summaries:
        written.append(_table_csv(out.with_name(f"{out.stem}_{table.name}.csv"), table, lang))
    for matrix in found:
        path = out.with_name(f"{out.stem}_matrix_{matrix.profile}.csv")
        written.append(_matrix_csv(path, matrix, words))
    notes_path = out.with_name(f"{out.stem}_notes.txt")
    notes_path.write_text("\n".join(report.notes(lang)) + "\n", encoding="utf-8")
    return [*written, notes_path]


def _table_csv(path: Path, table: Table, lang: str) -> Path:
    header = [t(f"col.{c.key}", lang) for c in table.columns]
    return write_csv(path, header, table.rows)


def _matrix_csv(path: Path, matrix: Matrix, words: Words) -> Path:
    lang = words.lang
    header = [t(f"col.{key}", lang) for key in ("compound_id", "compound_name", "community")]
    header += [words.type(code) for code in matrix.type_codes]

    def show(cell: MatrixCell) -> str | int:
        return matrix_text(cell, lang)

    rows = (
        [first.compound_id, first.compound_name, first.community, *map(show, cells)]
        for first, cells in zip(matrix.compounds, matrix.cells, strict=True)
    )
    return write_csv(path, header, rows)


def _geometry(compound: Compound) -> dict[str, Any]:
    """Return the compound's outline where known (GIS wants areas), else its point."""
    if compound.outline_wkt:
        return dict(mapping(shapely.from_wkt(compound.outline_wkt)))
    return {"type": "Point", "coordinates": [compound.lon, compound.lat]}


def _write_geojson(
    out: Path, report: GapReport, compounds: Sequence[Compound], words: Words
) -> Path:
    lang = words.lang
    by_id = {c.source_id: c for c in compounds}
    key = {k: t(f"col.{k}", lang) for k in ("compound_id", "compound_name", "community")}
    features: dict[tuple[str, str], dict[str, Any]] = {}
    missing: dict[tuple[str, str], list[str]] = {}
    for row in report.rows:
        compound = by_id.get(row.compound_id)
        if compound is None:
            continue
        feature = features.setdefault(
            (row.compound_id, row.profile),
            {
                "type": "Feature",
                "geometry": _geometry(compound),
                "properties": {
                    key["compound_id"]: row.compound_id,
                    key["compound_name"]: row.compound_name,
                    key["community"]: row.community,
                    t("col.profile", lang): words.profile(row.profile),
                    t("col.residents", lang): row.residents,
                    t("col.residents_estimated", lang): words.yes(
                        row.compound_id in words.estimated
                    ),
                    t("col.elderly", lang): row.elderly,
                    t("col.children", lang): row.children,
                },
            },
        )
        value = row.nearest_m if row.nearest_m is not None else row.nearest_min
        name = t("gaps.geo_nearest", lang, type=words.type(row.type))
        feature["properties"][name] = value
        missing.setdefault((row.compound_id, row.profile), [])
        if row.missing:
            missing[(row.compound_id, row.profile)].append(words.type(row.type))
    for found, feature in features.items():
        names = missing.get(found, [])
        feature["properties"][t("gaps.geo_missing", lang)] = t("boards.list_sep", lang).join(names)
        feature["properties"][t("gaps.geo_n_missing", lang)] = len(names)
    collection = {
        "type": "FeatureCollection",
        "properties": {
            "notice": report.notice,
            "data_date": report.data_date,
            "walking_rule": report.rules(lang),
            "not_collected_types": [words.type(u.type) for u in report.not_collected],
            "attribution": "© OpenStreetMap contributors",
        },
        "features": list(features.values()),
    }
    out.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return out
