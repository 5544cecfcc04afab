"""Render one board: lay out its map, write the vector PDF (WeasyPrint), preview and check it.

WeasyPrint draws the page (title, map signs, list, foot strip); the map's base layers go
under it (:mod:`lifecircle.boards.basepdf`) and the map's words over it as PDF text
(:mod:`lifecircle.boards.pdftext`). Runs in worker processes; :class:`Scene` holds what every
board of a batch shares (streets, base map, content areas, fonts) so a worker receives it
once. After writing, the board is checked as it will be printed
(:mod:`lifecircle.boards.preflight`): its QR code is decoded from the rendered page and the
sizes of its text are read back from the PDF. It decides no content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pikepdf
import pypdfium2
import weasyprint
from PIL import Image

from lifecircle.boards.basepdf import Placement, base_stream, draw_under
from lifecircle.boards.content import BoardContent, fewer_items
from lifecircle.boards.fonts import BoardFonts
from lifecircle.boards.layout import MapLayout, fit_frame
from lifecircle.boards.listpdf import Drawing, draw_list, path_stream
from lifecircle.boards.mapbase import base_layers
from lifecircle.boards.mapstyle import ComposedMap
from lifecircle.boards.mapsvg import compose_map, map_svg
from lifecircle.boards.options import PAPERS, Paper
from lifecircle.boards.page import fitted_paper, map_size_mm, map_top_mm, page_html, qr_box_mm
from lifecircle.boards.pdftext import TextRun, draw_over, faces_of, text_operators
from lifecircle.boards.places import MapExtras
from lifecircle.boards.preflight import check_qr, check_sizes, printed_text
from lifecircle.boards.printing import PrintOptions, to_cmyk
from lifecircle.boards.scenery import StreetNet, map_scenery
from lifecircle.boards.symbols import PT_MM
from lifecircle.cache.basemap import Basemap
from lifecircle.errors import Msg
from lifecircle.taxonomy import ContentArea

PREVIEW_WIDTH_PX = 800
#: The QR code is read from its part of the page rendered at this many pixels per millimetre
#: (40 mm and larger codes; smaller ones proportionally finer): 4 or more per module.
QR_PX_PER_MM = 4.0
#: At most this many times a board drops a fifth of its list to fit on one page.
MAX_SHRINKS = 4


@dataclass(frozen=True, eq=False)
class Scene:
    """What every board of one batch draws from."""

    net: StreetNet
    basemap: Basemap
    areas: Mapping[str, ContentArea]
    fonts: BoardFonts


@dataclass(frozen=True)
class BoardJob:
    """One board to render: its content, paper, frame, map extras and where its files go."""

    content: BoardContent
    paper: str
    frame_m: float
    pdf: Path
    png: Path | None
    extras: MapExtras = field(default_factory=MapExtras)
    printing: PrintOptions = field(default_factory=PrintOptions)


@dataclass(frozen=True, eq=False)
class RenderedBoard:
    """The files of one rendered board, its map layout and what its checks found."""

    board_id: str
    pdf: Path
    png: Path | None
    layout: MapLayout
    html: str
    #: The map's signs (markers, plates, legend symbols) as drawn on its base layers.
    svg: str
    #: What was printed (fewer facilities than planned if the page had to be shortened).
    content: BoardContent
    #: Why the board is not fit to print (empty: it is).
    problems: tuple[Msg, ...] = ()


@dataclass(frozen=True, eq=False)
class Drawn:
    """A board laid out: its HTML page, its map's signs (SVG), words and base layers (PDF)."""

    html: str
    svg: str
    composed: ComposedMap
    base: bytes
    states: dict[str, float]
    texts: tuple[TextRun, ...]
    at: Placement
    listed: Drawing
    list_at: Placement


def board_html(job: BoardJob, scene: Scene) -> Drawn:
    """Lay out the board: its HTML document, the map's signs and its base layers."""
    paper = fitted_paper(job.content, PAPERS[job.paper])
    width_mm, height_mm = map_size_mm(paper)
    frame = fit_frame(
        job.content,
        width_mm=width_mm,
        height_mm=height_mm,
        frame_m=job.frame_m,
        data_hull=scene.net.hull,
    )
    scenery = map_scenery(
        frame, net=scene.net, basemap=scene.basemap, walk_areas=job.content.walk_areas
    )
    composed = compose_map(
        job.content, frame=frame, scenery=scenery, paper=paper, extras=job.extras
    )
    svg, texts = map_svg(composed, areas=scene.areas, content=job.content)
    cmyk = job.printing.cmyk
    html = page_html(
        job.content,
        map_svg=to_cmyk(svg) if cmyk else svg,
        paper=paper,
        font_css=scene.fonts.css(),
        street=job.extras.street,
        bleed_mm=job.printing.bleed_mm,
    )
    at = Placement(paper.margin_mm, map_top_mm(paper), width_mm, height_mm, paper.height_mm)
    base, states = base_stream(base_layers(composed, scenery), at, cmyk=cmyk)
    listed = draw_list(job.content, paper, scene.areas, faces_of(scene.fonts), cmyk=cmyk)
    list_top = map_top_mm(paper) + paper.map_mm + paper.gap_mm
    list_at = Placement(paper.margin_mm, list_top, width_mm, paper.list_mm, paper.height_mm)
    html = to_cmyk(html) if cmyk else html
    return Drawn(html, svg, composed, base, states, texts, at, listed, list_at)


