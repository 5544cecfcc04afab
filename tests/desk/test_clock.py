"""The time-limit clock: office hours, holidays and 调休 workdays of 2026, due times, and how
延期 (extends) and 挂账 (stops the clock) move them. Expected times are worked out by hand in the
comments (office hours 08:30–12:00 and 13:30–17:30 = 7.5 working hours a day)."""

from __future__ import annotations

import datetime as dt

import pytest

from lifecircle.desk import clock
from lifecircle.desk.config import Limit, WorkingTime, load_desk_config
from tests.desk.conftest import at

WT = load_desk_config().working_time


def local(at_s: int) -> str:
    return dt.datetime.fromtimestamp(at_s, WT.zone).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Monday 09:00 + 2 working hours: 09:00–11:00.
        ("2026-11-02 09:00", 2, "2026-11-02 11:00"),
        # Monday 11:00 + 2 h: 11:00–12:00 (1 h), lunch, 13:30–14:30 (1 h).
        ("2026-11-02 11:00", 2, "2026-11-02 14:30"),
        # Monday 17:00 + 2 h: 17:00–17:30 (0.5 h), Tuesday 08:30–10:00 (1.5 h).
        ("2026-11-02 17:00", 2, "2026-11-03 10:00"),
        # Friday 20:00 (after hours) + 2 h: Monday 08:30–10:30.
        ("2026-11-06 20:00", 2, "2026-11-09 10:30"),
        # Wednesday 30 Sep 16:30 + 2 h: 16:30–17:30 (1 h); 国庆 1–7 Oct and the weekend 3–4 are
        # holidays, so Thursday 8 Oct 08:30–09:30 (1 h).
        ("2026-09-30 16:30", 2, "2026-10-08 09:30"),
        # Friday 9 Oct 17:00 + 2 h: 0.5 h, then Saturday 10 Oct is a 调休 workday: 08:30–10:00.
        ("2026-10-09 17:00", 2, "2026-10-10 10:00"),
        # Friday 13 Feb 2026 16:00 + 10 h: 1.5 h; Sat 14 Feb (调休 workday) 7.5 h; 春节 15–23 Feb;
        # Tuesday 24 Feb 08:30–09:30 (1 h).
        ("2026-02-13 16:00", 10, "2026-02-24 09:30"),
    ],
)
def test_working_hours_skip_nights_weekends_and_holidays(start: str, hours: float, due: str):
    assert local(clock.add_working(at(start), int(hours * 3600), WT)) == due


def test_working_seconds_count_only_office_hours():
    # Friday 16:00 → Monday 10:00: 1.5 h + 1.5 h = 3 h.
    assert clock.working_seconds(at("2026-11-06 16:00"), at("2026-11-09 10:00"), WT) == 3 * 3600
    assert clock.working_seconds(at("2026-11-09 10:00"), at("2026-11-06 16:00"), WT) == 0


def test_workdays_follow_the_2026_notice():
    days = {
        "2026-01-01": False,  # 元旦
        "2026-01-04": True,  # Sunday, 调休 workday
        "2026-05-05": False,  # 劳动节
        "2026-05-09": True,  # Saturday, 调休 workday
        "2026-09-20": True,  # Sunday, 调休 workday
        "2026-10-10": True,  # Saturday, 调休 workday
        "2026-11-07": False,  # an ordinary Saturday
    }
    for day, working in days.items():
        assert clock.is_workday(dt.date.fromisoformat(day), WT) is working, day


def test_limits_on_each_clock():
    config = load_desk_config()
    received = at("2026-11-06 20:00")  # Friday evening
    general = config.tiers["general"]
    emergency = config.tiers["emergency"]
    # response: 2 working hours → Monday 10:30; the emergency's 2 natural hours → Friday 22:00
    assert local(clock.add_limit(received, general.response, WT)) == "2026-11-09 10:30"
    assert local(clock.add_limit(received, emergency.response, WT)) == "2026-11-06 22:00"
    # resolution: 7 natural days; utilities 24 h; complex 15 days
    assert local(clock.add_limit(received, general.resolution, WT)) == "2026-11-13 20:00"
    assert (
        local(clock.add_limit(received, config.tiers["utility"].resolution, WT))
        == "2026-11-07 20:00"
    )
    assert (
        local(clock.add_limit(received, config.tiers["complex"].resolution, WT))
        == "2026-11-21 20:00"
    )


def test_hold_stops_the_clock_and_extension_moves_the_due_time():
    due = at("2026-11-09 09:00")
    # 挂账 from Tuesday 3 Nov 10:00 to Thursday 5 Nov 16:00 = 2 days 6 h on the natural clock,
    # so the due time moves from Monday 9 Nov 09:00 to Wednesday 11 Nov 15:00.
    moved = clock.resume_due(due, at("2026-11-03 10:00"), at("2026-11-05 16:00"), "natural", WT)
    assert local(moved) == "2026-11-11 15:00"
    # On the working clock the same hold is Tue 10:00–12:00 + 13:30–17:30 = 6 h, Wed 7.5 h,
    # Thu 08:30–12:00 + 13:30–16:00 = 6 h: 19.5 working hours.
    held = clock.working_seconds(at("2026-11-03 10:00"), at("2026-11-05 16:00"), WT)
    assert held == 19.5 * 3600
    # Monday 09:00 + 19.5 working hours: Mon 3 + 4 = 7 h, Tue 7.5 h, Wed 08:30–12:00 3.5 h and
    # 13:30–15:00 1.5 h.
    assert local(clock.shift_due(due, held, "working", WT)) == "2026-11-11 15:00"
    # 延期 of 3 natural days moves Monday 09:00 to Thursday 09:00
    assert local(clock.shift_due(due, 3 * 86400, "natural", WT)) == "2026-11-12 09:00"


def test_years_without_a_holiday_list_are_named():
    assert clock.years_without_holidays(at("2026-12-30 09:00"), at("2027-01-05 09:00"), WT) == [
        2027
    ]


def test_a_calendar_with_no_working_time_never_ends_but_does_not_hang():
    none = WorkingTime("Asia/Shanghai", frozenset(), ((510, 720),))
    start = at("2026-11-02 09:00")
    assert clock.add_working(start, 3600, none) == start + clock.MAX_DAYS * 86400
    assert clock.add_limit(start, Limit(1, "h", "natural"), none) == start + 3600
