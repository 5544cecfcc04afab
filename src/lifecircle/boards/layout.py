"""Map layout of a board: frame and scale, marker positions and labels that never collide.

Everything is in map millimetres (origin top-left, y down). Markers are placed greedily (the
nearest facility at its true spot, others pushed aside with a leader line), then labels try
candidate positions around their anchor and are dropped rather than overlap. Every placed box
is kept in :class:`MapLayout`, so a test can check that nothing overlaps. It draws nothing.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from lifecircle.boards.content import BoardContent, ListedFacility
from lifecircle.boards.symbols import text_width_em
from lifecircle.geo import LocalMetric, local_metric_transformer

#: Map scales offered (1:n); the frame takes the smallest that shows the 15-minute area.
NICE_SCALES = (
    500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7500, 8000, 10_000,
    12_000, 12_500, 15_000, 16_000, 18_000, 20_000, 25_000, 30_000, 40_000, 50_000, 75_000,
    100_000,
)  # fmt: skip
#: Labels never come closer than this to the map's edge (mm).
EDGE_MM = 1.5


@dataclass(frozen=True)
class Frame:
    """The map window: ``centre`` in the board's local metres, the scale and the size on paper.

    ``rotation_deg`` turns the map heads-up: the direction that many degrees clockwise from
    north (the way the reader faces) points to the top of the paper; 0 is north up.
    """

    metric: LocalMetric
    centre_x_m: float
    centre_y_m: float
    width_mm: float
    height_mm: float
    scale: int
    rotation_deg: float = 0.0

    @property
    def metres_per_mm(self) -> float:
        """Ground metres per paper millimetre."""
        return self.scale / 1000.0

    def project(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Local metres to map millimetres (y down), turned heads-up (arrays)."""
        a = math.radians(self.rotation_deg)
        dx, dy = np.asarray(x_m) - self.centre_x_m, np.asarray(y_m) - self.centre_y_m
        rx = dx * math.cos(a) - dy * math.sin(a)
        ry = dx * math.sin(a) + dy * math.cos(a)
        return (
            self.width_mm / 2 + rx / self.metres_per_mm,
            self.height_mm / 2 - ry / self.metres_per_mm,
        )

    def to_mm(self, x_m: float, y_m: float) -> tuple[float, float]:
        """Local metres to map millimetres (y down)."""
        x, y = self.project(np.array(x_m), np.array(y_m))
        return float(x), float(y)

    def lonlat_to_mm(self, lon: float, lat: float) -> tuple[float, float]:
        """WGS-84 to map millimetres."""
        x, y = self.metric.to_metres(lon, lat)
        return self.to_mm(float(x), float(y))

    def bbox_lonlat(self, margin_mm: float = 0.0) -> tuple[float, float, float, float]:
        """Return the frame (grown by ``margin_mm``) as lon_min, lat_min, lon_max, lat_max."""
        half_w = (self.width_mm / 2 + margin_mm) * self.metres_per_mm
        half_h = (self.height_mm / 2 + margin_mm) * self.metres_per_mm
        a = math.radians(self.rotation_deg)
        corners = np.array(
            [(-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h)]
        )
        # paper offsets back to ground metres: the inverse of the heads-up turn
        xs = self.centre_x_m + corners[:, 0] * math.cos(a) + corners[:, 1] * math.sin(a)
        ys = self.centre_y_m - corners[:, 0] * math.sin(a) + corners[:, 1] * math.cos(a)
        lon, lat = self.metric.to_lonlat(xs, ys)
        return (float(min(lon)), float(min(lat)), float(max(lon)), float(max(lat)))

    def north_deg(self) -> float:
        """Where north points on the paper, degrees clockwise from the top (for the arrow)."""
        return -self.rotation_deg % 360.0


#: "You are here" stays within this share of the frame's width (and height) of its centre:
#: enough to fit a lopsided 15-minute area better, or to show less beyond the map data.
MAX_OFF_CENTRE = 0.12


def _turned(geom: BaseGeometry, rotation_deg: float) -> BaseGeometry:
    return shapely.affinity.rotate(geom, rotation_deg, origin=(0.0, 0.0))