def render_board(job: BoardJob, scene: Scene) -> RenderedBoard:
    """Write the board's PDF (and PNG preview), check it, and return where it is.

    A board whose list would spill onto a second page (which the list's arithmetic should
    prevent) drops its farthest facilities until it fits on one.
    """
    drawn = board_html(job, scene)
    document = weasyprint.HTML(string=drawn.html, base_url=str(job.pdf.parent)).render()
    for _ in range(MAX_SHRINKS):
        if len(document.pages) <= 1 or not job.content.items:
            break
        keep = int(len(job.content.items) * 0.8)
        job = replace(job, content=fewer_items(job.content, keep))
        drawn = board_html(job, scene)
        document = weasyprint.HTML(string=drawn.html, base_url=str(job.pdf.parent)).render()
    job.pdf.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(str(job.pdf))
    finish_pdf(job, drawn, scene)
    problems = check_board(job, drawn.composed)
    return RenderedBoard(
        job.content.board.board_id,
        job.pdf,
        job.png,
        drawn.composed.layout,
        drawn.html,
        drawn.svg,
        job.content,
        problems,
    )


def finish_pdf(job: BoardJob, drawn: Drawn, scene: Scene) -> None:
    """Put the map's base layers under WeasyPrint's page, the map's words and the list over it."""
    faces, cmyk = faces_of(scene.fonts), job.printing.cmyk
    words, used = text_operators(drawn.texts, faces, drawn.at, cmyk=cmyk)
    lines, listed = text_operators(drawn.listed.runs, faces, drawn.list_at, cmyk=cmyk)
    for bold, glyphs in listed.items():
        used[bold] |= glyphs
    over = words + path_stream(drawn.listed, drawn.list_at) + lines
    with pikepdf.open(job.pdf, allow_overwriting_input=True) as pdf:
        draw_under(pdf, drawn.base, drawn.states)
        draw_over(pdf, over, used, faces)
        pdf.save(job.pdf)


def check_board(job: BoardJob, composed: ComposedMap) -> tuple[Msg, ...]:
    """Decode the QR code from the rendered page and check the text sizes in the PDF.

    Writes the PNG preview from the same PDF.
    """
    paper = PAPERS[job.paper]
    pdf = pypdfium2.PdfDocument(str(job.pdf))
    try:
        page = pdf[0]  # parsed once for the three reads
        problems = check_qr(_qr_image(page, paper, bleed_mm=job.printing.bleed_mm), job.content.url)
        if problems:  # read the whole page before saying the code is wrong
            problems = check_qr(_page_image(page, paper, job.printing.bleed_mm), job.content.url)
        printed = printed_text(pdf, page=page)
        if job.png is not None:
            preview = _page_image(page, paper, job.printing.bleed_mm, width_px=PREVIEW_WIDTH_PX)
            preview.save(job.png, compress_level=1)
    finally:
        pdf.close()
    wanted = wanted_sizes(job.content, composed, paper)
    return tuple(problems + check_sizes(printed, wanted, fine_pt=paper.fine_pt))


def _qr_image(page: pypdfium2.PdfPage, paper: Paper, *, bleed_mm: float) -> Image.Image:
    """Render the part of the page where the QR code is, large enough to read every module."""
    left, top, right, bottom = qr_box_mm(paper)
    width_pt, height_pt = page.get_size()  # with the bleed, if any
    bleed = bleed_mm / PT_MM
    crop = (
        bleed + left / PT_MM,
        bleed + (paper.height_mm - bottom) / PT_MM,
        width_pt - bleed - right / PT_MM,
        height_pt - bleed - top / PT_MM,
    )
    scale = QR_PX_PER_MM * PT_MM * max(1.0, 40.0 / paper.qr_mm)
    image: Image.Image = page.render(scale=scale, crop=crop).to_pil().convert("RGB")
    return image


def _page_image(
    page: pypdfium2.PdfPage, paper: Paper, bleed_mm: float, *, width_px: int = 1600
) -> Image.Image:
    """Render the trimmed page ``width_px`` wide."""
    bleed_pt = bleed_mm / PT_MM
    scale = width_px / (paper.width_mm / PT_MM)
    rendered = page.render(scale=scale, crop=(bleed_pt, bleed_pt, bleed_pt, bleed_pt)).to_pil()
    image: Image.Image = rendered.convert("RGB")
    return image


def wanted_sizes(
    content: BoardContent, composed: ComposedMap, paper: Paper
) -> list[tuple[str, float]]:
    """Text and the least size (pt) it must be printed at on ``paper``."""
    wanted = [(item.label, paper.name_pt) for item in content.items]
    wanted += [(item.detail, paper.detail_pt) for item in content.items if item.detail]
    least = {
        "here": paper.here_pt,
        "facility": paper.label_pt,
        "walk": paper.label_pt,
        "landmark": paper.label_pt,
        "street": paper.street_pt,
        "street_here": paper.street_pt,
    }
    wanted += [(lb.text, least[lb.kind]) for lb in composed.layout.labels if lb.kind in least]
    return wanted


def write_preview(pdf: Path, png: Path, *, width_px: int = PREVIEW_WIDTH_PX) -> None:
    """Render the PDF's first page to a PNG ``width_px`` wide."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[0]
        image = page.render(scale=width_px / page.get_width()).to_pil()
        image.convert("RGB").save(png)
    finally:
        document.close()
