"""The gap report as tables a 街道 officer reads: words instead of codes, one spec per column.

Every table of ``lifecircle gaps`` (gap rows, coverage per type and per content area, top
missing, types not collected, circles, and the compound × type matrix) is built here once, in
the report's language, for both the XLSX and the CSV writers: profiles say 一般步行/老年人,
content areas 养老/健康, verdicts 可达/缺/未采集, lists of types their names; shares stay
fractions (0–1) for the writer to show as percentages. Every column has a header
(``col.<key>``) and a definition (``coldef.<key>``) for the notes. No files are written here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lifecircle.engine.coverage import WHOLE_AREA, AreaCoverage, TypeCoverage
from lifecircle.engine.gaps import CircleReport, GapRow
from lifecircle.engine.profiles import profile_label
from lifecircle.engine.rules import Reach
from lifecircle.errors import LifecircleError
from lifecircle.i18n import t
from lifecircle.model import Compound
from lifecircle.taxonomy import Taxonomy

#: Column kinds the writers format: counts and people as integers, shares as percentages.
NUMBER_KINDS = ("count", "people", "minutes")


@dataclass(frozen=True)
class Column:
    """One column: ``key`` names its header (``col.<key>``) and definition (``coldef.<key>``)."""

    key: str
    kind: str = "text"  # text, count, people, minutes, share


@dataclass(frozen=True)
class Table:
    """A table ready to write: ``name`` is its sheet/file key, values already in words."""

    name: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Words:
    """Turns the report's codes into words of one language (``zh`` or ``en``)."""

    lang: str
    taxonomy: Taxonomy
    estimated: frozenset[str]  # ids of compounds whose residents are estimated

    def area(self, code: str) -> str:
        """Return a content area's name (养老), or the code if the taxonomy lacks it."""
        try:
            found = self.taxonomy.area(code)
        except LifecircleError:  # a code from an older taxonomy: still shown
            return code
        return found.name_zh if self.lang == "zh" else found.name_en

    def type(self, code: str) -> str:
        """Return a facility type's name (药店)."""
        try:
            found = self.taxonomy.type(code)
        except LifecircleError:
            return code
        return found.name_zh if self.lang == "zh" else found.name_en

    def types(self, codes: Sequence[str]) -> str:
        """Return type names joined (药店、便利店), or empty."""
        return t("boards.list_sep", self.lang).join(self.type(c) for c in codes)

    def profile(self, name: str) -> str:
        """Return who a profile is: 一般步行, 老年人, 轮椅."""
        return profile_label(name, self.lang)

    def yes(self, value: bool | None) -> str:
        """Return 是 or 否 (empty when unknown)."""
        return "" if value is None else t("gaps.yes" if value else "gaps.no", self.lang)

    def reach(self, value: str) -> str:
        """Return the verdict in words: 可达, 缺, 不可达（按需）, 未采集."""
        return t(f"reach.{value}", self.lang)

    def group(self, value: str) -> str:
        """Return a group's name, or 全部小区 for the whole area."""
        return t("gaps.whole_area", self.lang) if value == WHOLE_AREA else value


def _columns(*spec: str) -> tuple[Column, ...]:
    """Columns from ``key`` or ``key:kind`` strings."""
    return tuple(Column(*item.split(":")) for item in spec)


ROW_COLUMNS = _columns(
    "compound_name",
    "compound_id",
    "community",
    "subdistrict",
    "residents:people",
    "residents_estimated",
    "elderly:people",
    "children:people",
    "profile",
    "content_area",
    "type_name",
    "level_min:minutes",
    "required",
    "nearest_min:minutes",
    "nearest_m:count",
    "nearest_facility_name",
    "nearest_facility_id",
    "count_within_level:count",
    "reach",
    "type",
)
TYPE_COLUMNS = _columns(
    "profile",
    "group",
    "content_area",
    "type_name",
    "level_min:minutes",
    "collected",
    "declared_complete",
    "compounds:count",
    "compounds_within:count",
    "share_compounds:share",
    "residents:people",
    "residents_within:people",
    "share_residents:share",
    "group_estimated",
)
AREA_COLUMNS = _columns(
    "profile",
    "group",
    "content_area",
    "required_types:count",
    "types_full:count",
    "not_collected",
    "compounds:count",
    "compounds_all_within:count",
    "residents:people",
    "residents_all_within:people",
    "share:share",
    "group_estimated",
)
TOP_COLUMNS = _columns(
    "profile",
    "group",
    "type_name",
    "declared_complete",
    "compounds:count",
    "residents:people",
    "elderly:people",
    "children:people",
    "group_estimated",
)
UNCOLLECTED_COLUMNS = _columns(
    "content_area", "type_name", "level_min:minutes", "required", "in_osm"
)
CIRCLE_COLUMNS = _columns(
    "profile",
    "circle",
    "minutes:minutes",
    "compounds:count",
    "compounds_complete:count",
    "residents:people",
    "residents_complete:people",
    "lacking",
    "not_collected",
)


def estimated_ids(compounds: Sequence[Compound]) -> frozenset[str]:
    """Ids of the compounds whose residents are an estimate (derived from buildings)."""
    return frozenset(c.source_id for c in compounds if c.estimate_method)


