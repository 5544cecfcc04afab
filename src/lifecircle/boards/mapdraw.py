"""Draw a composed board map as SVG: layers, walking bands, routes, markers, labels, furniture.

The 5/10/15-minute bands are filled with one warm hue at three lightnesses (greyscale
luminance 0.70 / 0.80 / 0.89 against 0.98 outside), and their edges differ too (solid,
dashed, dotted), so a black-and-white copy still tells them apart. Pure string building in map
millimetres; where things go is :mod:`lifecircle.boards.mapsvg`'s decision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from lifecircle.boards import layout as lay
from lifecircle.boards.content import BoardContent
from lifecircle.boards.options import Paper
from lifecircle.boards.scenery import MapScenery
from lifecircle.boards.symbols import (
    NUMBER_DY,
    PT_MM,
    esc,
    ink_on,
    path_data,
    shape_path,
    text_width_em,
)
from lifecircle.i18n import t
from lifecircle.taxonomy import ContentArea

FONT = "NotoSansCJK-SC-Board"
BACKGROUND = "#fbfaf6"
#: Fills of the 5, 10 and 15-minute bands, and their edges (colour, dash pattern in line units).
BAND_FILLS = ("#dcae5c", "#e8c98a", "#f3e2bd")
BAND_EDGES = (("#7a4e0e", ""), ("#8f6420", "2.4 1.2"), ("#a8844a", "0.5 0.9"))
OUTSIDE = "#dedad2"
ROUTE = "#1b5fa6"
HERE = "#c8102e"
#: Street styles: (casing colour, casing width, fill colour, fill width) in mm at A1.
STREET_STYLE = {
    "path": ("", 0.0, "#a59b8c", 0.32),
    "minor": ("#cbc2b4", 1.05, "#ffffff", 0.7),
    "medium": ("#b9ae9d", 1.75, "#ffffff", 1.3),
    "major": ("#a8885a", 2.7, "#fbe2ad", 2.2),
}
#: Label styles by kind: text attributes, plate colour, plate opacity.
LABEL_STYLE = {
    "here": (f'font-weight="700" fill="{HERE}"', "#ffffff", 0.92),
    "facility": ('fill="#1f1f1f"', "#ffffff", 0.82),
    "walk": (f'fill="{BAND_EDGES[0][0]}" font-weight="700"', "#ffffff", 0.8),
    "street": ('fill="#4f473d"', BACKGROUND, 0.8),
    "street_here": ('fill="#1f1f1f" font-weight="700"', "#fff3c4", 0.95),
    "landmark": ('fill="#2f2f2f" font-weight="700"', "#ffffff", 0.82),
    "outside": ('fill="#5f5f5f"', OUTSIDE, 0.9),
}


def luminance(colour: str) -> float:
    """Greyscale luminance of ``#rrggbb`` (0 black … 1 white), as a greyscale print shows it.

    >>> [round(luminance(c), 2) for c in BAND_FILLS + (BACKGROUND,)]
    [0.7, 0.8, 0.89, 0.98]
    """
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@dataclass(frozen=True)
class Sizes:
    """The map's sizes on one paper, in millimetres."""

    marker: float
    here: float
    label: float
    street: float
    here_label: float
    fine: float
    line: float  # stroke width unit: 1.0 on A1

    @classmethod
    def of(cls, paper: Paper) -> Sizes:
        """Sizes of ``paper`` (type sizes from points)."""
        return cls(
            marker=paper.marker_mm,
            here=paper.here_mm,
            label=paper.label_pt * PT_MM,
            street=paper.street_pt * PT_MM,
            here_label=paper.here_pt * PT_MM,
            fine=paper.fine_pt * PT_MM,
            line=paper.marker_mm / 12.5,
        )


@dataclass(frozen=True, eq=False)
class ComposedMap:
    """The placed map and what it draws beyond the layout (landmarks, routes, legend)."""

    layout: lay.MapLayout
    sizes: Sizes
    landmarks: tuple[tuple[float, float], ...]  # placed landmark symbols (mm)
    routes: tuple[tuple[BaseGeometry, int], ...]  # route stretches (mm) and how many use each
    crossings: tuple[tuple[str, float, float], ...]
    home: BaseGeometry | None
    legend: tuple[str, ...]  # legend entries: band0-2, route, crossing:<kind>, landmark


