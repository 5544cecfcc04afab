"""The map's words as real PDF text in the batch's subset font, drawn without WeasyPrint.

WeasyPrint lays out every SVG ``<text>`` with Pango, which took a quarter of a board's time
for its ~190 map words. The words of a map are single lines at known places, so they are
written here as PDF text operators instead: each character is its glyph in the batch's
subset Noto Sans CJK SC (:mod:`lifecircle.boards.fonts`), advanced by the font's own widths,
anchored (start, middle, end) and turned like the SVG did. The page gets a Type 0 font per
weight, cut down to the board's glyphs, with a ToUnicode map so the text stays selectable,
searchable and read back by the print checks. Pure bytes and pikepdf objects; no layout.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from fontTools.ttLib import TTFont

from lifecircle.boards.basepdf import Placement, colour_operator, page_resources
from lifecircle.boards.fonts import BoardFonts, subset_glyphs
from lifecircle.boards.symbols import PT_MM

#: Resource names of the two weights on the page (WeasyPrint names its own fonts otherwise).
RESOURCE = {False: "LcTextR", True: "LcTextB"}


@dataclass(frozen=True)
class TextRun:
    """One line of map text, as SVG drew it (map millimetres, y downwards).

    ``x``, ``y`` is the baseline point the ``anchor`` (start, middle, end) refers to; the
    run is turned ``angle_deg`` (clockwise, as SVG ``rotate``) about ``centre`` (default:
    that point); ``clip`` (x, y, width, height) hides what leaves its box, as CSS ``overflow``.
    """

    text: str
    x: float
    y: float
    size_mm: float
    fill: str = "#1a1a1a"
    bold: bool = False
    anchor: str = "start"
    angle_deg: float = 0.0
    centre: tuple[float, float] | None = None
    clip: tuple[float, float, float, float] | None = None


@dataclass(frozen=True, eq=False)
class Face:
    """The glyph ids and advances of one subset font file (read once per process)."""

    path: Path
    name: str
    upem: int
    ascent: int
    descent: int
    x_height: int
    glyph_of: dict[int, int]
    advance: list[int]

    def glyphs(self, text: str) -> list[int]:
        """Glyph ids of ``text``'s characters (0, the .notdef box, where the font has none)."""
        return [self.glyph_of.get(ord(char), 0) for char in text]

    def width_em(self, glyphs: Sequence[int]) -> float:
        """Advance of ``glyphs`` in em."""
        return sum(self.advance[g] for g in glyphs) / self.upem


@functools.lru_cache(maxsize=4)
def face(path: Path) -> Face:
    """Read ``path``'s character map and advance widths."""
    with TTFont(str(path), lazy=True) as font:
        order = font.getGlyphOrder()
        metrics = font["hmtx"].metrics
        glyph_ids = font.getReverseGlyphMap()
        glyph_of = {code: glyph_ids[name] for code, name in font.getBestCmap().items()}
        name = font["name"].getDebugName(6) or path.stem
        return Face(
            path,
            name.replace(" ", ""),
            font["head"].unitsPerEm,
            font["hhea"].ascent,
            font["hhea"].descent,
            font["OS/2"].sxHeight,
            glyph_of,
            [metrics[g][0] for g in order],
        )


def _matrix(run: TextRun, width_mm: float, at: Placement) -> tuple[float, ...]:
    """Return the text matrix (points) putting the run's start on its baseline, turned."""
    shift = {"middle": width_mm / 2, "end": width_mm}.get(run.anchor, 0.0)
    cx, cy = run.centre if run.centre is not None else (run.x, run.y)
    a = math.radians(run.angle_deg)
    cos, sin = math.cos(a), math.sin(a)
    dx, dy = run.x - shift - cx, run.y - cy
    x, y = cx + dx * cos - dy * sin, cy + dx * sin + dy * cos
    page_x = (at.left_mm + x) / PT_MM
    page_y = (at.page_height_mm - at.top_mm - y) / PT_MM
    return (cos, -sin, sin, cos, page_x, page_y)


def _clip(box: tuple[float, float, float, float], at: Placement) -> str:
    """Save the state and clip to ``box`` (x, y, width, height in ``at``'s millimetres)."""
    x, y, w, h = box
    left, foot = (at.left_mm + x) / PT_MM, (at.page_height_mm - at.top_mm - y - h) / PT_MM
    return f"q {left:.3f} {foot:.3f} {w / PT_MM:.3f} {h / PT_MM:.3f} re W n"


