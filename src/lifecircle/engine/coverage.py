"""Coverage summaries of the gap rows: per required type first, then per content area.

A 街道 officer acts on one type at a time ("社区卫生服务站: 31 of 50 compounds within 10 minutes"),
so the per-type share comes first; the content-area line counts how many of the area's required
types are fully covered, names the ones not collected, and keeps the strict rule ("every
collected ▲ type of the area within its level") under its own name. Shares of compounds are
plain counts; shares of residents are weighted by each compound's residents (按居民数加权).
Numeric: rows in, frozen values out; no text, no files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from lifecircle.engine.gaps import GapRow
from lifecircle.engine.rules import Reach
from lifecircle.taxonomy import FacilityType, Taxonomy

#: Group name of the rows that summarise every compound of the area (no grouping).
WHOLE_AREA = ""


def _share(part: int | None, whole: int) -> float | None:
    return part / whole if part is not None and whole else None


def _group(row: GapRow, group_by: str | None) -> str:
    return WHOLE_AREA if group_by is None else str(getattr(row, group_by) or "—")


def _people(value: int | None) -> int:
    return int(value) if value is not None else 0


@dataclass(frozen=True)
class TypeCoverage:
    """How many compounds, and residents, of a group reach one required type within its level.

    ``collected`` is ``False`` when the data holds no facility of the type (未采集): then the
    ``*_within`` counts are ``None``, not zero — nobody knows.
    """

    profile: str
    group: str
    type: str
    type_name: str
    content_area: str
    level_min: int
    collected: bool
    compounds: int
    compounds_within: int | None
    residents: int
    residents_within: int | None

    @property
    def share_compounds(self) -> float | None:
        """Compounds within ÷ compounds (``None``: not collected, or no compound)."""
        return _share(self.compounds_within, self.compounds)

    @property
    def share_residents(self) -> float | None:
        """Residents within ÷ residents, i.e. weighted by residents (``None``: unknown)."""
        return _share(self.residents_within, self.residents)

    @property
    def full(self) -> bool:
        """Whether every compound of the group reaches the type within its level."""
        return self.collected and self.compounds_within == self.compounds


def coverage_by_type(rows: Sequence[GapRow], *, group_by: str | None = None) -> list[TypeCoverage]:
    """Per profile, group and required type: compounds and residents with the type within level.

    ``group_by`` is ``"community"``, ``"subdistrict"`` or ``None`` (the whole area, group
    :data:`WHOLE_AREA`). Types come in the rows' order (the taxonomy's).
    """
    found: dict[tuple[str, str, str], list[GapRow]] = defaultdict(list)
    for row in rows:
        if row.required:
            found[(row.profile, _group(row, group_by), row.type)].append(row)
    result = []
    for (profile, group, code), hits in found.items():
        first = hits[0]
        collected = first.reach != Reach.not_collected
        within = [r for r in hits if r.reach == Reach.within]
        result.append(
            TypeCoverage(
                profile=profile,
                group=group,
                type=code,
                type_name=first.type_name,
                content_area=first.content_area,
                level_min=first.level_min,
                collected=collected,
                compounds=len(hits),
                compounds_within=len(within) if collected else None,
                residents=sum(_people(r.residents) for r in hits),
                residents_within=sum(_people(r.residents) for r in within) if collected else None,
            )
        )
    profiles = list(dict.fromkeys(r.profile for r in rows))
    # profiles as given, groups by name; stable, so types keep the taxonomy's order
    return sorted(result, key=lambda c: (profiles.index(c.profile), c.group))


@dataclass(frozen=True)
class AreaCoverage:
    """One content area in one group: its required types, and the strict all-types rule.

    ``types_full`` of the ``required_types`` reach every compound of the group;
    ``not_collected`` names the required types the data does not hold. The strict rule —
    *every collected required type within its level* — gives ``compounds_all_within`` and
    ``residents_all_within``; both are ``None`` when no required type of the area is collected
    (an area with no required type at all covers everyone).
    """

    profile: str
    group: str
    content_area: str
    required_types: int
    types_full: int
    not_collected: tuple[str, ...]
    compounds: int
    compounds_all_within: int | None
    residents: int
    residents_all_within: int | None

    @property
    def share(self) -> float | None:
        """Strict rule's residents ÷ residents, weighted by residents (``None``: unknown)."""
        return _share(self.residents_all_within, self.residents)


def coverage_by_area(
    rows: Sequence[GapRow], *, group_by: str | None = "community"
) -> list[AreaCoverage]:
    """Per profile, group and content area: types fully covered, not collected, strict rule."""
    by_type = coverage_by_type(rows, group_by=group_by)
    members: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    missing: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    areas: dict[str, None] = {}
    for row in rows:
        key = (row.profile, _group(row, group_by))
        members[key][row.compound_id] = _people(row.residents)
        areas[row.content_area] = None
        if row.missing:
            missing[(*key, row.content_area)].add(row.compound_id)
    types: dict[tuple[str, str, str], list[TypeCoverage]] = defaultdict(list)
    for c in by_type:
        types[(c.profile, c.group, c.content_area)].append(c)
    result = []
    profiles = list(dict.fromkeys(r.profile for r in rows))
    for profile, group in sorted(members, key=lambda k: (profiles.index(k[0]), k[1])):
        people = members[(profile, group)]
        for area in areas:
            mine = types.get((profile, group, area), [])
            lacking = missing.get((profile, group, area), set())
            covered: list[str] | None = [cid for cid in people if cid not in lacking]
            if mine and not any(c.collected for c in mine):
                covered = None  # nothing of the area is collected: the strict rule cannot say
            result.append(
                AreaCoverage(
                    profile=profile,
                    group=group,
                    content_area=area,
                    required_types=len(mine),
                    types_full=sum(c.full for c in mine),
                    not_collected=tuple(c.type for c in mine if not c.collected),
                    compounds=len(people),
                    compounds_all_within=None if covered is None else len(covered),
                    residents=sum(people.values()),
                    residents_all_within=(
                        None if covered is None else sum(people[cid] for cid in covered)
                    ),
                )
            )
    return result


@dataclass(frozen=True)
class UncollectedType:
    """A facility type the area's data holds nothing of (未采集): collect it, or declare it."""

    type: str
    type_name: str
    content_area: str
    level_min: int
    required: bool
    in_osm: bool  # the taxonomy has OSM rules for it (OSM could hold it, but holds none here)


def uncollected_types(taxonomy: Taxonomy, collected: Collection[str]) -> list[UncollectedType]:
    """List the taxonomy's types outside ``collected``, required ones first, in taxonomy order.

    >>> from lifecircle.taxonomy import load_taxonomy
    >>> tax = load_taxonomy()
    >>> gone = uncollected_types(tax, {t.code for t in tax.types} - {"breakfast_shop", "aed"})
    >>> [(u.type, u.required) for u in gone]
    [('breakfast_shop', True), ('aed', False)]
    """
    missing = [t for t in taxonomy.types if t.code not in collected]
    return [_uncollected(t) for t in sorted(missing, key=lambda t: not t.required)]


def _uncollected(ftype: FacilityType) -> UncollectedType:
    return UncollectedType(
        type=ftype.code,
        type_name=ftype.name_zh,
        content_area=ftype.area,
        level_min=ftype.level_min,
        required=ftype.required,
        in_osm=bool(ftype.osm_rules),
    )
