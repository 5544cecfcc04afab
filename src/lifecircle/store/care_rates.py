"""The welfare register's monthly counts in SQL: people on the register, visited, overdue.

Counting rules are :mod:`lifecircle.care.rates`' (they are written there and in the report);
this module only turns them, with the cut-off times the caller works out from the schedule,
into one aggregate query over ``care_people`` and ``care_visits`` on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, func, select

from lifecircle.store.care_schema import care_people, care_visits


@dataclass(frozen=True)
class MonthQuery:
    """What :meth:`CareTables.month_tallies` counts: a month, a moment, who is overdue.

    People on the register for the month ``[start_s, end_s)`` are counted; visited when a
    visit in it reached them (outcome other than ``not_reached``). Overdue at ``moment_s``:
    never reached before it and registered before ``first_before``; else last reached before
    ``reached_before[level]``; or changed at or before ``changed_by[level]`` and not reached
    since. ``column``/``values`` limit the people (a user's scope).
    """

    start_s: int
    end_s: int
    moment_s: int
    not_reached: str
    first_before: int
    reached_before: Mapping[str, int]
    changed_by: Mapping[str, int]
    column: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tally:
    """The counts of one grid, community, 街道 and risk level."""

    grid: str
    community: str
    subdistrict: str
    level: str
    on_register: int
    visited: int
    overdue: int


def _by_level(cutoffs: Mapping[str, int]) -> Any:
    """Return the cut-off of each person's level, as SQL (NULL for a level not listed)."""
    return case(*((care_people.c.level == level, at) for level, at in cutoffs.items()), else_=None)


def _overdue(month: MonthQuery, last_at: Any) -> Any:
    """Return the SQL condition of a person being overdue (see :class:`MonthQuery`)."""
    p = care_people
    never = last_at.is_(None) & (p.c.registered_at < month.first_before)
    late = last_at.is_not(None) & (last_at < _by_level(month.reached_before))
    if not month.changed_by:
        return never | late
    changed = (
        p.c.changed_at.is_not(None)
        & (p.c.changed_at <= _by_level(month.changed_by))
        & (func.coalesce(last_at, 0) < p.c.changed_at)
    )
    return never | late | changed


def month_tallies(conn: Connection, month: MonthQuery) -> list[Tally]:
    """Count 应探访, 已探访 and 逾期 per grid, community, 街道 and level, in one query.

    The visits are aggregated per person in the database (the last reached before the moment,
    and whether one in the month reached them); only one row per group comes back.
    """
    p, v = care_people, care_visits
    reached = v.c.outcome != month.not_reached
    last = (
        select(
            v.c.person_id.label("person_id"),
            func.max(case((v.c.at < month.moment_s, v.c.at))).label("last_at"),
            func.max(case((v.c.at >= month.start_s, 1), else_=0)).label("visited"),
        )
        .where(reached, v.c.at < month.end_s)
        .group_by(v.c.person_id)
        .subquery()
    )
    overdue = case((_overdue(month, last.c.last_at), 1), else_=0)
    groups = (p.c.grid, p.c.community, p.c.subdistrict, p.c.level)
    query = (
        select(
            *groups,
            func.count(),
            func.sum(func.coalesce(last.c.visited, 0)),
            func.sum(overdue),
        )
        .select_from(p.outerjoin(last, last.c.person_id == p.c.id))
        .where(
            p.c.registered_at < month.start_s,
            p.c.left_at.is_(None) | (p.c.left_at >= month.end_s),
        )
        .group_by(*groups)
    )
    if month.column is not None:
        query = query.where(p.c[month.column].in_(list(month.values)))
    return [
        Tally(str(g), str(c or ""), str(s or ""), str(lv), int(n), int(vis), int(late))
        for g, c, s, lv, n, vis, late in conn.execute(query)
    ]
