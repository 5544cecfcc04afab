"""``lifecircle batch build|gaps|boards|report`` and ``lifecircle areas cut``: many areas at once.

Parse, call :func:`lifecircle.jobs.batch.run_batch` with the per-area job (build and gaps from
:mod:`lifecircle.jobs.batch_jobs`, boards from :mod:`lifecircle.boards.areas`) or
:func:`lifecircle.jobs.areas.cut_areas`, and show each area as it ends (rich), then a table.
A batch with a failed area exits with status 1 once every other area has finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lifecircle.cli.base import Context, handled
from lifecircle.cli.boards import PAPER_OPTION
from lifecircle.cli.options import BOARD_PROFILE, profiles_option
from lifecircle.i18n import t

if TYPE_CHECKING:
    from lifecircle.jobs.batch import AreaJob, AreaOutcome

AREAS_DIR = click.Path(path_type=Path, file_okay=False)


def _scheduler_options(func: Any) -> Any:
    func = click.option(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:8786",
        help="A running Dask scheduler (default: a local cluster on this machine).",
    )(func)
    func = click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=2,
        show_default=True,
        help="Worker processes of the local cluster (one thread each).",
    )(func)
    return click.option("--force", is_flag=True, help="Run areas that are already current too.")(
        func
    )


@click.group("batch")
def batch_group() -> None:
    """Build, report and print many areas at once on Dask (each sub-folder is an area)."""


def _run(
    obj: Context, job: AreaJob, areas_dir: Path, options: dict[str, Any], *,
    scheduler: str | None, workers: int, force: bool,
) -> None:  # fmt: skip
    """Run ``job`` over the areas with a progress bar; print a table; exit 1 if any failed."""
    from lifecircle.jobs.batch import find_areas, run_batch

    lang = obj.language()
    total = len(find_areas(areas_dir))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=obj.out, transient=True) as bar:
        task = bar.add_task(t("batch.running", lang, job=job.name, n=total), total=total)

        def ended(outcome: AreaOutcome) -> None:
            bar.advance(task)
            bar.console.print(_line(outcome, lang), markup=False, highlight=False)

        outcomes = run_batch(
            job, areas_dir, options, scheduler=scheduler, workers=workers, force=force,
            lang=lang, on_outcome=ended,
        )  # fmt: skip
    obj.out.print(_table(outcomes, lang))
    failed = [o for o in outcomes if o.status == "failed"]
    counts = {s: sum(o.status == s for o in outcomes) for s in ("done", "skipped", "failed")}
    obj.out.print(t("batch.summary", lang, job=job.name, **counts), markup=False)
    for outcome in failed:
        obj.out.print(t("batch.failed", lang, area=outcome.area, error=outcome.error), markup=False)
    if failed:
        raise click.exceptions.Exit(1)


def _line(outcome: AreaOutcome, lang: str) -> str:
    if outcome.status == "failed":
        return t("batch.line_failed", lang, area=outcome.area, error=outcome.error)
    if outcome.status == "skipped":
        return t("batch.line_skipped", lang, area=outcome.area)
    return t("batch.line_done", lang, area=outcome.area, seconds=outcome.seconds)


def _table(outcomes: Sequence[AreaOutcome], lang: str) -> Table:
    table = Table(title=t("batch.title", lang, n=len(outcomes)))
    for key in ("col_area", "col_status", "col_seconds", "col_memory", "col_worker", "col_what"):
        table.add_column(t(f"batch.{key}", lang))
    for o in outcomes:
        what = o.error or ", ".join(f"{k} {v}" for k, v in (o.summary or {}).items())
        ran = o.status != "skipped"
        table.add_row(
            o.area, t(f"batch.status_{o.status}", lang), f"{o.seconds:.1f}" if ran else "",
            f"{o.peak_rss_mb:.0f}" if o.peak_rss_mb else "", o.worker, what,
        )  # fmt: skip
    return table


@batch_group.command("build")
@click.argument("areas_dir", type=AREAS_DIR)
@profiles_option("standard, elderly, wheelchair")
@_scheduler_options
@click.pass_obj
@handled
def batch_build(
    obj: Context, areas_dir: Path, profiles: tuple[str, ...], scheduler: str | None,
    workers: int, force: bool,
) -> None:  # fmt: skip
    """Build every area of AREAS_DIR (as `lifecircle build`), one Dask task per area."""
    from lifecircle.jobs.batch_jobs import BUILD

    options = {"profiles": tuple(dict.fromkeys(profiles))} if profiles else {}
    _run(obj, BUILD, areas_dir, options, scheduler=scheduler, workers=workers, force=force)


@batch_group.command("gaps")
@click.argument("areas_dir", type=AREAS_DIR)
@profiles_option("all three")
@_scheduler_options
@click.pass_obj
@handled
def batch_gaps(
    obj: Context, areas_dir: Path, profiles: tuple[str, ...], scheduler: str | None,
    workers: int, force: bool,
) -> None:  # fmt: skip
    """Write each area's gap report to <area>/gaps/gaps.xlsx (building what is not built)."""
    from lifecircle.jobs.batch_jobs import GAPS

    options: dict[str, Any] = {"lang": obj.language()}
    if profiles:
        options["profiles"] = tuple(dict.fromkeys(profiles))
    _run(obj, GAPS, areas_dir, options, scheduler=scheduler, workers=workers, force=force)