def legend_text(entry: str, content: BoardContent) -> str:
    """Return the words of a legend entry."""
    lang = content.lang
    if entry.startswith("band"):
        return t("boards.walk_legend", lang, walk=content.walk_levels[int(entry[4:])])
    if entry == "route":
        return t("boards.route_legend", lang)
    if entry == "landmark":
        return t("boards.landmark_legend", lang)
    return t(f"boards.{entry.replace(':', '_')}", lang)


def furniture(
    frame: lay.Frame, sizes: Sizes, *, legend_rows: int, legend_em: float
) -> dict[str, Polygon]:
    """Boxes of the north arrow, the scale bar, the legend and the attribution (mm)."""
    w, h = frame.width_mm, frame.height_mm
    pad = sizes.label * 0.6
    north = sizes.here * 0.9
    scale_h = sizes.label * 2.7
    row = sizes.label * 1.5
    legend_w = (legend_em + 2.8) * sizes.label + 2 * pad
    legend_h = legend_rows * row + 2 * pad
    credit_w = text_width_em(t("boards.osm_credit", "zh")) * sizes.fine + 2 * pad
    return {
        "north": shapely.box(w - pad - north, pad, w - pad, pad + north * 1.3),
        "scale": shapely.box(pad, h - pad - scale_h, pad + sizes.label * 12, h - pad),
        "legend": shapely.box(
            pad, h - 2 * pad - scale_h - legend_h, pad + legend_w, h - 2 * pad - scale_h
        ),
        "credit": shapely.box(w - pad - credit_w, h - pad - sizes.fine * 1.7, w - pad, h - pad),
    }


def draw(
    composed: ComposedMap,
    *,
    scenery: MapScenery,
    areas: Mapping[str, ContentArea],
    content: BoardContent,
) -> str:
    """Return the map as one ``<svg>`` element sized in millimetres."""
    frame, k = composed.layout.frame, composed.sizes.line
    w, h = frame.width_mm, frame.height_mm
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.2f}mm" height="{h:.2f}mm" '
        f'viewBox="0 0 {w:.2f} {h:.2f}" font-family="{FONT}">',
        f'<defs><clipPath id="frame"><rect width="{w:.2f}" height="{h:.2f}"/></clipPath></defs>',
        f'<g clip-path="url(#frame)"><rect width="{w:.2f}" height="{h:.2f}" fill="{BACKGROUND}"/>',
        _bands(scenery),
        _scenery(scenery, k),
        _outside(scenery, k),
        _streets(scenery, k),
        _home(composed.home, k),
        _band_edges(scenery, k),
        _routes(composed.routes, k),
        "".join(_crossing(kind, x, y, composed.sizes) for kind, x, y in composed.crossings),
        "".join(_landmark(x, y, composed.sizes) for x, y in composed.landmarks),
        _markers(composed, areas),
        _here(composed, heads_up=content.facing_deg is not None),
        _labels(composed.layout),
        _furniture(composed, content),
        "</g>",
        f'<rect width="{w:.2f}" height="{h:.2f}" fill="none" stroke="#4a4a4a" '
        f'stroke-width="{0.5 * k:.2f}"/></svg>',
    ]
    return "".join(parts)


def _bands(scenery: MapScenery) -> str:
    out = []
    for area, fill in zip(reversed(scenery.walk_areas), reversed(BAND_FILLS), strict=False):
        d = path_data([area])
        if d:
            out.append(f'<path d="{d}" fill="{fill}" fill-rule="evenodd"/>')
    return "".join(out)


def _band_edges(scenery: MapScenery, k: float) -> str:
    out = []
    for area, (colour, dash) in zip(scenery.walk_areas, BAND_EDGES, strict=False):
        d = path_data([area])
        if not d:
            continue
        pattern = " ".join(f"{float(v) * k:.2f}" for v in dash.split())
        dashed = f' stroke-dasharray="{pattern}"' if pattern else ""
        out.append(
            f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{0.7 * k:.2f}"'
            f' stroke-linecap="round"{dashed}/>'
        )
    return "".join(out)


