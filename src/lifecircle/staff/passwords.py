"""The staff password policy: long enough, not a common password, not the account's name.

Only judges a proposed password; hashing and checking logins is :mod:`lifecircle.staff.accounts`.
The list of common passwords ships as ``data/common_passwords.txt`` (provenance in its header).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

from lifecircle.errors import UserError

#: Shortest password accepted, in characters.
MIN_PASSWORD_CHARS = 10


@cache
def common_passwords() -> frozenset[str]:
    """Return the packaged common passwords, lower case.

    >>> "woaini1314" in common_passwords(), "12345678" in common_passwords()
    (True, True)
    """
    text = resources.files("lifecircle.data").joinpath("common_passwords.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def check_password(password: str, *, name: str = "") -> None:
    """Refuse a password that is short, common, one repeated character, or mostly the name.

    Raises
    ------
    UserError
        Saying which rule the password breaks (never showing the password).

    Examples
    --------
    >>> check_password("correct horse battery", name="li")
    >>> check_password("12345678")
    Traceback (most recent call last):
    ...
    lifecircle.errors.UserError: the password is too short (8 characters); use at least 10
    >>> check_password("1234567890")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lifecircle.errors.UserError: this password is on a list of common passwords ...
    """
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError("error.user.short_password", n=MIN_PASSWORD_CHARS, got=len(password))
    folded = _folded(password)
    if folded in common_passwords():
        raise UserError("error.user.common_password")
    if len(set(folded)) == 1:
        raise UserError("error.user.repeated_password")
    # "wangfang2024" leans on the name; "reliable horse" for user "li" does not
    if name and len(folded.replace(_folded(name), "")) < MIN_PASSWORD_CHARS:
        raise UserError("error.user.name_in_password")
