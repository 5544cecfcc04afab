"""Gap analysis (缺什么补什么): which required services each compound cannot reach within its level.

Numeric: takes the compound × type access table of one profile, the taxonomy and the types the
data holds, returns rows and rankings as plain values (summaries per type and per content area
are :mod:`lifecircle.engine.coverage`'s). Writing them out is :mod:`lifecircle.io.tables`' job.
A type the data does not hold is *not collected* (未采集) in every row, never missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lifecircle.engine.profiles import WalkProfile
from lifecircle.engine.rules import inclusive, minutes_limit, verdict
from lifecircle.model import Compound, Facility
from lifecircle.taxonomy import Taxonomy


@dataclass(frozen=True, eq=False)
class CompoundAccessTable:
    """Access of every compound to every facility type under one profile.

    ``cost[c, t]``: seconds (or metres in the distance convention) from the compound's best
    gate to the nearest facility of type ``t`` (``inf`` when none is reachable);
    ``nearest[c, t]``: that facility's index in ``facilities`` (``-1``);
    ``count_within[level][c, t]``: distinct facilities within the level's threshold.
    """

    profile: WalkProfile
    type_codes: tuple[str, ...]
    cost: np.ndarray
    nearest: np.ndarray
    count_within: Mapping[int, np.ndarray]


@dataclass(frozen=True)
class GapRow:
    """One compound × facility type × profile row of the gap table."""

    compound_id: str
    compound_name: str
    community: str
    subdistrict: str
    profile: str
    convention: str
    type: str
    type_name: str
    content_area: str
    level_min: int
    required: bool
    nearest_min: int | None
    nearest_m: int | None
    nearest_facility_id: str
    nearest_facility_name: str
    count_within_level: int
    #: The verdict (:class:`~lifecircle.engine.rules.Reach` value): within, beyond, missing,
    #: or not_collected when the area's data holds no facility of the type at all.
    reach: str
    missing: bool
    residents: int | None
    elderly: int | None
    children: int | None
    #: The compound's residents are an estimate (from OSM buildings), not a sheet's figure.
    residents_estimated: bool = False


def gap_rows(
    table: CompoundAccessTable,
    *,
    compounds: Sequence[Compound],
    facilities: Sequence[Facility],
    taxonomy: Taxonomy,
    collected: Collection[str],
) -> list[GapRow]:
    """One row per compound × facility type: nearest, count within the type's level, verdict.

    The nearest is shown and judged by :func:`lifecircle.engine.rules.verdict`: whole minutes
    rounded up (``nearest_min``), or metres in the distance convention (``nearest_m``);
    ``missing`` when the type is required (▲), ``collected`` holds it, and that shown value
    exceeds its level. As-needed (△) types are listed but never "missing"; a type not in
    ``collected`` with nothing reached is ``reach == "not_collected"``.
    """
    rows = []
    for t, code in enumerate(table.type_codes):
        ftype = taxonomy.type(code)
        counts = table.count_within[ftype.level_min][:, t]
        for c, compound in enumerate(compounds):
            cost = float(table.cost[c, t])
            nearest = int(table.nearest[c, t])
            shown = verdict(
                cost,
                table.profile,
                level_min=ftype.level_min,
                required=ftype.required,
                collected=code in collected,
            )
            minutes, metres = (None, shown.value) if shown.unit == "m" else (shown.value, None)
            facility = facilities[nearest] if nearest >= 0 else None
            rows.append(
                GapRow(
                    compound_id=compound.source_id,
                    compound_name=compound.name,
                    community=compound.community,
                    subdistrict=compound.subdistrict,
                    profile=table.profile.name,
                    convention=table.profile.convention,
                    type=code,
                    type_name=ftype.name_zh,
                    content_area=ftype.area,
                    level_min=ftype.level_min,
                    required=ftype.required,
                    nearest_min=minutes,
                    nearest_m=metres,
                    nearest_facility_id=facility.source_id if facility else "",
                    nearest_facility_name=facility.name if facility else "",
                    count_within_level=int(counts[c]),
                    reach=shown.reach.value,
                    missing=shown.missing,
                    residents=compound.residents,
                    elderly=compound.elderly,
                    children=compound.children,
                    residents_estimated=compound.estimate_method is not None,
                )
            )
    return rows


@dataclass(frozen=True)
class GapWeight:
    """Who "people affected" counts in the ranking, when not the residents.

    ``name`` is the weight (``elderly``, ``children``, ``vulnerable`` …), ``values`` its number
    per compound id (``None``: not known); ``suppressed_below`` is set when counts below it were
    left out at the source (the welfare register's), and such compounds then count 0.
    """

    name: str
    values: Mapping[str, float | None]
    suppressed_below: int | None = None

    def affected(self, compound_ids: Sequence[str]) -> int | None:
        """Sum the weight over compounds; ``None`` when none is known and nothing was suppressed.

        >>> w = GapWeight("vulnerable", {"a": 6.0, "b": None}, suppressed_below=5)
        >>> w.affected(["a", "b"]), w.affected(["b"]), GapWeight("elderly", {}).affected(["b"])
        (6, 0, None)
        """
        found = [self.values.get(c) for c in compound_ids]
        if self.suppressed_below is not None:
            found = [0.0 if v is None else v for v in found]
        known = [round(v) for v in found if v is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class MissingType:
    """A required type missing for some compounds of a group, with the people affected.

    ``weighted`` is the people affected by the report's :class:`GapWeight` (``None`` without
    one, or when not known); the ranking then follows it instead of the residents.
    """

    profile: str
    group: str
    type: str
    type_name: str
    compounds: int
    residents: int | None
    elderly: int | None
    children: int | None
    weighted: int | None = None


def _known_sum(values: Sequence[int | None]) -> int | None:
    """Sum of the known values; ``None`` when none is known (unknown is not zero)."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _people(value: int | None) -> int:
    return int(value) if value is not None else 0


