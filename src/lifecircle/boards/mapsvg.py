"""The board's map as inline SVG in map millimetres: scenery, walking areas, markers, labels.

:func:`compose_map` decides where markers and labels go (via :mod:`lifecircle.boards.layout`);
:func:`map_svg` turns that and the scenery into one SVG string. Nothing here reads files.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

import numpy as np
import shapely
from shapely.geometry import Polygon

from lifecircle.boards import layout as lay
from lifecircle.boards.content import BoardContent
from lifecircle.boards.options import Paper
from lifecircle.boards.scenery import MapScenery
from lifecircle.boards.symbols import NUMBER_DY, esc, ink_on, path_data, shape_path
from lifecircle.i18n import t
from lifecircle.taxonomy import ContentArea

FONT = "NotoSansCJK-SC-Board"
WALK_TINT = "#1f7a80"
#: Street styles: (casing colour, casing width, fill colour, fill width) in mm at A1.
STREET_STYLE = {
    "path": ("", 0.0, "#a59b8c", 0.32),
    "minor": ("#cbc2b4", 1.05, "#ffffff", 0.7),
    "medium": ("#b9ae9d", 1.75, "#ffffff", 1.3),
    "major": ("#a8885a", 2.7, "#fbe2ad", 2.2),
}
MAX_LABEL_CHARS = 11


def short(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """Shorten a map label to ``limit`` em-wide characters with an ellipsis.

    >>> short("桃园街道社区卫生服务中心第二站", 6)
    '桃园街道社…'
    """
    if lay.text_width_em(text) <= limit:
        return text
    out = ""
    for char in text:
        if lay.text_width_em(out + char) > limit - 1:
            break
        out += char
    return out.rstrip() + "…"


def _furniture(frame: lay.Frame, paper: Paper) -> dict[str, Polygon]:
    k = paper.marker_mm
    w, h = frame.width_mm, frame.height_mm
    return {
        "north": shapely.box(w - 3.2 * k, 0.6 * k, w - 0.6 * k, 4.2 * k),
        "scale": shapely.box(0.6 * k, h - 3.3 * k, 10.5 * k, h - 0.6 * k),
        "credit": shapely.box(w - 11.5 * k, h - 1.6 * k, w - 0.3 * k, h - 0.2 * k),
    }


def compose_map(
    content: BoardContent, *, frame: lay.Frame, scenery: MapScenery, paper: Paper
) -> lay.MapLayout:
    """Place the "you are here" sign, the markers and every label without overlaps."""
    size = paper.marker_mm
    label_mm = paper.label_pt * lay.PT_MM
    obstacles = tuple(_furniture(frame, paper).values())
    here = frame.lonlat_to_mm(content.board.lon, content.board.lat)
    half = size * 0.8
    here_box = shapely.box(here[0] - half, here[1] - half, here[0] + half, here[1] + half)
    occupied = lay.Occupied(
        [*obstacles, here_box], width_mm=frame.width_mm, height_mm=frame.height_mm
    )
    here_text = t("boards.you_are_here", content.lang)
    here_size = label_mm * 1.45
    labels = [
        lay.place_label(
            "here",
            here_text,
            lay.around(here_box, text=here_text, size_mm=here_size, gap_mm=0.6),
            size_mm=here_size,
            occupied=occupied,
        )
    ]
    markers = lay.place_markers(
        content.items, frame=frame, here=here, occupied=occupied, size_mm=size
    )
    for marker in markers:
        text = short(marker.item.name)
        if marker.arrow_deg is not None:
            text = f"{short(marker.item.name, 8)} {marker.item.walk}"
        labels.append(
            lay.place_label(
                "facility",
                text,
                lay.around(marker.box, text=text, size_mm=label_mm, gap_mm=0.35),
                size_mm=label_mm,
                occupied=occupied,
            )
        )
    labels += _walk_labels(content, scenery, size_mm=label_mm * 1.05, occupied=occupied)
    labels += _street_labels(scenery, size_mm=label_mm * 0.95, occupied=occupied)
    return lay.MapLayout(
        frame, here, here_box, tuple(markers), tuple(x for x in labels if x is not None), obstacles
    )


def _walk_labels(
    content: BoardContent, scenery: MapScenery, *, size_mm: float, occupied: lay.Occupied
) -> list[lay.PlacedLabel | None]:
    found = []
    for text, area in zip(content.walk_levels, scenery.walk_areas, strict=False):
        spots = []
        for polygon in shapely.get_parts(np.array([area], dtype=object)):
            if polygon.geom_type != "Polygon" or polygon.is_empty:
                continue
            ring = polygon.exterior
            spots += [ring.interpolate(d) for d in np.arange(0, ring.length, size_mm * 3)]
        spots.sort(key=lambda p: p.y)
        found.append(
            lay.place_label(
                "walk", text, ((p.x, p.y, 0.0) for p in spots), size_mm=size_mm, occupied=occupied
            )
        )
    return found


def _street_labels(
    scenery: MapScenery, *, size_mm: float, occupied: lay.Occupied
) -> list[lay.PlacedLabel | None]:
    ranked = sorted(scenery.named.items(), key=lambda kv: -kv[1].length)
    return [
        lay.place_label(
            "street",
            name,
            _along(line, name=name, size_mm=size_mm),
            size_mm=size_mm,
            occupied=occupied,
        )
        for name, line in ranked
    ]


def _along(line: object, *, name: str, size_mm: float) -> list[tuple[float, float, float]]:
    """Label centres on straight stretches long enough for the name, longest first."""
    need = lay.text_width_em(name) * size_mm + 2 * size_mm
    spots = []
    for part in shapely.get_parts(np.array([line], dtype=object)):
        xy = np.asarray(shapely.simplify(part, size_mm * 0.4).coords)
        for (x0, y0), (x1, y1) in itertools.pairwise(xy):
            length = math.hypot(x1 - x0, y1 - y0)
            if length < need:
                continue
            angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
            angle = angle - 180 if angle > 90 else angle + 180 if angle <= -90 else angle
            for share in (0.5, 0.3, 0.7):
                spots.append((length, x0 + (x1 - x0) * share, y0 + (y1 - y0) * share, angle))
    spots.sort(key=lambda s: -s[0])
    return [(x, y, a) for _, x, y, a in spots]


def map_svg(
    placed: lay.MapLayout,
    *,
    scenery: MapScenery,
    areas: Mapping[str, ContentArea],
    paper: Paper,
    lang: str,
) -> str:
    """Draw the whole map as one ``<svg>`` element sized in millimetres."""
    frame = placed.frame
    k = paper.marker_mm / 8.5
    w, h = frame.width_mm, frame.height_mm
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.2f}mm" height="{h:.2f}mm" '
        f'viewBox="0 0 {w:.2f} {h:.2f}" font-family="{FONT}">',
        f'<defs><clipPath id="frame"><rect width="{w:.2f}" height="{h:.2f}"/></clipPath></defs>',
        f'<g clip-path="url(#frame)"><rect width="{w:.2f}" height="{h:.2f}" fill="#f3f0e8"/>',
        _scenery_svg(scenery, k),
        _walk_svg(scenery, k),
        _streets_svg(scenery, k),
        _markers_svg(placed, areas, k),
        _here_svg(placed, paper),
        _labels_svg(placed),
        _furniture_svg(frame, paper, lang),
        "</g>",
        f'<rect width="{w:.2f}" height="{h:.2f}" fill="none" stroke="#4a4a4a" '
        f'stroke-width="{0.5 * k:.2f}"/></svg>',
    ]
    return "".join(parts)


def _scenery_svg(scenery: MapScenery, k: float) -> str:
    styles = {
        "green": 'fill="#d6e7c6" stroke="none"',
        "water": f'fill="#b3d4e3" stroke="#8db9cf" stroke-width="{0.2 * k:.2f}"',
        "buildings": f'fill="#ddd5c9" stroke="#c6bcad" stroke-width="{0.12 * k:.2f}"',
        "rail": (
            f'fill="none" stroke="#8d8d8d" stroke-width="{0.45 * k:.2f}" '
            f'stroke-dasharray="{1.6 * k:.2f} {0.9 * k:.2f}"'
        ),
    }
    out = []
    for name in ("green", "water", "buildings", "rail"):
        d = path_data(scenery.layers.get(name, np.array([], dtype=object)))
        if d:
            out.append(f'<path d="{d}" fill-rule="evenodd" {styles[name]}/>')
    return "".join(out)


def _walk_svg(scenery: MapScenery, k: float) -> str:
    out = []
    for level, (area, opacity) in enumerate(
        zip(reversed(scenery.walk_areas), (0.09, 0.10, 0.13), strict=False)
    ):
        d = path_data([area])
        if d:
            dash = f' stroke-dasharray="{2.2 * k:.2f} {1.2 * k:.2f}"' if level == 0 else ""
            out.append(
                f'<path d="{d}" fill="{WALK_TINT}" fill-opacity="{opacity}" fill-rule="evenodd" '
                f'stroke="{WALK_TINT}" stroke-opacity="0.75" stroke-width="{0.45 * k:.2f}"{dash}/>'
            )
    return "".join(out)


def _streets_svg(scenery: MapScenery, k: float) -> str:
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


def _markers_svg(placed: lay.MapLayout, areas: Mapping[str, ContentArea], k: float) -> str:
    out = []
    for m in placed.markers:
        area = areas[m.item.area]
        r = m.size / 2
        if m.displaced:
            out.append(
                f'<path d="M{m.anchor_x:.2f} {m.anchor_y:.2f}L{m.x:.2f} {m.y:.2f}" '
                f'stroke="#3a3a3a" stroke-width="{0.25 * k:.2f}"/>'
                f'<circle cx="{m.anchor_x:.2f}" cy="{m.anchor_y:.2f}" r="{0.55 * k:.2f}" '
                f'fill="{area.color}" stroke="#1a1a1a" stroke-width="{0.15 * k:.2f}"/>'
            )
        if m.arrow_deg is not None:
            out.append(_arrow(m.x, m.y, m.arrow_deg, r, area.color, k))
        dy = NUMBER_DY.get(area.shape, 0.0) * r
        font = r * (1.05 if m.item.number < 10 else 0.9)
        out.append(
            f'<g transform="translate({m.x:.2f} {m.y:.2f})">'
            f'<path d="{shape_path(area.shape)}" transform="scale({r:.3f})" fill="{area.color}" '
            f'stroke="#1a1a1a" stroke-width="{0.22 * k / r:.3f}"/>'
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


def _here_svg(placed: lay.MapLayout, paper: Paper) -> str:
    x, y = placed.here
    r = paper.marker_mm * 0.62
    return (
        f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r * 1.22:.2f}" fill="#ffffff" '
        f'stroke="#c8102e" stroke-width="{r * 0.28:.2f}"/>'
        f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r * 0.5:.2f}" fill="#c8102e"/>'
    )


def _labels_svg(placed: lay.MapLayout) -> str:
    # a pale plate behind each label, not a stroked copy of the text: a copy would be
    # extracted (searched, read aloud) twice
    style = {
        "here": ('font-weight="700" fill="#c8102e"', "#ffffff", 0.9),
        "facility": ('fill="#1f1f1f"', "#ffffff", 0.78),
        "walk": (f'fill="{WALK_TINT}" font-weight="700"', "#ffffff", 0.7),
        "street": ('fill="#5a5146"', "#f8f6f0", 0.72),
    }
    out = []
    for label in placed.labels:
        attrs, plate, opacity = style[label.kind]
        corners = "L".join(f"{x:.2f} {y:.2f}" for x, y in list(label.box.exterior.coords)[:4])
        out.append(f'<path d="M{corners}Z" fill="{plate}" fill-opacity="{opacity}"/>')
        rotate = f' transform="rotate({label.angle_deg:.2f} {label.x:.2f} {label.y:.2f})"'
        out.append(
            f'<text x="{label.x:.2f}" y="{label.y + label.size_mm * 0.36:.2f}" '
            f'font-size="{label.size_mm:.2f}" text-anchor="middle" {attrs}'
            f"{rotate if label.angle_deg else ''}>{esc(label.text)}</text>"
        )
    return "".join(out)


def _furniture_svg(frame: lay.Frame, paper: Paper, lang: str) -> str:
    boxes = _furniture(frame, paper)
    k = paper.marker_mm
    x0, y0, x1, y1 = boxes["north"].bounds
    cx = (x0 + x1) / 2
    north = (
        f'<g><path d="M{cx:.2f} {y0 + 0.2 * k:.2f}L{cx + 0.75 * k:.2f} {y1 - 1.3 * k:.2f}'
        f'L{cx:.2f} {y1 - 1.8 * k:.2f}Z" fill="#1a1a1a"/>'
        f'<path d="M{cx:.2f} {y0 + 0.2 * k:.2f}L{cx - 0.75 * k:.2f} {y1 - 1.3 * k:.2f}'
        f'L{cx:.2f} {y1 - 1.8 * k:.2f}Z" fill="#ffffff" stroke="#1a1a1a" '
        f'stroke-width="{0.08 * k:.2f}"/>'
        f'<text x="{cx:.2f}" y="{y1 - 0.15 * k:.2f}" font-size="{0.95 * k:.2f}" '
        f'font-weight="700" text-anchor="middle" fill="#1a1a1a">{esc(t("boards.north", lang))}'
        f"</text></g>"
    )
    return north + _scale_bar(frame, boxes["scale"], k, lang) + _credit(boxes["credit"], k, lang)


def _scale_bar(frame: lay.Frame, box: Polygon, k: float, lang: str) -> str:
    x0, y0, x1, y1 = box.bounds
    room_m = (x1 - x0 - 2.5 * k) * frame.metres_per_mm
    nice = max([v for v in (20, 50, 100, 200, 250, 500, 1000, 2000, 5000) if v <= room_m] or [20])
    bar = nice / frame.metres_per_mm
    left, top = x0 + 0.5 * k, y0 + 1.3 * k
    half, size = bar / 2, 0.7 * k
    text = f'font-size="{size:.2f}" fill="#1a1a1a"'
    return (
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'fill="#ffffff" fill-opacity="0.85" rx="{0.2 * k:.2f}"/>'
        f'<text x="{left:.2f}" y="{y0 + 0.9 * k:.2f}" {text}>1:{frame.scale:,}</text>'
        f'<rect x="{left:.2f}" y="{top:.2f}" width="{half:.2f}" height="{0.3 * k:.2f}" '
        f'fill="#1a1a1a"/><rect x="{left + half:.2f}" y="{top:.2f}" width="{half:.2f}" '
        f'height="{0.3 * k:.2f}" fill="#ffffff" stroke="#1a1a1a" stroke-width="{0.06 * k:.2f}"/>'
        f'<text x="{left:.2f}" y="{top + 1.1 * k:.2f}" {text} text-anchor="middle">0</text>'
        f'<text x="{left + bar:.2f}" y="{top + 1.1 * k:.2f}" {text} text-anchor="middle">'
        f"{esc(t('boards.scale_m', lang, m=nice))}</text>"
    )


def _credit(box: Polygon, k: float, lang: str) -> str:
    x0, y0, x1, y1 = box.bounds
    return (
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'fill="#ffffff" fill-opacity="0.8"/>'
        f'<text x="{x1 - 0.3 * k:.2f}" y="{y1 - 0.45 * k:.2f}" font-size="{0.7 * k:.2f}" '
        f'text-anchor="end" fill="#3a3a3a">{esc(t("boards.osm_credit", lang))}</text>'
    )
