"""The ``lifecircle`` command group and its data commands (init, import, status, history, demo).

Errors from lifecircle print as one line (plus the list of bad rows) and exit with status 1.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from lifecircle.cli import console
from lifecircle.cli.base import CRS_CHOICE, Context, handled, parse_sets
from lifecircle.cli.boards import boards_command
from lifecircle.cli.duplicates import duplicates_group
from lifecircle.cli.edit import edit_group
from lifecircle.cli.engine import access_command, build_command, gaps_command
from lifecircle.cli.plan import plan_command
from lifecircle.cli.residents import residents_command
from lifecircle.cli.user import user_group
from lifecircle.cli.web import serve_command
from lifecircle.config import SETTING_HELP, Settings
from lifecircle.errors import ConfigError
from lifecircle.i18n import t
from lifecircle.jobs import history, imports
from lifecircle.jobs.demo import build_demo
from lifecircle.jobs.residents import Calibration
from lifecircle.jobs.status import project_status
from lifecircle.project import Project, init_project
from lifecircle.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-p",
    "--project",
    "project_dir",
    type=click.Path(path_type=Path),
    default=".",
    help="Project folder (default: the current folder).",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Output language.")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a setting for this run (see `lifecircle settings`).",
)
@click.version_option(__version__, prog_name="lifecircle")
@click.pass_context
def main(ctx: click.Context, project_dir: Path, lang: str | None, sets: tuple[str, ...]) -> None:
    """Lifecircle — 15分钟社区生活圈: walking access to services, gaps and boards."""
    ctx.obj = Context(project_dir, lang, parse_sets(sets), Console(soft_wrap=True))


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--name", default="", help="Area name, e.g. 桃园街道 (default: from a known code).")
@click.option("--code", default="", help="6/9/12-digit statistical code, e.g. 120103003000.")
@click.pass_obj
@handled
def init(obj: Context, directory: Path, name: str, code: str) -> None:
    """Create a project folder for one area."""
    project = init_project(directory, name=name, code=code)
    lang = obj.language(project)
    obj.out.print(
        t(
            "init.done",
            lang,
            name=project.area_name,
            code=project.area_code or "—",
            path=project.root,
        )
    )
    obj.out.print(t("init.next", lang, path=directory))


@main.group("import")
def import_group() -> None:
    """Import OSM data or staff sheets (each import is one data version)."""


@import_group.command("osm")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--boundary",
    type=click.Path(path_type=Path),
    default=None,
    help="GeoJSON polygon (WGS-84) to clip to; walkways are kept a buffer beyond it.",
)
@click.option(
    "--boundary-feature",
    default="",
    help="Which feature of a multi-feature boundary file (a property value, e.g. 120103).",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--residents-total",
    type=click.IntRange(min=1),
    default=None,
    help="Known number of residents of the area: scale the estimated compounds to it.",
)
@click.option("--residents-source", default="", help="Where that total comes from (普查 …).")
@click.pass_obj
@handled
def import_osm_command(
    obj: Context,
    file: Path,
    boundary: Path | None,
    boundary_feature: str,
    dry_run: bool,
    residents_total: int | None,
    residents_source: str,
) -> None:
    """Import an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2, .osm.gz)."""
    project = obj.project()
    lang = obj.language(project)
    known = (
        None if residents_total is None else Calibration(residents_total, source=residents_source)
    )
    with obj.out.status(t("import.reading", lang, path=file)):
        report = imports.import_osm(
            project,
            file,
            boundary_path=boundary,
            boundary_feature=boundary_feature,
            dry_run=dry_run,
            residents=known,
        )
    console.print_import(obj.out, report, lang)


def _sheet_command(kind: imports.SheetKind, doc: str) -> click.Command:
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option(
        "--crs",
        type=CRS_CHOICE,
        default="wgs84",
        show_default=True,
        help="Coordinate system of the sheet (AMap/WeChat: gcj02, Baidu: bd09).",
    )
    @click.option("--dataset", default="", help="Stable dataset name (default: the file name).")
    @click.option(
        "--sheet", "sheet_name", default=None, help="XLSX worksheet (default: the first)."
    )
    @click.option(
        "--dry-run", is_flag=True, help="Validate and show what would change; write nothing."
    )
    @click.option(
        "--skip-bad-rows", is_flag=True, help="Import the good rows and report the bad ones."
    )
    @click.pass_obj
    @handled
    def command(
        obj: Context,
        file: Path,
        crs: str,
        dataset: str,
        sheet_name: str | None,
        dry_run: bool,
        skip_bad_rows: bool,
    ) -> None:
        project = obj.project()
        lang = obj.language(project)
        report = imports.import_sheet(
            project,
            kind,
            file,
            crs=crs.lower(),
            dataset=dataset,
            sheet_name=sheet_name,
            dry_run=dry_run,
            skip_bad_rows=skip_bad_rows,
        )
        console.print_import(obj.out, report, lang)

    command.__doc__ = doc
    return click.command(kind)(command)


import_group.add_command(
    _sheet_command("facilities", "Import a facilities sheet (CSV/XLSX/GeoJSON).")
)
import_group.add_command(
    _sheet_command("compounds", "Import a compounds sheet (replaces OSM-derived compounds).")
)
import_group.add_command(
    _sheet_command("boards", "Import the boards sheet (where printed maps hang).")
)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def status(obj: Context, as_json: bool) -> None:
    """Show the area, data version, counts and sources."""
    project = obj.project()
    result = project_status(project)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        console.print_status(obj.out, result, obj.language(project))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def versions(obj: Context, as_json: bool) -> None:
    """List the data versions (every import and edit)."""
    project = obj.project()
    with project.open_store() as store:
        found = store.versions()
    if as_json:
        rows = [dataclasses.asdict(v) for v in found]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        console.print_versions(obj.out, found, obj.language(project))


@main.command()
@click.argument("version_id", type=int, required=False)
@click.option(
    "--kind",
    type=click.Choice(["facility", "compound", "board", "walk_way", "walk_node", "local_edit"]),
    default=None,
    help="Only changes of this kind of record.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def changes(obj: Context, version_id: int | None, kind: str | None, as_json: bool) -> None:
    """Show what one data version changed (default: the latest)."""
    project = obj.project()
    lang = obj.language(project)
    with project.open_store() as store:
        latest = store.latest_version()
        wanted = version_id if version_id is not None else (latest.id if latest else 0)
        if latest is None or not 1 <= wanted <= latest.id:
            raise ConfigError("changes.no_version", id=wanted, latest=latest.id if latest else 0)
        found = [c for c in store.changes(wanted) if kind is None or c.kind == kind]
    if as_json:
        payload = {"version": wanted, "changes": [history.change_json(c) for c in found]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        console.print_changes(obj.out, wanted, found, lang)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def taxonomy(obj: Context, as_json: bool) -> None:
    """List the facility types of the project's taxonomy."""
    try:
        project: Project | None = obj.project()
    except ConfigError:
        project = None
    from lifecircle.taxonomy import load_taxonomy

    tax = project.taxonomy() if project is not None else load_taxonomy()
    lang = obj.language(project)
    if as_json:
        click.echo(json.dumps(_taxonomy_json(tax), ensure_ascii=False, indent=2))
        return
    table = Table(title=t("taxonomy.title", lang, n=len(tax.types), version=tax.version))
    for key in ("col_code", "col_name", "col_level", "col_required"):
        table.add_column(t(f"taxonomy.{key}", lang))
    for ftype in tax.types:
        area = tax.area(ftype.area)
        name = (
            f"{area.name_zh}·{ftype.name_zh}"
            if lang == "zh"
            else f"{area.name_en}: {ftype.name_en}"
        )
        provision = t("taxonomy.required" if ftype.required else "taxonomy.as_needed", lang)
        if not ftype.verified:
            provision += t("taxonomy.unverified", lang)
        table.add_row(ftype.code, name, t("taxonomy.minutes", lang, n=ftype.level_min), provision)
    obj.out.print(table)


