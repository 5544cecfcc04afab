"""``lifecircle build | gaps | access``: run the walking-access engine and show what it found.

Parse, call :mod:`lifecircle.jobs.build` / :mod:`lifecircle.jobs.reports`, render with rich
(the gap report's tables: :mod:`lifecircle.cli.gaps_view`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from rich.table import Table

from lifecircle.cli.base import Context, handled
from lifecircle.cli.gaps_view import print_gap_report
from lifecircle.cli.options import PROFILE, profiles_option
from lifecircle.engine.profiles import (
    DEFAULT_PROFILES,
    plain_rule,
    profile_label,
    rule_details,
)
from lifecircle.engine.results import ProfileResult
from lifecircle.engine.rules import Reach, shown_unit
from lifecircle.i18n import t
from lifecircle.io.tables import write_gap_report
from lifecircle.jobs.build import build
from lifecircle.jobs.collection import read_collection
from lifecircle.jobs.reports import access_lines, find_compound, gap_report
from lifecircle.plan.sites import WEIGHT_FIELDS, gap_weight


def _profiles(given: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(given)) or DEFAULT_PROFILES


@click.command("build")
@profiles_option("standard, elderly, wheelchair")
@click.option("--force", is_flag=True, help="Recompute even if cached results are current.")
@click.pass_obj
@handled
def build_command(obj: Context, profiles: tuple[str, ...], force: bool) -> None:
    """Compute walking access, gaps and 5/10/15-minute areas for every compound and board."""
    project = obj.project()
    lang = obj.language(project)
    with obj.out.status(t("build.running", lang)) as status:
        data, results = build(
            project,
            _profiles(profiles),
            force=force,
            progress=lambda name: status.update(t("build.profile", lang, profile=name)),
        )
    table = Table(title=t("build.title", lang, version=data.data_version, date=data.data_date))
    for key in ("col_profile", "col_convention", "col_seconds", "col_unreached"):
        table.add_column(t(f"build.{key}", lang))
    for result in results.values():
        unreached = sum(len(v) for v in result.unreached.values())
        table.add_row(
            profile_label(result.profile.name, lang),
            rule_details(result.profile, lang),
            f"{result.seconds:.1f}",
            str(unreached),
        )
    obj.out.print(table)
    obj.out.print(
        t(
            "build.counts",
            lang,
            compounds=len(data.compounds),
            boards=len(data.boards),
            facilities=len(data.facilities),
        )
    )
    _print_point_issues(obj, lang, list(results.values()), max_m=project.settings.snap_max_m)
    for warning in data.warnings:
        obj.out.print(f"⚠ {warning.render(lang)}", markup=False, highlight=False)


def _print_point_issues(
    obj: Context, lang: str, results: Sequence[ProfileResult], *, max_m: float
) -> None:
    """Say which gates, facilities and boards are far off, on islands or cut off for a walker.

    Points are attached once for every profile, so far and island points are listed once.
    """
    lines = []
    for result in results[:1]:
        for issue in ("far", "island", "closed"):
            lines += _issue_lines(lang, issue, result.issues.get(issue, {}), max_m=max_m)
    for result in results:
        found = result.issues.get("impassable", {})
        lines += _issue_lines(lang, "impassable", found, profile=result.profile.name)
    if results and not lines:
        lines.append(t("build.attached_ok", lang))
    for line in lines:
        obj.out.print(line, markup=False, highlight=False)


def _issue_lines(
    lang: str, issue: str, by_kind: dict[str, list[str]], **values: object
) -> list[str]:
    return [
        t(f"build.{issue}", lang, n=len(ids), kind=t(f"build.kind_{kind}", lang),
          ids=", ".join(ids[:8]) + (" …" if len(ids) > 8 else ""), **values)
        for kind, ids in by_kind.items()
        if ids
    ]  # fmt: skip


@click.command("gaps")
@profiles_option("all three")
@click.option(
    "--level",
    type=click.Choice(["5", "10", "15"]),
    default=None,
    help="Only facility types of this life-circle level.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the table: .xlsx, .csv or .geojson (summaries are written alongside).",
)
@click.option(
    "--weight",
    type=click.Choice(WEIGHT_FIELDS),
    default="residents",
    show_default=True,
    help="Who the ranking counts as people affected (vulnerable: welfare register, counts only).",
)
@click.pass_obj
@handled
def gaps_command(
    obj: Context, profiles: tuple[str, ...], level: str | None, out: Path | None, weight: str
) -> None:
    """Which required services each compound lacks within its level (缺什么补什么)."""
    project = obj.project()
    lang = obj.language(project)
    taxonomy = project.taxonomy()
    with obj.out.status(t("build.running", lang)):
        data, results = build(project, _profiles(profiles))
    report = gap_report(
        data,
        results,
        taxonomy=taxonomy,
        level=int(level) if level else None,
        notice=project.notice(lang),
        lang=lang,
        weight=gap_weight(project, data, weight),  # type: ignore[arg-type]
    )
    with project.open_store() as store:
        collection = read_collection(project, store)
    print_gap_report(obj.out, report, taxonomy=taxonomy, collection=collection, lang=lang)
    if out is not None:
        for path in write_gap_report(report, out, compounds=data.compounds, lang=lang):
            obj.out.print(t("gaps.written", lang, path=path))


@click.command("access")
@click.option(
    "--compound",
    "compound",
    default=None,
    help="Compound name, id, part of the name or pinyin initials.",
)
@click.option("--board", "board", default=None, help="Board id.")
@click.option("--profile", type=PROFILE, default="standard", show_default=True)
@click.option("--all-types", is_flag=True, help="Also list types with nothing within 15 minutes.")
@click.pass_obj
@handled
def access_command(
    obj: Context, compound: str | None, board: str | None, profile: str, all_types: bool
) -> None:
    """Minutes from one compound (or board) to the nearest service of every type."""
    if (compound is None) == (board is None):
        raise click.UsageError("give --compound NAME or --board ID")
    project = obj.project()
    lang = obj.language(project)
    taxonomy = project.taxonomy()
    data, results = build(project, (profile,))
    result = results[profile]
    if compound is not None:
        row, is_board = find_compound(data.compounds, compound), False
        title = data.compounds[row].name
    else:
        ids = [b.board_id for b in data.boards]
        if board not in ids:
            raise click.UsageError(f"no board {board!r}; boards: {', '.join(ids[:20])}")
        row, is_board, title = ids.index(board), True, board or ""
    unit = shown_unit(result.profile)
    rule = plain_rule(result.profile, lang)
    table = Table(title=t("access.title", lang, name=title, profile=rule))
    for key in ("col_area", "col_type", "col_level", "col_nearest", "col_facility", "col_counts"):
        table.add_column(t(f"access.{key}", lang, unit=unit))
    name_key = "name_zh" if lang == "zh" else "name_en"
    notice = project.notice(lang)
    if notice:
        obj.out.print(t("status.notice", lang, notice=notice), style="bold yellow")
    for line in access_lines(result, row, data=data, taxonomy=taxonomy, boards=is_board):
        if line.nearest is None and not line.required and not all_types:
            continue
        mark = ""
        if line.missing:
            mark = t("access.missing", lang)
        elif line.reach == Reach.not_collected:
            mark = t("access.not_collected", lang)
        nearest = "—" if line.nearest is None else str(line.nearest)
        ftype = taxonomy.type(line.type)
        table.add_row(
            getattr(taxonomy.area(line.area), name_key),
            getattr(ftype, name_key),
            f"{line.level_min}{'▲' if line.required else '△'}",
            f"{nearest} {mark}".strip(),
            line.facility,
            "/".join(str(c) for c in line.counts),
        )
    obj.out.print(table)
    obj.out.print(t("gaps.data_date", lang, date=data.data_date))
