"""Render one board: lay out its map, write the vector PDF (WeasyPrint) and a PNG preview.

Runs in worker processes; :class:`Scene` holds what every board of a batch shares (streets,
base map, content areas) so a worker receives it once. It decides no content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pypdfium2
import weasyprint

from lifecircle.boards.content import BoardContent, fewer_items
from lifecircle.boards.layout import MapLayout, fit_frame
from lifecircle.boards.mapsvg import compose_map, map_svg
from lifecircle.boards.options import PAPERS
from lifecircle.boards.page import map_size_mm, page_html
from lifecircle.boards.scenery import StreetNet, map_scenery
from lifecircle.cache.basemap import Basemap
from lifecircle.taxonomy import ContentArea

PREVIEW_WIDTH_PX = 800
#: At most this many times a board drops a fifth of its list to fit on one page.
MAX_SHRINKS = 4


@dataclass(frozen=True, eq=False)
class Scene:
    """What every board of one batch draws from."""

    net: StreetNet
    basemap: Basemap
    areas: Mapping[str, ContentArea]
    font_css: str


@dataclass(frozen=True)
class BoardJob:
    """One board to render: its content, paper, frame and where its files go."""

    content: BoardContent
    paper: str
    frame_m: float
    pdf: Path
    png: Path | None


@dataclass(frozen=True, eq=False)
class RenderedBoard:
    """The files of one rendered board and its map layout (for checks)."""

    board_id: str
    pdf: Path
    png: Path | None
    layout: MapLayout
    html: str
    #: What was printed (fewer facilities than planned if the page had to be shortened).
    content: BoardContent


def board_html(job: BoardJob, scene: Scene) -> tuple[str, MapLayout]:
    """Lay out the board and return its HTML document and map layout."""
    paper = PAPERS[job.paper]
    width_mm, height_mm = map_size_mm(paper)
    frame = fit_frame(job.content, width_mm=width_mm, height_mm=height_mm, frame_m=job.frame_m)
    scenery = map_scenery(
        frame, net=scene.net, basemap=scene.basemap, walk_areas=job.content.walk_areas
    )
    placed = compose_map(job.content, frame=frame, scenery=scenery, paper=paper)
    svg = map_svg(placed, scenery=scenery, areas=scene.areas, paper=paper, lang=job.content.lang)
    html = page_html(
        job.content, map_svg=svg, paper=paper, areas=scene.areas, font_css=scene.font_css
    )
    return html, placed


def render_board(job: BoardJob, scene: Scene) -> RenderedBoard:
    """Write the board's PDF (and PNG preview) and return where they are.

    A board whose list would spill onto a second page (long names, many hours) drops its
    farthest facilities until it fits on one.
    """
    html, placed = board_html(job, scene)
    document = weasyprint.HTML(string=html, base_url=str(job.pdf.parent)).render()
    for _ in range(MAX_SHRINKS):
        if len(document.pages) <= 1 or not job.content.items:
            break
        keep = int(len(job.content.items) * 0.8)
        job = replace(job, content=fewer_items(job.content, keep))
        html, placed = board_html(job, scene)
        document = weasyprint.HTML(string=html, base_url=str(job.pdf.parent)).render()
    job.pdf.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(str(job.pdf))
    if job.png is not None:
        write_preview(job.pdf, job.png)
    return RenderedBoard(job.content.board.board_id, job.pdf, job.png, placed, html, job.content)


def write_preview(pdf: Path, png: Path, *, width_px: int = PREVIEW_WIDTH_PX) -> None:
    """Render the PDF's first page to a PNG ``width_px`` wide."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page = document[0]
        image = page.render(scale=width_px / page.get_width()).to_pil()
        image.convert("RGB").save(png)
    finally:
        document.close()
