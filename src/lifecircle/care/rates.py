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

Counts only: no name, phone or address leaves this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from lifecircle.care.access import scope
from lifecircle.care.config import CareConfig
from lifecircle.care.context import Care
from lifecircle.care.schedule import NOT_REACHED, next_due
from lifecircle.errors import CareError
from lifecircle.i18n import t
from lifecircle.io.workbook import SheetData, write_workbook
from lifecircle.staff.accounts import User
from lifecircle.store.care import Row

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


def _on_register(row: Row, start_s: int, end_s: int) -> bool:
    left = row.get("left_at")
    return int(row["registered_at"]) < start_s and (left is None or int(left) >= end_s)


def _last_reached_before(visits: Iterable[Row], moment_s: int) -> dict[int, int]:
    last: dict[int, int] = {}
    for visit in visits:
        at = int(visit["at"])
        if visit["outcome"] != NOT_REACHED and at < moment_s:
            person = int(visit["person_id"])
            last[person] = max(at, last.get(person, at))
    return last


def count_month(
    config: CareConfig,
    people: Sequence[Row],
    visits: Sequence[Row],
    *,
    span: tuple[int, int],
    moment_s: int,
    zone: ZoneInfo,
) -> list[Figure]:
    """Count 应探访, 已探访 and 逾期 per grid, community, 街道 and in total (pure)."""
    start, end = span
    counted = [p for p in people if _on_register(p, start, end)]
    reached_in = {
        int(v["person_id"])
        for v in visits
        if v["outcome"] != NOT_REACHED and start <= int(v["at"]) < end
    }
    last = _last_reached_before(visits, moment_s)
    tallies: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in counted:
        due = next_due(
            config,
            level=str(row["level"]),
            registered_at=int(row["registered_at"]),
            last_reached_at=last.get(int(row["id"])),
            changed_at=row.get("changed_at") if (row.get("changed_at") or 0) < moment_s else None,
            zone=zone,
        )
        marks = (1, int(row["id"]) in reached_in, due.by_s <= moment_s)
        for key in [("total", ""), *((g, str(row.get(g) or "")) for g in GROUPS)]:
            for i, mark in enumerate(marks):
                tallies[key][i] += int(mark)
    return [
        Figure(level, code, *tallies[(level, code)])
        for level, code in sorted(tallies, key=lambda k: (("total", *GROUPS).index(k[0]), k[1]))
    ]


def month_figures(care: Care, month: str, *, user: User | None = None) -> list[Figure]:
    """Count a month's figures from the store (within the user's scope, when one is given)."""
    span = month_span(month, care.zone)
    limit = scope(user) if user is not None else None
    people = care.tables.people(
        column=limit[0] if limit else None, values=limit[1] if limit else ()
    )
    ids = [int(p["id"]) for p in people]
    visits = care.tables.visits(person_ids=ids, until_s=span[1])
    moment = min(span[1], care.now() + 1)  # a visit logged this second counts
    return count_month(care.config, people, visits, span=span, moment_s=moment, zone=care.zone)


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