def _scenery(scenery: MapScenery, k: float) -> str:
    styles = {
        "green": 'fill="#a9d18e" fill-opacity="0.55" stroke="none"',
        "water": f'fill="#8fc3e0" stroke="#6aa8c9" stroke-width="{0.2 * k:.2f}"',
        "buildings": 'fill="#4a3c28" fill-opacity="0.16" stroke="none"',
        "rail": (
            f'fill="none" stroke="#7d7d7d" stroke-width="{0.45 * k:.2f}" '
            f'stroke-dasharray="{1.6 * k:.2f} {0.9 * k:.2f}"'
        ),
    }
    out = []
    for name in ("green", "water", "buildings", "rail"):
        d = path_data(scenery.layers.get(name, np.array([], dtype=object)))
        if d:
            out.append(f'<path d="{d}" fill-rule="evenodd" {styles[name]}/>')
    return "".join(out)


def _outside(scenery: MapScenery, k: float) -> str:
    """Grey with diagonal hatching where the frame reaches beyond the map data."""
    if scenery.outside.is_empty:
        return ""
    x0, y0, x1, y1 = scenery.outside.bounds
    step = 3.0 * k
    hatch = shapely.multilinestrings(
        [[(x0 + d, y0), (x0 + d - (y1 - y0), y1)] for d in np.arange(0, x1 - x0 + y1 - y0, step)]
    )
    lines = path_data([shapely.intersection(hatch, scenery.outside)])
    return (
        f'<path d="{path_data([scenery.outside])}" fill="{OUTSIDE}" fill-rule="evenodd"/>'
        f'<path d="{lines}" fill="none" stroke="#b9b5ac" stroke-width="{0.25 * k:.2f}"/>'
    )


def _streets(scenery: MapScenery, k: float) -> str:
    casing, fill = [], []
    for name, (case_color, case_w, color, width) in STREET_STYLE.items():
        d = path_data(scenery.streets.get(name, np.array([], dtype=object)))
        if not d:
            continue
        common = 'fill="none" stroke-linecap="round" stroke-linejoin="round"'
        if case_color:
            casing.append(
                f'<path d="{d}" {common} stroke="{case_color}" stroke-width="{case_w * k:.2f}"/>'
            )
        dash = f' stroke-dasharray="{0.9 * k:.2f} {0.6 * k:.2f}"' if name == "path" else ""
        fill.append(
            f'<path d="{d}" {common} stroke="{color}" stroke-width="{width * k:.2f}"{dash}/>'
        )
    return "".join(casing + fill)


def _home(home: BaseGeometry | None, k: float) -> str:
    d = path_data([home]) if home is not None and not home.is_empty else ""
    return (
        f'<path d="{d}" fill="none" stroke="#17494d" stroke-width="{0.8 * k:.2f}" '
        f'stroke-dasharray="{2.0 * k:.2f} {1.0 * k:.2f}"/>'
        if d
        else ""
    )


def _routes(routes: Sequence[tuple[BaseGeometry, int]], k: float) -> str:
    """Route stretches, wider where more routes share them (the main walking routes)."""
    casing, lines = [], []
    for most in (1, 2, 3):
        group = [g for g, n in routes if min(n, 3) == most]
        d = path_data(group)
        if not d:
            continue
        width = (0.9 + 0.45 * (most - 1)) * k
        common = 'fill="none" stroke-linecap="round" stroke-linejoin="round"'
        casing.append(
            f'<path d="{d}" {common} stroke="#ffffff" stroke-width="{width + 0.8 * k:.2f}"/>'
        )
        lines.append(f'<path d="{d}" {common} stroke="{ROUTE}" stroke-width="{width:.2f}"/>')
    return "".join(casing + lines)


