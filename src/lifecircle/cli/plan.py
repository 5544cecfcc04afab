"""``lifecircle plan``: choose new sites for one facility type (补缺选址) and show what they gain.

Parse, call :func:`lifecircle.plan.sites.plan_sites`, render with rich, write the outputs
with :mod:`lifecircle.plan.outputs`; no planning logic here.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from lifecircle.cli.base import CRS_CHOICE, Context, handled
from lifecircle.engine.profiles import PROFILES
from lifecircle.i18n import t
from lifecircle.io.candidates import read_candidates
from lifecircle.plan.outputs import goal_met, short_warning, walk_unit, write_plan
from lifecircle.plan.report import PlanReport, plan_report
from lifecircle.plan.sites import WEIGHT_FIELDS, SitePlan, plan_sites, save_plan


def _method_table(plan: SitePlan, report: PlanReport, lang: str) -> Table:
    s = report.summary
    title = t(
        "plan.title_all" if s.goal == "cover_all" else "plan.title_max",
        lang,
        name=s.type_name,
        n=s.n_sites or 0,
    )
    table = Table(title=title)
    for key in ("method", "sites", "people", "feasible"):
        table.add_column(t(f"plan.col_m_{key}", lang, weight=t(f"plan.weight_{s.weight}", lang)))
    rows = (
        ("exact", s.sites_exact, s.people_exact, s.feasible_exact),
        ("greedy", s.sites_greedy, s.people_greedy, s.feasible_greedy),
    )
    for method, sites, people, ok in rows:
        met = goal_met(report, ok, lang)
        table.add_row(
            t(f"plan.method_{method}", lang),
            str(sites),
            f"{people:,.0f}",
            f"[red]{escape(met)}[/red]" if report.short_of_all else escape(met),
        )
    return table


def _site_table(plan: SitePlan, report: PlanReport, lang: str) -> Table:
    unit = walk_unit(plan, lang)
    table = Table(title=t("plan.sites_title", lang))
    for key in ("rank", "name", "compounds", "people", "walk_farthest", "source"):
        table.add_column(t(f"plan.col_{key}", lang, unit=unit))
    for s in report.sites:
        walk = "—" if s.walk_farthest is None else f"{s.walk_farthest:g}"
        table.add_row(
            str(s.rank),
            s.name or s.address or t("plan.map_unnamed", lang),
            str(s.compounds),
            f"{s.people:,.0f}",
            walk,
            s.candidate_id,
        )
    return table


def _community_table(report: PlanReport, lang: str) -> Table:
    table = Table(title=t("plan.communities_title", lang))
    for key in (
        "community",
        "compounds_before",
        "compounds_after",
        "people_before",
        "people_after",
    ):
        table.add_column(t(f"plan.col_{key}", lang))
    for c in report.communities:
        table.add_row(
            c.community,
            f"{c.compounds_before}/{c.compounds_total}",
            f"{c.compounds_after}/{c.compounds_total}",
            f"{c.people_before:,.0f}",
            f"{c.people_after:,.0f}",
        )
    return table


def _gain(report: PlanReport, lang: str) -> str:
    """Say what the exact solve gained over greedy: people (max cover) or sites (cover all)."""
    s = report.summary
    if s.goal == "cover_all" and s.feasible_exact and s.feasible_greedy:
        fewer = s.sites_greedy - s.sites_exact
        return t("plan.gain_sites", lang, n=fewer) if fewer > 0 else t("plan.gain_none", lang)
    more = s.people_exact - s.people_greedy
    if s.goal == "cover_all" or more <= 0:
        return t("plan.gain_none", lang)
    share = more / s.people_greedy if s.people_greedy else 0.0
    return t("plan.gain_people", lang, n=f"{more:,.0f}", share=f"{share:.1%}")


def _print(obj: Context, plan: SitePlan, report: PlanReport, lang: str) -> None:
    s = report.summary
    out = obj.out
    out.print(
        t(
            "plan.candidates_line",
            lang,
            n=s.candidates,
            unreached=s.candidates_unreached,
            existing=s.existing,
        )
    )
    out.print(_method_table(plan, report, lang))
    out.print(_gain(report, lang))
    gap = "—" if s.gap is None else f"{s.gap:.4%}"
    proven = t("plan.proven" if s.optimal else "plan.not_proven", lang)
    out.print(
        t("plan.status_line", lang, status=s.status, proven=proven, gap=gap, seconds=s.seconds),
        markup=False,
        highlight=False,
    )
    out.print(_site_table(plan, report, lang))
    out.print(_community_table(report, lang))
    if report.uncoverable:
        names = "、".join(report.uncoverable[:10])
        out.print(
            t("plan.uncoverable_line", lang, n=len(report.uncoverable), names=names),
            markup=False,
            highlight=False,
        )
    if s.unknown_weight:
        out.print(
            t(
                "plan.unknown_weight_line",
                lang,
                n=s.unknown_weight,
                weight=t(f"plan.weight_{s.weight}", lang),
            )
        )
    out.print(t("plan.rule_line", lang, rule=s.convention), markup=False, highlight=False)
    warning = short_warning(report, lang)
    if warning:
        out.print(warning, style="bold red", markup=False, highlight=False)


@click.command("plan")
@click.option("--type", "type_text", required=True, help="Facility type (code or Chinese name).")
@click.option("--sites", "n_sites", type=click.IntRange(min=1), help="Number of new sites.")
@click.option("--cover-all", is_flag=True, help="The fewest new sites that cover every compound.")
@click.option("--profile", type=click.Choice(list(PROFILES)), default="standard", show_default=True)
@click.option(
    "--candidates",
    "sheet",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Sheet of candidate sites (name, lon, lat; capacity, cost optional).",
)
@click.option(
    "--crs",
    type=CRS_CHOICE,
    default="wgs84",
    show_default=True,
    help="Coordinate system of the candidates sheet.",
)
@click.option("--no-osm", is_flag=True, help="Use only the sheet's candidates, none from OSM.")
@click.option("--weight", type=click.Choice(WEIGHT_FIELDS), default="residents", show_default=True)
@click.option(
    "--budget-minutes",
    "minutes",
    type=click.IntRange(1, 60),
    help="Walking limit in minutes (default: the type's life-circle level).",
)
@click.option(
    "--time-limit",
    "time_limit_s",
    type=click.FloatRange(min=0.1),
    help="Seconds for the exact solver (default: the plan_time_limit_s setting).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for plan.xlsx, plan.geojson, plan_map.svg and plan_map.png.",
)
@click.option("--save", is_flag=True, help="Store the chosen sites as planned facilities (规划中).")
@click.pass_obj
@handled
def plan_command(
    obj: Context,
    type_text: str,
    n_sites: int | None,
    cover_all: bool,
    profile: str,
    sheet: Path | None,
    crs: str,
    no_osm: bool,
    weight: str,
    minutes: int | None,
    time_limit_s: float | None,
    out: Path | None,
    save: bool,
) -> None:
    """Choose new sites for a facility type: N that cover the most people, or cover everyone."""
    if (n_sites is None) == (not cover_all):
        raise click.UsageError("give --sites N or --cover-all")
    project = obj.project()
    lang = obj.language(project)
    candidates = read_candidates(sheet, crs=crs) if sheet is not None else ()
    with obj.out.status(t("plan.running", lang)):
        plan = plan_sites(
            project,
            type_text,
            n_sites=n_sites,
            profile=profile,
            weight=weight,  # type: ignore[arg-type]
            minutes=minutes,
            sheet_candidates=candidates,
            use_osm=not no_osm,
            time_limit_s=time_limit_s or project.settings.plan_time_limit_s,
        )
    report = plan_report(plan, n_sites=n_sites, lang=lang)
    _print(obj, plan, report, lang)
    if out is not None:
        for path in write_plan(plan, report, out, lang=lang):
            obj.out.print(t("plan.written", lang, path=path))
    if save:
        version = save_plan(plan, project, author="cli")
        key = "plan.saved" if version is not None else "plan.save_unchanged"
        obj.out.print(t(key, lang, n=len(plan.result.chosen), version=version.id if version else 0))
