"""Is a facility open now, and its hours in plain words: the simple forms of OSM ``opening_hours``.

Understands hours written in Chinese (周一至周五 8:30-17:30，节假日休息; see
:mod:`lifecircle.opening_hours_zh`) and ``24/7``, ``08:00-17:00``,
``Mo-Fr 08:00-17:00; Sa 09:00-12:00``, day lists (``Mo,We``), several spans
(``08:00-12:00,14:00-18:00``), ``off``/``closed``, spans past midnight and public-holiday
rules (``PH off``, ``PH 09:00-12:00``). Anything else (months, weeks, comments, sunrise) is
*unknown*, never a guess: :func:`describe_hours` then says the hours are to be checked on site
(以现场为准). Days a rule list does not name are closed, as in OSM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Literal

from lifecircle.i18n import t
from lifecircle.opening_hours_zh import day_runs, osm_from_chinese

OpenState = Literal["open", "closed", "unknown"]
DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
#: Rules end at ";" or at a comma after a time or "off"/"closed" (not one inside a day list).
_RULES = re.compile(r";|(?<=[0-9fd]),\s*(?=(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)\b)")
_DAYS = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(-(Mo|Tu|We|Th|Fr|Sa|Su))?$")
#: Text with Chinese characters is read by :func:`osm_from_chinese` first.
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class WeekHours:
    """Opening minutes per weekday.

    ``spans[d]`` lists (start, end) minutes after midnight of day ``d`` (0 = Monday); an end
    beyond 1440 runs into the next day.
    """

    spans: tuple[tuple[tuple[int, int], ...], ...]
    #: Public holidays: ``None`` when the text says nothing, ``()`` closed, else the spans.
    holidays: tuple[tuple[int, int], ...] | None = None


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


def _rule(rule: str, week: list[list[tuple[int, int]]], holidays: list[tuple[int, int]]) -> bool:
    """Apply one rule to the week (or, for ``PH``, to ``holidays``); True for a holiday rule."""
    rule = rule.strip()
    if not rule:
        return False
    head, _, rest = rule.partition(" ")
    if head == "PH":
        holidays[:] = _spans(rest)
        return True
    if head[:1].isdigit() or head.lower() in ("off", "closed"):
        days, times = set(range(7)), rule
    else:
        days, times = _days(head), rest
    spans = _spans(times)
    for day in days:
        week[day] = list(spans)  # a later rule for a day replaces an earlier one
    return False


@lru_cache(maxsize=4096)  # a map holds few distinct texts and asks about each often
def parse_opening_hours(text: str) -> WeekHours | None:
    """Parse the simple forms; ``None`` when the text is empty or not understood.

    >>> parse_opening_hours("Mo-Fr 08:00-17:00; Sa 09:00-12:00").spans[5]
    ((540, 720),)
    >>> parse_opening_hours("Mo-Fr 08:00-17:00; PH off").holidays
    ()
    >>> [parse_opening_hours(text) for text in ("sunrise-sunset", "Mo-Fr 08:00-25:00")]
    [None, None]
    >>> parse_opening_hours("周一至周五 8:30-17:30，节假日休息").holidays
    ()
    """
    text = text.strip()
    if _CJK.search(text):
        text = osm_from_chinese(text) or ""
    if not text:
        return None
    week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    holidays: list[tuple[int, int]] = []
    holiday_rule = False
    try:
        for rule in _RULES.split(text):
            if rule.strip() == "24/7":
                week = [[(0, 24 * 60)] for _ in range(7)]
                continue
            holiday_rule |= _rule(rule, week, holidays)
    except _Unknown:
        return None
    if not holiday_rule and not any(week):
        return None  # nothing but "off": nothing said about when it opens
    return WeekHours(tuple(tuple(day) for day in week), tuple(holidays) if holiday_rule else None)


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
    if hours.holidays is not None:
        on_holiday = any(start <= now < end for start, end in hours.holidays)
        if on_holiday != today:  # no holiday calendar: whether today is one is not known
            return "unknown"
    return "open" if today or yesterday else "closed"


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60 % 24}:{minutes % 60:02d}"


def _span_text(span: tuple[int, int], lang: str) -> str:
    start, end = span
    if (start, end) == (0, 24 * 60):
        return t("hours.all_day", lang)
    late = t("hours.next_day", lang) if end > 24 * 60 else ""
    return f"{_clock_text(start)}–{late}{_clock_text(end)}"


def _spans_text(spans: tuple[tuple[int, int], ...], lang: str) -> str:
    if not spans:
        return t("hours.closed", lang)
    return t("hours.span_join", lang).join(_span_text(s, lang) for s in spans)


def _days_text(days: list[int], lang: str) -> str:
    """Name days as runs: 周一至周五、周日 / Mon–Fri, Sun."""
    names = [t(f"hours.day.{DAYS[d]}", lang) for d in range(7)]
    runs = day_runs(days)
    parts = [
        t("hours.day_range", lang, first=names[r[0]], last=names[r[-1]])
        if len(r) > 2
        else t("hours.day_join", lang).join(names[d] for d in r)
        for r in runs
    ]
    return t("hours.day_join", lang).join(parts)


def describe_hours(text: str, lang: str = "zh") -> str:
    """Say opening hours in plain words (zh or en), the same on boards and the phone page.

    Days with the same hours are grouped; closed days and public holidays are said; any form
    the reader does not understand says to check on site. Empty text gives ``""``.

    >>> describe_hours("Mo-Fr 07:30-19:00; Sa-Su off; PH off")
    '周一至周五 7:30–19:00；周六、周日休息；节假日休息'
    >>> describe_hours("24/7"), describe_hours("Mo-Su 22:00-02:00", "en")
    ('全天24小时', 'daily 22:00–next day 2:00')
    >>> describe_hours("Mo-Fr 09:00-12:00,14:00-18:00", "en")
    'Mon–Fri 9:00–12:00, 14:00–18:00; Sat, Sun closed'
    >>> describe_hours("Jan-Mar Mo 10:00-12:00")
    '以现场为准'
    """
    if not text.strip():
        return ""
    hours = parse_opening_hours(text)
    if hours is None:
        return t("hours.unknown", lang)
    if all(day == ((0, 24 * 60),) for day in hours.spans) and hours.holidays is None:
        return t("hours.always", lang)
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for day, spans in enumerate(hours.spans):
        groups.setdefault(spans, []).append(day)
    parts = []
    for spans, days in sorted(groups.items(), key=lambda item: (not item[0], item[1][0])):
        when = t("hours.daily", lang) if len(days) == 7 else _days_text(days, lang)
        if spans:
            parts.append(t("hours.open_on", lang, days=when, spans=_spans_text(spans, lang)))
        else:
            parts.append(t("hours.closed_on", lang, days=when))
    if hours.holidays is not None:
        if hours.holidays:
            parts.append(t("hours.holidays_open", lang, spans=_spans_text(hours.holidays, lang)))
        else:
            parts.append(t("hours.holidays_closed", lang))
    return t("hours.rule_join", lang).join(parts)


def machine_readable(text: str) -> bool | None:
    """Tell whether this reader understands the hours (``None``: no hours given).

    Text it does not understand is kept and shown as written; "open now" is then unknown.

    >>> machine_readable("Mo-Fr 08:00-17:00"), machine_readable("周一至周五 8:30-17:00")
    (True, True)
    >>> machine_readable("夏季 6:00-22:00，冬季 7:00-21:00")
    False
    >>> machine_readable("  ") is None
    True
    """
    if not text.strip():
        return None
    return parse_opening_hours(text) is not None
