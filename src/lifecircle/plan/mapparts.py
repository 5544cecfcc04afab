"""Parts of the plan map that explain it: names, the gates walks leave by, scale bar, north.

Names are placed greedily, most important first (chosen sites, then compounds newly covered,
still uncovered, partly served, covered already), each beside its point where it overlaps
nothing placed before, else left out. A newly covered compound is joined to the site that
covers it by a line from the gate its walk leaves by (:attr:`SitePlan.gate_of`), so a
compound covered through a far gate shows that gate. Pixel geometry only; no files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from lifecircle.boards.symbols import text_width_em
from lifecircle.geo import EARTH_RADIUS_M
from lifecircle.i18n import t
from lifecircle.plan.sites import SitePlan

#: Metres in one degree of latitude.
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0
#: Lengths a scale bar may show (metres): the longest not over a fifth of the map's width.
SCALE_STEPS = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)
GATE_COLOUR = "#1d3557"
LINE_COLOUR = "#2a9d5b"
#: Label priority by compound state (lower first); chosen sites come before all.
STATE_RANK = {"new": 1, "uncovered": 2, "partial": 3, "before": 4}

XY = Callable[[float, float], tuple[float, float]]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class GateLine:
    """A newly covered compound's walk: from the gate it leaves by to its site (pixels)."""

    gate: tuple[float, float]
    site: tuple[float, float]
    rank: int


def gate_lines(plan: SitePlan, xy: XY, states: Sequence[str]) -> list[GateLine]:
    """One line per newly covered (or partly served) compound and site serving it."""
    if plan.gate_of is None or plan.gate_lonlat is None:
        return []
    assigned = plan.result.exact.assigned.tocsc()
    gate_of = plan.gate_of.tocsc()
    lines = []
    for rank, j in enumerate(plan.result.chosen, start=1):
        site = plan.candidates[j]
        col = assigned[:, j].tocoo()
        for i in col.row.tolist():
            if states[i] not in ("new", "partial"):
                continue
            gate = int(gate_of[i, j]) - 1
            if gate < 0:  # no walk recorded (cannot happen for an assigned pair)
                continue
            lon, lat = plan.gate_lonlat[gate]
            lines.append(GateLine(xy(float(lon), float(lat)), xy(site.lon, site.lat), rank))
    return lines


def draw_gate_lines(lines: Sequence[GateLine]) -> list[str]:
    """Draw the lines (dashed, under the markers) and the gates they leave by (dark squares)."""
    out = []
    for line in lines:
        (x0, y0), (x1, y1) = line.gate, line.site
        out.append(
            f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="{LINE_COLOUR}" '
            'stroke-width="2" stroke-dasharray="6 3" stroke-opacity="0.85"/>'
        )
    for line in lines:
        x, y = line.gate
        out.append(
            f'<rect x="{x - 4.5}" y="{y - 4.5}" width="9" height="9" fill="{GATE_COLOUR}" '
            'stroke="white" stroke-width="1.2"/>'
        )
    return out


def draw_entrances(plan: SitePlan, xy: XY) -> list[str]:
    """Every compound gate as a small open square (where walks may leave a compound)."""
    out = []
    for compound in plan.data.compounds:
        for lon, lat in compound.entrances:
            x, y = xy(lon, lat)
            out.append(
                f'<rect x="{x - 2.5}" y="{y - 2.5}" width="5" height="5" fill="white" '
                f'stroke="{GATE_COLOUR}" stroke-width="1"/>'
            )
    return out


def _overlaps(box: Box, boxes: Sequence[Box]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in boxes)


def place_labels(
    wanted: Sequence[tuple[str, float, float, float, int]],
    *,
    taken: Sequence[Box],
    bounds: Box,
) -> list[str]:
    """Place names ``(text, x, y, radius, size)`` in order; skip one that fits nowhere.

    Each is tried right, left, above and below its point; ``taken`` are boxes to keep clear
    (legend, title), ``bounds`` the map area.

    >>> out = place_labels([("甲", 50, 50, 5, 14), ("乙", 50, 50, 5, 14)],
    ...                    taken=[], bounds=(0, 0, 200, 200))
    >>> len(out), "甲" in out[0], "乙" in out[1]
    (2, True, True)
    """
    boxes = list(taken)
    out = []
    for text, x, y, radius, size in wanted:
        width = text_width_em(text) * size + 4
        height = size * 1.25
        gap = radius + 3
        spots = (
            (x + gap, y - height / 2, "start"),
            (x - gap - width, y - height / 2, "end"),
            (x - width / 2, y - gap - height, "middle"),
            (x - width / 2, y + gap, "middle"),
        )
        for left, top, _anchor in spots:
            box = (left, top, left + width, top + height)
            inside = box[0] >= bounds[0] and box[1] >= bounds[1]
            inside = inside and box[2] <= bounds[2] and box[3] <= bounds[3]
            if inside and not _overlaps(box, boxes):
                boxes.append(box)
                at = f'x="{left + 2:.1f}" y="{top + size * 0.98:.1f}" font-size="{size}"'
                words = escape(text)
                out.append(  # a white halo under the words, then the words
                    f'<text {at} fill="white" stroke="white" stroke-width="3.5" '
                    f'stroke-linejoin="round">{words}</text>'
                    f'<text {at} fill="#1f1f1f">{words}</text>'
                )
                break
    return out


def scale_bar(px_per_m: float, *, x: float, y: float, width: float, lang: str) -> list[str]:
    """Draw a scale bar of a round length, its left end at ``(x, y)`` (bar baseline)."""
    length = max((s for s in SCALE_STEPS if s * px_per_m <= width / 5), default=SCALE_STEPS[0])
    bar = length * px_per_m
    label = (
        t("plan.map_scale_km", lang, n=f"{length / 1000:g}")
        if length >= 1000
        else (t("plan.map_scale_m", lang, n=length))
    )
    half = bar / 2
    return [
        f'<g transform="translate({x:.1f},{y:.1f})">',
        f'<rect x="-6" y="-26" width="{bar + 12:.1f}" height="34" fill="white" '
        'fill-opacity="0.85"/>',
        f'<rect x="0" y="-6" width="{half:.1f}" height="6" fill="#1f1f1f"/>',
        f'<rect x="{half:.1f}" y="-6" width="{half:.1f}" height="6" fill="white" '
        'stroke="#1f1f1f" stroke-width="1"/>',
        '<text x="0" y="-10" font-size="13">0</text>',
        f'<text x="{bar:.1f}" y="-10" font-size="13" text-anchor="end">{escape(label)}</text>',
        "</g>",
    ]


def north_arrow(*, x: float, y: float, lang: str) -> list[str]:
    """Draw a north arrow centred on ``x``, its tip at ``y`` (the map is drawn north up)."""
    return [
        f'<g transform="translate({x:.1f},{y:.1f})">',
        '<circle cx="0" cy="22" r="21" fill="white" fill-opacity="0.85" stroke="#999"/>',
        '<path d="M0 4 L10 34 L0 27 L-10 34 Z" fill="#1f1f1f"/>',
        f'<text x="0" y="56" font-size="15" font-weight="bold" text-anchor="middle">'
        f"{escape(t('plan.map_north', lang))}</text>",
        "</g>",
    ]
