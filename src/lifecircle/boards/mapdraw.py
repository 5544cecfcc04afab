"""Draw a composed board map: its signs as SVG, its words as text runs for the PDF.

They lie on top of the base layers (:mod:`lifecircle.boards.mapbase`, drawn into the PDF
directly), so this SVG has no background. The words (marker numbers, labels, the legend's
and the scale's words) are text runs (:class:`~lifecircle.boards.pdftext.TextRun`), written
into the PDF as text over the SVG (:mod:`lifecircle.boards.pdftext`); labels never overlap
the signs, so drawing them last changes nothing. Pure building in map millimetres; where
things go is :mod:`lifecircle.boards.mapsvg`'s decision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from shapely.geometry import Polygon

from lifecircle.boards import layout as lay
from lifecircle.boards.content import BoardContent
from lifecircle.boards.mapstyle import (
    BAND_EDGES,
    BAND_FILLS,
    HERE,
    LABEL_STYLE,
    ROUTE,
    ComposedMap,
    Sizes,
    crossing_icon,
    furniture,
    landmark_icon,
    legend_text,
)
from lifecircle.boards.pdftext import TextRun
from lifecircle.boards.symbols import NUMBER_DY, ink_on, shape_path, text_width_em
from lifecircle.i18n import t
from lifecircle.taxonomy import ContentArea


def draw(
    composed: ComposedMap,
    *,
    areas: Mapping[str, ContentArea],
    content: BoardContent,
) -> tuple[str, tuple[TextRun, ...]]:
    """Return the map's signs as one ``<svg>`` element sized in millimetres, and its words."""
    frame, k = composed.layout.frame, composed.sizes.line
    w, h = frame.width_mm, frame.height_mm
    runs: list[TextRun] = []
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.2f}mm" height="{h:.2f}mm" '
        f'viewBox="0 0 {w:.2f} {h:.2f}">',
        f'<defs><clipPath id="frame"><rect width="{w:.2f}" height="{h:.2f}"/></clipPath></defs>',
        '<g clip-path="url(#frame)">',
        "".join(_crossing(kind, x, y, composed.sizes) for kind, x, y in composed.crossings),
        "".join(_landmark(x, y, composed.sizes) for x, y in composed.landmarks),
        _markers(composed, areas, runs),
        _here(composed, heads_up=content.facing_deg is not None),
        _labels(composed.layout, runs),
        _furniture(composed, content, runs),
        "</g>",
        f'<rect width="{w:.2f}" height="{h:.2f}" fill="none" stroke="#4a4a4a" '
        f'stroke-width="{0.5 * k:.2f}"/></svg>',
    ]
    return "".join(parts), tuple(runs)


def _crossing(kind: str, x: float, y: float, sizes: Sizes) -> str:
    return crossing_icon(kind, x, y, sizes.marker * 0.5)


def _landmark(x: float, y: float, sizes: Sizes) -> str:
    return landmark_icon(x, y, sizes.marker * 0.45)


def _markers(composed: ComposedMap, areas: Mapping[str, ContentArea], runs: list[TextRun]) -> str:
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
            f'stroke="#1a1a1a" stroke-width="{0.25 * k / r:.3f}"/></g>'
        )
        runs.append(
            TextRun(
                str(m.item.number),
                m.x,
                m.y + dy + font * 0.36,
                font,
                fill=ink_on(area.color),
                bold=True,
                anchor="middle",
            )
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


def _labels(placed: lay.MapLayout, runs: list[TextRun]) -> str:
    # a pale plate behind each label, not a stroked copy of the text: a copy would be
    # extracted (searched, read aloud) twice
    out = []
    for label in placed.labels:
        fill, bold, plate, opacity = LABEL_STYLE[label.kind]
        corners = "L".join(f"{x:.2f} {y:.2f}" for x, y in list(label.box.exterior.coords)[:4])
        out.append(f'<path d="M{corners}Z" fill="{plate}" fill-opacity="{opacity}"/>')
        runs.append(
            TextRun(
                label.text,
                label.x,
                label.y + label.size_mm * 0.36,
                label.size_mm,
                fill=fill,
                bold=bold,
                anchor="middle",
                angle_deg=label.angle_deg,
                centre=(label.x, label.y),
            )
        )
    return "".join(out)


def _furniture(composed: ComposedMap, content: BoardContent, runs: list[TextRun]) -> str:
    frame, sizes, lang = composed.layout.frame, composed.sizes, content.lang
    em = max(text_width_em(legend_text(e, content)) for e in composed.legend)
    boxes = furniture(frame, sizes, legend_rows=len(composed.legend), legend_em=em)
    return (
        _north(boxes["north"], frame.north_deg(), sizes, lang, runs)
        + _scale_bar(frame, boxes["scale"], sizes, lang, runs)
        + _legend(boxes["legend"], composed, content, runs)
        + _credit(boxes["credit"], sizes, lang, runs)
    )


def _north(box: Polygon, angle: float, sizes: Sizes, lang: str, runs: list[TextRun]) -> str:
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
    north = t("boards.north", lang)
    runs.append(
        TextRun(north, cx, y1 - sizes.label * 0.15, sizes.label, bold=True, anchor="middle")
    )
    plate = (
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'fill="#ffffff" fill-opacity="0.85" rx="{sizes.label * 0.3:.2f}"/>'
    )
    return plate + arrow


def _scale_bar(frame: lay.Frame, box: Polygon, sizes: Sizes, lang: str, runs: list[TextRun]) -> str:
    x0, y0, x1, y1 = box.bounds
    s = sizes.label
    room_m = (x1 - x0 - 3.0 * s) * frame.metres_per_mm
    nice = max([v for v in (20, 50, 100, 200, 250, 500, 1000, 2000, 5000) if v <= room_m] or [20])
    bar = nice / frame.metres_per_mm
    left, top = x0 + 0.6 * s, y0 + 1.35 * s
    half = bar / 2
    runs.append(TextRun(f"1:{frame.scale:,}", left, y0 + 1.05 * s, s))
    runs.append(TextRun("0", left, top + 1.2 * s, s, anchor="middle"))
    runs.append(
        TextRun(t("boards.scale_m", lang, m=nice), left + bar, top + 1.2 * s, s, anchor="middle")
    )
    return (
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'fill="#ffffff" fill-opacity="0.85" rx="{0.3 * s:.2f}"/>'
        f'<rect x="{left:.2f}" y="{top:.2f}" width="{half:.2f}" height="{0.3 * s:.2f}" '
        f'fill="#1a1a1a"/><rect x="{left + half:.2f}" y="{top:.2f}" width="{half:.2f}" '
        f'height="{0.3 * s:.2f}" fill="#ffffff" stroke="#1a1a1a" stroke-width="{0.06 * s:.2f}"/>'
    )


def _legend(box: Polygon, composed: ComposedMap, content: BoardContent, runs: list[TextRun]) -> str:
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
        runs.append(TextRun(legend_text(entry, content), sx + sw + s * 0.5, cy + s * 0.36, s))
    return "".join(out)


def _credit(box: Polygon, sizes: Sizes, lang: str, runs: list[TextRun]) -> str:
    x0, y0, x1, y1 = box.bounds
    credit = t("boards.osm_credit", lang)
    x, y = x1 - 0.3 * sizes.fine, y1 - 0.45 * sizes.fine
    runs.append(TextRun(credit, x, y, sizes.fine, fill="#3a3a3a", anchor="end"))
    return (
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'fill="#ffffff" fill-opacity="0.85"/>'
    )
