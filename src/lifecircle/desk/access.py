"""Who may see and act on which case: roles by grid, and the scope of a staff member's lists.

A 网格员 (``grid`` account) works the cases of its grid, a 微网格长 (``microgrid``, a volunteer)
those of its micro-grid except private ones, a community account (网格长/社区书记) every case
of its community's grids, a sub-district account its 街道's, the district all of them. Nothing
here reads the store or HTTP.
"""

from __future__ import annotations

from lifecircle.desk.machine import ACTIONS, Role, role_allows
from lifecircle.errors import AccessDenied, Msg
from lifecircle.staff.accounts import User
from lifecircle.store.case_rows import CaseRow


def case_role(user: User, case: CaseRow) -> Role | None:
    """Return the user's role on a case, or ``None`` when the case is not theirs to see.

    >>> from dataclasses import replace
    >>> from lifecircle.store.case_rows import example_case
    >>> case = example_case(grid="G1", microgrid="G1-1", community="桃园社区")
    >>> [case_role(User(n, lv, area, ""), case) for n, lv, area in [
    ...     ("wang", "grid", "G1"), ("li", "grid", "G2"), ("zhao", "microgrid", "G1-1"),
    ...     ("sun", "community", "桃园社区"), ("qian", "district", "区")]]
    ['worker', None, 'helper', 'head', 'head']
    >>> case_role(User("zhao", "microgrid", "G1-1", ""), replace(case, is_private=True)) is None
    True
    """
    if user.disabled:
        return None
    level, area = user.level, user.area
    if level == "district":
        return "head"
    if level == "subdistrict":
        return "head" if case.subdistrict and case.subdistrict == area else None
    if level == "community":
        return "head" if case.community and case.community == area else None
    if level == "grid":
        return "worker" if case.grid == area else None
    if level == "microgrid" and not case.is_private:
        return "helper" if case.microgrid == area else None
    return None


def require_role(user: User, case: CaseRow, action: str | None = None) -> Role:
    """Return the user's role on the case; refuse when it is not theirs or the action too strong.

    ``action`` ``None`` asks for reading only.

    Raises
    ------
    AccessDenied
        Not the user's case, or the action needs a stronger role (the message names both).
    """
    role = case_role(user, case)
    if role is None:
        raise AccessDenied("error.desk.not_your_case", case_id=case.id, role=user.role_label())
    if action is not None and not role_allows(role, action):
        raise AccessDenied(
            "error.desk.role_too_weak",
            action=Msg(f"desk.action.{action}"),
            need=Msg(f"desk.role.{ACTIONS[action].role}"),
            role=user.role_label(),
        )
    return role


def list_scope(user: User) -> tuple[tuple[str, frozenset[str]] | None, bool]:
    """Return the case column and values a user's lists are limited to, and private or not.

    >>> list_scope(User("wang", "grid", "G1", ""))
    (('grid', frozenset({'G1'})), True)
    >>> list_scope(User("zhao", "microgrid", "G1-1", ""))
    (('microgrid', frozenset({'G1-1'})), False)
    >>> list_scope(User("qian", "district", "区", ""))
    (None, True)
    """
    if user.level == "district":
        return None, True
    column = {"subdistrict": "subdistrict", "community": "community"}.get(user.level, user.level)
    return (column, frozenset({user.area})), user.level != "microgrid"


def sees_restricted(role: str) -> bool:
    """Tell whether a role reads restricted records (mediation, staff-only notes).

    >>> sees_restricted("helper"), sees_restricted("worker")
    (False, True)
    """
    return role in ("worker", "head", "system")
