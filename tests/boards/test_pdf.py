"""The printed boards of the demo area: one page each, CJK font embedded, text that matches the
engine's walking times, QR codes that open the board's address and type large enough to read."""

from __future__ import annotations

import re

import pdfplumber
import pypdfium2
import pytest
import zxingcpp

from lifecircle.boards.options import PAPERS
from lifecircle.boards.page import qr_box_mm
from lifecircle.engine.profiles import ELDERLY, STANDARD
from lifecircle.engine.rules import shown_value
from lifecircle.jobs.build import build
from tests.boards.conftest import PUBLIC_URL

#: Every demo board rendered and read back: run in CI (LIFECIRCLE_TEST_ALL=1), not by `make test`.
pytestmark = pytest.mark.slow

MM_PT = 72 / 25.4


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pages(path):
    with pdfplumber.open(path) as pdf:
        return [(p.width, p.height, p.extract_text() or "", p.chars) for p in pdf.pages]


@pytest.mark.parametrize(("paper", "size_mm"), [("A1", (594, 841)), ("A4", (210, 297))])
def test_every_board_is_one_page_of_its_paper_with_the_cjk_font_embedded(
    rendered, rendered_a4, paper, size_mm
):
    run = rendered if paper == "A1" else rendered_a4
    assert run.boards
    for board in run.boards:
        pages = _pages(board.pdf)
        assert len(pages) == 1, f"{board.board_id}: the list overflowed onto a second page"
        width, height, _, chars = pages[0]
        assert width == pytest.approx(size_mm[0] * MM_PT, abs=0.5)
        assert height == pytest.approx(size_mm[1] * MM_PT, abs=0.5)
        fonts = {c["fontname"] for c in chars}
        assert fonts and all("NotoSansCJK" in f for f in fonts), fonts
        assert board.png is not None and board.png.stat().st_size > 10_000


def test_text_has_the_title_the_facilities_and_the_qr_address(rendered):
    for board, content in zip(rendered.boards, rendered.contents, strict=True):
        text = _squash(_pages(board.pdf)[0][2])
        assert _squash(content.title) in text
        assert "您在这里" in text and "©OpenStreetMap" in text and "数据更新于" in text
        assert "按每分钟约70米（老年人约55米）计" in text and "m/s" not in text
        assert content.items, f"{board.board_id} lists nothing"
        for item in content.items:
            assert _squash(item.label) in text, f"{board.board_id}: {item.label} not printed"
        assert f"/b/{content.board.board_id}" in text


def _qr_texts(pdf_path, paper):
    """Decode the page's QR codes independently of the board code: PDFium + zxing-cpp."""
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    try:
        image = pdf[0].render(scale=1600 / pdf[0].get_width()).to_pil()
    finally:
        pdf.close()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_every_demo_board_qr_code_opens_its_own_board(rendered, rendered_a4):
    for run, paper in ((rendered, "A1"), (rendered_a4, "A4")):
        for board, content in zip(run.boards, run.contents, strict=True):
            expected = f"{PUBLIC_URL}/b/{content.board.board_id}"
            assert content.url == expected
            assert _qr_texts(board.pdf, paper) == [expected], board.board_id
        assert not run.problems


def _sizes(page, text):
    """Sizes (pt) of every print of ``text`` on a pdfplumber page (spaces ignored)."""
    found = []
    pattern = r"\s*".join(re.escape(char) for char in _squash(text))
    for match in page.search(pattern, regex=True, return_chars=True):
        found.append(min(c["size"] for c in match["chars"]))
    return found


@pytest.mark.parametrize("paper", ["A1", "A4"])
def test_printed_text_is_at_least_the_papers_sizes(rendered, rendered_a4, paper):
    run, sizes = (rendered if paper == "A1" else rendered_a4), PAPERS[paper]
    if paper == "A1":  # the sizes for readers at 1–2 m (wayfinding practice for older eyes)
        assert (sizes.name_pt, sizes.detail_pt, sizes.label_pt) >= (24, 18, 16)
        assert sizes.here_pt >= 30 and sizes.here_mm >= 25
    for board in run.boards:
        with pdfplumber.open(board.pdf) as pdf:
            page = pdf.pages[0]
            smallest = min(c["size"] for c in page.chars if c["text"].strip())
            assert smallest >= sizes.fine_pt - 0.05, board.board_id
            for item in board.content.items:
                assert max(_sizes(page, item.label)) >= sizes.name_pt - 0.05, item.label
                if item.detail:
                    assert max(_sizes(page, item.detail)) >= sizes.detail_pt - 0.05
            assert max(_sizes(page, "您在这里")) >= sizes.here_pt - 0.05
            for label in board.layout.labels:
                if label.kind == "facility" and label.angle_deg == 0:
                    assert max(_sizes(page, label.text)) >= sizes.label_pt - 0.05, label.text