def crossing_icon(kind: str, x: float, y: float, size: float) -> str:
    """Draw a crossing (zebra), footbridge (arch) or underpass (tunnel) sign at x, y."""
    r = size / 2
    base = (
        f'<rect x="{x - r:.2f}" y="{y - r:.2f}" width="{size:.2f}" height="{size:.2f}" '
        f'rx="{r * 0.25:.2f}" fill="#ffffff" stroke="{ROUTE}" stroke-width="{size * 0.09:.2f}"/>'
    )
    if kind == "crossing":
        bars = "".join(
            f'<rect x="{x - r * 0.62 + i * r * 0.5:.2f}" y="{y - r * 0.6:.2f}" '
            f'width="{r * 0.26:.2f}" height="{r * 1.2:.2f}" fill="#1a1a1a"/>'
            for i in range(3)
        )
        return base + bars
    if kind == "footbridge":
        arch = (
            f"M{x - r * 0.7:.2f} {y + r * 0.45:.2f}L{x - r * 0.7:.2f} {y - r * 0.1:.2f}"
            f"Q{x:.2f} {y - r * 0.9:.2f} {x + r * 0.7:.2f} {y - r * 0.1:.2f}"
            f"L{x + r * 0.7:.2f} {y + r * 0.45:.2f}"
        )
    else:
        arch = (
            f"M{x - r * 0.7:.2f} {y - r * 0.45:.2f}L{x - r * 0.7:.2f} {y + r * 0.1:.2f}"
            f"Q{x:.2f} {y + r * 0.9:.2f} {x + r * 0.7:.2f} {y + r * 0.1:.2f}"
            f"L{x + r * 0.7:.2f} {y - r * 0.45:.2f}"
        )
    return base + (
        f'<path d="{arch}" fill="none" stroke="#1a1a1a" stroke-width="{size * 0.13:.2f}"/>'
    )


def _crossing(kind: str, x: float, y: float, sizes: Sizes) -> str:
    return crossing_icon(kind, x, y, sizes.marker * 0.5)


def landmark_icon(x: float, y: float, side: float) -> str:
    """Draw a landmark's sign: a dark square with a white dot."""
    return (
        f'<rect x="{x - side / 2:.2f}" y="{y - side / 2:.2f}" width="{side:.2f}" '
        f'height="{side:.2f}" fill="#3a3a3a"/><circle cx="{x:.2f}" cy="{y:.2f}" '
        f'r="{side * 0.2:.2f}" fill="#ffffff"/>'
    )


def _landmark(x: float, y: float, sizes: Sizes) -> str:
    return landmark_icon(x, y, sizes.marker * 0.45)


def _markers(composed: ComposedMap, areas: Mapping[str, ContentArea]) -> str:
    out = []
    k = composed.sizes.line
    for m in composed.layout.markers:
        area = areas[m.item.area]
        r = m.size / 2
        if m.displaced:
            out.append(
                f'<path d="M{m.anchor_x:.2f} {m.anchor_y:.2f}L{m.x:.2f} {m.y:.2f}" '
                f'stroke="#3a3a3a" stroke-width="{0.3 * k:.2f}"/>'
                f'<circle cx="{m.anchor_x:.2f}" cy="{m.anchor_y:.2f}" r="{0.7 * k:.2f}" '
                f'fill="{area.color}" stroke="#1a1a1a" stroke-width="{0.18 * k:.2f}"/>'
            )
        if m.arrow_deg is not None:
            out.append(_arrow(m.x, m.y, m.arrow_deg, r, area.color, k))
        dy = NUMBER_DY.get(area.shape, 0.0) * r
        font = r * (1.05 if m.item.number < 10 else 0.9)
        out.append(
            f'<g transform="translate({m.x:.2f} {m.y:.2f})">'
            f'<path d="{shape_path(area.shape)}" transform="scale({r:.3f})" fill="{area.color}" '
            f'stroke="#1a1a1a" stroke-width="{0.25 * k / r:.3f}"/>'
            f'<text x="0" y="{dy + font * 0.36:.2f}" font-size="{font:.2f}" font-weight="700" '
            f'text-anchor="middle" fill="{ink_on(area.color)}">{m.item.number}</text></g>'
        )
    return "".join(out)


def _arrow(x: float, y: float, angle_deg: float, r: float, color: str, k: float) -> str:
    a = math.radians(angle_deg)
    ux, uy = math.cos(a), -math.sin(a)
    tip = (x + ux * r * 1.75, y + uy * r * 1.75)
    left = (x + ux * r * 1.05 - uy * r * 0.55, y + uy * r * 1.05 + ux * r * 0.55)
    right = (x + ux * r * 1.05 + uy * r * 0.55, y + uy * r * 1.05 - ux * r * 0.55)
    pts = "L".join(f"{px:.2f} {py:.2f}" for px, py in (tip, left, right))
    return f'<path d="M{pts}Z" fill="{color}" stroke="#1a1a1a" stroke-width="{0.2 * k:.2f}"/>'


