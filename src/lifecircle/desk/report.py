"""The monthly report: every figure of :mod:`lifecircle.desk.metrics`, by cut, as JSON or XLSX.

Reads the facts of the cases the month (and the eleven before it, for the trend) needs in one
query, filters them to the reader's scope, and counts. The XLSX has a sheet of definitions
(from the catalogue, the same text the API puts next to each figure), the whole area, one
sheet per cut, the 12-month trend, departments' 报到, and the overdue and soon-overdue lists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lifecircle.desk import metrics
from lifecircle.desk.context import Desk
from lifecircle.desk.facts import CASE_COLUMNS, NUMBERS, Facts, FactSource, load_facts
from lifecircle.desk.machine import OPEN_STATES, RUNNING_STATES
from lifecircle.desk.metrics import CASE_FIGURES, DEPARTMENT_FIGURES, Rate
from lifecircle.desk.views import case_summary, iso
from lifecircle.errors import DeskError
from lifecircle.i18n import t
from lifecircle.io.workbook import SheetData, write_workbook
from lifecircle.store.case_queries import CaseQuery
from lifecircle.store.case_rows import CaseRow

CUTS = ("grid", "community", "subdistrict", "category")
TREND_MONTHS = 12
LIST_LIMIT = 1000
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

Scope = tuple[tuple[str, frozenset[str]] | None, bool]


@dataclass(frozen=True)
class Row:
    """One line of a cut: the group's key, its name, and its figures."""

    key: str
    name: str
    figures: dict[str, Any]


@dataclass(frozen=True)
class Report:
    """A month's figures as of a time, for a scope."""

    month: str
    period: tuple[int, int]
    as_of: int
    overall: dict[str, Any]
    cuts: dict[str, list[Row]]
    trend: list[Row]
    departments: list[Row]
    overdue: list[dict[str, Any]]
    soon: list[dict[str, Any]]


