"""The city report's overview map: areas coloured by the share of residents with no gap.

Each area's boundary is filled by the share of its residents whose compound misses no required
type, with names, legend, scale bar, north arrow and attribution. An SVG written by hand, as the
site plan's map (:mod:`lifecircle.plan.map`), and a PNG of it (WeasyPrint → pypdfium2) for the
workbook. It only draws what it is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from lifecircle.i18n import t
from lifecircle.plan import mapparts as parts
from lifecircle.plan.map import FONT, svg_to_png

WIDTH_PX = 1200.0
MARGIN_PX = 60.0
HEADER_PX = 110.0
LEGEND_PX = 60.0
#: Lower bounds of the share classes and their colours (red: few people fully served).
CLASSES = ((0.95, "#1a9850"), (0.85, "#91cf60"), (0.70, "#fee08b"), (0.50, "#fc8d59"),
           (0.0, "#d73027"))  # fmt: skip
NOT_BUILT = "#d9d9d9"


@dataclass(frozen=True)
class MapArea:
    """One area on the map: its name, WGS-84 boundary and share fully served (None: unknown)."""

    name: str
    boundary: BaseGeometry | None
    share: float | None


def colour(share: float | None) -> str:
    """Fill colour of a share (0–1), grey when unknown.

    >>> colour(0.97), colour(0.6), colour(None)
    ('#1a9850', '#fc8d59', '#d9d9d9')
    """
    if share is None:
        return NOT_BUILT
    return next(c for low, c in CLASSES if share >= low)


def _paths(geom: BaseGeometry, xy: parts.XY) -> str:
    rings = []
    for polygon in getattr(geom, "geoms", [geom]):
        if polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            points = [xy(x, y) for x, y in ring.coords]
            rings.append("M" + " L".join(f"{px:.1f} {py:.1f}" for px, py in points) + " Z")
    return " ".join(rings)


def city_svg(areas: Sequence[MapArea], *, title: str, subtitle: str, lang: str) -> str:
    """Return the map as an SVG document (areas without a boundary are left out)."""
    drawn = [(a, a.boundary) for a in areas if a.boundary is not None and not a.boundary.is_empty]
    lon0, lat0, lon1, lat1 = shapely.GeometryCollection([b for _, b in drawn]).bounds
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    scale = (WIDTH_PX - 2 * MARGIN_PX) / max((lon1 - lon0) * kx, 1e-9)
    height = HEADER_PX + (lat1 - lat0) * scale + LEGEND_PX + MARGIN_PX

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return MARGIN_PX + (lon - lon0) * kx * scale, HEADER_PX + (lat1 - lat) * scale

    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_PX:.0f}" height="{height:.0f}" '
        f'font-family="{FONT}">',
        f'<rect width="{WIDTH_PX:.0f}" height="{height:.0f}" fill="white"/>',
        f'<text x="{MARGIN_PX}" y="44" font-size="26" font-weight="bold">{escape(title)}</text>',
        f'<text x="{MARGIN_PX}" y="76" font-size="15" fill="#444">{escape(subtitle)}</text>',
    ]
    for area, boundary in drawn:
        body.append(f'<path d="{_paths(boundary, xy)}" fill="{colour(area.share)}" '
                    'stroke="#333" stroke-width="1.2" fill-rule="evenodd"/>')  # fmt: skip
    for area, boundary in drawn:
        x, y = xy(*boundary.representative_point().coords[0])
        share = "—" if area.share is None else f"{area.share:.0%}"
        body.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="14" text-anchor="middle" '
                    f'font-weight="bold" fill="#111">{escape(area.name)}'
                    f'<tspan x="{x:.1f}" dy="16">{share}</tspan></text>')  # fmt: skip
    body += _legend(height - LEGEND_PX - MARGIN_PX / 2, lang)
    px_per_m = scale / parts.M_PER_DEG
    body += parts.scale_bar(px_per_m, x=WIDTH_PX - MARGIN_PX - 260, y=height - 30,
                            width=WIDTH_PX, lang=lang)  # fmt: skip
    body += parts.north_arrow(x=WIDTH_PX - MARGIN_PX - 20, y=HEADER_PX - 10, lang=lang)
    body += [
        f'<text x="{WIDTH_PX - MARGIN_PX}" y="{height - 8:.0f}" font-size="12" fill="#666" '
        'text-anchor="end">© OpenStreetMap contributors</text>',
        "</svg>",
    ]
    return "\n".join(body)


def _legend(y: float, lang: str) -> list[str]:
    items = [(c, f"≥ {low:.0%}") for low, c in CLASSES[:-1]]
    items += [(CLASSES[-1][1], f"< {CLASSES[-2][0]:.0%}"), (NOT_BUILT, t("city.map_unknown", lang))]
    out = [f'<text x="{MARGIN_PX}" y="{y:.0f}" font-size="14">{escape(t("city.map_legend", lang))}'
           "</text>"]  # fmt: skip
    for k, (fill, label) in enumerate(items):
        x = MARGIN_PX + k * 120
        out.append(f'<rect x="{x}" y="{y + 10:.0f}" width="22" height="16" fill="{fill}" '
                   'stroke="#333"/>')  # fmt: skip
        out.append(f'<text x="{x + 28}" y="{y + 23:.0f}" font-size="13">{escape(label)}</text>')
    return out


def write_city_map(
    areas: Sequence[MapArea], out_png: Path, *, title: str, subtitle: str, lang: str
) -> Path | None:
    """Write the map as PNG (and its SVG beside it); ``None`` when no area has a boundary."""
    if not any(a.boundary is not None and not a.boundary.is_empty for a in areas):
        return None
    svg = city_svg(areas, title=title, subtitle=subtitle, lang=lang)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    out_png.with_suffix(".svg").write_text(svg, encoding="utf-8")
    return svg_to_png(svg, out_png, scale=1.0)
