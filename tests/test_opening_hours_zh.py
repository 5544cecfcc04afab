"""Hours staff write in Chinese, read as OSM rules: the forms sheets use, and refusals."""

from __future__ import annotations

from datetime import datetime

import pytest

from lifecircle.opening_hours import describe_hours, machine_readable, open_state
from lifecircle.opening_hours_zh import osm_from_chinese


@pytest.mark.parametrize(
    ("written", "osm"),
    [
        ("周一至周五 8:30-17:30", "Mo-Fr 08:30-17:30"),
        ("周一至周五8:30—17:30，周六9:00-12:00", "Mo-Fr 08:30-17:30; Sa 09:00-12:00"),
        ("星期一到星期五 08：00～17：00", "Mo-Fr 08:00-17:00"),
        ("周二至周日 9:00-20:00；周一闭馆", "Tu-Su 09:00-20:00; Mo off"),
        ("每天 6:00-10:00", "Mo-Su 06:00-10:00"),
        ("全年无休 8:00-20:00", "Mo-Su 08:00-20:00"),
        ("营业时间：每日9:00-21:00", "Mo-Su 09:00-21:00"),
        ("8:00-20:00", "Mo-Su 08:00-20:00"),
        ("上午8:00-12:00 下午14:00-18:00", "Mo-Su 08:00-12:00,14:00-18:00"),
        ("周一至周五 上午8点半-11点半 下午2点-5点", "Mo-Fr 08:30-11:30,14:00-17:00"),
        ("周一、周三、周五 9:00-11:00", "Mo,We,Fr 09:00-11:00"),
        ("周六、周日休息", "Sa-Su off"),
        ("工作日 8:30-5:30", "Mo-Fr 08:30-17:30"),  # a 12-hour end after a morning start
        ("每天8:00-20:00，周日休息", "Mo-Su 08:00-20:00; Su off"),
        ("周一至周五 8:30-17:30，法定节假日休息", "Mo-Fr 08:30-17:30; PH off"),
        ("节假日 9:00-12:00", "PH 09:00-12:00"),
        ("24小时", "24/7"),
        ("全天开放", "24/7"),
        ("18:00-次日2:00", "Mo-Su 18:00-02:00"),
        ("晚上6点-10点", "Mo-Su 18:00-22:00"),
    ],
)
def test_common_chinese_forms_become_osm_rules(written: str, osm: str) -> None:
    assert osm_from_chinese(written) == osm


@pytest.mark.parametrize(
    "written",
    [
        "夏季 6:00-22:00，冬季 7:00-21:00",  # seasons
        "周一至周五（需预约）",  # brackets, appointments
        "节假日照常营业",  # "as usual" needs the other rules to mean anything
        "周一至周五",  # days without times
        "25:00-26:00",
        "营业中",
        "请电话咨询",
    ],
)
def test_other_forms_are_unknown_never_guessed(written: str) -> None:
    assert osm_from_chinese(written) is None
    assert machine_readable(written) is False
    assert describe_hours(written) == "以现场为准"


def test_chinese_hours_say_open_now_and_print_like_osm_hours() -> None:
    weekdays = "周一至周五 8:30-17:30"
    assert open_state(weekdays, datetime(2026, 12, 7, 9, 0)) == "open"  # a Monday
    assert open_state(weekdays, datetime(2026, 12, 6, 9, 0)) == "closed"  # a Sunday
    written = f"{weekdays}，节假日休息"
    assert describe_hours(written) == describe_hours("Mo-Fr 08:30-17:30; PH off")
    assert describe_hours(written) == "周一至周五 8:30–17:30；周六、周日休息；节假日休息"
    assert describe_hours(written, "en").startswith("Mon–Fri 8:30–17:30")
