"""The board's map: where the sign, markers and labels go, then the whole map as inline SVG.

:func:`compose_map` places everything without overlaps (via :mod:`lifecircle.boards.layout`),
most important first: 「您在这里」, the numbered markers, the street the board stands on, the
facilities' names, the walking bands, landmarks, other streets. :func:`map_svg` draws it
with :mod:`lifecircle.boards.mapdraw`. Sizes come from the paper; nothing here reads files.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from lifecircle.boards import layout as lay
from lifecircle.boards import mapdraw
from lifecircle.boards.content import BoardContent
from lifecircle.boards.mapstyle import ComposedMap, Sizes, furniture, legend_text
from lifecircle.boards.options import Paper
from lifecircle.boards.pdftext import TextRun
from lifecircle.boards.places import MapExtras
from lifecircle.boards.scenery import MapScenery, to_map
from lifecircle.boards.symbols import text_width_em
from lifecircle.i18n import t
from lifecircle.taxonomy import ContentArea

MAX_LABEL_CHARS = 9


def short(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """Shorten a map label to ``limit`` em-wide characters with an ellipsis.

    >>> short("桃园街道社区卫生服务中心第二站", 6)
    '桃园街道社…'
    """
    if text_width_em(text) <= limit:
        return text
    out = ""
    for char in text:
        if text_width_em(out + char) > limit - 1:
            break
        out += char
    return out.rstrip() + "…"


def _legend_entries(
    content: BoardContent, extras: MapExtras, kinds: Sequence[str]
) -> tuple[str, ...]:
    entries = [f"band{k}" for k in range(len(content.walk_levels))]
    if extras.routes.lines:
        entries.append("route")
    entries += [f"crossing:{kind}" for kind in kinds]
    return tuple(entries)


def compose_map(
    content: BoardContent,
    *,
    frame: lay.Frame,
    scenery: MapScenery,
    paper: Paper,
    extras: MapExtras,
) -> ComposedMap:
    """Place the "you are here" sign, the markers and every label without overlaps."""
    sizes = Sizes.of(paper)
    crossings = _crossings(extras, frame)
    kinds = tuple(dict.fromkeys(kind for kind, _, _ in crossings))
    legend = _legend_entries(content, extras, kinds) + (("landmark",) if extras.landmarks else ())
    legend_em = max(text_width_em(legend_text(e, content)) for e in legend)
    boxes = furniture(frame, sizes, legend_rows=len(legend), legend_em=legend_em)
    obstacles = tuple(boxes.values())
    here = frame.lonlat_to_mm(content.board.lon, content.board.lat)
    half = sizes.here / 2
    here_box = shapely.box(here[0] - half, here[1] - half, here[0] + half, here[1] + half)
    occupied = lay.Occupied(
        [*obstacles, here_box], width_mm=frame.width_mm, height_mm=frame.height_mm
    )
    here_text = t("boards.you_are_here", content.lang)
    labels = [
        lay.place_label(
            "here",
            here_text,
            lay.around(here_box, text=here_text, size_mm=sizes.here_label, gap_mm=0.8),
            size_mm=sizes.here_label,
            occupied=occupied,
        )
    ]
    markers = lay.place_markers(
        content.items, frame=frame, here=here, occupied=occupied, size_mm=sizes.marker
    )
    if extras.street and extras.street in scenery.named:
        labels += _street_labels(
            {extras.street: scenery.named[extras.street]},
            size_mm=sizes.street * 1.25,
            occupied=occupied,
            kind="street_here",
            near=here,
        )
    for marker in markers:
        text = short(marker.item.name)
        if marker.arrow_deg is not None:
            text = f"{short(marker.item.name, 6)} {marker.item.walk}"
        labels.append(
            lay.place_label(
                "facility",
                text,
                lay.around(marker.box, text=text, size_mm=sizes.label, gap_mm=0.35),
                size_mm=sizes.label,
                occupied=occupied,
            )
        )
    labels += _walk_labels(content, scenery, size_mm=sizes.label, occupied=occupied)
    placed_landmarks, landmark_labels = _landmarks(extras, frame, sizes, occupied)
    labels += landmark_labels
    others = {k: v for k, v in scenery.named.items() if k != extras.street}
    labels += _street_labels(
        others, size_mm=sizes.street, occupied=occupied, kind="street", most=paper.street_labels
    )
    labels += _outside_label(scenery, content.lang, sizes, occupied)
    layout = lay.MapLayout(
        frame, here, here_box, tuple(markers), tuple(x for x in labels if x is not None), obstacles
    )
    return ComposedMap(
        layout=layout,
        sizes=sizes,
        landmarks=tuple(placed_landmarks),
        routes=_routes(extras, frame),
        crossings=crossings,
        home=_home(extras, frame),
        legend=legend if placed_landmarks else tuple(e for e in legend if e != "landmark"),
    )


def _routes(extras: MapExtras, frame: lay.Frame) -> tuple[tuple[BaseGeometry, int], ...]:
    if not extras.routes.lines:
        return ()
    lines = np.array([shapely.linestrings(r.coords) for r in extras.routes.lines], dtype=object)
    mapped = to_map(lines, frame)
    return tuple(zip(mapped.tolist(), (r.count for r in extras.routes.lines), strict=True))


def _crossings(extras: MapExtras, frame: lay.Frame) -> tuple[tuple[str, float, float], ...]:
    found = []
    for crossing in extras.routes.crossings:
        x, y = frame.lonlat_to_mm(crossing.lon, crossing.lat)
        if 0 <= x <= frame.width_mm and 0 <= y <= frame.height_mm:
            found.append((crossing.kind, x, y))
    return tuple(found)


def _home(extras: MapExtras, frame: lay.Frame) -> BaseGeometry | None:
    if not extras.home_wkt:
        return None
    return to_map(np.array([shapely.from_wkt(extras.home_wkt)], dtype=object), frame)[0]


def _landmarks(
    extras: MapExtras, frame: lay.Frame, sizes: Sizes, occupied: lay.Occupied
) -> tuple[list[tuple[float, float]], list[lay.PlacedLabel | None]]:
    """Place each landmark's symbol at its spot and its name beside it, or leave it out."""
    symbols: list[tuple[float, float]] = []
    labels: list[lay.PlacedLabel | None] = []
    side = sizes.marker * 0.45
    for landmark in extras.landmarks:
        x, y = frame.lonlat_to_mm(landmark.lon, landmark.lat)
        box = shapely.box(x - side / 2, y - side / 2, x + side / 2, y + side / 2)
        if not occupied.free(box):
            continue
        text = short(landmark.name)
        spots = lay.around(box, text=text, size_mm=sizes.label, gap_mm=0.3)
        occupied.take(box)
        label = lay.place_label("landmark", text, spots, size_mm=sizes.label, occupied=occupied)
        if label is None:
            occupied.boxes.remove(box)
            continue
        symbols.append((x, y))
        labels.append(label)
    return symbols, labels


