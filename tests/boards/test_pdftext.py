"""Map words written as PDF text: real, extractable text at its anchor, size, colour and turn,
in a font cut down to the board's glyphs that keep the batch font's glyph ids."""

from __future__ import annotations

import io

import numpy as np
import pdfplumber
import pikepdf
import pypdfium2
import pytest
from fontTools.ttLib import TTFont

from lifecircle.boards.basepdf import Placement
from lifecircle.boards.fonts import _fonttools_glyphs, subset_glyphs
from lifecircle.boards.pdftext import TextRun, draw_over, faces_of, text_operators
from lifecircle.boards.printing import cmyk_of
from lifecircle.boards.symbols import PT_MM

A4 = (210.0, 297.0)
#: The box the words are drawn in (mm from the page's top left), as a board's map.
AT = Placement(10.0, 20.0, 190.0, 200.0, A4[1])


def _write(tmp_path, runs, faces):
    path = tmp_path / "words.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(A4[0] / PT_MM, A4[1] / PT_MM))
    stream, used = text_operators(runs, faces, AT, cmyk=False)
    draw_over(pdf, stream, used, faces)
    pdf.save(path)
    return path


def _chars(path):
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        return page.extract_text(), [c for c in page.chars if c["text"].strip()]


def _mm(pt):
    return pt * PT_MM


def test_words_are_text_at_their_anchors_sizes_and_colours(tmp_path, board_fonts):
    faces = faces_of(board_fonts)
    runs = [
        TextRun("您在这里", 20.0, 30.0, 8.0, fill="#c8102e", bold=True),
        TextRun("南京新街口", 100.0, 60.0, 5.0, anchor="middle"),
        TextRun("社区卫生服务中心", 180.0, 90.0, 4.0, anchor="end"),
    ]
    text, chars = _write(tmp_path, runs, faces) and _chars(tmp_path / "words.pdf")
    assert "您在这里" in text and "南京新街口" in text and "社区卫生服务中心" in text
    by_text = {run.text: [c for c in chars if c["text"] in run.text] for run in runs}
    here, name, centre = (by_text[r.text] for r in runs)
    # start: the first character begins at x; the baseline is y (mm below the box's top)
    assert _mm(here[0]["x0"]) == pytest.approx(AT.left_mm + 20.0, abs=0.05)
    baseline_mm = AT.top_mm + 30.0
    origin_from_top = A4[1] - _mm(here[0]["matrix"][5])
    assert origin_from_top == pytest.approx(baseline_mm, abs=0.01)
    assert {round(c["size"], 2) for c in here} == {round(8.0 / PT_MM, 2)}
    assert all("NotoSansCJK" in c["fontname"] and "Bold" in c["fontname"] for c in here)
    assert here[0]["non_stroking_color"] == pytest.approx((0.784, 0.063, 0.180), abs=0.002)
    # middle: centred on x; end: ends at x
    middle = (_mm(name[0]["x0"]) + _mm(name[-1]["x1"])) / 2
    assert middle == pytest.approx(AT.left_mm + 100.0, abs=0.05)
    assert _mm(centre[-1]["x1"]) == pytest.approx(AT.left_mm + 180.0, abs=0.05)
    assert all("Bold" not in c["fontname"] for c in name + centre)


def test_a_turned_label_turns_about_its_centre(tmp_path, board_fonts):
    faces = faces_of(board_fonts)
    run = TextRun("新街口", 50.0, 80.0, 5.0, anchor="middle", angle_deg=90.0, centre=(50.0, 80.0))
    _, chars = _write(tmp_path, [run], faces) and _chars(tmp_path / "words.pdf")
    assert [c["text"] for c in chars] == list("新街口")
    assert not any(c["upright"] for c in chars)
    tops = [_mm(c["top"]) for c in chars]  # turned clockwise: the words run down the page
    assert tops == sorted(tops) and tops[-1] - tops[0] == pytest.approx(2 * 5.0, abs=0.3)
    mid = (_mm(chars[0]["top"]) + _mm(chars[-1]["bottom"])) / 2
    assert mid == pytest.approx(AT.top_mm + 80.0, abs=0.05)


def test_words_are_cut_at_their_clip_box_as_css_overflow_hides_them(tmp_path, board_fonts):
    faces = faces_of(board_fonts)
    # six 5 mm characters from x = 20 mm, clipped at x = 35 mm: only the first three show
    runs = [TextRun("药店药店药店", 20.0, 30.0, 5.0, clip=(0.0, 20.0, 35.0, 15.0))]
    pdf = pypdfium2.PdfDocument(str(_write(tmp_path, runs, faces)))
    try:
        scale = 10 * PT_MM  # 10 px per mm
        image = pdf[0].render(scale=scale).to_pil().convert("L")
    finally:
        pdf.close()
    ink = np.asarray(image) < 128
    top, bottom = int((AT.top_mm + 25.0) * 10), int((AT.top_mm + 31.0) * 10)
    columns = np.flatnonzero(ink[top:bottom].any(axis=0)) / 10 - AT.left_mm
    assert columns.min() == pytest.approx(20.0, abs=0.6)
    assert 33.0 < columns.max() <= 35.05


def test_cmyk_words_are_written_in_cmyk_ink(board_fonts):
    runs = [TextRun("药店", 20.0, 30.0, 5.0, fill="#c8102e")]
    stream, used = text_operators(runs, faces_of(board_fonts), AT, cmyk=True)
    c, m, y, k = cmyk_of("#c8102e")
    assert f"{c:g} {m:g} {y:g} {k:g} k".encode() in stream and b" rg" not in stream
    assert used[False] and not used[True]


def test_the_embedded_font_is_the_boards_glyphs_with_the_batch_fonts_ids(tmp_path, board_fonts):
    faces = faces_of(board_fonts)
    _write(tmp_path, [TextRun("药店", 20.0, 30.0, 5.0)], faces)
    with pikepdf.open(tmp_path / "words.pdf") as pdf:
        font = pdf.pages[0].Resources.Font.LcTextR
        data = font.DescendantFonts[0].FontDescriptor.FontFile3.read_bytes()
    face = faces[False]
    assert len(data) < board_fonts.regular.stat().st_size / 3
    embedded = TTFont(io.BytesIO(data))
    for char in "药店":
        assert embedded.getGlyphID(embedded.getBestCmap()[ord(char)]) == face.glyph_of[ord(char)]


@pytest.mark.parametrize("cut", [subset_glyphs, _fonttools_glyphs])
def test_both_subsetters_keep_glyph_ids_and_drop_the_rest(board_fonts, cut):
    face = faces_of(board_fonts)[True]
    kept = [face.glyph_of[ord(c)] for c in "您在"]
    dropped = next(g for c in "里南京新街口药店" if (g := face.glyph_of[ord(c)]) < max(kept))
    font = TTFont(io.BytesIO(cut(board_fonts.bold, kept)))
    glyphs = font.getGlyphSet()
    order = font.getGlyphOrder()
    assert len(order) > max(kept)  # ids kept: the glyphs before them stay, empty
    for glyph in kept:
        pen_bounds = font["CFF "].cff[0].CharStrings[order[glyph]]
        pen_bounds.decompile()
        assert pen_bounds.program, "a kept glyph lost its outline"
    empty = font["CFF "].cff[0].CharStrings[order[dropped]]
    empty.decompile()
    assert len(empty.program) <= 2  # endchar (and a width) only
    assert glyphs[order[kept[0]]].width == face.advance[kept[0]]
