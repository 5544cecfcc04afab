"""Draw a site plan as a map: an SVG written by hand, and a PNG of it (WeasyPrint → pypdfium2).

Streets from the walk network, compounds (outline and point) coloured by coverage
before/after, their gates, existing facilities, candidates and the numbered chosen sites, a
line from each newly covered compound's gate to the site covering it, names, legend, scale
bar, north arrow, title, the walking rule in words, a red warning when the plan cannot reach
every compound, and the attribution. It only draws what it is given; labels come from the
message catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

import numpy as np
import shapely

from lifecircle.i18n import t
from lifecircle.plan import mapparts as parts
from lifecircle.plan.problem import SHARE_TOL
from lifecircle.plan.sites import SitePlan

WIDTH_PX = 1200.0
MIN_WIDTH_PX = 900.0  # room for the title and legend on a tall, narrow area
MAX_HEIGHT_PX = 1400.0
MARGIN_PX = 60.0
#: Height of the title, the subtitle and the warning line above the map.
HEADER_PX = 150.0
WARNING_COLOUR = "#c8102e"
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
LEGEND_W = 330.0


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
        self.scale = min(inner / span_x, (MAX_HEIGHT_PX - HEADER_PX - MARGIN_PX) / span_y)
        self.height = span_y * self.scale + HEADER_PX + MARGIN_PX
        self.width = max(span_x * self.scale + 2 * MARGIN_PX, MIN_WIDTH_PX)
        self.x_off = MARGIN_PX + (self.width - span_x * self.scale - 2 * MARGIN_PX) / 2

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.x_off + (lon - self.lon0) * self.kx * self.scale
        y = HEADER_PX + (self.lat1 - lat) * self.scale
        return round(x, 1), round(y, 1)

    def inside(self, lon: float, lat: float) -> bool:
        return self.lon0 <= lon <= self.lon1 and self.lat0 <= lat <= self.lat1

    @property
    def px_per_m(self) -> float:
        """Pixels per metre on the ground."""
        return self.scale / parts.M_PER_DEG


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
    items.append(
        (f'<rect x="-4.5" y="-4.5" width="9" height="9" fill="{parts.GATE_COLOUR}"/>'
         f'<line x1="5" y1="0" x2="14" y2="0" stroke="{parts.LINE_COLOUR}" stroke-width="2" '
         'stroke-dasharray="4 2"/>', t("plan.map_gate_line", lang))
    )  # fmt: skip
    items.append(
        (f'<rect x="-2.5" y="-2.5" width="5" height="5" fill="white" '
         f'stroke="{parts.GATE_COLOUR}"/>', t("plan.map_gate", lang))
    )  # fmt: skip
    height = 24 * len(items) + 16
    out = [
        f'<g transform="translate({MARGIN_PX + 8},{HEADER_PX + 8})">',
        f'<rect width="{LEGEND_W}" height="{height}" rx="6" fill="white" fill-opacity="0.92" '
        'stroke="#999"/>',
    ]
    for k, (mark, label) in enumerate(items):
        y = 20 + 24 * k
        out.append(f'<g transform="translate(20,{y})">{mark}</g>')
        out.append(f'<text x="40" y="{y + 5}" font-size="14">{escape(label)}</text>')
    out.append("</g>")
    return out


def _outlines(plan: SitePlan, frame: _Frame, states: list[str]) -> list[str]:
    """Each compound's outline, tinted by its state (where the store has one)."""
    out = []
    for compound, state in zip(plan.data.compounds, states, strict=True):
        if not compound.outline_wkt:
            continue
        geom = shapely.from_wkt(compound.outline_wkt)
        rings = shapely.get_rings(shapely.get_parts(geom))
        d = ""
        for ring in rings:
            pts = [frame.xy(lon, lat) for lon, lat in shapely.get_coordinates(ring).tolist()]
            d += "M" + "L".join(f"{x},{y}" for x, y in pts) + "Z"
        if d:
            out.append(
                f'<path d="{d}" fill="{STATE_COLOURS[state]}" fill-opacity="0.18" '
                f'stroke="{STATE_COLOURS[state]}" stroke-width="1" fill-rule="evenodd"/>'
            )
    return out


def _markers(plan: SitePlan, frame: _Frame, states: list[str]) -> list[str]:
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
    for compound, state in zip(plan.data.compounds, states, strict=True):
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


def _square(at: tuple[float, float], r: float) -> tuple[float, float, float, float]:
    return (at[0] - r, at[1] - r, at[0] + r, at[1] + r)