def top_missing(
    rows: Sequence[GapRow],
    *,
    group_by: str = "community",
    top: int = 5,
    weight: GapWeight | None = None,
) -> list[MissingType]:
    """Rank the required types missing for the most people in each group (ties: compounds).

    The people are the residents, or ``weight``'s people when one is given.
    """
    acc: dict[tuple[str, str, str], list[GapRow]] = defaultdict(list)
    for row in rows:
        if row.missing:
            acc[(row.profile, str(getattr(row, group_by) or "—"), row.type)].append(row)
    by_group: dict[tuple[str, str], list[MissingType]] = defaultdict(list)
    for (profile, group, code), hits in acc.items():
        by_group[(profile, group)].append(
            MissingType(
                profile,
                group,
                code,
                hits[0].type_name,
                len(hits),
                _known_sum([r.residents for r in hits]),
                _known_sum([r.elderly for r in hits]),
                _known_sum([r.children for r in hits]),
                weight.affected([r.compound_id for r in hits]) if weight else None,
            )
        )
    result = []
    for key in sorted(by_group):
        ranked = sorted(
            by_group[key],
            key=lambda m: (-((m.weighted if weight else m.residents) or 0), -m.compounds, m.type),
        )
        result.extend(ranked[:top])
    return result


@dataclass(frozen=True)
class CircleReport:
    """A named circle (e.g. 居家养老15分钟服务圈): which compounds reach all of its types.

    Only the circle's collected types are judged; ``not_collected`` lists the others, and
    ``compounds_complete`` / ``residents_complete`` are ``None`` when none is collected.
    """

    code: str
    name_zh: str
    name_en: str
    minutes: int
    compounds: int
    compounds_complete: int | None
    residents: int
    residents_complete: int | None
    lacking: Mapping[str, int]  # type code -> compounds lacking it
    not_collected: tuple[str, ...] = ()


def circle_reports(
    table: CompoundAccessTable,
    *,
    compounds: Sequence[Compound],
    taxonomy: Taxonomy,
    collected: Collection[str],
) -> list[CircleReport]:
    """Evaluate every named circle of the taxonomy on this profile's access table."""
    column = {code: i for i, code in enumerate(table.type_codes)}
    residents = np.array([_people(c.residents) for c in compounds])
    reports = []
    for circle in taxonomy.circles:
        limit = minutes_limit(table.profile, circle.minutes)
        codes = [code for code in circle.type_codes if code in column]
        judged = [code for code in codes if code in collected]
        cols = [column[code] for code in judged]
        reached = table.cost[:, cols] <= inclusive(limit)
        complete = reached.all(axis=1) if cols else None
        reports.append(
            CircleReport(
                code=circle.code,
                name_zh=circle.name_zh,
                name_en=circle.name_en,
                minutes=circle.minutes,
                compounds=len(compounds),
                compounds_complete=int(complete.sum()) if complete is not None else None,
                residents=int(residents.sum()),
                residents_complete=(
                    int(residents[complete].sum()) if complete is not None else None
                ),
                lacking={code: int((~reached[:, k]).sum()) for k, code in enumerate(judged)},
                not_collected=tuple(code for code in codes if code not in collected),
            )
        )
    return reports
