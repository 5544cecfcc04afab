"""Phones and opening hours as staff write them: tidied, or refused with what is wrong."""

from __future__ import annotations

import pytest

from lifecircle.io.values import FieldValueError, check_opening_hours, parse_phone


@pytest.mark.parametrize(
    ("text", "tidy"),
    [
        ("022-2345 6789", "022-2345 6789"),
        ("+86 138 1234 5678", "+86 138 1234 5678"),
        ("（022）23456789", "(022)23456789"),
        ("12345", "12345"),  # 政务服务热线
        ("022-23456789转123", "022-23456789转123"),
        ("022-23456789 ext. 5", "022-23456789 ext. 5"),
        ("13812345678；022-23456789", "13812345678;022-23456789"),
        ("138-1234-5678 或 139 1234 5678", "138-1234-5678 或 139 1234 5678"),
    ],
)
def test_phones_people_write_are_accepted(text, tidy):
    assert parse_phone(text) == tidy


@pytest.mark.parametrize(
    "text", ["请联系王主任", "12", "022-23456789转", "1" * 21, "022#123", "javascript:alert(1)"]
)
def test_text_that_is_no_phone_is_refused_with_a_hint(text):
    with pytest.raises(FieldValueError) as caught:
        parse_phone(text)
    assert caught.value.fix is not None and "022-23456789" in caught.value.fix.render("en")


@pytest.mark.parametrize(
    "text",
    [
        "Mo-Fr 08:00-17:00",
        "24/7",
        "周一至周五 8:30-17:30；周六 9:00-12:00",
        "全天开放",
        "00:00-24:00",
    ],
)
def test_opening_hours_are_kept_as_written(text):
    assert check_opening_hours(f" {text} ") == text


@pytest.mark.parametrize(
    ("text", "time"), [("08:00-25:00", "25:00"), ("8:60-17:00", "8:60"), ("09：00-24：30", "24:30")]
)
def test_impossible_times_are_refused(text, time):
    with pytest.raises(FieldValueError, match=f"{time} is not a time of day"):
        check_opening_hours(text)
