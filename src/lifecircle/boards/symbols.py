"""Marker shapes of the content areas as SVG path data, and SVG text helpers.

Shapes differ per content area so a greyscale print still tells them apart; each fits a circle
of radius 1 around the origin and is scaled where it is drawn. Pure string building.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

import numpy as np
import shapely
from numpy.typing import NDArray

#: Millimetres per typographic point.
PT_MM = 25.4 / 72.0


def text_width_em(text: str) -> float:
    """Estimated advance of ``text`` in em: CJK and full-width characters 1 em, others 0.58.

    >>> text_width_em("您在这里"), round(text_width_em("A1"), 2)
    (4.0, 1.16)
    """
    return sum(1.0 if ord(c) >= 0x2E80 else 0.58 for c in text)


def _polygon(points: Iterable[tuple[float, float]]) -> str:
    pts = list(points)
    return "M" + "L".join(f"{x:.3f} {y:.3f}" for x, y in pts) + "Z"


def _regular(n: int, *, start_deg: float = -90.0, radius: float = 1.0) -> str:
    return _polygon(
        (
            radius * math.cos(math.radians(start_deg + 360 * i / n)),
            radius * math.sin(math.radians(start_deg + 360 * i / n)),
        )
        for i in range(n)
    )


def _star() -> str:
    pts = []
    for i in range(10):
        r = 1.08 if i % 2 == 0 else 0.52
        a = math.radians(-90 + 36 * i)
        pts.append((r * math.cos(a), r * math.sin(a)))
    return _polygon(pts)


def _cross() -> str:
    a, b = 0.36, 0.95
    return _polygon(
        [
            (-a, -b),
            (a, -b),
            (a, -a),
            (b, -a),
            (b, a),
            (a, a),
            (a, b),
            (-a, b),
            (-a, a),
            (-b, a),
            (-b, -a),
            (-a, -a),
        ]
    )


HEART = (
    "M0 0.95C-0.35 0.7 -1.05 0.25 -1.05 -0.3C-1.05 -0.75 -0.7 -0.98 -0.42 -0.98"
    "C-0.2 -0.98 -0.05 -0.85 0 -0.68C0.05 -0.85 0.2 -0.98 0.42 -0.98"
    "C0.7 -0.98 1.05 -0.75 1.05 -0.3C1.05 0.25 0.35 0.7 0 0.95Z"
)

SHAPES = {
    "circle": "M-1 0A1 1 0 1 0 1 0A1 1 0 1 0 -1 0Z",
    "square": _polygon([(-0.86, -0.86), (0.86, -0.86), (0.86, 0.86), (-0.86, 0.86)]),
    "diamond": _polygon([(0, -1.12), (1.12, 0), (0, 1.12), (-1.12, 0)]),
    "triangle": _regular(3, start_deg=-90, radius=1.25),
    "triangle_down": _regular(3, start_deg=90, radius=1.25),
    "pentagon": _regular(5, radius=1.06),
    "hexagon": _regular(6, start_deg=0, radius=1.04),
    "octagon": _regular(8, start_deg=22.5, radius=1.03),
    "star": _star(),
    "cross": _cross(),
    "heart": HEART,
}
#: Where the number sits inside a shape (y offset, share of the radius) so it looks centred.
NUMBER_DY = {"triangle": 0.22, "triangle_down": -0.25, "heart": -0.05, "star": 0.06}


def shape_path(shape: str) -> str:
    """Path data of a marker shape (unit size); unknown shapes are circles.

    >>> shape_path("square").startswith("M-0.860 -0.860")
    True
    """
    return SHAPES.get(shape, SHAPES["circle"])


def ink_on(color: str) -> str:
    """Black or white text, whichever reads better on ``color`` (``#rrggbb``).

    >>> ink_on("#f7dd4f"), ink_on("#043a79")
    ('#1a1a1a', '#ffffff')
    """
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#1a1a1a" if luminance > 0.55 else "#ffffff"


def esc(text: str) -> str:
    """Escape text for SVG/HTML."""
    return escape(text, quote=True)


def path_data(geoms: NDArray[np.object_] | Sequence[object]) -> str:
    """SVG path data of lines and polygons in map millimetres (rings closed)."""
    parts: list[str] = []
    for geom in shapely.get_parts(np.asarray(geoms, dtype=object)):
        if geom.geom_type == "Polygon":
            rings = [geom.exterior, *geom.interiors]
            for ring in rings:
                parts.append(_ring(np.asarray(ring.coords), close=True))
        elif geom.geom_type == "LineString" and not geom.is_empty:
            parts.append(_ring(np.asarray(geom.coords), close=False))
    return "".join(parts)


def _ring(xy: np.ndarray, *, close: bool) -> str:
    if len(xy) < 2:
        return ""
    text = "L".join(f"{x:.1f} {y:.1f}" for x, y in xy.tolist())
    return f"M{text}{'Z' if close else ''}"
