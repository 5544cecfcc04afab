"""What goes on one board: the numbered facilities, the missing types and every line of text.

Joins build results, per-facility costs (:mod:`lifecircle.boards.reach`), the taxonomy and the
board's options into a frozen :class:`BoardContent`; it does no layout and no drawing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from shapely.geometry.base import BaseGeometry

from lifecircle.boards.options import BoardOptions, Paper
from lifecircle.engine.area import AreaData
from lifecircle.engine.results import ProfileResult
from lifecircle.engine.rules import (
    LEVELS_MIN,
    level_limit,
    level_text,
    shown_text,
    verdict,
    within,
)
from lifecircle.i18n import t
from lifecircle.model import Board
from lifecircle.taxonomy import ContentArea, Taxonomy

#: Required types missing within their level are listed if their nearest lies this much farther
#: than the 15-minute limit, drawn as arrows at the frame's edge when outside it.
BEYOND_FACTOR = 1.5


@dataclass(frozen=True)
class ListedFacility:
    """One numbered facility of a board: where it is and how far, as printed."""

    number: int
    facility: int
    name: str
    type_code: str
    area: str
    lon: float
    lat: float
    cost: float
    walk: str
    walk_other: str
    hours: str
    phone: str
    beyond: bool


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

    Used when a page would overflow; the dropped facilities are the farthest ones.
    """
    nearest = sorted(content.items, key=lambda i: (i.cost, i.number))[: max(0, keep)]
    kept = sorted(nearest, key=lambda i: i.number)
    items = tuple(replace(item, number=n) for n, item in enumerate(kept, start=1))
    return replace(content, items=items)


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
    chosen = _choose(row, inputs=inputs, options=options, costs=costs)
    items = _numbered(chosen, inputs=inputs, costs=costs, other_costs=other_costs)
    place = board.compound or board.name
    return BoardContent(
        board=board,
        lang=lang,
        title=t("boards.title", lang, area=inputs.area_name, place=place),
        subtitle=_subtitle(board, lang),
        items=items,
        areas=_shown_areas(inputs.taxonomy, options),
        missing=_missing(row, inputs=inputs, options=options) if options.missing_note else (),
        walk_areas=tuple(main.board_areas[row]),
        walk_levels=tuple(level_text(main.profile, m, lang) for m in LEVELS_MIN),
        data_date=data.data_date[:10],
        convention=main.profile.describe(),
        url=f"{inputs.base_url.rstrip('/')}/b/{board.board_id}",
        not_collected=_not_collected(inputs, options) if options.missing_note else (),
        notice=inputs.notice,
    )


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


def _choose(
    row: int, *, inputs: ContentInputs, options: BoardOptions, costs: np.ndarray
) -> list[int]:
    """Choose the facilities of a board (indices), nearest of every type first.

    The nearest few of each shown type within 15 minutes, plus the nearest of each required
    type missing within 15 minutes if it lies a little beyond.
    """
    data, taxonomy, profile = inputs.data, inputs.taxonomy, inputs.main.profile
    limit = level_limit(profile, 15)
    by_type: dict[str, list[int]] = {}
    for index in np.flatnonzero(costs <= limit * BEYOND_FACTOR).tolist():
        code = data.facilities[index].type_code
        by_type.setdefault(code, []).append(index)
    ranked: list[tuple[int, float, int]] = []
    for code, found in by_type.items():
        ftype = taxonomy.type(code)
        if not options.shows(code, ftype.area):
            continue
        found.sort(key=lambda i: (costs[i], i))
        near = [i for i in found if within(float(costs[i]), limit)][: options.per_type]
        picked = near or (found[:1] if ftype.required else [])
        ranked += [(rank, float(costs[i]), i) for rank, i in enumerate(picked)]
    # the nearest of every type first, then the second nearest…: variety before repetition
    ranked.sort()
    return [i for _, _, i in ranked[: options.limit(inputs.paper)]]


def _numbered(
    chosen: list[int],
    *,
    inputs: ContentInputs,
    costs: np.ndarray,
    other_costs: np.ndarray | None,
) -> tuple[ListedFacility, ...]:
    """Group by content area (taxonomy order), nearest first within a group, numbered 1…n."""
    taxonomy, lang = inputs.taxonomy, inputs.lang
    order = {a.code: a.order for a in taxonomy.areas}
    name_key = "name_zh" if lang == "zh" else "name_en"

    def area_of(i: int) -> str:
        return taxonomy.type(inputs.data.facilities[i].type_code).area

    ranked = sorted(chosen, key=lambda i: (order[area_of(i)], costs[i], i))
    items = []
    for number, index in enumerate(ranked, start=1):
        facility = inputs.data.facilities[index]
        main_text = shown_text(float(costs[index]), inputs.main.profile, lang)
        other_text = ""
        if other_costs is not None and inputs.other is not None:
            other_text = shown_text(float(other_costs[index]), inputs.other.profile, lang)
            other_text = "" if other_text == main_text else other_text
        items.append(
            ListedFacility(
                number=number,
                facility=index,
                name=facility.name or getattr(taxonomy.type(facility.type_code), name_key),
                type_code=facility.type_code,
                area=area_of(index),
                lon=facility.lon,
                lat=facility.lat,
                cost=float(costs[index]),
                walk=main_text,
                walk_other=other_text,
                hours=facility.opening_hours,
                phone=facility.phone,
                beyond=not within(float(costs[index]), level_limit(inputs.main.profile, 15)),
            )
        )
    return tuple(items)


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
