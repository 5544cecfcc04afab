"""Who may see whose record, and what of it: roles by grid, the fields a role sees, the read log.

A 微网格长 (``microgrid``, a volunteer: role ``helper``) sees the people of its micro-grid and
only what a visit needs (name, address, risk level, masked phone, when due); a 网格员 (``grid``,
``worker``) those of its grid with categories, contacts and health notes; community, sub-district
and district accounts (``head``) everyone of their area. Phones are masked unless revealed, and a
reveal is logged with its reason. Nothing here reads the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from lifecircle.care.config import CareConfig
from lifecircle.desk.access import list_scope
from lifecircle.desk.views import mask_phone
from lifecircle.errors import AccessDenied, CareError, Msg
from lifecircle.staff.accounts import User

Role = Literal["helper", "worker", "head"]
#: The command-line operator of the project folder: full access, every act logged as ``cli``.
OPERATOR = User("cli", "district", "", "")
#: Fields each role sees (besides id, address and level, which everyone with a role sees).
SEES: Mapping[Role, frozenset[str]] = {
    "helper": frozenset({"phones"}),
    "worker": frozenset({"phones", "categories", "contacts", "health", "level_rule", "note"}),
    "head": frozenset(
        {"phones", "categories", "contacts", "health", "level_rule", "note", "consent"}
    ),
}


def care_role(user: User, row: Mapping[str, Any]) -> Role | None:
    """Return the user's role on a register person (a stored row), or ``None``.

    >>> row = {"grid": "G1", "microgrid": "G1-1", "community": "桃园社区", "subdistrict": "街道"}
    >>> [care_role(User(n, lv, a, ""), row) for n, lv, a in [("wang", "grid", "G1"),
    ...     ("li", "grid", "G2"), ("zhao", "microgrid", "G1-1"), ("ma", "microgrid", "G1-2"),
    ...     ("sun", "community", "桃园社区"), ("qian", "district", "")]]
    ['worker', None, 'helper', None, 'head', 'head']
    """
    if user.disabled:
        return None
    level, area = user.level, user.area
    if level == "district":
        return "head"
    if level in ("subdistrict", "community"):
        return "head" if area and row.get(level) == area else None
    if level == "grid":
        return "worker" if row.get("grid") == area else None
    if level == "microgrid":
        return "helper" if row.get("microgrid") == area else None
    return None


def require_care_role(user: User, row: Mapping[str, Any], *, need: Role = "helper") -> Role:
    """Return the user's role on the person; refuse when it is none or weaker than ``need``.

    Raises
    ------
    AccessDenied
        Not one of the user's people, or the role is too weak (the message names both).
    """
    role = care_role(user, row)
    order = ("helper", "worker", "head")
    if role is None:
        raise AccessDenied("error.care.not_yours", person=row.get("id"), role=user.role_label())
    if order.index(role) < order.index(need):
        raise AccessDenied(
            "error.care.role_too_weak", need=Msg(f"care.role.{need}"), role=user.role_label()
        )
    return role


def scope(user: User) -> tuple[str, frozenset[str]] | None:
    """Return the person column and values a user's lists are limited to (``None``: all).

    >>> scope(User("zhao", "microgrid", "G1-1", ""))
    ('microgrid', frozenset({'G1-1'}))
    """
    return list_scope(user)[0]


def check_reason(config: CareConfig, reason: str) -> str:
    """Return the reason code if the configuration knows it.

    Raises
    ------
    CareError
        No reason, or one the configuration does not list (the message lists them).
    """
    if reason not in config.reasons:
        known = tuple(f"{code} ({text})" for code, text in config.reasons.items())
        raise CareError("error.care.reason", field="reason", value=reason or "—", known=known)
    return reason


def masked_phones(phones: tuple[str, ...]) -> list[str]:
    """Mask each phone, keeping its first three and last four digits.

    >>> masked_phones(("13812341234",))
    ['138****1234']
    """
    return [mask_phone(p) or "" for p in phones]
