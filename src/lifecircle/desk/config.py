"""The grid desk's configuration: categories, time-limit tiers, working time, departments.

Read from ``data/desk.toml`` (or the ``desk_config_path`` setting) and the ``[[desk_notify]]``
tables of the project's ``lifecircle.toml``, checked entry by entry; a mistake names the file,
the entry and the field. Nothing is read at import time and nothing here touches the store.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from lifecircle.config import read_project_file
from lifecircle.errors import ConfigError, DeskError, Msg
from lifecircle.project import Project

Clock = Literal["natural", "working"]
CLOCKS: tuple[str, ...] = ("natural", "working")
NOTIFY_KINDS = ("wecom", "smtp")
NOTIFY_EVENTS = ("intake", "whistle", "overdue", "finish")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$")
_UNIT_S = {"m": 60, "h": 3600}
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Limit:
    """A time limit: ``amount`` of ``unit`` (``m``, ``h`` or ``d``) on a clock."""

    amount: float
    unit: str
    clock: Clock

    @property
    def text(self) -> str:
        """The limit as written in the file (``2h``, ``7d``)."""
        return f"{self.amount:g}{self.unit}"


@dataclass(frozen=True)
class Tier:
    """A time-limit tier: how soon the first response and the handling are due."""

    code: str
    name_zh: str
    name_en: str
    response: Limit
    resolution: Limit


@dataclass(frozen=True)
class Category:
    """A kind of request (an Open311 service): its tier, privacy and duplicate radius."""

    code: str
    name_zh: str
    name_en: str
    group: str
    tier: str
    private: bool = False
    household: bool = False
    walking: bool = False
    radius_m: float = 50.0
    keywords: str = ""

    def name(self, lang: str) -> str:
        """Return the category's name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Department:
    """A department that can be called in (吹哨) and must report in (报到) within its limit."""

    code: str
    name_zh: str
    name_en: str
    report_in: Limit
    report_in_emergency: Limit

    def name(self, lang: str) -> str:
        """Return the department's name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class WorkingTime:
    """Office hours: weekdays, daily periods (minutes after midnight), holidays, 调休 days."""

    timezone: str
    weekdays: frozenset[int]
    periods: tuple[tuple[int, int], ...]
    holidays: frozenset[dt.date] = frozenset()
    extra_workdays: frozenset[dt.date] = frozenset()
    years: frozenset[int] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        """The time zone office hours are written in."""
        return ZoneInfo(self.timezone)

    @property
    def day_minutes(self) -> int:
        """Working minutes in one working day."""
        return sum(end - start for start, end in self.periods)


@dataclass(frozen=True)
class NotifyChannel:
    """Where notices go: a 企业微信 group robot or an e-mail list, for some events and grids."""

    name: str
    kind: str
    events: frozenset[str]
    grids: frozenset[str]
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeskConfig:
    """Everything the desk reads from its configuration files."""

    path: str
    version: str
    working_time: WorkingTime
    tiers: Mapping[str, Tier]
    categories: tuple[Category, ...]
    departments: tuple[Department, ...]
    notify: tuple[NotifyChannel, ...] = ()

    def category(self, code: str, *, field: str = "category") -> Category:
        """Return a category by code.

        Raises
        ------
        DeskError
            No category has that code (the message lists them).
        """
        for found in self.categories:
            if found.code == code:
                return found
        known = tuple(c.code for c in self.categories)
        raise DeskError("error.desk.unknown_category", field=field, value=code, known=known)

    def tier_of(self, category: Category) -> Tier:
        """Return the time-limit tier of a category."""
        return self.tiers[category.tier]

    def department(self, code: str) -> Department:
        """Return a department by code.

        Raises
        ------
        DeskError
            No department has that code.
        """
        for found in self.departments:
            if found.code == code:
                return found
        known = tuple(d.code for d in self.departments)
        raise DeskError(
            "error.desk.unknown_department", field="departments", value=code, known=known
        )


def parse_limit(text: object, clock: object, *, where: tuple[str, str, str]) -> Limit:
    """Read a duration such as ``"2h"`` or ``"7d"`` on the ``natural`` or ``working`` clock.

    >>> parse_limit("7d", "natural", where=("f", "e", "x"))
    Limit(amount=7.0, unit='d', clock='natural')
    """
    found = _DURATION.match(str(text)) if isinstance(text, str) else None
    if found is None or float(found.group(1)) <= 0:
        raise bad_value(where, text, "desk_config.expect.duration")
    if clock not in CLOCKS:
        raise bad_value(
            (where[0], where[1], where[2] + "_clock"), clock, "desk_config.expect.clock"
        )
    return Limit(float(found.group(1)), found.group(2), clock)  # type: ignore[arg-type]


def limit_seconds(limit: Limit, working: WorkingTime) -> int:
    """Seconds a limit measures on its own clock (a working day: the day's working hours).

    >>> wt = WorkingTime("Asia/Shanghai", frozenset({1}), ((510, 720), (810, 1050)))
    >>> limit_seconds(Limit(2, "h", "working"), wt), limit_seconds(Limit(1, "d", "working"), wt)
    (7200, 27000)
    """
    if limit.unit == "d":
        per_day = 86400 if limit.clock == "natural" else working.day_minutes * 60
        return round(limit.amount * per_day)
    return round(limit.amount * _UNIT_S[limit.unit])


def bad_value(where: tuple[str, str, str], value: object, expected: str) -> ConfigError:
    """Return the error for a settings file's value; ``where`` is (path, entry, name)."""
    path, entry, name = where
    return ConfigError(
        "error.desk_config.value",
        path=path,
        entry=entry,
        name=name,
        value=repr(value),
        expected=Msg(expected),
    )


def required_text(table: Mapping[str, Any], name: str, where: tuple[str, str]) -> str:
    """Return the non-empty text ``name`` of ``table``, stripped; ``where`` is (path, entry)."""
    value = table.get(name)
    if not isinstance(value, str) or not value.strip():
        raise bad_value((*where, name), value, "desk_config.expect.text")
    return value.strip()


def _code(table: Mapping[str, Any], where: tuple[str, str]) -> str:
    code = required_text(table, "code", where)
    if not _CODE.match(code):
        raise bad_value((*where, "code"), code, "desk_config.expect.code")
    return code


def _flag(table: Mapping[str, Any], name: str, where: tuple[str, str]) -> bool:
    value = table.get(name, False)
    if not isinstance(value, bool):
        raise bad_value((*where, name), value, "desk_config.expect.bool")
    return value


def _date(text: object, where: tuple[str, str, str]) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise bad_value(where, text, "desk_config.expect.date") from None


def _dates(values: object, where: tuple[str, str, str]) -> frozenset[dt.date]:
    """Read a list of ``YYYY-MM-DD`` days and ``YYYY-MM-DD..YYYY-MM-DD`` ranges."""
    if not isinstance(values, list):
        raise bad_value(where, values, "desk_config.expect.dates")
    days: set[dt.date] = set()
    for item in values:
        first, _, last = str(item).partition("..")
        start = _date(first, where)
        end = _date(last, where) if last else start
        if end < start or (end - start).days > 366:
            raise bad_value(where, item, "desk_config.expect.dates")
        days.update(start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(days)


def _minutes(text: object, where: tuple[str, str, str]) -> int:
    hour, _, minute = str(text).partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) <= 24 and int(minute) < 60):
        raise bad_value(where, text, "desk_config.expect.periods")
    return int(hour) * 60 + int(minute)


