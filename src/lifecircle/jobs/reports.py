"""Turn build results into the gap report and per-compound access tables people read.

Joins build results with the taxonomy and the records; no files, no printing. Minutes and
"missing" come from :mod:`lifecircle.engine.rules`, as on every other face.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lifecircle.engine.area import AreaData
from lifecircle.engine.coverage import coverage_by_area, coverage_by_type, uncollected_types
from lifecircle.engine.gaps import GapRow, GapWeight, circle_reports, gap_rows, top_missing
from lifecircle.engine.results import ProfileResult
from lifecircle.engine.rules import LEVELS_MIN, ShownUnit, verdict
from lifecircle.errors import ConfigError
from lifecircle.i18n import t as message
from lifecircle.io.tables import GapReport
from lifecircle.jobs.residents import MARK
from lifecircle.model import Compound
from lifecircle.taxonomy import Taxonomy


def gap_report(
    data: AreaData,
    results: Mapping[str, ProfileResult],
    *,
    taxonomy: Taxonomy,
    level: int | None = None,
    notice: str = "",
    lang: str = "zh",
    weight: GapWeight | None = None,
) -> GapReport:
    """Gap rows of every profile (optionally only types of one level) and their summaries.

    Types the data holds nothing of are *not collected* in the rows and listed apart
    (``report.not_collected``); ``notice`` (e.g. the demo's label) is carried to the outputs.
    ``estimates`` holds, when some residents are estimates, a line in ``lang`` saying how many
    (and how many were calibrated to a known total). ``weight``, when given, is who the
    top-missing ranking counts as the people affected instead of the residents.
    """
    if level is not None and level not in LEVELS_MIN:
        raise ConfigError("error.gaps.level", level=level, levels=tuple(str(x) for x in LEVELS_MIN))
    collected = data.collected_types
    rows: list[GapRow] = []
    circles = {}
    for name, result in results.items():
        table = result.gap_table()
        found = gap_rows(
            table,
            compounds=data.compounds,
            facilities=data.facilities,
            taxonomy=taxonomy,
            collected=collected,
        )
        rows.extend(r for r in found if level is None or r.level_min == level)
        circles[name] = circle_reports(
            table, compounds=data.compounds, taxonomy=taxonomy, collected=collected
        )
    wanted = {
        code for code in data.type_codes if level is None or taxonomy.type(code).level_min == level
    }
    return GapReport(
        rows=rows,
        by_type=coverage_by_type(rows),
        by_type_community=coverage_by_type(rows, group_by="community"),
        coverage=coverage_by_area(rows, group_by="community"),
        coverage_by_subdistrict=coverage_by_area(rows, group_by="subdistrict"),
        top_missing=top_missing(rows, weight=weight),
        not_collected=[u for u in uncollected_types(taxonomy, collected) if u.type in wanted],
        circles=circles,
        profiles=[r.profile for r in results.values()],
        data_date=data.data_date,
        taxonomy=taxonomy,
        notice=notice,
        complete_types=data.complete_types,
        estimates=estimate_notes(data.compounds, lang),
        weight=weight,
    )


def estimate_notes(compounds: Sequence[Compound], lang: str) -> list[str]:
    """Say how many compounds' residents are estimates, and calibrated ones (empty: none).

    >>> a = Compound("a", "甲", 0, 0, residents=10, estimate_method="估算。【校准】…")
    >>> estimate_notes([a, Compound("b", "乙", 0, 0, residents=5)], "en")[0][:40]
    'Residents of 1 of 2 compounds are estima'
    """
    estimated = [c for c in compounds if c.estimate_method is not None]
    if not estimated:
        return []
    calibrated = sum(1 for c in estimated if MARK in (c.estimate_method or ""))
    n, total = len(estimated), len(compounds)
    return [message("gaps.estimated_note", lang, n=n, total=total, calibrated=calibrated)]


def find_compound(compounds: Sequence[Compound], query: str) -> int:
    """Index of the compound named ``query``: exact name, id, a unique part, or pinyin initials.

    Raises :class:`ConfigError` listing candidates when the query is ambiguous or unknown.
    """
    query = query.strip()
    hits = compound_matches(compounds, query)
    if len(hits) == 1:
        return hits[0]
    names = tuple(compounds[i].name for i in hits[:10]) or tuple(c.name for c in compounds[:10])
    if hits:
        raise ConfigError("error.compound.ambiguous", query=query, names=names)
    raise ConfigError("error.compound.unknown", query=query, names=names)


def compound_matches(compounds: Sequence[Compound], query: str) -> list[int]:
    """Find the compounds ``query`` names (their indices).

    Exact name or id, else part of the name, else the start of the name's pinyin initials
    (``ylq`` for 友谊里).

    >>> compound_matches([Compound("a", "友谊里", 0, 0), Compound("b", "友谊新村", 0, 0)], "yyl")
    [0]
    """
    query = query.strip()
    exact = [i for i, c in enumerate(compounds) if query in (c.name, c.source_id)]
    if exact:
        return exact[:1]
    hits = [i for i, c in enumerate(compounds) if query.lower() in c.name.lower()]
    if not hits:
        hits = [i for i, c in enumerate(compounds) if _initials(c.name).startswith(query.lower())]
    return hits


def _initials(name: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER) if p).lower()


@dataclass(frozen=True)
class AccessLine:
    """One facility type as seen from one compound or board."""

    area: str
    type: str
    type_name: str
    level_min: int
    required: bool
    nearest: int | None  # shown minutes (rounded up), or metres in the distance convention
    unit: ShownUnit
    facility: str
    counts: tuple[int, ...]  # within 5, 10, 15
    reach: str  # the verdict: within, beyond, missing or not_collected
    missing: bool


def access_lines(
    result: ProfileResult, row: int, *, data: AreaData, taxonomy: Taxonomy, boards: bool = False
) -> list[AccessLine]:
    """List the access of one compound (or board) to every type, in taxonomy order.

    A board that serves a compound is judged as that compound (see
    :meth:`~lifecircle.engine.results.ProfileResult.verdict_row`), as its printed board is.
    """
    table, row = result.verdict_row(data, board=row) if boards else (result.compounds, row)
    lines = []
    for t, code in enumerate(result.type_codes):
        ftype = taxonomy.type(code)
        cost = float(table.cost[row, t])
        facility = int(table.nearest[row, t])
        counts = tuple(int(x) for x in table.counts[row, t])
        shown = verdict(
            cost,
            result.profile,
            level_min=ftype.level_min,
            required=ftype.required,
            collected=code in data.collected_types,
        )
        lines.append(
            AccessLine(
                area=ftype.area,
                type=code,
                type_name=ftype.name_zh,
                level_min=ftype.level_min,
                required=ftype.required,
                nearest=shown.value,
                unit=shown.unit,
                facility=(data.facilities[facility].name or code) if facility >= 0 else "",
                counts=counts,
                reach=shown.reach.value,
                missing=shown.missing,
            )
        )
    return lines
