"""The facility list drawn straight into the PDF: headings, number badges, names and minutes.

The list is fixed lines at known places (:mod:`lifecircle.boards.listing` measured them), so
WeasyPrint's layout and CSS cascade of its ~200 absolutely placed boxes were pure overhead
(a third of a board's time). This module draws the same boxes as the page's CSS described
them: each line's text on the baseline CSS would give it (half the leading above, the font's
ascent), centred where the CSS centred it, clipped to its box; the badges as rounded,
bordered plates; each heading with its area's sign and a rule under it. Text is real PDF text
(:mod:`lifecircle.boards.pdftext`). Returns operators and text runs; writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lifecircle.boards.basepdf import Placement, colour_operator
from lifecircle.boards.content import BoardContent, ListedFacility
from lifecircle.boards.listing import (
    BADGE_EM,
    ListGeometry,
    Unit,
    balanced_columns,
    list_geometry,
    units_of,
)
from lifecircle.boards.options import Paper
from lifecircle.boards.page import BAND
from lifecircle.boards.pdftext import Face, TextRun
from lifecircle.boards.symbols import PT_MM, SHAPES, ink_on
from lifecircle.i18n import t
from lifecircle.taxonomy import ContentArea

#: Béziers' control distance for a quarter circle of radius 1.
KAPPA = 0.5523
_TOKENS = re.compile(r"[MLCZ]|-?\d*\.?\d+")


@dataclass(frozen=True)
class Grid:
    """Horizontal positions of one list column's parts (mm from the list's left)."""

    left: float
    badge: float
    label: float
    minutes: tuple[float, ...]
    minutes_mm: float
    width: float


def grid(k: int, geo: ListGeometry, paper: Paper) -> Grid:
    """Return the positions of column ``k``'s badge, label and minutes."""
    left = k * (geo.column_mm + geo.gutter_mm)
    badge = BADGE_EM * paper.name_pt * PT_MM
    label = left + badge
    first = label + geo.label_mm + 0.4 * paper.name_pt * PT_MM
    minutes = tuple(first + n * geo.minutes_mm for n in range(geo.minute_columns))
    return Grid(left, badge, label, minutes, geo.minutes_mm, geo.column_mm)


@dataclass
class Drawing:
    """What the list draws: path operators (list millimetres, y down) and text runs."""

    paper: Paper
    geo: ListGeometry
    faces: dict[bool, Face]
    cmyk: bool
    ops: list[str] = field(default_factory=list)
    runs: list[TextRun] = field(default_factory=list)

    def width(self, text: str, size_pt: float, *, bold: bool) -> float:
        """Advance of ``text`` (mm) at ``size_pt``."""
        face = self.faces[bold]
        return face.width_em(face.glyphs(text)) * size_pt * PT_MM

    def baseline(self, size_pt: float, line_mm: float) -> float:
        """Distance from a line box's top to its baseline: half the leading, then the ascent."""
        face = self.faces[False]
        ascent, descent = face.ascent / face.upem, -face.descent / face.upem
        return line_mm / 2 + (ascent - descent) / 2 * size_pt * PT_MM

    def text(self, text: str, box: Box, style: Style, *, indent: float = 0.0) -> None:
        """Set one line of text in ``box`` as CSS sets it: its line box at the box's top."""
        text = " ".join(text.split())
        if not text:
            return
        x, y, w, _ = box
        if style.centred:
            indent += max(0.0, (w - self.width(text, style.size_pt, bold=style.bold)) / 2)
        self.runs.append(
            TextRun(
                text,
                x + indent,
                y + self.baseline(style.size_pt, style.line_mm),
                style.size_pt * PT_MM,
                fill=style.fill,
                bold=style.bold,
                clip=box,
            )
        )

    def fill(self, colour: str, path: str) -> None:
        """Fill ``path`` with ``colour``."""
        self.ops.append(colour_operator(colour, stroke=False, cmyk=self.cmyk))
        self.ops.append(path + "f")


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Style:
    """A line's type: size (pt), line height (mm), colour, weight, alignment."""

    size_pt: float
    line_mm: float
    fill: str
    bold: bool = False
    centred: bool = False