def month_period(month: str, desk: Desk) -> tuple[int, int]:
    """Return a month's start and end (UTC epoch s) in the desk's time zone.

    Raises
    ------
    DeskError
        The month is not ``YYYY-MM``.
    """
    found = _MONTH.match(month.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise DeskError("error.desk.month", field="month", value=month)
    year, number = int(found.group(1)), int(found.group(2))
    zone = desk.config.working_time.zone
    start = dt.datetime(year, number, 1, tzinfo=zone)
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return int(start.timestamp()), int(end.timestamp())


def _shift(month: str, back: int) -> str:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _in_scope(f: Facts, scope: Scope) -> np.ndarray:
    limit, private = scope
    keep = np.ones(len(f), dtype=bool)
    if limit is not None:
        column, values = limit
        keep &= f.one_of(column, values)
    if not private:
        keep &= f["is_private"] == 0
    return keep


def _names(desk: Desk, lang: str) -> dict[str, dict[str, str]]:
    grids = {g.code: g.name for g in desk.store.grids.all(include_retired=True)}
    return {
        "grid": grids,
        "category": {c.code: c.name(lang) for c in desk.config.categories},
        "department": {d.code: d.name(lang) for d in desk.config.departments},
    }


@dataclass(frozen=True)
class _When:
    """The period counted, the report time, and the soon-overdue window (s)."""

    period: tuple[int, int]
    as_of: int
    soon_s: int

    def figures(
        self, f: Facts, groups: np.ndarray, n: int, *, period: tuple[int, int] | None = None
    ) -> list[dict[str, Any]]:
        """Count the case figures of ``n`` groups for this period (or another one)."""
        return metrics.case_figures(
            f, groups, n, period=period or self.period, as_of=self.as_of, soon_s=self.soon_s
        )


def _cut(f: Facts, column: str, names: dict[str, str], when: _When, lang: str) -> list[Row]:
    keys, groups = f.groups(column)
    blank = t("desk.report.none", lang)
    figures = when.figures(f, groups, len(keys))
    return [Row(k, names.get(k, k or blank), figs) for k, figs in zip(keys, figures, strict=True)]


def _facts(desk: Desk, window: tuple[int, int], scope: Scope) -> Facts:
    """Return the facts of the cases in scope a report of ``window`` counts."""
    cases = desk.store.cases

    def read(since: int | None, horizon: int) -> Iterator[Sequence[Sequence[Any]]]:
        return cases.facts_since(
            CASE_COLUMNS,
            since=since,
            horizon=horizon,
            open_states=OPEN_STATES,
            numbers=NUMBERS,
        )

    source = FactSource(desk.store_url, desk.project.cache_dir, read, desk.now(), window[0])
    end = window[1]
    everything = load_facts(source)
    return everything.subset(_in_scope(everything, scope) & (everything["received_at"] < end))


def _departments(desk: Desk, when: _When, scope: Scope, names: dict[str, str]) -> list[Row]:
    columns = desk.store.cases.summons_facts(when.period)
    summons = Facts.from_columns(columns, metrics.SUMMONS_COLUMNS)
    summons = summons.subset(_in_scope(summons, scope))
    keys, groups = summons.groups("department")
    figures = metrics.department_figures(
        summons, groups, len(keys), period=when.period, as_of=when.as_of
    )
    return [Row(k, names.get(k, k), d) for k, d in zip(keys, figures, strict=True)]


def build_report(
    desk: Desk,
    month: str,
    *,
    scope: Scope = (None, True),
    lang: str = "zh",
    as_of: int | None = None,
) -> Report:
    """Count a month's figures for a scope (``(column and values, private too)``) as of now."""
    period = month_period(month, desk)
    when = _When(
        period,
        desk.now() if as_of is None else as_of,
        int(desk.settings.desk_soon_overdue_hours * 3600),
    )
    first = month_period(_shift(month, TREND_MONTHS - 1), desk)[0]
    f = _facts(desk, (first, period[1]), scope)
    names = _names(desk, lang)
    one = metrics.one_group(len(f))
    trend = [
        Row(label, label, when.figures(f, one, 1, period=month_period(label, desk))[0])
        for label in (_shift(month, back) for back in range(TREND_MONTHS - 1, -1, -1))
    ]
    overdue, soon = _lists(desk, scope, when.as_of, when.soon_s, lang)
    return Report(
        month=month,
        period=period,
        as_of=when.as_of,
        overall=when.figures(f, one, 1)[0],
        cuts={c: _cut(f, c, names.get(c, {}), when, lang) for c in CUTS},
        trend=trend,
        departments=_departments(desk, when, scope, names["department"]),
        overdue=overdue,
        soon=soon,
    )


def _lists(
    desk: Desk, scope: Scope, as_of: int, soon_s: int, lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    limit, private = scope
    base = CaseQuery(
        scope=limit, include_private=private, running_states=RUNNING_STATES, limit=LIST_LIMIT
    )
    overdue = desk.store.cases.find(CaseQuery(**{**base.__dict__, "overdue_at": as_of}))
    soon = desk.store.cases.find(
        CaseQuery(**{**base.__dict__, "due_before": as_of + soon_s, "due_from": as_of})
    )

    def order(case: CaseRow) -> int:
        return case.due_resolution_at or 0

    return (
        [case_summary(desk, c, lang) for c in sorted(overdue, key=order)],
        [case_summary(desk, c, lang) for c in sorted(soon, key=order)],
    )


def figure_json(value: Any) -> Any:
    """Return a figure as JSON: a rate as ``{"n", "d", "value"}``, a median rounded."""
    if isinstance(value, Rate):
        rate = None if value.value is None else round(value.value, 4)
        return {"n": value.numerator, "d": value.denominator, "value": rate}
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, np.integer):
        return int(value)
    return value


def definitions(
    lang: str, names: Sequence[str] = CASE_FIGURES + DEPARTMENT_FIGURES
) -> dict[str, dict[str, str]]:
    """Return each figure's label and definition (the catalogue's text)."""
    return {
        n: {
            "label": t(f"desk.metric.{n}.label", lang),
            "definition": t(f"desk.metric.{n}.definition", lang),
        }
        for n in names
    }


def report_json(report: Report, lang: str, desk: Desk) -> dict[str, Any]:
    """Describe a report for the API: figures with their definitions beside them."""

    def rows(items: list[Row]) -> list[dict[str, Any]]:
        return [
            {"key": r.key, "name": r.name, **{k: figure_json(v) for k, v in r.figures.items()}}
            for r in items
        ]

    return {
        "month": report.month,
        "from": iso(desk, report.period[0]),
        "to": iso(desk, report.period[1]),
        "as_of": iso(desk, report.as_of),
        "definitions": definitions(lang),
        "overall": {k: figure_json(v) for k, v in report.overall.items()},
        "by": {cut: rows(items) for cut, items in report.cuts.items()},
        "trend": rows(report.trend),
        "departments": rows(report.departments),
        "overdue": report.overdue,
        "soon_overdue": report.soon,
    }


def _cells(figures: dict[str, Any], names: Sequence[str]) -> list[Any]:
    out: list[Any] = []
    for name in names:
        value = figures[name]
        if isinstance(value, Rate):
            out += [value.value, f"{value.numerator}/{value.denominator}"]
        else:
            out.append(figure_json(value))
    return out


def _header(
    lang: str, first: Sequence[str], names: Sequence[str], figures: dict[str, Any]
) -> tuple[list[str], dict[int, str]]:
    header, formats = list(first), {}
    for name in names:
        label = t(f"desk.metric.{name}.label", lang)
        if isinstance(figures.get(name), Rate):
            formats[len(header)] = "0.0%"
            header += [label, t("desk.report.basis", lang, label=label)]
        else:
            header.append(label)
    return header, formats


def _table(
    title: str, lang: str, rows: list[Row], names: Sequence[str], sample: dict[str, Any]
) -> SheetData:
    header, formats = _header(
        lang, [t("desk.report.key", lang), t("desk.report.name", lang)], names, sample
    )
    body = [[r.key, r.name, *_cells(r.figures, names)] for r in rows]
    return SheetData(title, header, body, {i: f for i, f in formats.items()})


def write_report(
    report: Report, path: Path, desk: Desk, *, lang: str = "zh", scope_label: str = ""
) -> Path:
    """Write the report as an XLSX workbook (whole or not at all); return its path."""

    def title(key: str) -> str:
        return t(f"desk.report.sheet.{key}", lang)

    meta = [
        [t("desk.report.area", lang), desk.project.area_name],
        [t("desk.report.month", lang), report.month],
        [t("desk.report.as_of", lang), iso(desk, report.as_of) or ""],
        [t("desk.report.scope", lang), scope_label or t("desk.report.everything", lang)],
    ]
    defs = [[d["label"], d["definition"]] for d in definitions(lang).values()]
    sample = report.overall
    sheets = [
        SheetData(
            title("about"),
            [t("desk.report.item", lang), t("desk.report.value", lang)],
            [*meta, ["", ""], *defs],
            widths={0: 18, 1: 110},
        ),
        _table(
            title("overall"),
            lang,
            [Row("*", desk.project.area_name, report.overall)],
            CASE_FIGURES,
            sample,
        ),
        *(_table(title(cut), lang, report.cuts[cut], CASE_FIGURES, sample) for cut in CUTS),
        _table(title("trend"), lang, report.trend, CASE_FIGURES, sample),
        _table(
            title("departments"),
            lang,
            report.departments,
            DEPARTMENT_FIGURES,
            report.departments[0].figures if report.departments else {"report_rate": Rate(0, 0)},
        ),
        _case_list(title("overdue"), lang, report.overdue),
        _case_list(title("soon"), lang, report.soon),
    ]
    return write_workbook(path, sheets)


_LIST_FIELDS = (
    "id",
    "category_name",
    "state_name",
    "grid",
    "community",
    "place",
    "summary",
    "received_at",
    "due_resolution_at",
)


def _case_list(title: str, lang: str, cases: list[dict[str, Any]]) -> SheetData:
    header = [t(f"desk.report.col.{name}", lang) for name in _LIST_FIELDS]
    return SheetData(title, header, [[c.get(name) for name in _LIST_FIELDS] for c in cases])
