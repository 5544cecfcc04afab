"""The time-limit clock: natural time, working time (office hours, holidays, 调休), due times.

Times are UTC epoch seconds (ints); office hours are read in the configured time zone. 延期
(an approved extension) moves a due time later on the limit's own clock; 挂账 (a parked case)
stops the clock, so resuming moves the due time by the time spent parked, measured on the same
clock. Pure functions of their arguments: no store, no current time.
"""

from __future__ import annotations

import datetime as dt

from lifecircle.desk.config import Limit, WorkingTime, limit_seconds

#: The clock gives up looking for working time this many days ahead (a calendar with none).
MAX_DAYS = 3660


def is_workday(day: dt.date, working: WorkingTime) -> bool:
    """Tell whether ``day`` is a working day: a 调休 workday, else a weekday that is no holiday.

    >>> from lifecircle.desk.config import load_desk_config
    >>> wt = load_desk_config().working_time
    >>> [is_workday(dt.date(2026, 2, d), wt) for d in (13, 14, 15, 24)]  # Fri, 调休 Sat, 春节, Tue
    [True, True, False, True]
    """
    if day in working.extra_workdays:
        return True
    return day not in working.holidays and day.isoweekday() in working.weekdays


def _periods_on(day: dt.date, working: WorkingTime) -> list[tuple[int, int]]:
    """Return the working periods of one local day as UTC epoch-second intervals."""
    if not is_workday(day, working):
        return []
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=working.zone)
    return [
        (
            int((midnight + dt.timedelta(minutes=start)).timestamp()),
            int((midnight + dt.timedelta(minutes=end)).timestamp()),
        )
        for start, end in working.periods
    ]


def _local_day(at_s: int, working: WorkingTime) -> dt.date:
    return dt.datetime.fromtimestamp(at_s, working.zone).date()


def add_working(start_s: int, seconds: int, working: WorkingTime) -> int:
    """Return when ``seconds`` of working time after ``start_s`` have passed.

    A start outside office hours counts from the next working period, so 2 working hours
    after Friday 20:00 end on Monday 10:30 (office hours 08:30–12:00, 13:30–17:30).

    >>> from lifecircle.desk.config import load_desk_config
    >>> wt = load_desk_config().working_time
    >>> friday_8pm = int(dt.datetime(2026, 11, 6, 20, 0, tzinfo=wt.zone).timestamp())
    >>> dt.datetime.fromtimestamp(add_working(friday_8pm, 7200, wt), wt.zone).isoformat()
    '2026-11-09T10:30:00+08:00'
    """
    remaining = max(0, int(seconds))
    day = _local_day(start_s, working)
    for _ in range(MAX_DAYS):
        for begin, end in _periods_on(day, working):
            if end <= start_s:
                continue
            begin = max(begin, start_s)
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        day += dt.timedelta(days=1)
    return start_s + MAX_DAYS * 86400  # a calendar without working days: effectively never


def working_seconds(start_s: int, end_s: int, working: WorkingTime) -> int:
    """Return the working seconds between two times (0 when ``end_s`` is not after ``start_s``).

    >>> from lifecircle.desk.config import load_desk_config
    >>> wt = load_desk_config().working_time
    >>> mon_9 = int(dt.datetime(2026, 11, 9, 9, 0, tzinfo=wt.zone).timestamp())
    >>> working_seconds(mon_9, mon_9 + 6 * 3600, wt) // 60  # 09:00–15:00, lunch excluded
    270
    """
    if end_s <= start_s:
        return 0
    total = 0
    day = _local_day(start_s, working)
    last = _local_day(end_s, working)
    while day <= last:
        for begin, end in _periods_on(day, working):
            total += max(0, min(end, end_s) - max(begin, start_s))
        day += dt.timedelta(days=1)
    return total


def add_limit(start_s: int, limit: Limit, working: WorkingTime) -> int:
    """Return the due time of ``limit`` counted from ``start_s`` on the limit's clock."""
    seconds = limit_seconds(limit, working)
    if limit.clock == "natural":
        return start_s + seconds
    return add_working(start_s, seconds, working)


def elapsed(start_s: int, end_s: int, clock: str, working: WorkingTime) -> int:
    """Seconds between two times on a clock (natural or working)."""
    if clock == "natural":
        return max(0, end_s - start_s)
    return working_seconds(start_s, end_s, working)


def shift_due(due_s: int, seconds: int, clock: str, working: WorkingTime) -> int:
    """Move a due time later by ``seconds`` measured on its clock (挂账 resumed, 延期 approved)."""
    if clock == "natural":
        return due_s + seconds
    return add_working(due_s, seconds, working)


def resume_due(
    due_s: int, hold_from_s: int, resume_s: int, clock: str, working: WorkingTime
) -> int:
    """Return the due time after a 挂账 from ``hold_from_s`` to ``resume_s`` (clock stopped).

    >>> from lifecircle.desk.config import load_desk_config
    >>> wt = load_desk_config().working_time
    >>> resume_due(1000, 500, 800, "natural", wt)  # parked 300 s: due 300 s later
    1300
    """
    return shift_due(due_s, elapsed(hold_from_s, resume_s, clock, working), clock, working)


def years_without_holidays(start_s: int, end_s: int, working: WorkingTime) -> list[int]:
    """Years between two times whose holiday list the configuration does not hold."""
    first = _local_day(start_s, working).year
    last = _local_day(max(start_s, end_s), working).year
    return [year for year in range(first, last + 1) if year not in working.years]
