"""What goes on one board: the numbered facilities, the few gaps residents should know, the text.

Joins build results, per-facility costs, the taxonomy and the board's options into a frozen
:class:`BoardContent`. The list keeps the most useful facilities that fit the paper at its
reading size (:func:`useful_order`, fitted by :mod:`lifecircle.boards.listing`); the rest are
on the phone page behind the QR code. Minutes come from :mod:`lifecircle.engine.rules` only.
It does no drawing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from shapely.geometry.base import BaseGeometry

from lifecircle.boards.listing import fill_columns, fit_text, list_geometry, units_of
from lifecircle.boards.options import BoardOptions, Paper
from lifecircle.engine.area import AreaData
from lifecircle.engine.profiles import WalkProfile, plain_rule
from lifecircle.engine.results import ProfileResult
from lifecircle.engine.rules import (
    LEVELS_MIN,
    count_within,
    level_limit,
    level_text,
    shown_text,
    shown_value,
    verdict,
    within,
)
from lifecircle.i18n import t
from lifecircle.model import Board
from lifecircle.opening_hours import describe_hours
from lifecircle.taxonomy import ContentArea, FacilityType, Taxonomy

#: Required types missing within their level are listed if their nearest lies this much farther
#: than the 15-minute limit, drawn as arrows at the frame's edge when outside it.
BEYOND_FACTOR = 1.5
#: Content areas whose gaps residents are told first (older residents' care, then health).
NOTE_AREAS = ("elderly", "health")
#: At most this many gaps on a board; the gap report (gaps.xlsx) lists them all.
NOTE_MOST = 3


@dataclass(frozen=True)
class ListedFacility:
    """One numbered facility of a board: where it is and how far, as printed.

    ``label`` puts the type before the name (药店 · 某某大药房); ``minutes`` and
    ``other_minutes`` are the shown values of the main and the elderly profile.
    """

    number: int
    facility: int
    label: str
    name: str
    type_name: str
    type_code: str
    area: str
    lon: float
    lat: float
    cost: float
    walk: str
    minutes: int | None
    other_minutes: int | None
    walk_other: str
    hours: str
    phone: str
    beyond: bool
    #: The second line as printed: opening hours in words, phone (shortened to its line).
    detail: str = ""


@dataclass(frozen=True)
class MissingType:
    """A required type with no facility within its level from the board."""

    type_code: str
    name: str
    level_min: int
    nearest: str


@dataclass(frozen=True)
class BoardContent:
    """Everything printed on one board, in the board's language (``lang``)."""

    board: Board
    lang: str
    title: str
    subtitle: str
    items: tuple[ListedFacility, ...]
    areas: tuple[ContentArea, ...]
    missing: tuple[MissingType, ...]
    walk_areas: tuple[BaseGeometry, ...]
    #: How far each of the 5/10/15 walking areas reaches, as printed ("5分钟", or "300米").
    walk_levels: tuple[str, ...]
    data_date: str
    convention: str
    url: str
    #: Required types shown on this board that the data holds nothing of (未采集), by name.
    not_collected: tuple[str, ...] = ()
    #: The project's label (a demo says so), printed under the title; empty for real data.
    notice: str = ""
    #: Headers of the minutes columns: the main profile's, then the elderly one's if shown.
    minute_heads: tuple[str, ...] = ()
    #: Facilities within 15 minutes that the list leaves to the phone page.
    more: int = 0
    #: How to give feedback (a phone number from boards.toml, or where to ask).
    feedback: str = ""
    #: The way the reader faces (degrees from north), for a heads-up map; None: north up.
    facing_deg: float | None = None
    #: The few of ``missing`` the board's 「附近还缺」 note names (:func:`note_gaps`).
    note: tuple[MissingType, ...] = ()


@dataclass(frozen=True)
class ContentInputs:
    """The batch-wide inputs of :func:`board_content` (one value shared by every board)."""

    data: AreaData
    taxonomy: Taxonomy
    main: ProfileResult
    other: ProfileResult | None
    area_name: str
    base_url: str
    lang: str
    paper: Paper
    notice: str = ""