@batch_group.command("boards")
@click.argument("areas_dir", type=AREAS_DIR)
@PAPER_OPTION
@BOARD_PROFILE
@click.option("--draft", is_flag=True, help="Preview only: stamp every board 草稿 (draft).")
@_scheduler_options
@click.pass_obj
@handled
def batch_boards(
    obj: Context, areas_dir: Path, paper: str, profile: str, draft: bool,
    scheduler: str | None, workers: int, force: bool,
) -> None:  # fmt: skip
    """Make every board of every area into <area>/boards (as `lifecircle boards --all`)."""
    from lifecircle.boards.areas import BOARDS

    options = {"paper": paper, "profile": profile, "lang": obj.language(), "draft": draft}
    _run(obj, BOARDS, areas_dir, options, scheduler=scheduler, workers=workers, force=force)


@batch_group.command("report")
@click.argument("areas_dir", type=AREAS_DIR)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The workbook to write (.xlsx); the map goes beside it (.png, .svg).",
)
@profiles_option("all three; the map shows the first")
@click.pass_obj
@handled
def batch_report(obj: Context, areas_dir: Path, out: Path, profiles: tuple[str, ...]) -> None:
    """One workbook for all areas: coverage per type, per 街道, top gaps ranked, a map."""
    from lifecircle.engine.profiles import DEFAULT_PROFILES, get_profile, plain_rule
    from lifecircle.io.city_xlsx import write_city_xlsx
    from lifecircle.jobs.city_report import area_reports, city_notes, city_tables
    from lifecircle.plan.city_map import MapArea, write_city_map

    lang = obj.language()
    chosen = tuple(dict.fromkeys(profiles)) or DEFAULT_PROFILES
    with obj.out.status(t("city.reading", lang, path=areas_dir)):
        reports = area_reports(areas_dir, chosen, lang=lang)
        tables = city_tables(reports, lang)
        png = write_city_map(
            [MapArea(a.name, a.boundary, a.share_full) for a in reports],
            out.with_suffix(".png"), title=t("city.map_title", lang),
            subtitle=plain_rule(get_profile(chosen[0]), lang), lang=lang,
        )  # fmt: skip
        write_city_xlsx(out, notes=city_notes(reports, lang), tables=tables, lang=lang,
                        map_png=png)  # fmt: skip
    built = sum(a.status == "built" for a in reports)
    obj.out.print(t("city.written", lang, path=out, n=len(reports), built=built), markup=False)
    if png is not None:
        obj.out.print(t("city.map_written", lang, path=png), markup=False)
    for area in reports:
        if area.status != "built":
            obj.out.print(t(f"city.line_{area.status}", lang, area=area.folder, error=area.error),
                          markup=False)  # fmt: skip
