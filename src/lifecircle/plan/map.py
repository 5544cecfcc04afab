"""Draw a site plan as a map: an SVG written by hand, and a PNG of it (WeasyPrint → pypdfium2).

Streets from the walk network, compounds coloured by coverage before/after, existing
facilities, candidates and the numbered chosen sites, with legend, title and attribution.
It only draws what it is given; labels come from the message catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

import numpy as np

from lifecircle.i18n import t
from lifecircle.plan.problem import SHARE_TOL
from lifecircle.plan.sites import SitePlan

WIDTH_PX = 1200.0
MIN_WIDTH_PX = 900.0  # room for the title and legend on a tall, narrow area
MAX_HEIGHT_PX = 1400.0
MARGIN_PX = 60.0
FONT = "'Noto Sans CJK SC', 'Noto Sans', sans-serif"
#: Marker colours: covered before, newly covered, partly served, still uncovered.
STATE_COLOURS = {
    "before": "#8d99ae",
    "new": "#2a9d5b",
    "partial": "#e9a227",
    "uncovered": "#d64541",
}
EXISTING_COLOUR = "#34568b"
CHOSEN_COLOUR = "#f07b1d"
CANDIDATE_COLOUR = "#a9a9a9"


class _Frame:
    """Equirectangular lon/lat → pixel mapping fitted to some points (good at district scale)."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray) -> None:
        pad_lon = max(float(np.ptp(lon)) * 0.08, 0.002)
        pad_lat = max(float(np.ptp(lat)) * 0.08, 0.001)
        self.lon0, self.lon1 = float(lon.min()) - pad_lon, float(lon.max()) + pad_lon
        self.lat0, self.lat1 = float(lat.min()) - pad_lat, float(lat.max()) + pad_lat
        self.kx = math.cos(math.radians((self.lat0 + self.lat1) / 2))
        span_x = (self.lon1 - self.lon0) * self.kx
        span_y = self.lat1 - self.lat0
        inner = WIDTH_PX - 2 * MARGIN_PX
        self.scale = min(inner / span_x, (MAX_HEIGHT_PX - 3 * MARGIN_PX) / span_y)
        self.height = span_y * self.scale + 3 * MARGIN_PX
        self.width = max(span_x * self.scale + 2 * MARGIN_PX, MIN_WIDTH_PX)
        self.x_off = MARGIN_PX + (self.width - span_x * self.scale - 2 * MARGIN_PX) / 2

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.x_off + (lon - self.lon0) * self.kx * self.scale
        y = 2 * MARGIN_PX + (self.lat1 - lat) * self.scale
        return round(x, 1), round(y, 1)

    def inside(self, lon: float, lat: float) -> bool:
        return self.lon0 <= lon <= self.lon1 and self.lat0 <= lat <= self.lat1


def compound_states(plan: SitePlan) -> list[str]:
    """Coverage state of every compound: before, new, partial or uncovered."""
    result = plan.result
    out = []
    for before, served in zip(result.covered_before, result.exact.served, strict=True):
        if before:
            out.append("before")
        elif served >= 1.0 - SHARE_TOL:
            out.append("new")
        else:
            out.append("partial" if served > 0 else "uncovered")
    return out


def _streets(plan: SitePlan, frame: _Frame) -> Iterable[str]:
    for way in plan.data.ways:
        if not any(frame.inside(lon, lat) for lon, lat in way.coords):
            continue
        points = " ".join("{},{}".format(*frame.xy(lon, lat)) for lon, lat in way.coords)
        yield f'<polyline points="{points}"/>'


def _legend(plan: SitePlan, lang: str) -> list[str]:
    items = [
        (f'<circle r="7" fill="{STATE_COLOURS[key]}"/>', t(f"plan.map_{key}", lang))
        for key in STATE_COLOURS
    ]
    items.append(
        (f'<rect x="-6" y="-6" width="12" height="12" fill="{EXISTING_COLOUR}"/>',
         t("plan.map_existing", lang, type=plan.ftype.name_zh))
    )  # fmt: skip
    items.append((f'<circle r="3" fill="{CANDIDATE_COLOUR}"/>', t("plan.map_candidate", lang)))
    items.append((f'<circle r="10" fill="{CHOSEN_COLOUR}"/>', t("plan.map_chosen", lang)))
    height = 24 * len(items) + 16
    out = [
        f'<g transform="translate({MARGIN_PX + 8},{2 * MARGIN_PX + 8})">',
        f'<rect width="300" height="{height}" rx="6" fill="white" fill-opacity="0.92" '
        'stroke="#999"/>',
    ]
    for k, (mark, label) in enumerate(items):
        y = 20 + 24 * k
        out.append(f'<g transform="translate(20,{y})">{mark}</g>')
        out.append(f'<text x="40" y="{y + 5}" font-size="14">{escape(label)}</text>')
    out.append("</g>")
    return out


