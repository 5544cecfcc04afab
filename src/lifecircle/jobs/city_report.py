"""``lifecircle batch report``: one workbook for many areas, from each area's built results.

Reads every area's cached build (it builds nothing: ``batch build`` first; an area not built is
listed as such), makes each area's gap report exactly as ``lifecircle gaps`` does, and joins
them into city tables: the areas, coverage per type per area, per type per 街道 (for areas whose
compounds name their 街道) and the top gaps of all areas ranked by the people affected. Minutes
and "missing" come from the engine's one set of rules, through the gap report. No files here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from lifecircle.engine.coverage import coverage_by_type
from lifecircle.engine.profiles import DEFAULT_PROFILES
from lifecircle.errors import LifecircleError
from lifecircle.i18n import t
from lifecircle.io.boundary import read_boundary
from lifecircle.io.report_tables import Column, Table, Words, estimated_ids, type_table
from lifecircle.io.tables import GapReport
from lifecircle.jobs.area import read_area
from lifecircle.jobs.areas import BOUNDARY_FILE
from lifecircle.jobs.batch import find_areas
from lifecircle.jobs.build import cached_results
from lifecircle.jobs.reports import gap_report
from lifecircle.project import open_project

#: How many of the ranked gaps the top table keeps.
TOP_N = 200
AREA_COLUMN = Column("area_name")


@dataclass(frozen=True)
class AreaReport:
    """One area of the city report: its gap report when built, else why not (``status``)."""

    folder: str
    name: str
    code: str
    status: str  # built, not_built, failed
    report: GapReport | None = None
    words: Words | None = None
    boundary: BaseGeometry | None = None
    compounds: int = 0
    residents: int = 0
    residents_full: int = 0  # residents of compounds missing no collected required type
    error: str = ""

    @property
    def share_full(self) -> float | None:
        """Share of residents whose compound misses no required type (first profile)."""
        return self.residents_full / self.residents if self.report and self.residents else None


def _boundary(root: Path) -> BaseGeometry | None:
    try:
        return read_boundary(root / BOUNDARY_FILE)
    except LifecircleError:
        return None


def area_report(root: Path, profiles: Sequence[str], lang: str) -> AreaReport:
    """Read one area's built results and make its gap report (``not_built`` if not built)."""
    try:
        project = open_project(root)
    except LifecircleError as exc:
        return AreaReport(root.name, root.name, "", "failed", error=exc.message(lang))
    named = (root.name, project.area_name, project.area_code)
    results = cached_results(project, profiles)
    if len(results) < len(profiles):
        return AreaReport(*named, "not_built", boundary=_boundary(root))
    data = read_area(project)
    report = gap_report(
        data, results, taxonomy=project.taxonomy(), notice=project.notice(lang), lang=lang
    )
    gaps = {r.compound_id for r in report.rows if r.missing and r.profile == profiles[0]}
    people = {c.source_id: c.residents or 0 for c in data.compounds}
    return AreaReport(
        *named, "built", report=report,
        words=Words(lang, report.taxonomy, estimated_ids(data.compounds)),
        boundary=_boundary(root), compounds=len(data.compounds), residents=sum(people.values()),
        residents_full=sum(n for cid, n in people.items() if cid not in gaps),
    )  # fmt: skip


def area_reports(areas_dir: Path, profiles: Sequence[str] = DEFAULT_PROFILES, *,
                 lang: str = "zh") -> list[AreaReport]:  # fmt: skip
    """Return the report of every area of ``areas_dir``, in folder order."""
    return [area_report(root, tuple(profiles), lang) for root in find_areas(areas_dir)]


def city_tables(reports: Sequence[AreaReport], lang: str) -> list[Table]:
    """Return the city tables: areas, coverage by type, by 街道 (when any), top gaps ranked."""
    by_type: list[tuple[object, ...]] = []
    by_street: list[tuple[object, ...]] = []
    top: list[tuple[object, ...]] = []
    columns = {}
    for area in reports:
        if area.report is None or area.words is None:
            continue
        tables = {table.name: table for table in area.report.tables(area.words)}
        columns["by_type"] = tables["by_type"].columns
        columns["top"] = tables["top_missing"].columns
        by_type += [(area.name, *row) for row in tables["by_type"].rows]
        top += [(area.name, *row) for row in tables["top_missing"].rows]
        streets = [r for r in area.report.rows if r.subdistrict]
        if streets:
            found = type_table(
                "by_subdistrict", coverage_by_type(streets, group_by="subdistrict"), rows=streets,
                words=area.words, complete=frozenset(area.report.complete_types),
                group_by="subdistrict",
            )  # fmt: skip
            columns["by_street"] = found.columns
            by_street += [(area.name, *row) for row in found.rows]
    result = [_areas_table(reports, lang)]
    if "by_type" in columns:
        result.append(Table("city_by_type", (AREA_COLUMN, *columns["by_type"]), tuple(by_type)))
    if "by_street" in columns:
        result.append(
            Table("city_by_subdistrict", (AREA_COLUMN, *columns["by_street"]), tuple(by_street))
        )
    if "top" in columns:
        result.append(_top_table(columns["top"], top))
    return result


def _top_table(columns: tuple[Column, ...], rows: list[tuple[object, ...]]) -> Table:
    """All areas' missing types ranked by residents affected (unknown last), then compounds."""
    keys = [c.key for c in (AREA_COLUMN, *columns)]
    people, compounds = keys.index("residents"), keys.index("compounds")

    def rank(row: tuple[object, ...]) -> tuple[bool, int, int]:
        residents, count = row[people], row[compounds]
        known = isinstance(residents, int)
        return (not known, -(residents if isinstance(residents, int) else 0),
                -(count if isinstance(count, int) else 0))  # fmt: skip

    ranked = sorted(rows, key=rank)[:TOP_N]
    return Table(
        "city_top", (Column("rank", "count"), AREA_COLUMN, *columns),
        tuple((n, *row) for n, row in enumerate(ranked, start=1)),
    )  # fmt: skip


def _areas_table(reports: Sequence[AreaReport], lang: str) -> Table:
    columns = (AREA_COLUMN, Column("area_code"), Column("area_status"), Column("data_date"),
               Column("compounds", "count"), Column("residents", "people"),
               Column("residents_full", "people"), Column("share_full", "share"))  # fmt: skip
    rows = tuple(
        (
            a.name,
            a.code,
            t(f"city.status_{a.status}", lang) + (f": {a.error}" if a.error else ""),
            a.report.data_date if a.report else "",
            a.compounds if a.report else None,
            a.residents if a.report else None,
            a.residents_full if a.report else None,
            a.share_full,
        )
        for a in reports
    )
    return Table("city_areas", columns, rows)


def city_notes(reports: Sequence[AreaReport], lang: str) -> list[str]:
    """Return the notes: what this is, which areas are in, the rules, the attribution."""
    built = [a for a in reports if a.report is not None]
    lines = [
        t("city.title", lang),
        t("city.note_areas", lang, n=len(reports), built=len(built)),
    ]
    missing = [a.folder for a in reports if a.status != "built"]
    if missing:
        lines.append(t("city.note_not_built", lang, areas=", ".join(missing)))
    lines += sorted({a.report.notice for a in built if a.report and a.report.notice})
    if built and built[0].report is not None:
        first = built[0].report
        lines += [line for line in first.notes(lang) if line != first.notice][1:]
    lines += [t("city.note_map", lang), t("areas.osm_credit", lang)]
    return lines