def _working_time(table: object, path: str) -> WorkingTime:
    entry = "working_time"
    if not isinstance(table, dict):
        raise bad_value((path, entry, entry), table, "desk_config.expect.table")
    zone = str(table.get("timezone", "Asia/Shanghai"))
    if zone not in available_timezones():
        raise bad_value((path, entry, "timezone"), zone, "desk_config.expect.timezone")
    weekdays = table.get("weekdays", [1, 2, 3, 4, 5])
    if not isinstance(weekdays, list) or not all(d in range(1, 8) for d in weekdays):
        raise bad_value((path, entry, "weekdays"), weekdays, "desk_config.expect.weekdays")
    periods = []
    for pair in table.get("periods") or []:
        where = (path, entry, "periods")
        if not isinstance(pair, list) or len(pair) != 2:
            raise bad_value(where, pair, "desk_config.expect.periods")
        periods.append((_minutes(pair[0], where), _minutes(pair[1], where)))
    ordered = sorted(periods)
    starts_after_ends = all(a[1] <= b[0] for a, b in itertools.pairwise(ordered))
    if not ordered or not starts_after_ends or any(s >= e for s, e in ordered):
        raise bad_value(
            (path, entry, "periods"), table.get("periods"), "desk_config.expect.periods"
        )
    years = table.get("years", [])
    if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
        raise bad_value((path, entry, "years"), years, "desk_config.expect.years")
    return WorkingTime(
        timezone=zone,
        weekdays=frozenset(weekdays),
        periods=tuple(ordered),
        holidays=_dates(table.get("holidays", []), (path, entry, "holidays")),
        extra_workdays=_dates(table.get("extra_workdays", []), (path, entry, "extra_workdays")),
        years=frozenset(years),
    )


def _tier(code: str, table: Any, path: str) -> Tier:
    entry = f"tiers.{code}"
    if not isinstance(table, dict):
        raise bad_value((path, entry, code), table, "desk_config.expect.table")
    where = (path, entry)
    return Tier(
        code=code,
        name_zh=required_text(table, "name_zh", where),
        name_en=required_text(table, "name_en", where),
        response=parse_limit(
            table.get("response"), table.get("response_clock"), where=(*where, "response")
        ),
        resolution=parse_limit(
            table.get("resolution"), table.get("resolution_clock"), where=(*where, "resolution")
        ),
    )


