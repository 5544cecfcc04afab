"""The welfare register's configuration: risk levels and visit intervals, the urgent check, reasons.

Read from ``data/care.toml`` (or the ``care_config_path`` setting), checked entry by entry; a
mistake names the file, the entry and the field. Nothing is read at import time and nothing here
touches the store.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lifecircle.desk.config import bad_value, required_text
from lifecircle.errors import ConfigError
from lifecircle.project import Project

_INTERVAL = re.compile(r"^\s*(\d{1,3})\s*(d|mo)\s*$")
_HOURS = re.compile(r"^\s*(\d{1,3})\s*h\s*$")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Interval:
    """A visit interval: ``amount`` days (``d``) or calendar months (``mo``)."""

    amount: int
    unit: str

    @property
    def text(self) -> str:
        """The interval as written in the file (``7d``, ``1mo``)."""
        return f"{self.amount}{self.unit}"


@dataclass(frozen=True)
class Level:
    """A risk level: how often its people are visited, and how soon after a major change."""

    code: str
    name_zh: str
    name_en: str
    interval: Interval
    rule: str
    after_change_h: int | None = None

    def name(self, lang: str) -> str:
        """Return the level's name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Urgent:
    """The urgent check: its desk category and when each step is due (minutes after raising)."""

    desk_category: str
    ring_within_min: int
    door_within_min: int
    contacts_within_min: int
    #: Departments of desk.toml called in (吹哨) when the person is still not found.
    escalate_to: tuple[str, ...] = ("police",)

    def step_due_min(self) -> dict[str, int]:
        """Minutes after raising by which each step is due, in order."""
        return {
            "ring": self.ring_within_min,
            "door": self.door_within_min,
            "contacts": self.contacts_within_min,
        }


@dataclass(frozen=True)
class CareConfig:
    """Everything the register reads from its configuration file."""

    path: str
    version: str
    levels: tuple[Level, ...]
    first_visit_within: Interval
    categories: tuple[str, ...]
    urgent: Urgent
    reasons: Mapping[str, str]
    min_count: int

    def level(self, code: str) -> Level:
        """Return a risk level by code.

        Raises
        ------
        ConfigError
            No level has that code.
        """
        for found in self.levels:
            if found.code == code:
                return found
        known = tuple(lv.code for lv in self.levels)
        raise ConfigError("error.care.unknown_level", value=code, known=known)


def parse_interval(text: object, *, path: str = "", entry: str = "", name: str = "") -> Interval:
    """Read a visit interval: ``"7d"`` (days) or ``"1mo"`` (calendar months).

    >>> parse_interval("3mo"), parse_interval("7d").text
    (Interval(amount=3, unit='mo'), '7d')
    """
    found = _INTERVAL.match(text) if isinstance(text, str) else None
    if found is None or int(found.group(1)) == 0:
        raise bad_value((path, entry, name), text, "care_config.expect.interval")
    return Interval(int(found.group(1)), found.group(2))


def _hours(table: Mapping[str, Any], path: str, entry: str) -> int | None:
    text = table.get("after_change")
    if text is None:
        return None
    found = _HOURS.match(text) if isinstance(text, str) else None
    if found is None or int(found.group(1)) == 0:
        raise bad_value((path, entry, "after_change"), text, "care_config.expect.hours")
    return int(found.group(1))


def _level(table: object, number: int, path: str) -> Level:
    entry = f"levels[{number}]"
    if not isinstance(table, dict):
        raise bad_value((path, entry, "levels"), table, "desk_config.expect.table")
    code = required_text(table, "code", (path, entry))
    if not _CODE.match(code):
        raise bad_value((path, entry, "code"), code, "desk_config.expect.code")
    return Level(
        code=code,
        name_zh=required_text(table, "name_zh", (path, entry)),
        name_en=required_text(table, "name_en", (path, entry)),
        interval=parse_interval(table.get("interval"), path=path, entry=entry, name="interval"),
        rule=required_text(table, "rule", (path, entry)),
        after_change_h=_hours(table, path, entry),
    )


def _minutes(table: Mapping[str, Any], name: str, path: str) -> int:
    value = table.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 24 * 60:
        raise bad_value((path, "urgent", name), value, "care_config.expect.minutes")
    return value


def _urgent(table: object, path: str) -> Urgent:
    if not isinstance(table, dict):
        raise bad_value((path, "urgent", "urgent"), table, "desk_config.expect.table")
    urgent = Urgent(
        desk_category=required_text(table, "desk_category", (path, "urgent")),
        ring_within_min=_minutes(table, "ring_within_min", path),
        door_within_min=_minutes(table, "door_within_min", path),
        contacts_within_min=_minutes(table, "contacts_within_min", path),
        escalate_to=_strings(table, "escalate_to", path, entry="urgent")
        if "escalate_to" in table
        else ("police",),
    )
    dues = list(urgent.step_due_min().values())
    if dues != sorted(dues):
        raise bad_value((path, "urgent", "door_within_min"), dues, "care_config.expect.step_order")
    return urgent


def _strings(raw: Mapping[str, Any], name: str, path: str, entry: str = "") -> tuple[str, ...]:
    values = raw.get(name)
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise bad_value((path, entry or name, name), values, "care_config.expect.names")
    return tuple(v.strip() for v in values)


def parse_care_config(text: str, *, path: str) -> CareConfig:
    """Check and read a care TOML text (``path`` names it in messages).

    Raises
    ------
    ConfigError
        Not TOML, or an entry is missing or wrong (the message names entry and field).
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("error.config.bad_toml", path=path, detail=str(exc)) from None
    levels = tuple(_level(t, n, path) for n, t in enumerate(raw.get("levels") or []))
    if not levels or len({lv.code for lv in levels}) != len(levels):
        raise bad_value(
            (path, "levels", "levels"), [lv.code for lv in levels], "care_config.expect.names"
        )
    reasons = raw.get("reasons")
    if not isinstance(reasons, dict) or not reasons:
        raise bad_value((path, "reasons", "reasons"), reasons, "desk_config.expect.table")
    planning = raw.get("planning") or {}
    min_count = planning.get("min_count", 5) if isinstance(planning, dict) else None
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise bad_value((path, "planning", "min_count"), min_count, "care_config.expect.count")
    return CareConfig(
        path=path,
        version=str(raw.get("version", "")),
        levels=levels,
        first_visit_within=parse_interval(
            raw.get("first_visit_within", "7d"), path=path, entry="", name="first_visit_within"
        ),
        categories=_strings(raw, "categories", path),
        urgent=_urgent(raw.get("urgent"), path),
        reasons={str(k): required_text(reasons, k, (path, "reasons")) for k in reasons},
        min_count=min_count,
    )


def packaged_care_text() -> str:
    """Return the text of the packaged ``data/care.toml``."""
    return resources.files("lifecircle.data").joinpath("care.toml").read_text("utf-8")


def load_care_config(project: Project | None = None) -> CareConfig:
    """Read the project's care configuration (its own file, else the packaged one).

    Raises
    ------
    ConfigError
        The file is missing or wrong (the message names file, entry and field).
    """
    own = project.settings.care_config_path if project is not None else ""
    if not own or project is None:
        return parse_care_config(packaged_care_text(), path="care.toml")
    path = Path(own) if Path(own).is_absolute() else project.root / own
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("error.desk_config.unreadable", path=path, detail=str(exc)) from None
    return parse_care_config(text, path=str(path))