def _names(plan: SitePlan, frame: _Frame, states: list[str], lang: str) -> list[str]:
    """Chosen sites' names (their number is on the marker), then compounds' by state, if room."""
    wanted = []
    for j in plan.result.chosen:
        site = plan.candidates[j]
        name = site.name or t("plan.map_unnamed", lang)
        x, y = frame.xy(site.lon, site.lat)
        wanted.append((0, name, x, y, 12.0, 15))
    for compound, state in zip(plan.data.compounds, states, strict=True):
        x, y = frame.xy(compound.lon, compound.lat)
        wanted.append((parts.STATE_RANK[state], compound.name, x, y, 7.0, 12))
    wanted.sort(key=lambda w: w[0])
    markers = [(x - r, y - r, x + r, y + r) for _, _, x, y, r, _ in wanted]
    markers += [_square(frame.xy(f.lon, f.lat), 6.0) for f in plan.existing]
    legend_h = 24 * (len(STATE_COLOURS) + 5) + 16
    taken = [(MARGIN_PX, HEADER_PX, MARGIN_PX + 16 + LEGEND_W, HEADER_PX + 8 + legend_h)]
    taken.append((frame.width - MARGIN_PX - 40, HEADER_PX, frame.width, HEADER_PX + 80))
    taken += markers
    bounds = (0.0, HEADER_PX - 10, frame.width, frame.height - 40)
    return parts.place_labels([w[1:] for w in wanted], taken=taken, bounds=bounds)


def plan_svg(
    plan: SitePlan, *, title: str, subtitle: str, lang: str = "zh", warning: str = ""
) -> str:
    """Return the plan map as an SVG document (pixels; WGS-84 drawn equirectangular).

    ``warning`` is said in red under the subtitle (the plan does not reach everyone).
    """
    points = [(c.lon, c.lat) for c in plan.data.compounds]
    points += [(plan.candidates[j].lon, plan.candidates[j].lat) for j in plan.result.chosen]
    points += [(f.lon, f.lat) for f in plan.existing]
    lon, lat = np.array(points).T
    frame = _Frame(lon, lat)
    states = compound_states(plan)
    width, height = round(frame.width, 1), round(frame.height, 1)
    top = HEADER_PX - 10
    clip = f'<clipPath id="map"><rect y="{top}" width="{width}" height="{height}"/></clipPath>'
    lines = parts.gate_lines(plan, frame.xy, states)
    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}">',
        f"<defs>{clip}</defs>",
        '<rect width="100%" height="100%" fill="#fbfaf7"/>',
        '<g clip-path="url(#map)" fill="none" stroke="#d3d3d3" stroke-width="1.2">',
        *_streets(plan, frame),
        "</g>",
        '<g clip-path="url(#map)">',
        *_outlines(plan, frame, states),
        *parts.draw_entrances(plan, frame.xy),
        *parts.draw_gate_lines(lines),
        *_markers(plan, frame, states),
        *_names(plan, frame, states, lang),
        "</g>",
        f'<text x="{MARGIN_PX}" y="{MARGIN_PX}" font-size="26" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<text x="{MARGIN_PX}" y="{MARGIN_PX + 28}" font-size="15" fill="#444">'
        f"{escape(subtitle)}</text>",
    ]
    if warning:
        body.append(
            f'<text x="{MARGIN_PX}" y="{MARGIN_PX + 54}" font-size="16" font-weight="bold" '
            f'fill="{WARNING_COLOUR}">{escape(warning)}</text>'
        )
    body += [
        *_legend(plan, lang),
        *parts.north_arrow(x=width - MARGIN_PX - 12, y=HEADER_PX + 4, lang=lang),
        *parts.scale_bar(frame.px_per_m, x=MARGIN_PX + 8, y=height - 24, width=width, lang=lang),
        f'<text x="{width - MARGIN_PX}" y="{height - 12}" font-size="12" fill="#666" '
        'text-anchor="end">© OpenStreetMap contributors</text>',
        "</svg>",
    ]
    return "\n".join(body)


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
    plan: SitePlan,
    out_dir: Path,
    *,
    title: str,
    subtitle: str,
    lang: str = "zh",
    warning: str = "",
) -> Sequence[Path]:
    """Write ``plan_map.svg`` and ``plan_map.png`` into ``out_dir``; return both paths."""
    svg = plan_svg(plan, title=title, subtitle=subtitle, lang=lang, warning=warning)
    svg_path = out_dir / "plan_map.svg"
    svg_path.write_text(svg, encoding="utf-8")
    return [svg_path, svg_to_png(svg, out_dir / "plan_map.png")]