def fit_frame(
    content: BoardContent,
    *,
    width_mm: float,
    height_mm: float,
    frame_m: float = 0.0,
    data_hull: BaseGeometry | None = None,
) -> Frame:
    """Frame the board's 15-minute area (or ``frame_m`` metres around it) around "you are here".

    The board stands at the centre, or within :data:`MAX_OFF_CENTRE` of it where that lets
    the 15-minute area fit at a larger scale or keeps the frame within the map data
    (``data_hull``, WGS-84). The scale is the smallest of :data:`NICE_SCALES` that shows the
    whole area; the map is turned heads-up when the board's facing is known.
    """
    board = content.board
    metric = local_metric_transformer(board.lon, board.lat)
    rotation = content.facing_deg or 0.0
    if frame_m > 0:
        x0, y0, x1, y1 = -frame_m, -frame_m, frame_m, frame_m
    elif content.walk_areas and not content.walk_areas[-1].is_empty:
        area = _turned(metric.geometry_to_metres(content.walk_areas[-1]), rotation)
        x0, y0, x1, y1 = (v * 1.05 for v in area.bounds)
    else:
        x0, y0, x1, y1 = -600.0, -600.0, 600.0, 600.0
    need = max(_half_needed(x0, x1) / width_mm, _half_needed(y0, y1) / height_mm) * 2000.0
    scale = next((s for s in NICE_SCALES if s >= need), NICE_SCALES[-1])
    half_x, half_y = width_mm * scale / 2000.0, height_mm * scale / 2000.0
    hull = None
    if data_hull is not None and not data_hull.is_empty:
        hull = _turned(metric.geometry_to_metres(data_hull), rotation).bounds
    shift_x = _centre(half_x, (x0, x1), None if hull is None else (hull[0], hull[2]))
    shift_y = _centre(half_y, (y0, y1), None if hull is None else (hull[1], hull[3]))
    # the shift is in turned (paper) axes; the centre is kept in ground metres
    a = math.radians(rotation)
    cx = shift_x * math.cos(a) + shift_y * math.sin(a)
    cy = -shift_x * math.sin(a) + shift_y * math.cos(a)
    return Frame(metric, cx, cy, width_mm, height_mm, scale, rotation)


def _half_needed(low: float, high: float) -> float:
    """Half-width of the smallest window that holds [low, high] with 0 near its centre."""
    return max((high - low) / 2, max(high, -low, 1.0) / (1 + 2 * MAX_OFF_CENTRE))


def _centre(half: float, area: tuple[float, float], data: tuple[float, float] | None) -> float:
    """Where a window of half-width ``half`` goes: on the area, kept within the data."""
    most = MAX_OFF_CENTRE * 2 * half
    low, high = area
    wanted = (low + high) / 2 if high - low > 0 else 0.0
    wanted = max(-most, min(most, wanted))
    if data is not None:
        left, right = data
        if right - left <= 2 * half:
            wanted = (left + right) / 2  # the data is narrower than the frame: centre on it
        elif wanted - half < left:
            wanted = left + half
        elif wanted + half > right:
            wanted = right - half
        # never at the cost of the area itself
        wanted = min(max(wanted, high - half), low + half) if high - low <= 2 * half else wanted
    return max(-most, min(most, wanted))


@dataclass(frozen=True)
class PlacedMarker:
    """A numbered marker at ``x``/``y`` mm; ``anchor`` is the facility's true spot.

    ``arrow_deg`` is set for a facility outside the frame: the marker sits at the edge and
    points (degrees, 0 = east, counter-clockwise on paper) towards it.
    """

    item: ListedFacility
    x: float
    y: float
    anchor_x: float
    anchor_y: float
    size: float
    arrow_deg: float | None = None

    @property
    def box(self) -> Polygon:
        """The square the marker (and its arrow head) covers."""
        half = self.size / 2 * (1.5 if self.arrow_deg is not None else 1.0)
        return shapely.box(self.x - half, self.y - half, self.x + half, self.y + half)

    @property
    def displaced(self) -> bool:
        """Whether the marker was pushed away from its facility (a leader line is drawn)."""
        return (
            self.arrow_deg is None
            and math.hypot(self.x - self.anchor_x, self.y - self.anchor_y) > 0.05
        )


