"""Read opening hours staff write in Chinese (周一至周五 8:30-17:30，节假日休息) as OSM rules.

Staff sheets and Chinese OSM data say hours in words, not in OSM's ``opening_hours`` syntax.
:func:`osm_from_chinese` turns the common forms into that syntax so the one reader in
:mod:`lifecircle.opening_hours` can say "open now" and print the hours the same way for both:

- days: 周一…周日 / 星期一…星期日 / 礼拜一… (天 = 日), ranges with 至, 到, - or ~, lists with 、 or
  和; 每天/每日/天天/全年/全天 (every day), 工作日 (Mon–Fri), 周末/双休日 (Sat, Sun),
  节假日/法定节假日/节日 (public holidays);
- times: ``8:30``, ``8点``, ``8点半``, ``8点30分``, ``8时``, with 上午/早上/凌晨 (as written) or
  下午/晚上/傍晚 (+12 h before 12:00); spans with -, ~, 至 or 到; 次日 before an end past midnight;
  several spans per day; 24小时 and 全天 for the whole day;
- closed: 休息, 闭馆, 休馆, 不开放, 不营业, 关闭, 停业.

Times without days apply to every day, or to the days just named; days without times take the
times that follow. Anything else — seasons, appointments, brackets, "照常" — makes the whole
text unknown (``None``): hours are never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_DAY_INDEX = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY = r"(?:周|星期|礼拜)[一二三四五六日天]"
_TO = r"\s*(?:-|~|至|到)\s*"
_GROUPS = {
    "每天": tuple(range(7)),
    "每日": tuple(range(7)),
    "天天": tuple(range(7)),
    "全年": tuple(range(7)),
    "工作日": (0, 1, 2, 3, 4),
    "周末": (5, 6),
    "双休日": (5, 6),
}
_HOLIDAYS = ("法定节假日", "节假日", "节日")
_TIME = (
    r"(?:(?P<{p}half>上午|早上|早晨|凌晨|中午|下午|晚上|傍晚|晚)\s*)?(?P<{p}next>次日\s*)?"
    r"(?P<{p}h>\d{{1,2}})(?:(?::(?P<{p}m>\d{{2}}))|点半(?P<{p}half30>)|(?:点|时)(?:(?P<{p}pm>\d{{1,2}})分?)?)"
)
_SPAN = _TIME.format(p="a") + _TO + _TIME.format(p="b")
_TOKEN = re.compile(
    rf"(?P<dayrange>{_DAY}(?:{_TO}{_DAY})?)"
    r"|(?P<group>每天|每日|天天|全年|工作日|周末|双休日)"
    r"|(?P<holiday>法定节假日|节假日|节日)"
    rf"|(?P<span>{_SPAN})"
    r"|(?P<allday>24\s*小时(?:营业|开放)?|全天(?:营业|开放)?)"
    r"|(?P<off>休息|闭馆|休馆|不开放|不营业|关闭|停业)"
    r"|(?P<open>(?:营业|开放|服务|办公)(?:时间)?(?=[\s,;:，；。、]|$|\d)|无休)"
    r"|(?P<sep>[\s,;:，；。、和及/]+)"
)
_AFTERNOON = ("下午", "晚上", "傍晚", "晚")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[—–－‐‑―～〜]", "-", text).strip()


def _minutes(match: re.Match[str], p: str) -> int | None:
    hour = int(match.group(f"{p}h"))
    if match.group(f"{p}m") is not None:
        minute = int(match.group(f"{p}m"))
    elif match.group(f"{p}half30") is not None:
        minute = 30
    else:
        minute = int(match.group(f"{p}pm") or 0)
    if match.group(f"{p}half") in _AFTERNOON and hour < 12:
        hour += 12
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        return None
    return hour * 60 + minute


def _span(match: re.Match[str]) -> str | None:
    """Return one span as ``HH:MM-HH:MM`` (``None``: no span of time).

    An end said without 下午 after a 下午 start is afternoon too, and an end before a morning
    start is read on a 12-hour clock (8:30-5:30 is 8:30–17:30).
    """
    start, end = _minutes(match, "a"), _minutes(match, "b")
    if start is None or end is None:
        return None
    unmarked = match.group("bhalf") is None and match.group("bnext") is None
    if unmarked and end < 12 * 60 and (match.group("ahalf") in _AFTERNOON or end <= start < 720):
        end += 12 * 60
    if start == end:
        return None
    return f"{_clock(start)}-{_clock(end)}"


def _day_range(text: str) -> tuple[int, ...]:
    days = [_DAY_INDEX[c] for c in re.findall(r"(?:周|星期|礼拜)([一二三四五六日天])", text)]
    if len(days) == 1:
        return (days[0],)
    first, last = days
    return tuple((first + k) % 7 for k in range((last - first) % 7 + 1))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class _Rules:
    """Collects (days, spans) rules in the order written; ``None`` days are public holidays."""

    def __init__(self) -> None:
        self.rules: list[tuple[tuple[int, ...] | None, list[str]]] = []
        self.days: list[int | None] = []  # days named since the last times
        #: The days the last times were for (``False``: no times said yet).
        self.last: tuple[int, ...] | bool | None = False

    def name(self, days: tuple[int, ...] | None) -> None:
        if days is None:
            self.days.append(None)
        else:
            self.days.extend(days)

    def said(self, spans: list[str]) -> None:
        named = self.days
        self.days = []
        if named:
            weekdays = tuple(sorted({d for d in named if d is not None}))
            if weekdays:
                self.rules.append((weekdays, list(spans)))
                self.last = weekdays
            if None in named:
                self.rules.append((None, list(spans)))
                self.last = None
            return
        if self.last is False:  # times before any day: every day
            self.rules.append((tuple(range(7)), list(spans)))
            self.last = tuple(range(7))
            return
        # more times for the days just said (8:00-12:00，14:00-18:00)
        for days, old in reversed(self.rules):
            if days == self.last:
                old.extend(spans)
                return


def day_runs(days: Sequence[int]) -> list[list[int]]:
    """Split sorted weekdays (0 = Monday) into runs of consecutive days.

    >>> day_runs([0, 1, 2, 4, 6])
    [[0, 1, 2], [4], [6]]
    """
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _osm_days(days: tuple[int, ...]) -> str:
    runs = day_runs(days)
    return ",".join(
        _OSM_DAYS[r[0]] if len(r) == 1 else f"{_OSM_DAYS[r[0]]}-{_OSM_DAYS[r[-1]]}" for r in runs
    )


def osm_from_chinese(text: str) -> str | None:
    """Return the hours in OSM ``opening_hours`` syntax, or ``None`` when not understood.

    >>> osm_from_chinese("周一至周五 8:30-17:30，节假日休息")
    'Mo-Fr 08:30-17:30; PH off'
    >>> osm_from_chinese("每天 6:00～22:00")
    'Mo-Su 06:00-22:00'
    >>> osm_from_chinese("周一到周六上午8点-12点，下午2点半-5点半；周日休息")
    'Mo-Sa 08:00-12:00,14:30-17:30; Su off'
    >>> osm_from_chinese("24小时营业"), osm_from_chinese("22:00-次日2:00")
    ('24/7', 'Mo-Su 22:00-02:00')
    >>> osm_from_chinese("工作日9:00-17:00、周末10:00-16:00")
    'Mo-Fr 09:00-17:00; Sa-Su 10:00-16:00'
    >>> [osm_from_chinese(t) for t in ("夏季6:00-22:00", "周一至周五（预约）", "营业中")]
    [None, None, None]
    """
    found = _scan(_normalise(text))
    if found is None or not found.rules:
        return None
    if found.days:
        return None  # days named but no times or "closed" after them
    if len(found.rules) == 1 and found.rules[0] == (tuple(range(7)), ["00:00-24:00"]):
        return "24/7"
    parts = []
    for days, spans in found.rules:
        when = "PH" if days is None else _osm_days(days)
        parts.append(f"{when} {','.join(spans) if spans else 'off'}")
    return "; ".join(parts)


def _scan(text: str) -> _Rules | None:
    rules = _Rules()
    at = 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            return None
        at = match.end()
        kind = match.lastgroup
        if kind == "dayrange":
            rules.name(_day_range(match.group(0)))
        elif kind == "group":
            rules.name(_GROUPS[match.group(0)])
        elif kind == "holiday":
            rules.name(None)
        elif kind == "span":
            span = _span(match)
            if span is None:
                return None
            rules.said([span])
        elif kind == "allday":
            rules.said(["00:00-24:00"])
        elif kind == "off":
            rules.said([])
    return rules