def _markers(plan: SitePlan, frame: _Frame) -> list[str]:
    out = []
    chosen = set(plan.result.chosen)
    for j, c in enumerate(plan.candidates):
        if j not in chosen:
            x, y = frame.xy(c.lon, c.lat)
            out.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{CANDIDATE_COLOUR}"/>')
    for f in plan.existing:
        x, y = frame.xy(f.lon, f.lat)
        out.append(
            f'<rect x="{x - 6}" y="{y - 6}" width="12" height="12" fill="{EXISTING_COLOUR}" '
            'stroke="white"/>'
        )
    for compound, state in zip(plan.data.compounds, compound_states(plan), strict=True):
        x, y = frame.xy(compound.lon, compound.lat)
        out.append(
            f'<circle cx="{x}" cy="{y}" r="7" fill="{STATE_COLOURS[state]}" stroke="white" '
            'stroke-width="1.5"/>'
        )
    for rank, j in enumerate(plan.result.chosen, start=1):
        x, y = frame.xy(plan.candidates[j].lon, plan.candidates[j].lat)
        out.append(
            f'<circle cx="{x}" cy="{y}" r="12" fill="{CHOSEN_COLOUR}" stroke="white" '
            f'stroke-width="2"/><text x="{x}" y="{y + 5}" font-size="14" font-weight="bold" '
            f'fill="white" text-anchor="middle">{rank}</text>'
        )
    return out


def plan_svg(plan: SitePlan, *, title: str, subtitle: str, lang: str = "zh") -> str:
    """Return the plan map as an SVG document (pixels; WGS-84 drawn equirectangular)."""
    points = [(c.lon, c.lat) for c in plan.data.compounds]
    points += [(plan.candidates[j].lon, plan.candidates[j].lat) for j in plan.result.chosen]
    points += [(f.lon, f.lat) for f in plan.existing]
    lon, lat = np.array(points).T
    frame = _Frame(lon, lat)
    width, height = round(frame.width, 1), round(frame.height, 1)
    top = 2 * MARGIN_PX - 10
    clip = f'<clipPath id="map"><rect y="{top}" width="{width}" height="{height}"/></clipPath>'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}">',
        f"<defs>{clip}</defs>",
        '<rect width="100%" height="100%" fill="#fbfaf7"/>',
        '<g clip-path="url(#map)" fill="none" stroke="#d3d3d3" stroke-width="1.2">',
        *_streets(plan, frame),
        "</g>",
        '<g clip-path="url(#map)">',
        *_markers(plan, frame),
        "</g>",
        f'<text x="{MARGIN_PX}" y="{MARGIN_PX}" font-size="26" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<text x="{MARGIN_PX}" y="{MARGIN_PX + 28}" font-size="15" fill="#444">'
        f"{escape(subtitle)}</text>",
        *_legend(plan, lang),
        f'<text x="{width - MARGIN_PX}" y="{height - 12}" font-size="12" fill="#666" '
        'text-anchor="end">© OpenStreetMap contributors</text>',
        "</svg>",
    ]
    return "\n".join(parts)


def svg_to_png(svg: str, path: Path, *, scale: float = 1.5) -> Path:
    """Render an SVG to PNG: WeasyPrint lays it out as a one-page PDF, pypdfium2 rasterises it."""
    import pypdfium2
    from weasyprint import HTML

    width, height = _size(svg)
    page = (
        f"<html><head><style>@page {{ size: {width}px {height}px; margin: 0 }} "
        f"body {{ margin: 0 }}</style></head><body>{svg}</body></html>"
    )
    pdf = HTML(string=page).write_pdf()
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=scale * 96 / 72).to_pil()
        image.save(path, format="PNG", optimize=True)
    finally:
        document.close()
    return path


def _size(svg: str) -> tuple[float, float]:
    head = svg.split(">", 1)[0]
    width = float(head.split('width="', 1)[1].split('"', 1)[0])
    height = float(head.split('height="', 1)[1].split('"', 1)[0])
    return width, height


def write_plan_map(
    plan: SitePlan, out_dir: Path, *, title: str, subtitle: str, lang: str = "zh"
) -> Sequence[Path]:
    """Write ``plan_map.svg`` and ``plan_map.png`` into ``out_dir``; return both paths."""
    svg = plan_svg(plan, title=title, subtitle=subtitle, lang=lang)
    svg_path = out_dir / "plan_map.svg"
    svg_path.write_text(svg, encoding="utf-8")
    return [svg_path, svg_to_png(svg, out_dir / "plan_map.png")]
