"""The facility list's geometry: fixed line heights, so what fits on the page is known exactly.

Every list line has a fixed height and holds one line of text (longer text is shortened here,
with "…"), so the list's height is arithmetic, not a guess: :func:`fill_columns` says where
each group head and facility goes, or that they do not fit, and the content step keeps the
most useful facilities that do (the rest are on the phone page). The page draws exactly these
columns. Sizes in millimetres; nothing here writes HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lifecircle.boards.options import Paper
from lifecircle.boards.symbols import PT_MM, text_width_em

#: Line height as a multiple of the type size.
LINE = 1.22
#: Width of the number badge, in ems of the name size.
BADGE_EM = 1.9
#: A minutes cell holds two bold digits at the name size (each about this many ems), the unit
#: (分钟, two characters) at the detail size, and this much room to the next column.
DIGIT_EM = 0.62
MINUTES_PAD_EM = 0.35


@dataclass(frozen=True)
class ListGeometry:
    """The list's box and line heights on one paper (mm)."""

    columns: int
    column_mm: float
    gutter_mm: float
    height_mm: float
    header_mm: float  # the column heads: 步行 / 老年人 (分钟)
    head_mm: float  # a content area's heading
    name_mm: float  # a facility's first line: number, type · name, minutes
    detail_mm: float  # its second line: hours, phone
    gap_mm: float  # after each facility
    minute_columns: int

    @property
    def minutes_mm(self) -> float:
        """Width of one minutes column: "99分钟" (digits at the name size, unit smaller).

        >>> from lifecircle.boards.options import PAPERS
        >>> [round(list_geometry(PAPERS[p]).minutes_mm / PAPERS[p].name_pt / PT_MM, 2)
        ...  for p in ("A1", "A4")]  # in ems of the name: A4's unit is relatively larger
        [3.05, 3.3]
        """
        em = self.name_mm / LINE
        unit_em = 2 * self.detail_mm / self.name_mm
        return (2 * DIGIT_EM + unit_em + MINUTES_PAD_EM) * em

    @property
    def detail_width_mm(self) -> float:
        """Width of a facility's second line (under the label and the minutes)."""
        em = self.name_mm / LINE
        return self.column_mm - BADGE_EM * em - 0.4 * em

    @property
    def label_mm(self) -> float:
        """Width left for the type and name on a facility's first line."""
        em = self.name_mm / LINE
        return self.column_mm - BADGE_EM * em - self.minute_columns * self.minutes_mm - 0.4 * em


def list_geometry(paper: Paper, *, minute_columns: int = 2) -> ListGeometry:
    """Return the list geometry of ``paper`` with one or two minutes columns."""
    gutter = paper.margin_mm * 0.45
    columns = paper.list_columns
    return ListGeometry(
        columns=columns,
        column_mm=(paper.inner_mm - gutter * (columns - 1)) / columns,
        gutter_mm=gutter,
        height_mm=paper.list_mm,
        header_mm=paper.detail_pt * PT_MM * 1.35,
        head_mm=paper.name_pt * 0.95 * PT_MM * 1.5,
        name_mm=paper.name_pt * PT_MM * LINE,
        detail_mm=paper.detail_pt * PT_MM * LINE,
        gap_mm=paper.name_pt * PT_MM * 0.3,
        minute_columns=minute_columns,
    )


def fit_text(text: str, *, width_mm: float, size_pt: float) -> str:
    """Shorten ``text`` with "…" to fit one line ``width_mm`` wide at ``size_pt``.

    >>> fit_text("桃园街道社区卫生服务中心", width_mm=30, size_pt=14.2)
    '桃园街道社…'
    >>> fit_text("药店", width_mm=30, size_pt=14.2)
    '药店'
    """
    room = width_mm / (size_pt * PT_MM)
    if not text or text_width_em(text) <= room:
        return text
    ellipsis = text_width_em("…")
    used, cut = 0.0, len(text)
    for k, char in enumerate(text):  # one pass, adding up widths in the order sum() does
        used += text_width_em(char)
        if used + ellipsis > room:
            cut = k
            break
    return text[:cut].rstrip(" ·") + "…"


@dataclass(frozen=True)
class Unit:
    """One line block of the list: a content area's heading or a facility (``index``)."""

    area: str
    index: int | None  # position in the listed items; None for a heading
    height_mm: float


def units_of(
    areas: Sequence[str], has_detail: Sequence[bool], geo: ListGeometry
) -> list[list[Unit]]:
    """Group the items (their areas, in list order) into per-area unit lists."""
    groups: dict[str, list[Unit]] = {}
    for index, (area, detail) in enumerate(zip(areas, has_detail, strict=True)):
        height = geo.name_mm + (geo.detail_mm if detail else 0.0) + geo.gap_mm
        groups.setdefault(area, []).append(Unit(area, index, height))
    return list(groups.values())


def fill_columns(
    groups: Sequence[Sequence[Unit]], geo: ListGeometry, *, room_mm: float | None = None
) -> list[list[Unit]] | None:
    """Fill the columns top to bottom; ``None`` when the units need more than the columns.

    A heading never ends a column: it moves with its first facility, and a group split
    across columns repeats its heading at the top of the next one. ``room_mm`` is the height
    a column may take (default: all the list's height).
    """
    full = geo.height_mm - geo.header_mm
    room = full if room_mm is None else min(room_mm, full)
    columns: list[list[Unit]] = [[]]
    used = 0.0
    for group in groups:
        for k, unit in enumerate(group):
            head = Unit(unit.area, None, geo.head_mm)
            need = unit.height_mm + (head.height_mm if k == 0 else 0.0)
            if used + need > room + 1e-6:
                if len(columns) == geo.columns:
                    return None
                columns.append([])
                used = 0.0
                need = unit.height_mm + head.height_mm
            if k == 0 or not columns[-1]:
                columns[-1].append(head)
            columns[-1].append(unit)
            used += need
    return columns


def balanced_columns(
    groups: Sequence[Sequence[Unit]], geo: ListGeometry
) -> list[list[Unit]] | None:
    """Fill the columns to about equal heights (the shortest room that still fits)."""
    filled = fill_columns(groups, geo)
    if filled is None:
        return None
    low = sum(u.height_mm for g in groups for u in g) / geo.columns
    high = geo.height_mm - geo.header_mm
    for _ in range(12):  # bisect the room to a fraction of a millimetre
        middle = (low + high) / 2
        trial = fill_columns(groups, geo, room_mm=middle)
        if trial is None:
            low = middle
        else:
            high, filled = middle, trial
    return filled