@dataclass(frozen=True)
class PlacedLabel:
    """A text label: ``x``/``y`` its centre, ``angle_deg`` its rotation (clockwise, SVG)."""

    kind: str
    text: str
    x: float
    y: float
    size_mm: float
    angle_deg: float
    box: Polygon


@dataclass(frozen=True)
class MapLayout:
    """Where everything on the map goes; ``obstacles`` are the map furniture's boxes."""

    frame: Frame
    here: tuple[float, float]
    here_box: Polygon
    markers: tuple[PlacedMarker, ...]
    labels: tuple[PlacedLabel, ...]
    obstacles: tuple[Polygon, ...]

    def boxes(self) -> list[tuple[str, Polygon]]:
        """Every placed box with what it is, for overlap checks."""
        found: list[tuple[str, Polygon]] = [("here", self.here_box)]
        found += [(f"marker {m.item.number}", m.box) for m in self.markers]
        found += [(f"{label.kind} {label.text}", label.box) for label in self.labels]
        return found


class Occupied:
    """The boxes placed so far, for the overlap test of the next candidate."""

    def __init__(self, boxes: Iterable[Polygon], *, width_mm: float, height_mm: float) -> None:
        self.boxes: list[Polygon] = list(boxes)
        self.inside = shapely.box(EDGE_MM, EDGE_MM, width_mm - EDGE_MM, height_mm - EDGE_MM)

    def free(self, box: Polygon) -> bool:
        """Whether ``box`` lies inside the map and touches nothing placed."""
        if not self.inside.contains(box):
            return False
        return not any(box.intersects(other) for other in self.boxes)

    def take(self, box: Polygon) -> None:
        """Mark ``box`` as used."""
        self.boxes.append(box)


def label_box(x: float, y: float, *, text: str, size_mm: float, angle_deg: float = 0.0) -> Polygon:
    """Return the box of a label centred at ``x``/``y`` (turned clockwise by ``angle_deg``)."""
    half_w = text_width_em(text) * size_mm / 2 + 0.12 * size_mm
    half_h = 0.62 * size_mm
    corners = [(-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h)]
    a = math.radians(angle_deg)
    cos, sin = math.cos(a), math.sin(a)
    return Polygon([(x + cx * cos - cy * sin, y + cx * sin + cy * cos) for cx, cy in corners])


def ring_offsets(step: float, rings: int) -> list[tuple[float, float]]:
    """Candidate displacements: the spot itself, then rings of growing radius.

    >>> ring_offsets(1.0, 1)[:2]
    [(0.0, 0.0), (1.0, 0.0)]
    """
    return list(_ring_offsets(step, rings))


@functools.lru_cache(maxsize=64)
def _ring_offsets(step: float, rings: int) -> tuple[tuple[float, float], ...]:
    """Return :func:`ring_offsets`, computed once per step and number of rings."""
    found = [(0.0, 0.0)]
    for k in range(1, rings + 1):
        n = 6 * k
        found += [
            (
                round(k * step * math.cos(2 * math.pi * i / n), 6),
                round(k * step * math.sin(2 * math.pi * i / n), 6),
            )
            for i in range(n)
        ]
    return tuple(found)


def edge_point(
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    width: float,
    height: float,
    inset: float,
) -> tuple[float, float, float]:
    """Where the ray from ``start`` towards ``end`` leaves the inset frame, and its angle.

    >>> edge_point((50, 50), (150, 50), width=100, height=100, inset=5)
    (95.0, 50.0, 0.0)
    """
    dx, dy = end[0] - start[0], end[1] - start[1]
    limits = []
    for delta, origin, low, high in (
        (dx, start[0], inset, width - inset),
        (dy, start[1], inset, height - inset),
    ):
        if delta > 0:
            limits.append((high - origin) / delta)
        elif delta < 0:
            limits.append((low - origin) / delta)
    step = max(0.0, min(limits)) if limits else 0.0
    angle = math.degrees(math.atan2(-dy, dx))
    return (start[0] + dx * step, start[1] + dy * step, round(angle, 6))