def _outside_label(
    scenery: MapScenery, lang: str, sizes: Sizes, occupied: lay.Occupied
) -> list[lay.PlacedLabel | None]:
    if scenery.outside.is_empty:
        return []
    text = t("boards.no_map_data", lang)
    point = scenery.outside.point_on_surface()
    spots = [(point.x, point.y, 0.0)]
    spots += [(point.x + dx, point.y + dy, 0.0) for dx, dy in lay.ring_offsets(sizes.label * 2, 6)]
    inside = [s for s in spots if scenery.outside.contains(shapely.Point(s[0], s[1]))]
    return [lay.place_label("outside", text, inside, size_mm=sizes.label, occupied=occupied)]


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
    named: Mapping[str, BaseGeometry],
    *,
    size_mm: float,
    occupied: lay.Occupied,
    kind: str,
    near: tuple[float, float] | None = None,
    most: int = 1,
) -> list[lay.PlacedLabel | None]:
    """Label streets in their order (most important first), at most ``most`` of them."""
    found: list[lay.PlacedLabel | None] = []
    for name, line in named.items():
        spots = _along(line, name=name, size_mm=size_mm, near=near)
        label = lay.place_label(kind, name, spots, size_mm=size_mm, occupied=occupied)
        if label is not None:
            found.append(label)
            if len(found) >= most:
                break
    return found


def _along(
    line: object, *, name: str, size_mm: float, near: tuple[float, float] | None = None
) -> list[tuple[float, float, float]]:
    """Label centres on straight stretches long enough for the name, longest (or nearest) first."""
    need = text_width_em(name) * size_mm + 2 * size_mm
    spots = []
    parts = shapely.get_parts(np.array([line], dtype=object))
    for part in shapely.simplify(parts, size_mm * 0.4):  # every part in one call
        xy = shapely.get_coordinates(part)
        for (x0, y0), (x1, y1) in itertools.pairwise(xy):
            length = math.hypot(x1 - x0, y1 - y0)
            if length < need:
                continue
            angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
            angle = angle - 180 if angle > 90 else angle + 180 if angle <= -90 else angle
            for share in (0.5, 0.3, 0.7, 0.15, 0.85):
                x, y = x0 + (x1 - x0) * share, y0 + (y1 - y0) * share
                rank = -length if near is None else math.hypot(x - near[0], y - near[1])
                spots.append((rank, x, y, angle))
    spots.sort(key=lambda s: s[0])
    return [(x, y, a) for _, x, y, a in spots]


def map_svg(
    composed: ComposedMap,
    *,
    areas: Mapping[str, ContentArea],
    content: BoardContent,
) -> tuple[str, tuple[TextRun, ...]]:
    """Draw the map's signs as one ``<svg>`` and return it with the map's words.

    The base layers are drawn apart, and the words are written into the PDF as text.
    """
    return mapdraw.draw(composed, areas=areas, content=content)
