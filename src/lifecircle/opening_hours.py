"""Is a facility open now? A reader of the simple forms of OSM ``opening_hours``.

Understands ``24/7``, ``08:00-17:00``, ``Mo-Fr 08:00-17:00; Sa 09:00-12:00``, day lists
(``Mo,We``), several spans (``08:00-12:00,14:00-18:00``), ``off``/``closed`` and spans past
midnight. Anything else (holidays, months, weeks, comments) is *unknown*, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Literal

OpenState = Literal["open", "closed", "unknown"]
DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DAYS = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(-(Mo|Tu|We|Th|Fr|Sa|Su))?$")


@dataclass(frozen=True)
class WeekHours:
    """Opening minutes per weekday.

    ``spans[d]`` lists (start, end) minutes after midnight of day ``d`` (0 = Monday); an end
    beyond 1440 runs into the next day.
    """

    spans: tuple[tuple[tuple[int, int], ...], ...]


class _Unknown(ValueError):
    pass


def _days(text: str) -> set[int]:
    days: set[int] = set()
    for part in text.split(","):
        found = _DAYS.match(part.strip())
        if not found:
            raise _Unknown(text)
        first = DAYS.index(found.group(1))
        last = DAYS.index(found.group(3)) if found.group(3) else first
        days.update((first + k) % 7 for k in range((last - first) % 7 + 1))
    return days


def _spans(text: str) -> list[tuple[int, int]]:
    if text.strip().lower() in ("off", "closed"):
        return []
    out = []
    for part in text.split(","):
        found = _SPAN.match(part.strip())
        if not found:
            raise _Unknown(text)
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if not (_clock(h1, m1) and _clock(h2, m2)):  # 25:00 or 08:75 is no time of day
            raise _Unknown(text)
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            end += 24 * 60
        out.append((start, end))
    return out


def _clock(hour: int, minute: int) -> bool:
    return minute < 60 and (hour < 24 or (hour == 24 and minute == 0))


def _rule(rule: str, week: list[list[tuple[int, int]]]) -> None:
    rule = rule.strip()
    if not rule:
        return
    head, _, rest = rule.partition(" ")
    if head[:1].isdigit() or head.lower() in ("off", "closed"):
        days, times = set(range(7)), rule
    else:
        days, times = _days(head), rest
    spans = _spans(times)
    for day in days:
        week[day] = list(spans)  # a later rule for a day replaces an earlier one


@lru_cache(maxsize=4096)  # a map holds few distinct texts and asks about each often
def parse_opening_hours(text: str) -> WeekHours | None:
    """Parse the simple forms; ``None`` when the text is empty or not understood.

    >>> parse_opening_hours("Mo-Fr 08:00-17:00; Sa 09:00-12:00").spans[5]
    ((540, 720),)
    >>> parse_opening_hours("PH off") is None, parse_opening_hours("Mo-Fr 08:00-25:00") is None
    (True, True)
    """
    text = text.strip()
    if not text:
        return None
    if text == "24/7":
        return WeekHours(tuple(((0, 24 * 60),) for _ in range(7)))
    week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    try:
        for rule in re.split(r";|,\s*(?=(?:Mo|Tu|We|Th|Fr|Sa|Su)\b)", text):
            _rule(rule, week)
    except _Unknown:
        return None
    return WeekHours(tuple(tuple(day) for day in week))


def open_state(text: str, at: datetime) -> OpenState:
    """``open``, ``closed`` or ``unknown`` for the hours ``text`` at local time ``at``.

    >>> open_state("Mo-Fr 08:00-17:00", datetime(2026, 11, 27, 9, 30))  # a Friday
    'open'
    >>> open_state("Mo-Fr 08:00-17:00", datetime(2026, 11, 28, 9, 30))  # a Saturday
    'closed'
    >>> open_state("sunrise-sunset", datetime(2026, 11, 28, 9, 30))
    'unknown'
    """
    hours = parse_opening_hours(text)
    if hours is None:
        return "unknown"
    day = at.weekday()
    now = at.hour * 60 + at.minute
    today = any(start <= now < end for start, end in hours.spans[day])
    yesterday = any(start <= now + 1440 < end for start, end in hours.spans[(day - 1) % 7])
    return "open" if today or yesterday else "closed"


def machine_readable(text: str) -> bool | None:
    """Tell whether this reader understands the hours (``None``: no hours given).

    Text it does not understand is kept and shown as written; "open now" is then unknown.

    >>> machine_readable("Mo-Fr 08:00-17:00"), machine_readable("周一至周五 8:30-17:00")
    (True, False)
    >>> machine_readable("  ") is None
    True
    """
    if not text.strip():
        return None
    return parse_opening_hours(text) is not None
