"""Map layout: no two labels or markers overlap, everything stays inside the map."""

from __future__ import annotations

import itertools

import pytest
import shapely

from lifecircle.boards.layout import Occupied, edge_point, label_box, place_label


@pytest.mark.slow
def test_no_two_labels_or_markers_overlap(rendered, rendered_a4):
    for run in (rendered, rendered_a4):
        for board in run.boards:
            layout = board.layout
            boxes = layout.boxes() + [("furniture", b) for b in layout.obstacles]
            frame = shapely.box(0, 0, layout.frame.width_mm, layout.frame.height_mm)
            for (name_a, a), (name_b, b) in itertools.combinations(boxes, 2):
                assert a.intersection(b).area < 1e-6, f"{board.board_id}: {name_a} / {name_b}"
            for name, box in boxes:
                assert frame.contains(box), f"{board.board_id}: {name} leaves the map"
            assert layout.markers, "no markers placed"
            assert sum(lb.kind == "facility" for lb in layout.labels) >= len(layout.markers) // 3


@pytest.mark.slow
def test_every_listed_facility_has_a_marker(rendered):
    for board, content in zip(rendered.boards, rendered.contents, strict=True):
        numbers = sorted(m.item.number for m in board.layout.markers)
        assert numbers == [i.number for i in content.items]


def test_a_label_that_cannot_fit_is_dropped_not_overlapped():
    occupied = Occupied([shapely.box(0, 0, 100, 100)], width_mm=200, height_mm=200)
    assert place_label("x", "名称", [(50.0, 50.0, 0.0)], size_mm=3, occupied=occupied) is None
    placed = place_label(
        "x", "名称", [(50.0, 50.0, 0.0), (150, 150, 0.0)], size_mm=3, occupied=occupied
    )
    assert placed is not None and placed.x == 150


def test_rotated_label_box_and_edge_arrows():
    box = label_box(0, 0, text="AB", size_mm=2, angle_deg=90)
    x0, y0, x1, y1 = box.bounds
    assert y1 - y0 > x1 - x0  # turned upright
    x, y, angle = edge_point((50, 50), (50, -100), width=100, height=100, inset=5)
    assert (x, y, angle) == (50, 5, 90)


@pytest.mark.slow
def test_listed_facilities_outside_a_small_frame_become_arrows_with_minutes(demo, tmp_path):
    from lifecircle.boards.batch import prepare
    from lifecircle.boards.render import board_html

    (demo.root / "boards.toml").write_text(
        '[boards."demo-gate-1"]\nframe_m = 150\n', encoding="utf-8"
    )
    try:
        prepared = prepare(demo, tmp_path, board_ids=["demo-gate-1"])
    finally:
        (demo.root / "boards.toml").unlink()
    drawn = board_html(prepared.jobs[0], prepared.scene)
    layout = drawn.composed.layout
    arrows = [m for m in layout.markers if m.arrow_deg is not None]
    assert arrows, "nothing lies outside a 300 m frame?"
    numbers = [(run.text, run.x) for run in drawn.texts]
    assert all((str(m.item.number), m.x) in numbers for m in arrows)
    width, height = layout.frame.width_mm, layout.frame.height_mm
    for marker in arrows:
        assert min(marker.x, marker.y, width - marker.x, height - marker.y) < 3 * marker.size
    walks = {m.item.walk for m in arrows}
    arrow_labels = [lb.text for lb in layout.labels if lb.kind == "facility"]
    assert any(walk in text for walk in walks for text in arrow_labels)
    boxes = layout.boxes() + [("furniture", b) for b in layout.obstacles]
    for (name_a, a), (name_b, b) in itertools.combinations(boxes, 2):
        assert a.intersection(b).area < 1e-6, f"{name_a} / {name_b}"
