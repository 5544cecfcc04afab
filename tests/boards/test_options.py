"""boards.toml: per-board content choices, checked with file/entry messages."""

from __future__ import annotations

import pytest

from lifecircle.boards import BoardOptions, board_contents
from lifecircle.boards.options import read_board_options
from lifecircle.errors import ConfigError
from lifecircle.taxonomy import load_taxonomy


def _write(tmp_path, text):
    (tmp_path / "boards.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults_and_per_board_entries(tmp_path):
    root = _write(
        tmp_path,
        '[defaults]\nmax_facilities = 12\n[boards."b-1"]\nareas = ["health"]\nframe_m = 800\n',
    )
    options = read_board_options(root, board_ids=["b-1", "b-2"], taxonomy=load_taxonomy())
    assert options["b-2"] == BoardOptions(max_facilities=12)
    assert options["b-1"].areas == ("health",) and options["b-1"].frame_m == 800.0
    assert options["b-1"].max_facilities == 12
    assert options["b-1"].shows("pharmacy", "health") and not options["b-1"].shows(
        "bank", "convenience"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[boards."nope"]\nper_type = 1\n', "nope"),
        ("[defaults]\ncolour = 1\n", "colour"),
        ('[defaults]\nareas = ["moon"]\n', "moon"),
        ("[defaults]\nper_type = -1\n", "per_type"),
        ("[defaults]\nmissing_note = 1\n", "missing_note"),
        ("[other]\nx = 1\n", "other"),
    ],
)
def test_bad_entries_name_the_file_and_entry(tmp_path, text, fragment):
    root = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        read_board_options(root, board_ids=["b-1"], taxonomy=load_taxonomy())
    for lang in ("zh", "en"):
        message = caught.value.message(lang)
        assert "boards.toml" in message and fragment in message


def test_options_change_what_a_board_lists(demo):
    before, _, _ = board_contents(demo, board_ids=["demo-gate-1"])
    (demo.root / "boards.toml").write_text(
        '[boards."demo-gate-1"]\nareas = ["shopping"]\nmax_facilities = 3\nmissing_note = false\n',
        encoding="utf-8",
    )
    try:
        after, _, _ = board_contents(demo, board_ids=["demo-gate-1"])
    finally:
        (demo.root / "boards.toml").unlink()
    assert len(before[0].items) > 3
    assert 0 < len(after[0].items) <= 3
    assert {i.area for i in after[0].items} == {"shopping"}
    assert after[0].missing == ()