def _rounded(x: float, y: float, w: float, h: float, r: float) -> str:
    """Path of a rectangle with corners rounded by ``r``."""
    r = max(0.0, min(r, w / 2, h / 2))
    k = r * (1 - KAPPA)
    return (
        f"{x + r:.3f} {y:.3f} m {x + w - r:.3f} {y:.3f} l "
        f"{x + w - k:.3f} {y:.3f} {x + w:.3f} {y + k:.3f} {x + w:.3f} {y + r:.3f} c "
        f"{x + w:.3f} {y + h - r:.3f} l "
        f"{x + w:.3f} {y + h - k:.3f} {x + w - k:.3f} {y + h:.3f} {x + w - r:.3f} {y + h:.3f} c "
        f"{x + r:.3f} {y + h:.3f} l "
        f"{x + k:.3f} {y + h:.3f} {x:.3f} {y + h - k:.3f} {x:.3f} {y + h - r:.3f} c "
        f"{x:.3f} {y + r:.3f} l {x:.3f} {y + k:.3f} {x + k:.3f} {y:.3f} {x + r:.3f} {y:.3f} c h\n"
    )


def shape_operators(shape: str, cx: float, cy: float, r: float) -> str:
    """Path of a marker shape (:data:`~lifecircle.boards.symbols.SHAPES`) of radius ``r``."""
    if shape not in SHAPES or shape == "circle":
        return _rounded(cx - r, cy - r, 2 * r, 2 * r, r)
    out: list[str] = []
    numbers: list[float] = []
    command = ""
    for token in [*_TOKENS.findall(SHAPES[shape]), "Z"]:
        if token in ("M", "L", "C", "Z"):
            pairs = zip(numbers[::2], numbers[1::2], strict=True)
            points = " ".join(f"{cx + a * r:.3f} {cy + b * r:.3f}" for a, b in pairs)
            if points:
                out.append(f"{points} {_PDF[command]}")
            if token == "Z" and command:
                out.append("h")
            command, numbers = token, []
        else:
            numbers.append(float(token))
    return "\n".join(out) + "\n"


_PDF = {"M": "m", "L": "l", "C": "c"}


def _badge(d: Drawing, item: ListedFacility, area: ContentArea, x: float, y: float) -> None:
    """Draw the number on its area's colour: a rounded plate with a dark border."""
    paper, geo = d.paper, d.geo
    h = geo.name_mm * 0.86
    w = BADGE_EM * paper.name_pt * PT_MM * 0.86
    top = y + (geo.name_mm - h) / 2
    border = paper.name_pt * 0.05 * PT_MM
    radius = paper.name_pt * 0.3 * PT_MM
    d.fill(area.color, _rounded(x, top, w, h, radius))
    d.ops.append(colour_operator("#1a1a1a", stroke=True, cmyk=d.cmyk))
    d.ops.append(f"{border:.3f} w")
    half = border / 2
    d.ops.append(_rounded(x + half, top + half, w - border, h - border, radius - half) + "S")
    inner = (x + border, top + border, w - 2 * border, h - 2 * border)
    style = Style(paper.name_pt * 0.82, h - 0.4, ink_on(area.color), bold=True, centred=True)
    d.text(str(item.number), inner, style)


def _minutes(d: Drawing, walk: str, box: Box) -> None:
    """Draw "12分钟": the number bold at the name size, its unit smaller, centred together."""
    paper, geo = d.paper, d.geo
    match = re.fullmatch(r"(\d+)\s*(.*)", walk)
    number, unit = (match.group(1), match.group(2)) if match else (walk or "—", "")
    big = Style(paper.name_pt, geo.name_mm, BAND, bold=True)
    small = Style(paper.detail_pt, geo.name_mm, BAND)
    wide = d.width(number, big.size_pt, bold=True)
    total = wide + d.width(unit, small.size_pt, bold=False)
    indent = max(0.0, (box[2] - total) / 2)
    d.text(number, box, big, indent=indent)
    baseline = d.baseline(big.size_pt, big.line_mm) - d.baseline(small.size_pt, small.line_mm)
    d.text(unit, (box[0], box[1] + baseline, box[2], box[3]), small, indent=indent + wide)