def fewer_items(content: BoardContent, keep: int) -> BoardContent:
    """Keep the ``keep`` nearest listed facilities, numbered again in list order.

    Used when a page would overflow in spite of the list's arithmetic (a safety net).
    """
    kept = sorted(content.items, key=lambda i: (i.cost, i.number))[: max(0, keep)]
    kept.sort(key=lambda i: i.number)
    items = tuple(replace(item, number=n) for n, item in enumerate(kept, start=1))
    dropped = len(content.items) - len(items)
    return replace(content, items=items, more=content.more + dropped)


def board_content(
    row: int,
    *,
    inputs: ContentInputs,
    options: BoardOptions,
    costs: np.ndarray,
    other_costs: np.ndarray | None,
) -> BoardContent:
    """Return the content of board ``row`` (``costs``, ``other_costs``: its facility costs)."""
    data, lang, main = inputs.data, inputs.lang, inputs.main
    board = data.boards[row]
    ranked = useful_order(row, inputs=inputs, options=options, costs=costs)
    candidates = [_listed(i, inputs=inputs, costs=costs, other_costs=other_costs) for i in ranked]
    heads = _minute_heads(inputs)
    items = _fitted(candidates, inputs=inputs, options=options, columns=len(heads))
    limit = level_limit(main.profile, 15)
    reached = count_within(costs, limit)
    found = _missing(row, inputs=inputs, options=options) if options.missing_note else ()
    place = board.compound or board.name
    return BoardContent(
        board=board,
        lang=lang,
        title=t("boards.title", lang, area=inputs.area_name, place=place),
        subtitle=_subtitle(board, lang),
        items=items,
        areas=_shown_areas(inputs.taxonomy, options),
        missing=found,
        walk_areas=tuple(main.board_areas[row]),
        walk_levels=tuple(level_text(main.profile, m, lang) for m in LEVELS_MIN),
        data_date=data.data_date[:10],
        convention=plain_rule(main.profile, lang, elderly=_other_profile(inputs)),
        url=f"{inputs.base_url.rstrip('/')}/b/{board.board_id}",
        not_collected=_not_collected(inputs, options) if options.missing_note else (),
        notice=inputs.notice,
        minute_heads=heads,
        more=max(0, reached - sum(not i.beyond for i in items)),
        feedback=_feedback(options, lang),
        facing_deg=options.facing_deg if options.facing_deg is not None else board.facing_deg,
        note=note_gaps(found, inputs.taxonomy),
    )


def _other_profile(inputs: ContentInputs) -> WalkProfile | None:
    return None if inputs.other is None else inputs.other.profile


def _minute_heads(inputs: ContentInputs) -> tuple[str, ...]:
    heads = [t(f"boards.minutes_head_{inputs.main.profile.name}", inputs.lang)]
    if inputs.other is not None:
        heads.append(t(f"boards.minutes_head_{inputs.other.profile.name}", inputs.lang))
    return tuple(heads)


def _feedback(options: BoardOptions, lang: str) -> str:
    if options.feedback_phone:
        return t("boards.feedback_phone", lang, phone=options.feedback_phone)
    return t("boards.feedback_ask", lang)


def _shown_areas(taxonomy: Taxonomy, options: BoardOptions) -> tuple[ContentArea, ...]:
    return tuple(
        a
        for a in taxonomy.areas
        if any(options.shows(x.code, a.code) for x in taxonomy.types_in_area(a.code))
    )


def _subtitle(board: Board, lang: str) -> str:
    parts = [board.community, board.name if board.compound else ""]
    text = " · ".join(p for p in parts if p)
    return t("boards.subtitle", lang, where=text) if text else t("boards.subtitle_none", lang)


def _tier(ftype: FacilityType) -> int:
    """Everyday required services first: ▲5, ▲10, ▲15, then as-needed (△) ones."""
    return LEVELS_MIN.index(ftype.level_min) if ftype.required else len(LEVELS_MIN)