def place_markers(
    items: Sequence[ListedFacility],
    *,
    frame: Frame,
    here: tuple[float, float],
    occupied: Occupied,
    size_mm: float,
) -> list[PlacedMarker]:
    """Place markers nearest first; push a marker aside (or to the edge) until it is free."""
    placed = []
    inset = size_mm * 1.1
    for item in sorted(items, key=lambda i: (i.cost, i.number)):
        ax, ay = frame.lonlat_to_mm(item.lon, item.lat)
        arrow = None
        x, y = ax, ay
        if not (inset <= ax <= frame.width_mm - inset and inset <= ay <= frame.height_mm - inset):
            x, y, arrow = edge_point(
                here, (ax, ay), width=frame.width_mm, height=frame.height_mm, inset=inset
            )
        offsets = (
            _along_edge((x, y), frame, inset=inset, step=size_mm * 1.08)
            if arrow is not None
            else ring_offsets(size_mm * 1.08, 9)
        )
        marker = _free_spot(
            item, (x, y), (ax, ay), arrow, offsets, occupied=occupied, size_mm=size_mm
        )
        if marker is not None:
            occupied.take(marker.box)
            placed.append(marker)
    return placed


def _along_edge(
    spot: tuple[float, float], frame: Frame, *, inset: float, step: float
) -> list[tuple[float, float]]:
    """Displacements of an edge arrow: along its edge first (both ways), then inwards.

    In a dense area many arrows point the same way; sliding along the edge keeps each at the
    edge it points through instead of pushing it into the map.
    """
    x, _ = spot
    on_side = min(x, frame.width_mm - x) <= inset + 1e-6
    along = [(0.0, k * step) if on_side else (k * step, 0.0) for k in range(1, 13)]
    slides = [(0.0, 0.0)] + [o for dx, dy in along for o in ((dx, dy), (-dx, -dy))]
    return slides + ring_offsets(step, 9)[1:]


def _free_spot(
    item: ListedFacility,
    spot: tuple[float, float],
    anchor: tuple[float, float],
    arrow: float | None,
    offsets: Sequence[tuple[float, float]],
    *,
    occupied: Occupied,
    size_mm: float,
) -> PlacedMarker | None:
    for dx, dy in offsets:
        marker = PlacedMarker(item, spot[0] + dx, spot[1] + dy, *anchor, size_mm, arrow)
        if occupied.free(marker.box):
            return marker
    return None


def place_label(
    kind: str,
    text: str,
    candidates: Iterable[tuple[float, float, float]],
    *,
    size_mm: float,
    occupied: Occupied,
) -> PlacedLabel | None:
    """Place a label at the first free candidate (centre x, y, angle); None if none is."""
    for x, y, angle in candidates:
        box = label_box(x, y, text=text, size_mm=size_mm, angle_deg=angle)
        if occupied.free(box):
            occupied.take(box)
            return PlacedLabel(kind, text, x, y, size_mm, angle, box)
    return None


def around(
    box: Polygon, *, text: str, size_mm: float, gap_mm: float
) -> list[tuple[float, float, float]]:
    """Label centres right, left, above, below and at the corners of ``box``."""
    x0, y0, x1, y1 = box.bounds
    half_w = text_width_em(text) * size_mm / 2 + 0.12 * size_mm + gap_mm
    half_h = 0.62 * size_mm + gap_mm
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    spots = [
        (x1 + half_w, cy),
        (x0 - half_w, cy),
        (cx, y0 - half_h),
        (cx, y1 + half_h),
        (x1 + half_w, y0 - half_h * 0.6),
        (x1 + half_w, y1 + half_h * 0.6),
        (x0 - half_w, y0 - half_h * 0.6),
        (x0 - half_w, y1 + half_h * 0.6),
    ]
    return [(x, y, 0.0) for x, y in spots]
