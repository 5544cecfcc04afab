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
    """A paper size in portrait and the type sizes that suit the distance it is read from.

    Sizes in millimetres (``*_mm``) and points (``*_pt``); ``list_columns`` is how many columns
    the facility list takes and ``max_facilities`` how many fit on the page with it.
    """

    name: str
    width_mm: float
    height_mm: float
    margin_mm: float
    text_pt: float
    title_pt: float
    label_pt: float
    marker_mm: float
    list_columns: int
    max_facilities: int
    map_share: float


PAPERS: Mapping[str, Paper] = {
    p.name: p
    for p in (
        Paper("A1", 594, 841, 24, 15.5, 52, 10.5, 8.5, 3, 30, 0.6),
        Paper("A2", 420, 594, 17, 11, 37, 7.6, 6.2, 3, 30, 0.6),
        Paper("A3", 297, 420, 12, 8, 26, 5.6, 4.6, 3, 27, 0.565),
        Paper("A4", 210, 297, 9, 6.2, 18.5, 4.4, 3.6, 2, 20, 0.5),
    )
}


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
        Print the "缺什么" note of required types missing within their level.
    """

    areas: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()
    per_type: int = 2
    max_facilities: int = 0
    frame_m: float = 0.0
    missing_note: bool = True

    def shows(self, type_code: str, area_code: str) -> bool:
        """Say whether facilities of this type (in this content area) are shown."""
        if type_code in self.exclude_types:
            return False
        if self.types and type_code not in self.types:
            return False
        return not self.areas or area_code in self.areas

    def limit(self, paper: Paper) -> int:
        """How many facilities the list takes on ``paper``."""
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
