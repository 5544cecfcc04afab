"""Render the gap report in the terminal: per type first, then content areas, then rankings.

Only formats a :class:`~lifecircle.io.tables.GapReport` it is given (and the data sources of
each type); it computes no coverage of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from lifecircle.engine.coverage import WHOLE_AREA, AreaCoverage, TypeCoverage
from lifecircle.i18n import t
from lifecircle.io.tables import GapReport
from lifecircle.jobs.collection import TypeCollection
from lifecircle.taxonomy import Taxonomy


def _num(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def _name(taxonomy: Taxonomy, code: str, lang: str) -> str:
    ftype = taxonomy.type(code)
    return ftype.name_zh if lang == "zh" else ftype.name_en


def _data_cell(found: TypeCollection | None, lang: str) -> str:
    """Where a type's data comes from: sources and counts, declared complete, or 未采集."""
    if found is None or found.state == "not_collected":
        return t("reach.not_collected", lang)
    parts = [
        f"{t('status.source_osm', lang) if s == 'osm' else s.removeprefix('sheet:')} {n}"
        for s, n in found.sources.items()
    ]
    if found.state == "complete":
        parts.append("✓" + t("status.state_complete", lang))
    return ", ".join(parts)


def _type_cell(cov: TypeCoverage | None, lang: str) -> str:
    if cov is None:
        return ""
    if not cov.collected:
        return t("reach.not_collected", lang)
    return t(
        "gaps.share_cell",
        lang,
        n=cov.compounds_within,
        total=cov.compounds,
        share=_pct(cov.share_residents),
    )


def print_by_type(
    out: Console,
    report: GapReport,
    *,
    taxonomy: Taxonomy,
    collection: Sequence[TypeCollection],
    lang: str,
) -> None:
    """One row per required type: level, data source, and per profile compounds within level."""
    profiles = list(dict.fromkeys(c.profile for c in report.by_type))
    cells = {(c.profile, c.type): c for c in report.by_type if c.group == WHOLE_AREA}
    sources = {c.type: c for c in collection}
    table = Table(title=t("gaps.types_title", lang, date=report.data_date))
    for key in ("col.content_area", "col.type_name", "col.level_min", "gaps.col_data"):
        table.add_column(t(key, lang))
    for profile in profiles:
        table.add_column(profile, justify="right")
    name_key = "name_zh" if lang == "zh" else "name_en"
    for code in dict.fromkeys(c.type for c in report.by_type):
        ftype = taxonomy.type(code)
        table.add_row(
            getattr(taxonomy.area(ftype.area), name_key),
            getattr(ftype, name_key),
            f"▲{ftype.level_min}",
            _data_cell(sources.get(code), lang),
            *(_type_cell(cells.get((p, code)), lang) for p in profiles),
        )
    out.print(table)
    out.print(t("gaps.types_note", lang), markup=False, highlight=False)


def _strict_cell(c: AreaCoverage) -> str:
    if c.compounds_all_within is None:
        return "—"
    return f"{c.compounds_all_within}/{c.compounds}"


def print_by_area(out: Console, report: GapReport, *, taxonomy: Taxonomy, lang: str) -> None:
    """Content areas not fully covered: types covering all, types not collected, strict rule."""
    name_key = "name_zh" if lang == "zh" else "name_en"
    areas = {a.code: getattr(a, name_key) for a in taxonomy.areas}
    sep = t("boards.list_sep", lang)
    table = Table(title=t("gaps.title", lang, date=report.data_date))
    for key in (
        "col.profile",
        "col.group",
        "col.content_area",
        "gaps.col_types_full",
        "gaps.col_not_collected",
        "gaps.col_strict",
        "gaps.col_strict_share",
    ):
        table.add_column(t(key, lang))
    for c in report.coverage:
        if c.compounds_all_within == c.compounds and not c.not_collected:
            continue
        table.add_row(
            c.profile,
            c.group,
            areas.get(c.content_area, c.content_area),
            f"{c.types_full}/{c.required_types}",
            sep.join(_name(taxonomy, code, lang) for code in c.not_collected) or "—",
            _strict_cell(c),
            _pct(c.share),
        )
    out.print(table)


def print_top_missing(
    out: Console,
    report: GapReport,
    *,
    taxonomy: Taxonomy,
    collection: Sequence[TypeCollection],
    lang: str,
) -> None:
    """Print the required types missing for the most residents, per group, with their data."""
    sources = {c.type: c for c in collection}
    weight = report.weight
    title = (
        t("gaps.top_title_weighted", lang, weight=t(f"plan.weight_{weight.name}", lang))
        if weight is not None
        else t("gaps.top_title", lang)
    )
    top = Table(title=title)
    for key in (
        "col.profile",
        "col.group",
        "col.type_name",
        "col.compounds",
        "col.residents",
        "col.elderly",
        "gaps.col_data",
    ):
        top.add_column(t(key, lang))
    if report.weight is not None:
        top.add_column(t(f"col.weighted_{report.weight.name}", lang))
    for m in report.top_missing:
        weighted = (_num(m.weighted),) if report.weight is not None else ()
        top.add_row(
            m.profile,
            m.group,
            _name(taxonomy, m.type, lang),
            str(m.compounds),
            _num(m.residents),
            _num(m.elderly),
            _data_cell(sources.get(m.type), lang),
            *weighted,
        )
    out.print(top)
    for line in report.weight_notes(lang) if report.weight is not None else ():
        out.print(line, markup=False, highlight=False)


def print_gap_report(
    out: Console,
    report: GapReport,
    *,
    taxonomy: Taxonomy,
    collection: Sequence[TypeCollection],
    lang: str,
) -> None:
    """Print the whole report: label, per type, per content area, top missing, not collected."""
    if report.notice:
        out.print(t("status.notice", lang, notice=report.notice), style="bold yellow")
    print_by_type(out, report, taxonomy=taxonomy, collection=collection, lang=lang)
    print_by_area(out, report, taxonomy=taxonomy, lang=lang)
    print_top_missing(out, report, taxonomy=taxonomy, collection=collection, lang=lang)
    if report.not_collected:
        sep = t("boards.list_sep", lang)
        names = {
            required: sep.join(
                _name(taxonomy, u.type, lang)
                for u in report.not_collected
                if u.required is required
            )
            or "—"
            for required in (True, False)
        }
        line = t("gaps.not_collected_title", lang, required=names[True], optional=names[False])
        out.print(line, markup=False, highlight=False)
        out.print(t("gaps.not_collected_hint", lang), markup=False, highlight=False)
    for line in [*report.rules(lang), *report.estimates]:
        out.print(line, markup=False, highlight=False)