def useful_order(
    row: int, *, inputs: ContentInputs, options: BoardOptions, costs: np.ndarray
) -> list[int]:
    """Order the board's candidate facilities (indices) by how much a resident needs them.

    Candidates are the nearest ``per_type`` of every shown type within 15 minutes, plus the
    nearest of each required type with none within 15 minutes if it lies a little beyond.
    The rule: first the best of every content area (its most everyday required type's
    nearest: 养老 and 健康 first, then the taxonomy's order), then the nearest of every
    other type (▲5-minute types before ▲10, ▲15 and △; nearer first), then the second
    nearest of each type, and so on. The list keeps the head of this order that fits.
    """
    data, taxonomy, profile = inputs.data, inputs.taxonomy, inputs.main.profile
    limit = level_limit(profile, 15)
    by_type: dict[str, list[int]] = {}
    for index in np.flatnonzero(costs <= limit * BEYOND_FACTOR).tolist():
        by_type.setdefault(data.facilities[index].type_code, []).append(index)
    order = {a.code: k for k, a in enumerate(taxonomy.areas)}
    first = {code: -len(NOTE_AREAS) + k for k, code in enumerate(NOTE_AREAS)}
    ranked: list[tuple[int, int, int, float, int]] = []
    for code, found in by_type.items():
        ftype = taxonomy.type(code)
        if not options.shows(code, ftype.area):
            continue
        found.sort(key=lambda i: (costs[i], i))
        near = [i for i in found if within(float(costs[i]), limit)][: options.per_type]
        picked = near or (found[:1] if ftype.required else [])
        area_rank = first.get(ftype.area, order[ftype.area])
        ranked += [(k, _tier(ftype), area_rank, float(costs[i]), i) for k, i in enumerate(picked)]
    ranked.sort()
    best: dict[str, tuple[int, int, int, float, int]] = {}
    for entry in ranked:
        best.setdefault(taxonomy.type(data.facilities[entry[4]].type_code).area, entry)
    leaders = sorted(best.values(), key=lambda e: (e[2], e[3]))
    rest = [e for e in ranked if e not in leaders]
    return [e[4] for e in leaders + rest]


def _listed(
    index: int, *, inputs: ContentInputs, costs: np.ndarray, other_costs: np.ndarray | None
) -> ListedFacility:
    taxonomy, lang, main = inputs.taxonomy, inputs.lang, inputs.main
    facility = inputs.data.facilities[index]
    ftype = taxonomy.type(facility.type_code)
    type_name = ftype.name_zh if lang == "zh" else ftype.name_en
    own = facility.name.strip()
    # the type first, unless the name already says it (its full name, 【示例】 marks included)
    label = own if own and type_name in own else f"{type_name} · {own}" if own else type_name
    cost = float(costs[index])
    other, other_text = None, ""
    if other_costs is not None and inputs.other is not None:
        other = shown_value(float(other_costs[index]), inputs.other.profile)
        other_text = shown_text(float(other_costs[index]), inputs.other.profile, lang)
    hours = describe_hours(facility.opening_hours, lang) if facility.opening_hours else ""
    phone = t("boards.phone", lang, phone=facility.phone) if facility.phone else ""
    return ListedFacility(
        number=0,
        facility=index,
        label=label,
        name=own or type_name,
        type_name=type_name,
        type_code=facility.type_code,
        area=ftype.area,
        lon=facility.lon,
        lat=facility.lat,
        cost=cost,
        walk=shown_text(cost, main.profile, lang),
        minutes=shown_value(cost, main.profile),
        other_minutes=other,
        walk_other=other_text,
        hours=hours,
        phone=phone,
        beyond=not within(cost, level_limit(main.profile, 15)),
        detail=" · ".join(x for x in (hours, phone) if x),
    )