def _category(table: Any, number: int, path: str, tiers: Mapping[str, Tier]) -> Category:
    where = (path, f"categories[{number}]")
    if not isinstance(table, dict):
        raise bad_value((*where, "categories"), table, "desk_config.expect.table")
    tier = required_text(table, "tier", where)
    if tier not in tiers:
        raise bad_value((*where, "tier"), tier, "desk_config.expect.tier")
    radius = table.get("radius_m", 50)
    if isinstance(radius, bool) or not isinstance(radius, int | float) or not 0 <= radius <= 2000:
        raise bad_value((*where, "radius_m"), radius, "desk_config.expect.radius")
    return Category(
        code=_code(table, where),
        name_zh=required_text(table, "name_zh", where),
        name_en=required_text(table, "name_en", where),
        group=required_text(table, "group", where),
        tier=tier,
        private=_flag(table, "private", where),
        household=_flag(table, "household", where),
        walking=_flag(table, "walking", where),
        radius_m=float(radius),
        keywords=str(table.get("keywords", "")),
    )


def _department(table: Any, number: int, path: str) -> Department:
    where = (path, f"departments[{number}]")
    if not isinstance(table, dict):
        raise bad_value((*where, "departments"), table, "desk_config.expect.table")
    return Department(
        code=_code(table, where),
        name_zh=required_text(table, "name_zh", where),
        name_en=required_text(table, "name_en", where),
        report_in=parse_limit(table.get("report_in"), "natural", where=(*where, "report_in")),
        report_in_emergency=parse_limit(
            table.get("report_in_emergency"), "natural", where=(*where, "report_in_emergency")
        ),
    )


def _unique(codes: Sequence[str], path: str, what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ConfigError("error.desk_config.duplicate", path=path, what=what, code=code)
        seen.add(code)


def _notify(tables: object, path: str) -> tuple[NotifyChannel, ...]:
    if tables is None:
        return ()
    if not isinstance(tables, list):
        raise bad_value((path, "desk_notify", "desk_notify"), tables, "desk_config.expect.table")
    channels = []
    for number, table in enumerate(tables):
        where = (path, f"desk_notify[{number}]")
        if not isinstance(table, dict):
            raise bad_value((*where, "desk_notify"), table, "desk_config.expect.table")
        kind = table.get("kind")
        if kind not in NOTIFY_KINDS:
            raise bad_value((*where, "kind"), kind, "desk_config.expect.notify_kind")
        events = table.get("events", list(NOTIFY_EVENTS))
        if not isinstance(events, list) or not set(events) <= set(NOTIFY_EVENTS):
            raise bad_value((*where, "events"), events, "desk_config.expect.notify_events")
        grids = table.get("grids", [])
        if not isinstance(grids, list):
            raise bad_value((*where, "grids"), grids, "desk_config.expect.grids")
        options = {k: v for k, v in table.items() if k not in ("kind", "events", "grids", "name")}
        name = str(table.get("name") or f"{kind}-{number + 1}")
        channels.append(
            NotifyChannel(name, str(kind), frozenset(events), frozenset(map(str, grids)), options)
        )
    return tuple(channels)


def parse_desk_config(text: str, *, path: str, notify: object = None) -> DeskConfig:
    """Check and read a desk TOML text (``path`` names it in messages).

    Raises
    ------
    ConfigError
        Not TOML, or an entry is missing or wrong (the message names entry and field).
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("error.config.bad_toml", path=path, detail=str(exc)) from None
    tiers_raw = raw.get("tiers")
    if not isinstance(tiers_raw, dict) or not tiers_raw:
        raise bad_value((path, "tiers", "tiers"), tiers_raw, "desk_config.expect.table")
    tiers = {code: _tier(code, table, path) for code, table in tiers_raw.items()}
    categories = tuple(
        _category(t, n, path, tiers) for n, t in enumerate(raw.get("categories") or [])
    )
    departments = tuple(_department(t, n, path) for n, t in enumerate(raw.get("departments") or []))
    if not categories:
        raise bad_value((path, "categories", "categories"), [], "desk_config.expect.table")
    _unique([c.code for c in categories], path, "categories")
    _unique([d.code for d in departments], path, "departments")
    return DeskConfig(
        path=path,
        version=str(raw.get("version", "")),
        working_time=_working_time(raw.get("working_time", {}), path),
        tiers=tiers,
        categories=categories,
        departments=departments,
        notify=_notify(notify, path),
    )


def packaged_config_text() -> str:
    """Return the text of the packaged ``data/desk.toml``."""
    return resources.files("lifecircle.data").joinpath("desk.toml").read_text("utf-8")


def load_desk_config(project: Project | None = None) -> DeskConfig:
    """Read the project's desk configuration (its own file, else the packaged one).

    Raises
    ------
    ConfigError
        The file is missing or wrong (the message names file, entry and field).
    """
    if project is None:
        return parse_desk_config(packaged_config_text(), path="desk.toml")
    own = project.settings.desk_config_path
    notify = read_project_file(project.root).get("desk_notify")
    if not own:
        return parse_desk_config(packaged_config_text(), path="desk.toml", notify=notify)
    path = Path(own) if Path(own).is_absolute() else project.root / own
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("error.desk_config.unreadable", path=path, detail=str(exc)) from None
    return parse_desk_config(text, path=str(path), notify=notify)
