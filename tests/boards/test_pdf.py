"""The printed boards of the demo area: one A1 page each, CJK font embedded, text that matches
the engine's walking times."""

from __future__ import annotations

import math
import re

import pdfplumber
import pytest

from lifecircle.engine.profiles import STANDARD
from lifecircle.engine.rules import shown_text
from lifecircle.jobs.build import build

MM_PT = 72 / 25.4


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _printed(name: str, text: str) -> bool:
    """The name is in the text, whole or wrapped once onto the next line of its column."""
    name = _squash(name)
    if name in text:
        return True
    return any(name[:k] in text and name[k:] in text for k in range(3, len(name) - 2))


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
        assert content.items, f"{board.board_id} lists nothing"
        for item in content.items:
            assert _printed(item.name, text), f"{board.board_id}: {item.name} not printed"
        assert f"/b/{content.board.board_id}" in text


def test_listed_minutes_are_the_engines(demo, rendered):
    data, results = build(demo, ("standard",))
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
            expected = f"{max(1, math.ceil(item.cost / 60 - 1e-9))}分钟"
            assert item.walk == expected == shown_text(item.cost, STANDARD, "zh")
            mine = [x for x in lines if f"{item.number}{_squash(item.name)[:6]}" in x]
            assert any(expected in x for x in mine), f"{item.name}: {expected} not in {mine}"
    assert checked >= 10


def test_missing_note_lists_required_types_missing_within_their_level(demo, rendered):
    data, results = build(demo, ("standard",))
    engine = results["standard"].boards
    content = rendered.contents[0]
    row = [b.board_id for b in data.boards].index(content.board.board_id)
    for missing in content.missing:
        k = engine.type_codes.index(missing.type_code)
        assert engine.cost[row, k] > missing.level_min * 60
    text = _squash(_pages(rendered.boards[0].pdf)[0][2])
    if content.missing:
        assert "缺什么" in text and _squash(content.missing[0].name) in text


def test_a_list_too_long_for_the_page_drops_its_farthest_facilities(demo, tmp_path):
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
    assert 0 < len(printed.items) < len(planned.items)
    kept = {i.facility for i in printed.items}
    dropped = [i.cost for i in planned.items if i.facility not in kept]
    assert max(i.cost for i in printed.items) <= min(dropped)
    assert [i.number for i in printed.items] == list(range(1, len(printed.items) + 1))
    # in drawing order: a list line and the 缺什么 note beside it share a baseline, and reading
    # by position interleaves their characters
    with pdfplumber.open(run.boards[0].pdf) as pdf:
        text = _squash(pdf.pages[0].extract_text(use_text_flow=True) or "")
    assert all(_printed(i.name, text) for i in printed.items)
