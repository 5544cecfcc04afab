"""Write a site plan for staff and GIS: an XLSX workbook, a GeoJSON layer and the map images.

Formats the rows of :mod:`lifecircle.plan.report` only; headers and labels come from the
message catalogue (zh or en). It computes nothing.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from lifecircle.engine.profiles import profile_label
from lifecircle.engine.rules import shown_unit
from lifecircle.i18n import t
from lifecircle.io.cells import put_row
from lifecircle.plan.map import compound_states, write_plan_map
from lifecircle.plan.report import PlanReport
from lifecircle.plan.sites import SitePlan

ATTRIBUTION = "© OpenStreetMap contributors"
WARNING_FONT = Font(bold=True, color="C8102E")


def walk_unit(plan: SitePlan, lang: str) -> str:
    """``分钟``/``min`` in the time convention, ``米``/``m`` in the distance one."""
    return t("plan.unit_m" if shown_unit(plan.profile) == "m" else "plan.unit_min", lang)


def _sheet(book: Workbook, title: str, rows: Sequence[Any], lang: str, unit: str) -> None:
    sheet = book.create_sheet(title)
    if not rows:
        sheet.append([t("plan.none", lang)])
        return
    keys = [f.name for f in dataclasses.fields(rows[0])]
    sheet.append([t(f"plan.col_{key}", lang, unit=unit) for key in keys])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        put_row(sheet, [getattr(row, key) for key in keys])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column[:200])
        sheet.column_dimensions[column[0].column_letter].width = min(max(8, width * 1.6), 48)


def short_warning(report: PlanReport, lang: str) -> str:
    """Say, when a plan to cover everyone cannot, how many compounds it misses and what to do."""
    if not report.short_of_all:
        return ""
    return t("plan.cover_all_short", lang, n=report.summary.uncoverable)


def goal_met(report: PlanReport, feasible: bool, lang: str) -> str:
    """是 / 否, and 否 with the reason when covering everyone is out of reach."""
    if report.short_of_all:
        return t("plan.goal_short", lang, n=report.summary.uncoverable)
    return t("plan.yes" if feasible else "plan.no", lang)


def summary_lines(report: PlanReport, lang: str) -> list[tuple[str, str]]:
    """Label and value of every summary field in words, for the notes sheet and the CLI."""
    summary = report.summary
    words = {
        "goal": t(f"plan.goal_{summary.goal}", lang),
        "profile": profile_label(summary.profile, lang),
        "weight": t(f"plan.weight_{summary.weight}", lang),
        "feasible_exact": goal_met(report, summary.feasible_exact, lang),
        "feasible_greedy": goal_met(report, summary.feasible_greedy, lang),
    }
    out = []
    for field in dataclasses.fields(summary):
        value = getattr(summary, field.name)
        if field.name in words:
            value = words[field.name]
        elif isinstance(value, bool):
            value = t("plan.yes" if value else "plan.no", lang)
        elif value is None:
            value = "—"
        elif field.name == "gap" and isinstance(value, float):
            value = f"{value:.4%}"
        out.append((t(f"plan.sum_{field.name}", lang), str(value)))
    return out


def write_xlsx(report: PlanReport, path: Path, *, unit: str, lang: str = "zh") -> Path:
    """Write the staff workbook: sites, compounds served, communities, uncoverable, notes."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    _sheet(book, t("plan.sheet_sites", lang), report.sites, lang, unit)
    _sheet(book, t("plan.sheet_served", lang), report.served, lang, unit)
    _sheet(book, t("plan.sheet_communities", lang), report.communities, lang, unit)
    lost = book.create_sheet(t("plan.sheet_uncoverable", lang))
    lost.append([t("plan.col_compound_name", lang)])
    for name in report.uncoverable:
        put_row(lost, [name])
    notes = book.create_sheet(t("plan.sheet_notes", lang))
    warning = short_warning(report, lang)
    if warning:
        notes.append([warning])
        notes.cell(row=1, column=1).font = WARNING_FONT
    for label, value in summary_lines(report, lang):
        put_row(notes, [label, value])
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 60
    book.save(path)
    return path


def _point(lon: float, lat: float, props: dict[str, Any]) -> dict[str, Any]:
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "geometry": geometry, "properties": props}


def write_geojson(plan: SitePlan, report: PlanReport, path: Path) -> Path:
    """Write chosen sites, compounds (coverage state) and existing facilities as one layer."""
    features = [
        _point(s.lon, s.lat, {"role": "chosen", **dataclasses.asdict(s)}) for s in report.sites
    ]
    result = plan.result
    for i, (c, state) in enumerate(zip(plan.data.compounds, compound_states(plan), strict=True)):
        props = {
            "role": "compound",
            "compound_id": c.source_id,
            "name": c.name,
            "community": c.community,
            "people": float(plan.problem.weights[i]),
            "state": state,
            "served_share": round(float(result.exact.served[i]), 4),
        }
        features.append(_point(c.lon, c.lat, props))
    for f in plan.existing:
        features.append(
            _point(f.lon, f.lat, {"role": "existing", "id": f.source_id, "name": f.name})
        )
    collection = {
        "type": "FeatureCollection",
        "properties": {**dataclasses.asdict(report.summary), "attribution": ATTRIBUTION},
        "features": features,
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def write_plan(
    plan: SitePlan, report: PlanReport, out_dir: Path, *, lang: str = "zh"
) -> list[Path]:
    """Write ``plan.xlsx``, ``plan.geojson``, ``plan_map.svg`` and ``plan_map.png`` to a folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    s = report.summary
    title = t("plan.map_title", lang, name=s.type_name, n=s.sites_exact)
    subtitle = t(
        "plan.map_subtitle", lang, convention=s.convention, minutes=s.minutes,
        weight=t(f"plan.weight_{s.weight}", lang), date=s.data_date[:10],
    )  # fmt: skip
    unit = walk_unit(plan, lang)
    warning = short_warning(report, lang)
    return [
        write_xlsx(report, out_dir / "plan.xlsx", unit=unit, lang=lang),
        write_geojson(plan, report, out_dir / "plan.geojson"),
        *write_plan_map(plan, out_dir, title=title, subtitle=subtitle, lang=lang, warning=warning),
    ]
