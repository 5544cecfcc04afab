"""How a board's map looks: colours, sizes per paper, signs, and the map's placed parts.

The 5/10/15-minute bands are filled with one warm hue at three lightnesses (greyscale
luminance 0.70 / 0.80 / 0.89 against 0.98 outside), and their edges differ too (solid,
dashed, dotted), so a black-and-white copy still tells them apart. The walking routes are blue,
「您在这里」 red. Values and tiny SVG snippets only; nothing here places or writes.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from lifecircle.boards import layout as lay
from lifecircle.boards.content import BoardContent
from lifecircle.boards.options import Paper
from lifecircle.boards.symbols import PT_MM, text_width_em
from lifecircle.i18n import t

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
#: Label styles by kind: text colour, bold, plate colour, plate opacity.
LABEL_STYLE = {
    "here": (HERE, True, "#ffffff", 0.92),
    "facility": ("#1f1f1f", False, "#ffffff", 0.82),
    "walk": (BAND_EDGES[0][0], True, "#ffffff", 0.8),
    "street": ("#4f473d", False, BACKGROUND, 0.8),
    "street_here": ("#1f1f1f", True, "#fff3c4", 0.95),
    "landmark": ("#2f2f2f", True, "#ffffff", 0.82),
    "outside": ("#5f5f5f", False, OUTSIDE, 0.9),
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


def landmark_icon(x: float, y: float, side: float) -> str:
    """Draw a landmark's sign: a dark square with a white dot."""
    return (
        f'<rect x="{x - side / 2:.2f}" y="{y - side / 2:.2f}" width="{side:.2f}" '
        f'height="{side:.2f}" fill="#3a3a3a"/><circle cx="{x:.2f}" cy="{y:.2f}" '
        f'r="{side * 0.2:.2f}" fill="#ffffff"/>'
    )