def _row_values(row: GapRow, words: Words) -> tuple[Any, ...]:
    return (
        row.compound_name,
        row.compound_id,
        row.community,
        row.subdistrict,
        row.residents,
        words.yes(row.compound_id in words.estimated),
        row.elderly,
        row.children,
        words.profile(row.profile),
        words.area(row.content_area),
        words.type(row.type),
        row.level_min,
        words.yes(row.required),
        row.nearest_min,
        row.nearest_m,
        row.nearest_facility_name,
        row.nearest_facility_id,
        row.count_within_level,
        words.reach(row.reach),
        row.type,
    )


def _groups_estimated(
    rows: Sequence[GapRow], words: Words, group_by: str | None
) -> Callable[[str], str]:
    """For a group name: 是 when some compound of the group has estimated residents."""
    found: dict[str, bool] = {}
    for row in rows:
        key = WHOLE_AREA if group_by is None else str(getattr(row, group_by) or "—")
        found[key] = found.get(key, False) or row.compound_id in words.estimated
        found[WHOLE_AREA] = found.get(WHOLE_AREA, False) or row.compound_id in words.estimated
    return lambda group: words.yes(found.get(group, False))


def type_table(
    name: str,
    items: Sequence[TypeCoverage],
    *,
    rows: Sequence[GapRow],
    words: Words,
    complete: frozenset[str],
    group_by: str | None,
) -> Table:
    """Coverage per required type (and group): compounds and residents within its level."""
    estimated = _groups_estimated(rows, words, group_by)
    values = tuple(
        (
            words.profile(c.profile),
            words.group(c.group),
            words.area(c.content_area),
            words.type(c.type),
            c.level_min,
            words.yes(c.collected),
            words.yes(c.type in complete),
            c.compounds,
            c.compounds_within,
            c.share_compounds,
            c.residents,
            c.residents_within,
            c.share_residents,
            estimated(c.group),
        )
        for c in items
    )
    return Table(name, TYPE_COLUMNS, values)


def area_table(
    name: str,
    items: Sequence[AreaCoverage],
    *,
    rows: Sequence[GapRow],
    words: Words,
    group_by: str | None,
) -> Table:
    """Per content area: ▲ types covering all, types not collected, the strict rule."""
    estimated = _groups_estimated(rows, words, group_by)
    values = tuple(
        (
            words.profile(c.profile),
            words.group(c.group),
            words.area(c.content_area),
            c.required_types,
            c.types_full,
            words.types(c.not_collected),
            c.compounds,
            c.compounds_all_within,
            c.residents,
            c.residents_all_within,
            c.share,
            estimated(c.group),
        )
        for c in items
    )
    return Table(name, AREA_COLUMNS, values)


def circle_table(circles: Mapping[str, Sequence[CircleReport]], words: Words) -> Table:
    """Build the table of the named circles (居家养老15分钟服务圈 …) of every profile."""
    lang = words.lang
    values = []
    for profile, reports in circles.items():
        for c in reports:
            lacking = t("boards.list_sep", lang).join(
                t("gaps.lacking_item", lang, type=words.type(code), n=n)
                for code, n in c.lacking.items()
                if n
            )
            values.append(
                (
                    words.profile(profile),
                    c.name_zh if lang == "zh" else c.name_en,
                    c.minutes,
                    c.compounds,
                    c.compounds_complete,
                    c.residents,
                    c.residents_complete,
                    lacking,
                    words.types(c.not_collected),
                )
            )
    return Table("circles", CIRCLE_COLUMNS, tuple(values))


def row_table(rows: Sequence[GapRow], words: Words) -> Table:
    """Every compound × type × profile row (the detail behind the summaries)."""
    return Table("rows", ROW_COLUMNS, tuple(_row_values(r, words) for r in rows))


@dataclass(frozen=True)
class MatrixCell:
    """One cell of the matrix: the shown minutes (or metres), and the verdict."""

    value: int | None
    reach: str


@dataclass(frozen=True)
class Matrix:
    """Compounds × required types of one profile: what a 街道 officer acts on."""

    profile: str
    type_codes: tuple[str, ...]
    compounds: tuple[GapRow, ...]  # the first row of each compound (names, people)
    cells: tuple[tuple[MatrixCell, ...], ...]


def matrices(rows: Sequence[GapRow]) -> list[Matrix]:
    """One matrix per profile: every compound, every required type, in the rows' order."""
    found = []
    for profile in dict.fromkeys(r.profile for r in rows):
        mine = [r for r in rows if r.profile == profile and r.required]
        codes = tuple(dict.fromkeys(r.type for r in mine))
        by_key = {(r.compound_id, r.type): r for r in mine}
        firsts = tuple({r.compound_id: r for r in reversed(mine)}.values())[::-1]
        cells = tuple(tuple(_cell(by_key[(c.compound_id, code)]) for code in codes) for c in firsts)
        found.append(Matrix(profile, codes, firsts, cells))
    return found


def _cell(row: GapRow) -> MatrixCell:
    value = row.nearest_m if row.nearest_m is not None else row.nearest_min
    return MatrixCell(value, row.reach)


def matrix_text(cell: MatrixCell, lang: str) -> str | int:
    """Return what a matrix cell shows: the number, 无 (none reachable) or 未采集."""
    if cell.reach == Reach.not_collected:
        return t("reach.not_collected", lang)
    return cell.value if cell.value is not None else t("gaps.none_reached", lang)