def _here(composed: ComposedMap, *, heads_up: bool) -> str:
    """Draw the 「您在这里」 sign: a red ring and dot, and the way the reader faces if known."""
    x, y = composed.layout.here
    r = composed.sizes.here / 2
    cone = ""
    if heads_up:  # heads-up: the reader faces the top of the map
        cone = (
            f'<path d="M{x:.2f} {y - r:.2f}L{x - r * 0.45:.2f} {y - r * 0.55:.2f}'
            f'L{x + r * 0.45:.2f} {y - r * 0.55:.2f}Z" fill="{HERE}"/>'
        )
    return (
        f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r * 0.78:.2f}" fill="#ffffff" '
        f'stroke="{HERE}" stroke-width="{r * 0.2:.2f}"/>'
        f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r * 0.34:.2f}" fill="{HERE}"/>{cone}'
    )


def _labels(placed: lay.MapLayout) -> str:
    # a pale plate behind each label, not a stroked copy of the text: a copy would be
    # extracted (searched, read aloud) twice
    out = []
    for label in placed.labels:
        attrs, plate, opacity = LABEL_STYLE[label.kind]
        corners = "L".join(f"{x:.2f} {y:.2f}" for x, y in list(label.box.exterior.coords)[:4])
        out.append(f'<path d="M{corners}Z" fill="{plate}" fill-opacity="{opacity}"/>')
        rotate = f' transform="rotate({label.angle_deg:.2f} {label.x:.2f} {label.y:.2f})"'
        out.append(
            f'<text x="{label.x:.2f}" y="{label.y + label.size_mm * 0.36:.2f}" '
            f'font-size="{label.size_mm:.2f}" text-anchor="middle" {attrs}'
            f"{rotate if label.angle_deg else ''}>{esc(label.text)}</text>"
        )
    return "".join(out)


def _furniture(composed: ComposedMap, content: BoardContent) -> str:
    frame, sizes, lang = composed.layout.frame, composed.sizes, content.lang
    em = max(text_width_em(legend_text(e, content)) for e in composed.legend)
    boxes = furniture(frame, sizes, legend_rows=len(composed.legend), legend_em=em)
    return (
        _north(boxes["north"], frame.north_deg(), sizes, lang)
        + _scale_bar(frame, boxes["scale"], sizes, lang)
        + _legend(boxes["legend"], composed, content)
        + _credit(boxes["credit"], sizes, lang)
    )


def _north(box: Polygon, angle: float, sizes: Sizes, lang: str) -> str:
    x0, y0, x1, y1 = box.bounds
    cx, cy = (x0 + x1) / 2, y0 + (x1 - x0) / 2
    r = (x1 - x0) / 2 * 0.9
    arrow = (
        f'<g transform="rotate({angle:.2f} {cx:.2f} {cy:.2f})">'
        f'<path d="M{cx:.2f} {cy - r:.2f}L{cx + r * 0.42:.2f} {cy + r * 0.6:.2f}'
        f'L{cx:.2f} {cy + r * 0.25:.2f}Z" fill="#1a1a1a"/>'
        f'<path d="M{cx:.2f} {cy - r:.2f}L{cx - r * 0.42:.2f} {cy + r * 0.6:.2f}'
        f'L{cx:.2f} {cy + r * 0.25:.2f}Z" fill="#ffffff" stroke="#1a1a1a" '
        f'stroke-width="{r * 0.05:.2f}"/></g>'
    )
    text = (
        f'<text x="{cx:.2f}" y="{y1 - sizes.label * 0.15:.2f}" font-size="{sizes.label:.2f}" '
        f'font-weight="700" text-anchor="middle" fill="#1a1a1a">{esc(t("boards.north", lang))}'
        "</text>"
    )
    plate = (
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'fill="#ffffff" fill-opacity="0.85" rx="{sizes.label * 0.3:.2f}"/>'
    )
    return plate + arrow + text


