"""月探访率 and overdue counts by grid, community and 街道, counted from the stored visits.

Definitions (also written into the report beside each figure):

- **应探访人数** (people on the register for month M): registered before M began and not left
  (nor forgotten for leaving) before M ended. People who joined or left during M are not counted
  that month.
- **已探访人数** (people visited in M): of those, people with at least one visit in M that reached
  them (in person, phone, video or alarm; outcome other than 未联系上).
- **月探访率** = 已探访人数 ÷ 应探访人数 (none when nobody is on the register).
- **逾期人数** (overdue at the end of M, or now for the current month): people on the register
  then whose next visit (:mod:`.schedule`) was due before that moment, by the visits before it.

Counted in the database (:mod:`lifecircle.store.care_rates`: one aggregate query, the visits
summed up per person there, never loaded): the schedule gives, per risk level, the time before
which a last visit makes a person overdue (:func:`.schedule.overdue_before`), so no due day is
worked out person by person. Counts only: no name, phone or address leaves this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from lifecircle.care.access import scope
from lifecircle.care.config import CareConfig
from lifecircle.care.context import Care
from lifecircle.care.schedule import NOT_REACHED, overdue_before
from lifecircle.errors import CareError
from lifecircle.i18n import t
from lifecircle.io.workbook import SheetData, write_workbook
from lifecircle.staff.accounts import User
from lifecircle.store.care import MonthQuery, Tally

GROUPS = ("grid", "community", "subdistrict")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Figure:
    """One line of the report: a grid, community or 街道 (or the total ``""``) in one month."""

    level: str
    code: str
    on_register: int
    visited: int
    overdue: int

    @property
    def rate(self) -> float | None:
        """月探访率 as a fraction (``None`` when nobody was on the register)."""
        return self.visited / self.on_register if self.on_register else None


def month_span(month: str, zone: ZoneInfo) -> tuple[int, int]:
    """Return the epoch seconds a local month begins and ends (``2026-11``).

    >>> tz = ZoneInfo("Asia/Shanghai")
    >>> start, end = month_span("2026-11", tz)
    >>> dt.datetime.fromtimestamp(start, tz).isoformat(), (end - start) // 86400
    ('2026-11-01T00:00:00+08:00', 30)

    Raises
    ------
    CareError
        Not a month written ``YYYY-MM``.
    """
    found = _MONTH.match(month.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise CareError("error.care.month", field="month", value=month)
    year, number = int(found.group(1)), int(found.group(2))
    start = dt.datetime(year, number, 1, tzinfo=zone)
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return int(start.timestamp()), int(end.timestamp())


def month_query(care: Care, span: tuple[int, int], moment_s: int) -> MonthQuery:
    """Say, for the store's count, who is overdue at ``moment_s``: cut-off times per level.

    Worked out once per level from the schedule (:func:`.schedule.overdue_before`), so the
    database compares stored times instead of Python working out each person's due day.
    """
    config, zone = care.config, care.zone
    return MonthQuery(
        start_s=span[0],
        end_s=span[1],
        moment_s=moment_s,
        not_reached=NOT_REACHED,
        first_before=overdue_before(config.first_visit_within, moment_s, zone),
        reached_before={
            lv.code: overdue_before(lv.interval, moment_s, zone) for lv in config.levels
        },
        changed_by={
            lv.code: moment_s - lv.after_change_h * 3600
            for lv in config.levels
            if lv.after_change_h is not None
        },
    )


def figures_of(config: CareConfig, tallies: Sequence[Tally]) -> list[Figure]:
    """Add the store's tallies up per grid, community, 街道 and in total.

    Raises
    ------
    ConfigError
        A person's risk level is not in the configuration.
    """
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for tally in tallies:
        config.level(tally.level)
        keys = [("total", ""), ("grid", tally.grid), ("community", tally.community)]
        for key in [*keys, ("subdistrict", tally.subdistrict)]:
            sums[key][0] += tally.on_register
            sums[key][1] += tally.visited
            sums[key][2] += tally.overdue
    order = ("total", *GROUPS)
    return [
        Figure(level, code, *sums[(level, code)])
        for level, code in sorted(sums, key=lambda k: (order.index(k[0]), k[1]))
    ]


def month_figures(care: Care, month: str, *, user: User | None = None) -> list[Figure]:
    """Count a month's figures in the store (within the user's scope, when one is given)."""
    span = month_span(month, care.zone)
    moment = min(span[1], care.now() + 1)  # a visit logged this second counts
    query = month_query(care, span, moment)
    limit = scope(user) if user is not None else None
    if limit is not None:
        query = replace(query, column=limit[0], values=tuple(sorted(limit[1])))
    return figures_of(care.config, care.tables.month_tallies(query))


def rates_json(figures: Sequence[Figure]) -> list[Mapping[str, object]]:
    """Describe the figures for the API and the CLI (rate as a percentage, one decimal)."""
    return [
        {
            "level": f.level,
            "code": f.code,
            "on_register": f.on_register,
            "visited": f.visited,
            "rate_pct": None if f.rate is None else round(f.rate * 100, 1),
            "overdue": f.overdue,
        }
        for f in figures
    ]


def write_rates(
    care: Care, figures: Sequence[Figure], path: Path, *, month: str, lang: str = "zh"
) -> Path:
    """Write the month's figures and their definitions as an XLSX workbook (counts only)."""
    names = {g.code: g.name for g in care.desk.store.grids.all()}
    header = [t(f"care.report.col.{c}", lang) for c in REPORT_COLUMNS]
    rows = [
        [
            t(f"care.report.level.{f.level}", lang),
            f.code,
            names.get(f.code, "") if f.level == "grid" else "",
            f.on_register,
            f.visited,
            f.rate,
            f.overdue,
        ]
        for f in figures
    ]
    about = [
        [t("care.report.month", lang), month],
        [t("care.report.config", lang), f"{care.config.path} ({care.config.version})"],
        *([t(f"care.report.col.{c}", lang), t(f"care.report.def.{c}", lang)] for c in DEFINED),
    ]
    sheets = [
        SheetData(t("care.report.sheet", lang), header, rows, {5: "0.0%"}, {1: 14, 2: 18}),
        SheetData(
            t("care.report.about", lang),
            [t("care.report.item", lang), t("care.report.value", lang)],
            about,
            widths={0: 18, 1: 100},
        ),
    ]
    return write_workbook(path, sheets)


REPORT_COLUMNS = ("level", "code", "name", "on_register", "visited", "rate", "overdue")
DEFINED = ("on_register", "visited", "rate", "overdue")