def _taxonomy_json(tax: Any) -> dict[str, Any]:
    return {
        "version": tax.version,
        "areas": [
            {"code": a.code, "name_zh": a.name_zh, "name_en": a.name_en, "color": a.color}
            for a in tax.areas
        ],
        "types": [
            {
                "code": f.code,
                "name_zh": f.name_zh,
                "name_en": f.name_en,
                "area": f.area,
                "level_min": f.level_min,
                "required": f.required,
                "verified": f.verified,
            }
            for f in tax.types
        ],
    }


@main.command()
@click.pass_obj
@handled
def settings(obj: Context) -> None:
    """Show every setting, its current value and meaning."""
    try:
        current = obj.project().settings
    except ConfigError:
        current = Settings()
    lang = obj.language()
    table = Table(title=t("settings.title", lang))
    for key in ("col_name", "col_value", "col_help"):
        table.add_column(t(f"settings.{key}", lang))
    for field in fields(Settings):
        table.add_row(field.name, str(getattr(current, field.name)), SETTING_HELP[field.name])
    obj.out.print(table)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("demo"))
@click.option("--fresh", is_flag=True, help="Delete and rebuild an existing demo project.")
@click.pass_obj
@handled
def demo(obj: Context, directory: Path, fresh: bool) -> None:
    """Set up the bundled demo area (real OSM data of central Helsinki)."""
    lang = obj.language()
    obj.out.print(t("demo.source_note", lang))
    with obj.out.status(t("import.reading", lang, path="helsinki.osm.pbf")):
        project, reports = build_demo(directory, fresh=fresh, lang=lang)
    for report in reports:
        console.print_import(obj.out, report, lang)
    console.print_status(obj.out, project_status(project), lang)


main.add_command(edit_group)
main.add_command(residents_command)
main.add_command(duplicates_group)
main.add_command(build_command)
main.add_command(gaps_command)
main.add_command(access_command)
main.add_command(plan_command)
main.add_command(user_group)
main.add_command(serve_command)
main.add_command(boards_command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