def _scale_bar(frame: lay.Frame, box: Polygon, sizes: Sizes, lang: str) -> str:
    x0, y0, x1, y1 = box.bounds
    s = sizes.label
    room_m = (x1 - x0 - 3.0 * s) * frame.metres_per_mm
    nice = max([v for v in (20, 50, 100, 200, 250, 500, 1000, 2000, 5000) if v <= room_m] or [20])
    bar = nice / frame.metres_per_mm
    left, top = x0 + 0.6 * s, y0 + 1.35 * s
    half = bar / 2
    text = f'font-size="{s:.2f}" fill="#1a1a1a"'
    return (
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'fill="#ffffff" fill-opacity="0.85" rx="{0.3 * s:.2f}"/>'
        f'<text x="{left:.2f}" y="{y0 + 1.05 * s:.2f}" {text}>1:{frame.scale:,}</text>'
        f'<rect x="{left:.2f}" y="{top:.2f}" width="{half:.2f}" height="{0.3 * s:.2f}" '
        f'fill="#1a1a1a"/><rect x="{left + half:.2f}" y="{top:.2f}" width="{half:.2f}" '
        f'height="{0.3 * s:.2f}" fill="#ffffff" stroke="#1a1a1a" stroke-width="{0.06 * s:.2f}"/>'
        f'<text x="{left:.2f}" y="{top + 1.2 * s:.2f}" {text} text-anchor="middle">0</text>'
        f'<text x="{left + bar:.2f}" y="{top + 1.2 * s:.2f}" {text} text-anchor="middle">'
        f"{esc(t('boards.scale_m', lang, m=nice))}</text>"
    )


def _legend(box: Polygon, composed: ComposedMap, content: BoardContent) -> str:
    x0, y0, x1, y1 = box.bounds
    s = composed.sizes.label
    k = composed.sizes.line
    pad, row = s * 0.6, s * 1.5
    out = [
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'fill="#ffffff" fill-opacity="0.9" rx="{0.3 * s:.2f}"/>'
    ]
    for n, entry in enumerate(composed.legend):
        cy = y0 + pad + row * n + row / 2
        sx, sw = x0 + pad, s * 2.0
        if entry.startswith("band"):
            level = int(entry[4:])
            colour, dash = BAND_EDGES[level]
            pattern = " ".join(f"{float(v) * k:.2f}" for v in dash.split())
            dashed = f' stroke-dasharray="{pattern}"' if pattern else ""
            out.append(
                f'<rect x="{sx:.2f}" y="{cy - s * 0.45:.2f}" width="{sw:.2f}" '
                f'height="{s * 0.9:.2f}" fill="{BAND_FILLS[level]}" stroke="{colour}" '
                f'stroke-width="{0.7 * k:.2f}"{dashed}/>'
            )
        elif entry == "route":
            out.append(
                f'<path d="M{sx:.2f} {cy:.2f}L{sx + sw:.2f} {cy:.2f}" stroke="{ROUTE}" '
                f'stroke-width="{1.35 * k:.2f}" stroke-linecap="round"/>'
            )
        elif entry == "landmark":
            out.append(landmark_icon(sx + sw / 2, cy, composed.sizes.marker * 0.45))
        else:
            out.append(crossing_icon(entry.split(":")[1], sx + sw / 2, cy, s * 1.1))
        out.append(
            f'<text x="{sx + sw + s * 0.5:.2f}" y="{cy + s * 0.36:.2f}" font-size="{s:.2f}" '
            f'fill="#1a1a1a">{esc(legend_text(entry, content))}</text>'
        )
    return "".join(out)


def _credit(box: Polygon, sizes: Sizes, lang: str) -> str:
    x0, y0, x1, y1 = box.bounds
    return (
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'fill="#ffffff" fill-opacity="0.85"/>'
        f'<text x="{x1 - 0.3 * sizes.fine:.2f}" y="{y1 - 0.45 * sizes.fine:.2f}" '
        f'font-size="{sizes.fine:.2f}" text-anchor="end" fill="#3a3a3a">'
        f"{esc(t('boards.osm_credit', lang))}</text>"
    )
