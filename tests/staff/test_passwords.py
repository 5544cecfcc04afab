"""The staff password policy: at least 10 characters, not common, not the name, not one char."""

from __future__ import annotations

import pytest

from lifecircle.errors import UserError
from lifecircle.staff.passwords import MIN_PASSWORD_CHARS, check_password, common_passwords


@pytest.mark.parametrize(
    ("password", "name", "message"),
    [
        ("12345678", "", "too short"),
        ("123456789", "", "too short"),
        ("1234567890", "", "common passwords"),
        ("QWERTYUIOP", "", "common passwords"),  # case does not help
        ("ｗｏａｉｎｉ１３１４", "", "common passwords"),  # nor full-width letters
        ("aaaaaaaaaaaa", "", "one repeated character"),
        ("wangfang2024", "wangfang", "mostly the user name"),
        ("WangFang!!!!", "wangfang", "mostly the user name"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule_they_break(password, name, message):
    with pytest.raises(UserError, match=message) as caught:
        check_password(password, name=name)
    assert password not in str(caught.value)  # the message never repeats the password


@pytest.mark.parametrize(
    ("password", "name"),
    [("correct horse battery", "li"), ("reliable horse", "li"), ("街道 2026 春季 巡查", "wang")],
)
def test_long_uncommon_passwords_pass(password, name):
    check_password(password, name=name)


def test_the_packaged_list_is_the_source_with_its_top_entries():
    found = common_passwords()
    assert len(found) > 1000
    assert {"123456", "5201314", "woaini1314", "1qaz2wsx", "password"} <= found
    assert MIN_PASSWORD_CHARS == 10
