"""When a person's next visit is due: from the risk level's interval, the first visit, a change.

A visit that reached the person (any outcome but ``not_reached``) restarts the interval: the next
one is due on the local day the interval after it (``7d``: a week later; ``1mo``: the same day
next month, the month's last day if shorter), by the end of that day. Someone never visited is
due ``first_visit_within`` after registration. A major change (出院, 丧偶 …) of a level with
``after_change`` makes a visit due that many hours after it, unless one reached them since.
Pure functions of their arguments: no store, no current time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lifecircle.care.config import CareConfig, Interval

#: Outcomes of a visit that did not reach the person (they do not restart the interval).
NOT_REACHED = "not_reached"


@dataclass(frozen=True)
class Due:
    """A due visit: the local day, the moment it becomes overdue, and why it is due."""

    on: dt.date
    by_s: int
    why: str  # interval | first | change


def add_interval(day: dt.date, interval: Interval) -> dt.date:
    """Return the day ``interval`` after ``day`` (months clamp to the month's last day).

    >>> add_interval(dt.date(2026, 1, 31), Interval(1, "mo"))
    datetime.date(2026, 2, 28)
    >>> add_interval(dt.date(2026, 11, 30), Interval(3, "mo"))
    datetime.date(2027, 2, 28)
    >>> add_interval(dt.date(2026, 11, 2), Interval(7, "d"))
    datetime.date(2026, 11, 9)
    """
    if interval.unit == "d":
        return day + dt.timedelta(days=interval.amount)
    months = day.year * 12 + day.month - 1 + interval.amount
    year, month = divmod(months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def end_of_day_s(day: dt.date, zone: ZoneInfo) -> int:
    """Return the epoch second the local day ends (the next midnight)."""
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=zone) + dt.timedelta(days=1)
    return int(midnight.timestamp())


def local_day(at_s: int, zone: ZoneInfo) -> dt.date:
    """Return the local date of an epoch second."""
    return dt.datetime.fromtimestamp(at_s, zone).date()


def overdue_before(interval: Interval, moment_s: int, zone: ZoneInfo) -> int:
    """Return the second before which a last visit makes the next one (``interval`` on) overdue.

    A visit on a local day ``d`` makes the next due by the end of ``add_interval(d, interval)``,
    which never moves back as ``d`` moves on; so a person is overdue at ``moment_s`` exactly
    when their last visit was before the first day whose next due day ends after it. Returns
    that day's local midnight, so counting can compare stored times (SQL) instead of working
    out each person's due day. The same holds for a registration and ``first_visit_within``.

    >>> tz = ZoneInfo("Asia/Shanghai")
    >>> noon = int(dt.datetime(2026, 3, 31, 12, tzinfo=tz).timestamp())
    >>> def day(at_s): return dt.datetime.fromtimestamp(at_s, tz).date().isoformat()
    >>> day(overdue_before(Interval(7, "d"), noon, tz))  # a visit on 03-24: due by 03-31's end
    '2026-03-24'
    >>> day(overdue_before(Interval(1, "mo"), noon, tz))  # 02-28 → 03-28 overdue; 03-01 → 04-01
    '2026-03-01'
    """
    today = local_day(moment_s, zone)
    span = interval.amount * (31 if interval.unit == "mo" else 1) + 2
    late, fine = today - dt.timedelta(days=span), today + dt.timedelta(days=1)
    while (fine - late).days > 1:  # late: due by moment_s at the latest; fine: due after it
        middle = late + dt.timedelta(days=(fine - late).days // 2)
        if end_of_day_s(add_interval(middle, interval), zone) <= moment_s:
            late = middle
        else:
            fine = middle
    return int(dt.datetime(fine.year, fine.month, fine.day, tzinfo=zone).timestamp())


def next_due(
    config: CareConfig,
    *,
    level: str,
    registered_at: int,
    last_reached_at: int | None,
    changed_at: int | None,
    zone: ZoneInfo,
) -> Due:
    """Return when a person's next visit is due.

    >>> from lifecircle.care.config import load_care_config
    >>> cfg, tz = load_care_config(), ZoneInfo("Asia/Shanghai")
    >>> monday = int(dt.datetime(2026, 11, 2, 10, 0, tzinfo=tz).timestamp())
    >>> due = next_due(cfg, level="high", registered_at=monday - 86400 * 30,
    ...     last_reached_at=monday, changed_at=None, zone=tz)
    >>> due.on, due.why
    (datetime.date(2026, 11, 9), 'interval')
    >>> later = next_due(cfg, level="high", registered_at=monday - 86400 * 30,
    ...     last_reached_at=monday, changed_at=monday + 3600, zone=tz)  # 出院 an hour later
    >>> later.on, later.why, later.by_s - (monday + 3600)
    (datetime.date(2026, 11, 3), 'change', 86400)
    """
    spec = config.level(level)
    if last_reached_at is None:
        on = add_interval(local_day(registered_at, zone), config.first_visit_within)
        due = Due(on, end_of_day_s(on, zone), "first")
    else:
        on = add_interval(local_day(last_reached_at, zone), spec.interval)
        due = Due(on, end_of_day_s(on, zone), "interval")
    unanswered = changed_at is not None and (last_reached_at or 0) < changed_at
    if unanswered and spec.after_change_h is not None:
        assert changed_at is not None
        by_s = changed_at + spec.after_change_h * 3600
        if by_s < due.by_s:
            return Due(local_day(by_s, zone), by_s, "change")
    return due


def status(due: Due, now_s: int, zone: ZoneInfo) -> str:
    """Say where a due visit stands now: ``overdue``, ``today``, ``week`` or ``later``.

    >>> tz = ZoneInfo("Asia/Shanghai")
    >>> due = Due(dt.date(2026, 11, 9), end_of_day_s(dt.date(2026, 11, 9), tz), "interval")
    >>> noon = [int(dt.datetime(2026, 11, d, 12, tzinfo=tz).timestamp()) for d in (3, 9, 10)]
    >>> [status(due, at, tz) for at in noon]
    ['week', 'today', 'overdue']
    """
    if now_s >= due.by_s:
        return "overdue"
    today = local_day(now_s, zone)
    if due.on <= today:
        return "today"
    return "week" if (due.on - today).days <= 7 else "later"
