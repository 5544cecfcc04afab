"""The overdue cut-off the SQL count uses agrees with the due day of every single visit day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lifecircle.care.config import Interval, load_care_config
from lifecircle.care.schedule import add_interval, end_of_day_s, next_due, overdue_before

TZ = ZoneInfo("Asia/Shanghai")
CONFIG = load_care_config()
MOMENTS = (
    "2026-03-31 12:00",  # a month after a short February
    "2026-12-01 00:00",  # the end of November, to the second
    "2028-03-01 00:00",  # after a leap February
    "2026-11-30 23:59:59",
    "2027-01-31 08:00",
)


def at(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp())


def due_after(visit: int, iv: Interval) -> int:
    """When the next visit is due: by the schedule where a packaged level has ``iv``."""
    for level in CONFIG.levels:
        if level.interval == iv:
            return next_due(
                CONFIG, level=level.code, registered_at=0, last_reached_at=visit,
                changed_at=None, zone=TZ,
            ).by_s  # fmt: skip
    day = dt.datetime.fromtimestamp(visit, TZ).date()
    return end_of_day_s(add_interval(day, iv), TZ)


@pytest.mark.parametrize("interval", ["1d", "7d", "30d", "1mo", "3mo", "12mo"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_visit_before_the_cut_off_is_exactly_a_visit_now_overdue(interval, moment) -> None:
    iv = Interval(int(interval.rstrip("dmo")), "mo" if interval.endswith("mo") else "d")
    now = at(moment)
    cut = overdue_before(iv, now, TZ)
    day = dt.datetime.fromtimestamp(now, TZ).date()
    for back in range(-2, 400):
        midnight = dt.datetime.combine(day - dt.timedelta(days=back), dt.time(), TZ)
        for seconds in (0, 12 * 3600, 86399):
            visit = int(midnight.timestamp()) + seconds
            if visit < now:
                late = due_after(visit, iv) <= now
                assert (visit < cut) == late, (interval, moment, midnight.date(), seconds)
