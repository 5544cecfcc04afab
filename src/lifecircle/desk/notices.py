"""The notices a case event queues for the configured channels (staff groups, e-mail lists).

A notice names the case number, the category, the compound-level place and the public summary
— never the reporter, a phone number or the private details, because a group may include the
party complained about (a property company called in by 吹哨). Queued in the event's own
transaction; :mod:`lifecircle.desk.notify` sends them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from lifecircle.desk.config import NotifyChannel
from lifecircle.desk.context import Desk
from lifecircle.i18n import t
from lifecircle.store.case_rows import CaseRow
from lifecircle.store.outbox import Notice


def channels_for(
    channels: Sequence[NotifyChannel], event: str, grid: str | None
) -> list[NotifyChannel]:
    """Return the channels that take ``event`` notices for cases of ``grid``.

    >>> a = NotifyChannel("a", "wecom", frozenset({"intake"}), frozenset())
    >>> b = NotifyChannel("b", "smtp", frozenset({"intake"}), frozenset({"G2"}))
    >>> [c.name for c in channels_for([a, b], "intake", "G1")], channels_for([a, b], "finish", "G1")
    (['a'], [])
    """
    return [c for c in channels if event in c.events and (not c.grids or (grid or "") in c.grids)]


def local_time(desk: Desk, at_s: int | None) -> str:
    """Return a time as staff read it (``11-06 14:30``, in the desk's time zone)."""
    if at_s is None:
        return "—"
    return dt.datetime.fromtimestamp(at_s, desk.config.working_time.zone).strftime("%m-%d %H:%M")


def place_text(case: CaseRow) -> str:
    """Return the case's place at compound level (never a building or a unit)."""
    return case.compound_name or case.place.split("\n")[0][:40] or "—"


def public_summary(desk: Desk, case: CaseRow, lang: str) -> str:
    """Return the case's public summary, else the category and compound (never the details)."""
    if case.summary:
        return case.summary
    name = desk.config.category(case.category).name(lang)
    return f"{name} · {place_text(case)}"


def text_for(desk: Desk, case: CaseRow, event: str, *, departments: Sequence[str] = ()) -> str:
    """Return the text of one notice, in the project's language."""
    lang = desk.settings.language
    grid = desk.store.grids.get(case.grid) if case.grid else None
    names = tuple(desk.config.department(d).name(lang) for d in departments)
    return t(
        f"desk.notice.{event}",
        lang,
        id=case.id,
        category=desk.config.category(case.category).name(lang),
        place=place_text(case),
        grid=grid.name if grid else "—",
        summary=public_summary(desk, case, lang),
        due_response=local_time(desk, case.due_response_at),
        due=local_time(desk, case.due_resolution_at),
        departments=("、" if lang == "zh" else ", ").join(names),
    )


def for_event(
    desk: Desk, case: CaseRow, event: str, *, departments: Sequence[str] = ()
) -> list[Notice]:
    """Return the notices ``event`` on ``case`` queues (none when no channel takes it)."""
    channels = channels_for(desk.config.notify, event, case.grid)
    if not channels:
        return []
    text = text_for(desk, case, event, departments=departments)
    return [Notice(c.name, event, text, case.id or None) for c in channels]
