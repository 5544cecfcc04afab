"""What each board shows: paper sizes, and the per-board choices read from ``boards.toml``.

``boards.toml`` in the project folder holds ``[defaults]`` for every board and
``[boards."<board id>"]`` entries that override them; both are checked with file/entry messages.
It reads that one file and nothing else; it draws nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from lifecircle.errors import ConfigError
from lifecircle.taxonomy import Taxonomy

BOARDS_FILE = "boards.toml"


@dataclass(frozen=True)
class Paper:
    """A paper size in portrait, laid out for the distance it is read from (``reading_m``).

    Type sizes (``*_pt``) follow wayfinding practice for older readers: on A1, read from
    1–2 m, facility names 26 pt and detail lines 19 pt (CJK glyphs of about 8.4 and 6.1 mm;
    20/40 vision, common over 70, needs roughly 7–9 mm at 1.5 m), map labels 16 pt, 「您在这里」
    32 pt beside a 26 mm symbol. Smaller papers are read closer and scale down with the
    distance, but never below clear-print sizes for arm's length (RNIB: text ≥ 12 pt, hence
    A4's 14 pt names and 12 pt details). ``fine_pt`` is the smallest text on the page (the
    attribution, the QR's address). Heights of the page's parts are in millimetres: the
    title ``band_mm``, the ``map_mm``, the ``strip_mm`` at the foot (QR code, 附近还缺, notes);
    the list takes what is left, in ``list_columns`` columns.
    """

    name: str
    width_mm: float
    height_mm: float
    margin_mm: float
    reading_m: float
    title_pt: float
    name_pt: float
    detail_pt: float
    label_pt: float
    street_pt: float
    here_pt: float
    here_mm: float
    marker_mm: float
    fine_pt: float
    band_mm: float
    map_mm: float
    strip_mm: float
    qr_mm: float
    list_columns: int
    max_facilities: int
    #: At most this many streets are named on the map (main roads first): enough to orient by.
    street_labels: int = 36

    @property
    def gap_mm(self) -> float:
        """Space between the parts of the page."""
        return self.margin_mm * 0.4

    @property
    def inner_mm(self) -> float:
        """Width inside the margins."""
        return self.width_mm - 2 * self.margin_mm

    @property
    def list_mm(self) -> float:
        """Height left for the facility list."""
        used = self.band_mm + self.map_mm + self.strip_mm + 3 * self.gap_mm + self.margin_mm
        return self.height_mm - used


PAPERS: Mapping[str, Paper] = {
    p.name: p
    for p in (
        Paper(
            "A1", 594, 841, 20, 1.5, title_pt=60, name_pt=26, detail_pt=19, label_pt=16,
            street_pt=15, here_pt=32, here_mm=26, marker_mm=12.5, fine_pt=14, band_mm=62,
            map_mm=432, strip_mm=96, qr_mm=80, list_columns=3, max_facilities=20,
        ),
        Paper(
            "A2", 420, 594, 14, 1.0, title_pt=44, name_pt=19, detail_pt=14, label_pt=12,
            street_pt=11.5, here_pt=23, here_mm=18, marker_mm=10, fine_pt=10.5, band_mm=44,
            map_mm=302, strip_mm=68, qr_mm=56, list_columns=3, max_facilities=20,
        ),
        Paper(
            "A3", 297, 420, 10, 0.75, title_pt=32, name_pt=15, detail_pt=12, label_pt=10,
            street_pt=9.5, here_pt=18, here_mm=14, marker_mm=8, fine_pt=9, band_mm=31,
            map_mm=205, strip_mm=50, qr_mm=40, list_columns=2, max_facilities=18, street_labels=28,
        ),
        Paper(
            "A4", 210, 297, 8, 0.5, title_pt=22, name_pt=14, detail_pt=12, label_pt=9.5,
            street_pt=9, here_pt=16, here_mm=11, marker_mm=7, fine_pt=8.5, band_mm=23,
            map_mm=120, strip_mm=46, qr_mm=32, list_columns=2, max_facilities=16, street_labels=22,
        ),
    )
}  # fmt: skip


@dataclass(frozen=True)
class BoardOptions:
    """The content choices of one board (``boards.toml``); defaults suit a gate board.

    Attributes
    ----------
    areas
        Content-area codes shown (empty: all ten).
    types
        Facility-type codes shown (empty: every type of the shown areas).
    exclude_types
        Facility-type codes never shown.
    per_type
        At most this many facilities of one type (the nearest).
    max_facilities
        At most this many facilities in all (0: the paper's default, about 30 on A1).
    frame_m
        Half the width of the map frame around the board in metres (0: fit the 15-minute area).
    missing_note
        Print the "附近还缺" note: the few gaps that matter most to residents.
    facing_deg
        The way a reader faces the board, degrees clockwise from north: the map is printed
        heads-up, that direction at the top (``None``: the boards sheet's 朝向, else north up).
    feedback_phone
        A phone number residents call with corrections and requests (printed under the note).
    routes
        Draw the walking routes to the listed facilities and the crossings they use.
    """

    areas: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()
    per_type: int = 2
    max_facilities: int = 0
    frame_m: float = 0.0
    missing_note: bool = True
    facing_deg: float | None = None
    feedback_phone: str = ""
    routes: bool = True

    def shows(self, type_code: str, area_code: str) -> bool:
        """Say whether facilities of this type (in this content area) are shown."""
        if type_code in self.exclude_types:
            return False
        if self.types and type_code not in self.types:
            return False
        return not self.areas or area_code in self.areas

    def limit(self, paper: Paper) -> int:
        """At most how many facilities the list takes on ``paper`` (fewer if they do not fit)."""
        return min(self.max_facilities or paper.max_facilities, paper.max_facilities * 2)


def read_board_options(
    project_root: Path, *, board_ids: Sequence[str], taxonomy: Taxonomy
) -> dict[str, BoardOptions]:
    """Options of every board in ``board_ids`` from the project's ``boards.toml`` (if any)."""
    path = project_root / BOARDS_FILE
    if not path.exists():
        return {board_id: BoardOptions() for board_id in board_ids}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("error.config.bad_toml", path=path, detail=str(exc)) from None
    unknown = sorted(set(raw) - {"defaults", "boards"})
    if unknown:
        raise ConfigError("error.boards.unknown_table", path=path, name=unknown[0])
    defaults = _parse(raw.get("defaults", {}), BoardOptions(), path, "defaults", taxonomy)
    entries = raw.get("boards", {})
    if not isinstance(entries, dict):
        raise ConfigError("error.boards.not_table", path=path, entry="boards")
    strangers = sorted(set(entries) - set(board_ids))
    if strangers:
        raise ConfigError(
            "error.boards.unknown_board", path=path, board=strangers[0], known=tuple(board_ids[:8])
        )
    return {
        board_id: _parse(entries.get(board_id, {}), defaults, path, board_id, taxonomy)
        for board_id in board_ids
    }


def _parse(
    table: Any, base: BoardOptions, path: Path, entry: str, taxonomy: Taxonomy
) -> BoardOptions:
    if not isinstance(table, dict):
        raise ConfigError("error.boards.not_table", path=path, entry=entry)
    known = {f.name: f for f in fields(BoardOptions)}
    changes: dict[str, Any] = {}
    for name, value in table.items():
        if name not in known:
            raise ConfigError(
                "error.boards.unknown_key", path=path, entry=entry, name=name, known=tuple(known)
            )
        changes[name] = _value(name, value, getattr(base, name), path=path, entry=entry)
    options = replace(base, **changes)
    area_codes = {a.code for a in taxonomy.areas}
    type_codes = {t.code for t in taxonomy.types}
    for name, valid in (
        ("areas", area_codes),
        ("types", type_codes),
        ("exclude_types", type_codes),
    ):
        for code in getattr(options, name):
            if code not in valid:
                raise ConfigError(
                    "error.boards.unknown_code", path=path, entry=entry, name=name, value=code
                )
    return options


def _value(name: str, value: Any, default: Any, *, path: Path, entry: str) -> Any:
    bad = ConfigError(
        "error.boards.bad_value", path=path, entry=entry, name=name, value=repr(value)
    )
    if name == "facing_deg":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 360:
            raise bad
        return float(value) % 360.0
    if isinstance(default, str):
        if not isinstance(value, str):
            raise bad
        return value.strip()
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad
        return tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise bad
    return float(value)