def text_operators(
    runs: Iterable[TextRun], faces: dict[bool, Face], at: Placement, *, cmyk: bool
) -> tuple[bytes, dict[bool, set[int]]]:
    """PDF operators drawing ``runs`` (clipped to ``at``) and the glyphs each weight uses."""
    used: dict[bool, set[int]] = {False: set(), True: set()}
    x0 = at.left_mm / PT_MM
    y0 = (at.page_height_mm - at.top_mm - at.height_mm) / PT_MM
    ops = ["q", f"{x0:.2f} {y0:.2f} {at.width_mm / PT_MM:.2f} {at.height_mm / PT_MM:.2f} re W n"]
    for run in runs:
        font = faces[run.bold]
        glyphs = font.glyphs(run.text)
        if not glyphs:
            continue
        used[run.bold].update(glyphs)
        matrix = _matrix(run, font.width_em(glyphs) * run.size_mm, at)
        if run.clip is not None:
            ops.append(_clip(run.clip, at))
        ops.append("BT " + colour_operator(run.fill, stroke=False, cmyk=cmyk))
        ops.append(f"/{RESOURCE[run.bold]} {run.size_mm / PT_MM:.3f} Tf")
        ops.append(
            " ".join(f"{v:.4f}" for v in matrix[:4]) + f" {matrix[4]:.3f} {matrix[5]:.3f} Tm"
        )
        glyph_hex = "".join(f"{g:04x}" for g in glyphs)
        ops.append(f"<{glyph_hex}> Tj ET" + (" Q" if run.clip is not None else ""))
    ops += ["Q", ""]
    return "\n".join(ops).encode("ascii"), used


def faces_of(fonts: BoardFonts) -> dict[bool, Face]:
    """Return the regular (False) and bold (True) faces of the batch's fonts."""
    return {False: face(fonts.regular), True: face(fonts.bold)}


def _to_unicode(font: Face, glyphs: Iterable[int]) -> bytes:
    """Return a ToUnicode CMap of ``glyphs`` (the first character each stands for)."""
    chars: dict[int, int] = {}
    for code, glyph in sorted(font.glyph_of.items()):
        chars.setdefault(glyph, code)
    pairs = [(g, chars[g]) for g in sorted(glyphs) if g in chars]
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <ffff> endcodespacerange",
    ]
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        for glyph, code in chunk:
            lines.append(f"<{glyph:04x}> <{chr(code).encode('utf-16-be').hex()}>")
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    return "\n".join(lines).encode("ascii")


def _widths(font: Face, glyphs: Sequence[int]) -> pikepdf.Array:
    out: list[object] = []
    for glyph in glyphs:
        out += [glyph, [round(font.advance[glyph] * 1000 / font.upem)]]
    return pikepdf.Array(out)


def font_object(pdf: pikepdf.Pdf, font: Face, glyphs: set[int]) -> pikepdf.Object:
    """Make a Type 0 font of ``font`` cut down to ``glyphs`` (codes are the glyph ids)."""
    kept = sorted({0, *glyphs})
    data = subset_glyphs(font.path, kept)
    tag = hashlib.sha1(bytes(str(kept), "ascii")).hexdigest()[:6].upper()
    tag = "".join(chr(ord("A") + int(c, 16) % 26) for c in tag)
    base = pikepdf.Name(f"/{tag}+{font.name}")
    scale = 1000 / font.upem
    file = pikepdf.Stream(pdf, data)
    file.Subtype = pikepdf.Name.OpenType
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=base,
        Flags=4,
        FontBBox=[0, round(font.descent * scale), 1000, round(font.ascent * scale)],
        ItalicAngle=0,
        Ascent=round(font.ascent * scale),
        Descent=round(font.descent * scale),
        CapHeight=round(font.ascent * scale),
        StemV=80,
        FontFile3=pdf.make_indirect(file),
    )
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType0,
        BaseFont=base,
        CIDSystemInfo=pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        W=_widths(font, kept),
    )
    to_unicode = pikepdf.Stream(pdf, _to_unicode(font, kept))
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=base,
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[pdf.make_indirect(cid_font)],
            ToUnicode=pdf.make_indirect(to_unicode),
        )
    )


def draw_over(
    pdf: pikepdf.Pdf, stream: bytes, used: dict[bool, set[int]], faces: dict[bool, Face]
) -> None:
    """Draw ``stream`` (from :func:`text_operators`) over the first page, with its fonts.

    The page's own drawing is wrapped in ``q``/``Q`` first, so whatever state it leaves
    (WeasyPrint turns the page upside down) does not reach the text.
    """
    page, fonts = pdf.pages[0], page_resources(pdf, "/Font")
    for bold, glyphs in used.items():
        if glyphs:
            fonts[f"/{RESOURCE[bold]}"] = font_object(pdf, faces[bold], glyphs)
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ\n" + stream), prepend=False)