def _fitted(
    candidates: Sequence[ListedFacility],
    *,
    inputs: ContentInputs,
    options: BoardOptions,
    columns: int,
) -> tuple[ListedFacility, ...]:
    """Keep the most useful candidates that fit the list; number them in list order.

    The list runs by content area (taxonomy order), nearest first within an area. Text is
    shortened to its line here, so the page prints exactly what was measured.
    """
    paper = inputs.paper
    geo = list_geometry(paper, minute_columns=columns)
    order = {a.code: k for k, a in enumerate(inputs.taxonomy.areas)}
    kept: list[ListedFacility] = []
    for item in candidates:
        if len(kept) >= options.limit(paper):
            break
        shaped = replace(
            item,
            label=fit_text(item.label, width_mm=geo.label_mm, size_pt=paper.name_pt),
            detail=fit_text(item.detail, width_mm=geo.detail_width_mm, size_pt=paper.detail_pt),
        )
        trial = sorted([*kept, shaped], key=lambda i: (order[i.area], i.cost, i.facility))
        groups = units_of([i.area for i in trial], [bool(i.detail) for i in trial], geo)
        if fill_columns(groups, geo) is not None:
            kept = trial
    return tuple(replace(item, number=n) for n, item in enumerate(kept, start=1))


def note_gaps(found: Sequence[MissingType], taxonomy: Taxonomy) -> tuple[MissingType, ...]:
    """Choose the few gaps a board tells residents (the gap report has them all).

    The rule: required types missing within their level, older residents' care (养老) first,
    then health, then everyday services by level (5 before 10 before 15 minutes), in the
    taxonomy's order; at most :data:`NOTE_MOST`.
    """
    order = {ftype.code: k for k, ftype in enumerate(taxonomy.types)}

    def rank(m: MissingType) -> tuple[int, int, int]:
        area = taxonomy.type(m.type_code).area
        first = NOTE_AREAS.index(area) if area in NOTE_AREAS else len(NOTE_AREAS)
        return (first, m.level_min, order[m.type_code])

    return tuple(sorted(found, key=rank)[:NOTE_MOST])


def _missing(row: int, *, inputs: ContentInputs, options: BoardOptions) -> tuple[MissingType, ...]:
    """Return the required types missing within their level, judged as the gap report does.

    A board at a compound's gate lists what that compound lacks (walking from any of its
    gates); a community centre's board what is missing from where it stands. A type the data
    holds nothing of is not missing (:func:`_not_collected` names those).
    """
    main, taxonomy, lang = inputs.main, inputs.taxonomy, inputs.lang
    name_key = "name_zh" if lang == "zh" else "name_en"
    column: Mapping[str, int] = {code: k for k, code in enumerate(main.type_codes)}
    table, at = main.verdict_row(inputs.data, board=row)
    found = []
    for ftype in taxonomy.types:
        if not ftype.required or not options.shows(ftype.code, ftype.area):
            continue
        if ftype.code not in column:
            continue
        cost = float(table.cost[at, column[ftype.code]])
        collected = ftype.code in inputs.data.collected_types
        shown = verdict(
            cost, main.profile, level_min=ftype.level_min, required=True, collected=collected
        )
        if not shown.missing:
            continue
        found.append(
            MissingType(
                type_code=ftype.code,
                name=getattr(ftype, name_key),
                level_min=ftype.level_min,
                nearest=shown_text(cost, main.profile, lang) if shown.value is not None else "",
            )
        )
    return tuple(found)


def _not_collected(inputs: ContentInputs, options: BoardOptions) -> tuple[str, ...]:
    """Names of the shown required types the area's data holds nothing of (未采集)."""
    name_key = "name_zh" if inputs.lang == "zh" else "name_en"
    collected = inputs.data.collected_types
    return tuple(
        getattr(ftype, name_key)
        for ftype in inputs.taxonomy.types
        if ftype.required
        and ftype.code not in collected
        and ftype.code in inputs.main.type_codes
        and options.shows(ftype.code, ftype.area)
    )
