"""Opening hours: the simple OSM forms say open/closed, everything else says unknown."""

from __future__ import annotations

from datetime import datetime

import pytest

from lifecircle.opening_hours import describe_hours, open_state, parse_opening_hours

FRIDAY_9 = datetime(2026, 11, 27, 9, 0)
SATURDAY_11 = datetime(2026, 11, 28, 11, 0)
SATURDAY_13 = datetime(2026, 11, 28, 13, 0)
SUNDAY_1 = datetime(2026, 11, 29, 1, 0)


@pytest.mark.parametrize(
    ("hours", "at", "state"),
    [
        ("Mo-Fr 08:00-17:00; Sa 09:00-12:00", FRIDAY_9, "open"),
        ("Mo-Fr 08:00-17:00; Sa 09:00-12:00", SATURDAY_11, "open"),
        ("Mo-Fr 08:00-17:00; Sa 09:00-12:00", SATURDAY_13, "closed"),
        ("Mo-Fr 08:00-17:00; Sa 09:00-12:00", SUNDAY_1, "closed"),
        ("24/7", SUNDAY_1, "open"),
        ("08:00-17:00", SATURDAY_13, "open"),
        ("08:00-12:00,14:00-18:00", SATURDAY_13, "closed"),
        ("Fr-Sa 09:00-02:00", SUNDAY_1, "open"),  # Saturday's hours run past midnight
        ("Mo-Fr 10:00-16:30; Sa-Su off", SATURDAY_11, "closed"),
        ("Mo-Fr 08:00-20:00; Sa 11:00-17:00, Su closed", SATURDAY_13, "open"),
        ("Su-Tu 09:00-10:00", SUNDAY_1, "closed"),
        ("", FRIDAY_9, "unknown"),
        ("Mo-Fr 08:00-17:00; PH off", FRIDAY_9, "unknown"),
        ("sunrise-sunset", FRIDAY_9, "unknown"),
        ("Jan-Mar Mo 08:00-12:00", FRIDAY_9, "unknown"),
        ("周一至周五 8:00-17:00", FRIDAY_9, "open"),  # Chinese in a common form is read
        ("夏季 6:00-22:00", FRIDAY_9, "unknown"),
    ],
)
def test_open_state(hours, at, state):
    assert open_state(hours, at) == state


def test_a_wrapping_day_range_covers_the_week_end():
    hours = parse_opening_hours("Sa-Mo 10:00-11:00")
    assert hours is not None
    assert [bool(day) for day in hours.spans] == [True, False, False, False, False, True, True]


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("", "", ""),
        ("24/7", "全天24小时", "open 24 hours"),
        ("Mo-Su 08:00-20:00", "每天 8:00–20:00", "daily 8:00–20:00"),
        (
            "Mo-Tu 07:30-19:00; Sa-Su off; PH off",
            "周一、周二 7:30–19:00；周三至周日休息；节假日休息",
            "Mon, Tue 7:30–19:00; Wed–Sun closed; closed on public holidays",
        ),
        (
            "Mo,We,Fr 08:00-12:00; Sa 09:00-11:00",
            "周一、周三、周五 8:00–12:00；周六 9:00–11:00；周二、周四、周日休息",
            "Mon, Wed, Fri 8:00–12:00; Sat 9:00–11:00; Tue, Thu, Sun closed",
        ),
        (
            "Mo-Fr 08:00-17:00; PH 09:00-12:00",
            "周一至周五 8:00–17:00；周六、周日休息；节假日 9:00–12:00",
            None,
        ),
        ("sunrise-sunset", "以现场为准", "check on site"),
        (
            "周一至周五 8:00-17:00",
            "周一至周五 8:00–17:00；周六、周日休息",
            "Mon–Fri 8:00–17:00; Sat, Sun closed",
        ),
        ("夏季 6:00-22:00", "以现场为准", "check on site"),
    ],
)
def test_hours_are_described_in_plain_words(text, zh, en):
    assert describe_hours(text, "zh") == zh
    if en is not None:
        assert describe_hours(text, "en") == en