def _item(d: Drawing, item: ListedFacility, area: ContentArea, g: Grid, y: float) -> None:
    paper, geo = d.paper, d.geo
    _badge(d, item, area, g.left, y)
    label = (g.label, y, g.minutes[0] - g.label, geo.name_mm)
    d.text(item.label, label, Style(paper.name_pt, geo.name_mm, "#1f1f1f", bold=True))
    cells = [item.walk, item.walk_other][: len(g.minutes)]
    for x, value in zip(g.minutes, cells, strict=True):
        _minutes(d, value, (x, y, g.minutes_mm, geo.name_mm))
    if item.detail:
        box = (g.label, y + geo.name_mm, g.left + g.width - g.label, geo.detail_mm)
        d.text(item.detail, box, Style(paper.detail_pt, geo.detail_mm, "#333333"))


def _heading(d: Drawing, area: ContentArea, name: str, g: Grid, y: float, h: float) -> None:
    """Draw an area's heading: its sign, its name in bold, a rule under it."""
    paper = d.paper
    size = paper.name_pt * 0.95
    line = d.geo.head_mm * 0.9
    rule = paper.name_pt * 0.06 * PT_MM
    d.fill("#8a8a8a", f"{g.left:.3f} {y + h - rule:.3f} {g.width:.3f} {rule:.3f} re\n")
    icon = paper.name_pt * PT_MM
    face = d.faces[True]
    x_height = face.x_height / face.upem * size * PT_MM
    cy = y + d.baseline(size, line) - x_height / 2
    scale = icon / 2.6  # the sign's SVG view box is 2.6 units wide
    d.ops.append(colour_operator(area.color, stroke=False, cmyk=d.cmyk))
    d.ops.append(colour_operator("#1a1a1a", stroke=True, cmyk=d.cmyk))
    d.ops.append(f"{0.12 * scale:.3f} w 0 J 0 j")
    d.ops.append(shape_operators(area.shape, g.left + icon / 2, cy, scale) + "B")
    space = d.width(" ", size, bold=True)
    box = (g.left, y, g.width, h)
    d.text(name, box, Style(size, line, "#1f1f1f", bold=True), indent=icon + space)


def _column(
    d: Drawing,
    units: Sequence[Unit],
    g: Grid,
    content: BoardContent,
    areas: Mapping[str, ContentArea],
) -> None:
    paper, geo = d.paper, d.geo
    head = Style(paper.detail_pt, paper.detail_pt * 1.1 * PT_MM, "#444444", centred=True)
    what = Style(head.size_pt, head.line_mm, head.fill)
    d.text(
        t("boards.list_head", content.lang),
        (g.label, 0, g.minutes[0] - g.label, geo.header_mm),
        what,
    )
    for x, name in zip(g.minutes, content.minute_heads, strict=False):
        d.text(name, (x, 0, g.minutes_mm, geo.header_mm), head)
    y = geo.header_mm
    name_key = "name_zh" if content.lang == "zh" else "name_en"
    for unit in units:
        area = areas[unit.area]
        if unit.index is None:
            _heading(d, area, getattr(area, name_key), g, y, unit.height_mm)
        else:
            _item(d, content.items[unit.index], area, g, y)
        y += unit.height_mm


def draw_list(
    content: BoardContent,
    paper: Paper,
    areas: Mapping[str, ContentArea],
    faces: dict[bool, Face],
    *,
    cmyk: bool,
) -> Drawing:
    """Lay the list out in the columns :mod:`~lifecircle.boards.listing` measured, and draw it."""
    geo = list_geometry(paper, minute_columns=len(content.minute_heads) or 1)
    drawing = Drawing(paper, geo, faces, cmyk)
    if not content.items:
        return drawing
    groups = units_of([i.area for i in content.items], [bool(i.detail) for i in content.items], geo)
    filled = balanced_columns(groups, geo) or [[u for g in groups for u in g]]
    for k, units in enumerate(filled):
        _column(drawing, units, grid(k, geo, paper), content, areas)
    return drawing


def path_stream(drawing: Drawing, at: Placement) -> bytes:
    """Return the list's paths, in list millimetres turned into page points (y up)."""
    if not drawing.ops:
        return b""
    s = 1 / PT_MM
    x, y = at.left_mm * s, (at.page_height_mm - at.top_mm) * s
    body = "\n".join(drawing.ops)
    return f"q\n{s:.6f} 0 0 {-s:.6f} {x:.3f} {y:.3f} cm\n{body}\nQ\n".encode("ascii")
