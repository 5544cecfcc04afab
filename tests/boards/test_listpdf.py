"""The list drawn into the PDF sets its lines where WeasyPrint's CSS set them: the same
baselines, the same centring, the number and its unit on one baseline; signs are closed paths."""

from __future__ import annotations

import pdfplumber
import pytest
import weasyprint

from lifecircle.boards import listpdf
from lifecircle.boards.fonts import FAMILY
from lifecircle.boards.listing import list_geometry
from lifecircle.boards.options import PAPERS
from lifecircle.boards.pdftext import faces_of
from lifecircle.boards.symbols import PT_MM, SHAPES

PAPER = PAPERS["A1"]


def _css_chars(tmp_path, board_fonts, body: str):
    """Characters (text, x0 mm, baseline mm) of ``body`` laid out by WeasyPrint."""
    html = (
        f"<style>{board_fonts.css()}@page {{ size: 200mm 100mm; margin: 0 }}"
        f'body {{ margin: 0; font-family: "{FAMILY}" }}'
        "div { position: absolute; white-space: nowrap; overflow: hidden }</style>" + body
    )
    path = tmp_path / "css.pdf"
    weasyprint.HTML(string=html).write_pdf(path)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        return [
            (c["text"], c["x0"] * PT_MM, (page.height - c["matrix"][5]) * PT_MM)
            for c in page.chars
            if c["text"].strip()
        ]


def _run_chars(drawing, faces):
    """The same characters as the drawing's runs place them (x0 mm, baseline mm)."""
    found = []
    for run in drawing.runs:
        face = faces[run.bold]
        x = run.x
        for char in run.text:
            if char.strip():
                found.append((char, x, run.y))
            x += face.width_em(face.glyphs(char)) * run.size_mm
    return found


def test_lines_sit_on_the_baselines_and_centres_css_gave_them(tmp_path, board_fonts):
    faces = faces_of(board_fonts)
    geo = list_geometry(PAPER)
    box = (10.0, 12.0, 80.0, geo.name_mm)
    style = listpdf.Style(PAPER.name_pt, geo.name_mm, "#1f1f1f", bold=True)
    centred = listpdf.Style(PAPER.detail_pt, geo.detail_mm, "#333333", centred=True)
    drawing = listpdf.Drawing(PAPER, geo, faces, cmyk=False)
    drawing.text("药店 · 新街口", box, style)
    drawing.text("社区卫生服务中心", (100.0, 40.0, 90.0, geo.detail_mm), centred)
    css = _css_chars(
        tmp_path,
        board_fonts,
        f'<div style="left:10mm;top:12mm;width:80mm;height:{geo.name_mm}mm;'
        f'font-size:{PAPER.name_pt}pt;line-height:{geo.name_mm}mm;font-weight:700">'
        "药店 · 新街口</div>"
        f'<div style="left:100mm;top:40mm;width:90mm;height:{geo.detail_mm}mm;'
        f'font-size:{PAPER.detail_pt}pt;line-height:{geo.detail_mm}mm;text-align:center">'
        "社区卫生服务中心</div>",
    )
    ours = _run_chars(drawing, faces)
    assert [c for c, _, _ in ours] == [c for c, _, _ in css]
    for (char, x, y), (_, css_x, css_y) in zip(ours, css, strict=True):
        assert x == pytest.approx(css_x, abs=0.05), char
        assert y == pytest.approx(css_y, abs=0.05), char


def test_minutes_print_the_number_and_its_smaller_unit_centred_on_one_baseline(
    tmp_path, board_fonts
):
    faces = faces_of(board_fonts)
    geo = list_geometry(PAPER)
    drawing = listpdf.Drawing(PAPER, geo, faces, cmyk=False)
    listpdf._minutes(drawing, "12分钟", (20.0, 30.0, geo.minutes_mm, geo.name_mm))
    css = _css_chars(
        tmp_path,
        board_fonts,
        f'<div style="left:20mm;top:30mm;width:{geo.minutes_mm}mm;height:{geo.name_mm}mm;'
        f"font-size:{PAPER.name_pt}pt;line-height:{geo.name_mm}mm;font-weight:700;"
        f'text-align:center">12<small style="font-size:{PAPER.detail_pt}pt;font-weight:400">'
        "分钟</small></div>",
    )
    ours = _run_chars(drawing, faces)
    assert "".join(c for c, _, _ in ours) == "12分钟"
    assert len({round(y, 6) for _, _, y in ours}) == 1
    for (char, x, y), (_, css_x, css_y) in zip(ours, css, strict=True):
        assert x == pytest.approx(css_x, abs=0.05), char
        assert y == pytest.approx(css_y, abs=0.05), char


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_sign_is_a_closed_path_within_its_radius(shape):
    ops = listpdf.shape_operators(shape, 50.0, 40.0, 2.0).split()
    numbers = [float(v) for v in ops if v not in ("m", "l", "c", "h")]
    xs, ys = numbers[0::2], numbers[1::2]
    assert ops.count("m") == 1 and ops[-1] == "h"
    assert max(abs(x - 50.0) for x in xs) <= 2.0 * 1.26
    assert max(abs(y - 40.0) for y in ys) <= 2.0 * 1.26
    assert max(xs) - min(xs) > 2.0 and max(ys) - min(ys) > 2.0