def test_listed_minutes_are_the_engines_for_both_walkers(demo, rendered):
    data, results = build(demo, ("standard", "elderly"))
    engine = results["standard"].boards
    column = {code: k for k, code in enumerate(engine.type_codes)}
    ids = [b.board_id for b in data.boards]
    assert [b.board_id for b in rendered.boards] == ids  # every demo board, in order
    checked = 0
    for board, content in zip(rendered.boards, rendered.contents, strict=True):
        row = ids.index(board.board_id)
        lines = [_squash(line) for line in _pages(board.pdf)[0][2].splitlines()]
        for item in content.items:
            k = column[item.type_code]
            if engine.nearest[row, k] == item.facility:
                assert item.cost == pytest.approx(engine.cost[row, k], abs=1e-6)
                checked += 1
            assert item.minutes == shown_value(item.cost, STANDARD)
            assert item.other_minutes is not None and item.other_minutes >= item.minutes
            # number, type and name, then the two minutes, on one line (columns side by side)
            row_text = f"{item.number}{_squash(item.label)}{item.walk}{item.walk_other}"
            assert any(row_text in line for line in lines), f"{row_text} not printed"
    assert checked >= 10
    assert ELDERLY.name in [r.profile.name for r in results.values()]


def test_the_list_puts_the_type_before_the_name_and_says_hours_in_words(rendered):
    items = [i for c in rendered.contents for i in c.items]
    named = [i for i in items if i.type_name not in i.name]
    assert named and all(i.label.startswith(f"{i.type_name} · ") for i in named)
    hours = [i for i in items if i.hours]
    assert hours, "no demo facility has opening hours"
    assert not any(re.search(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b", i.detail) for i in hours)
    assert any("周一至周五" in i.detail for i in hours)


def test_the_note_names_a_few_gaps_elderly_care_first_and_how_to_give_feedback(demo, rendered):
    data, results = build(demo, ("standard",))
    engine = results["standard"]
    taxonomy = demo.taxonomy()
    for board, content in zip(rendered.boards, rendered.contents, strict=True):
        assert len(content.note) <= 3
        assert set(content.note) <= set(content.missing)
        table, at = engine.verdict_row(data, board=data.boards.index(content.board))
        for gap in content.missing:
            k = engine.type_codes.index(gap.type_code)
            assert table.cost[at, k] > gap.level_min * 60
        areas = [taxonomy.type(m.type_code).area for m in content.missing]
        if "elderly" in areas:
            assert taxonomy.type(content.note[0].type_code).area == "elderly"
        text = _squash(_pages(board.pdf)[0][2])
        assert _squash(content.feedback) in text
        if content.note:
            assert "附近还缺" in text and _squash(content.note[0].name) in text


def test_the_index_lists_every_gap_for_staff(rendered):
    text = rendered.index_csv.read_text(encoding="utf-8-sig")
    for content in rendered.contents:
        for gap in content.missing:
            assert gap.name in text
    assert "通过" in text  # the print check's verdict per board


def test_a_generous_boards_toml_still_fits_one_page_and_counts_the_rest(demo, tmp_path):
    from lifecircle.boards import board_contents, make_boards

    (demo.root / "boards.toml").write_text(
        "[defaults]\nmax_facilities = 40\nper_type = 5\n", encoding="utf-8"
    )
    try:
        planned = board_contents(demo, board_ids=["demo-centre-2"], paper="A4")[0][0]
        run = make_boards(demo, tmp_path, board_ids=("demo-centre-2",), paper="A4", workers=1)
    finally:
        (demo.root / "boards.toml").unlink()
    printed = run.contents[0]
    assert len(_pages(run.boards[0].pdf)) == 1
    assert 0 < len(printed.items) == len(planned.items) < 40
    assert printed.more > 0  # the rest are on the phone page, and the caption says how many
    assert [i.number for i in printed.items] == list(range(1, len(printed.items) + 1))
    text = _squash(_pages(run.boards[0].pdf)[0][2])
    assert f"另有{printed.more}处" in text
    # every listed line is printed as measured (type · name, a long one shortened with …),
    # read in drawing order: a list line and the 附近还缺 note beside it may share a baseline
    with pdfplumber.open(run.boards[0].pdf) as pdf:
        flow = _squash(pdf.pages[0].extract_text(use_text_flow=True) or "")
    assert all(_squash(i.label) in flow for i in printed.items)


@pytest.mark.parametrize("paper", ["A1", "A4"])
def test_a_short_list_leaves_no_empty_band_above_the_qr_strip(rendered, rendered_a4, paper):
    """The list's unused height goes to the map: its last line ends just above the strip."""
    run, sizes = (rendered if paper == "A1" else rendered_a4), PAPERS[paper]
    strip_top_pt = (qr_box_mm(sizes)[1] + sizes.gap_mm) * MM_PT
    for board in run.boards:
        with pdfplumber.open(board.pdf) as pdf:
            chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
        above = [c["bottom"] for c in chars if c["bottom"] < strip_top_pt - sizes.gap_mm * MM_PT]
        empty_mm = (strip_top_pt - max(above)) / MM_PT
        assert empty_mm < 1.25 * sizes.margin_mm, (board.board_id, round(empty_mm, 1))
