"""The ``lifecircle`` command group, its lazily loaded subcommands, and init, taxonomy, demo.

Errors from lifecircle print as one line (plus the list of bad rows) and exit with status 1.
Subcommands live in their own modules and are imported when run (:class:`LazyGroup`), and every
command imports the libraries it needs inside its body: ``lifecircle --help`` and
``--version`` load neither numpy, the store nor the web stack.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from lifecircle.cli.base import Context, handled, parse_sets
from lifecircle.errors import ConfigError
from lifecircle.i18n import t
from lifecircle.version import __version__


@dataclass(frozen=True)
class Lazy:
    """A subcommand imported on first use: ``module:attr`` and its help line for the list."""

    target: str
    help: str


#: Subcommands defined elsewhere, in the order ``--help`` lists them. ``help`` repeats the
#: command's docstring line so that listing them imports nothing; a test keeps them equal.
LAZY: dict[str, Lazy] = {
    "import": Lazy(
        "lifecircle.cli.data:import_group",
        "Import OSM data or staff sheets (each import is one data version).",
    ),
    "status": Lazy(
        "lifecircle.cli.data:status",
        "Show the area, data version, counts, sources and which types are collected.",
    ),
    "versions": Lazy(
        "lifecircle.cli.data:versions", "List the data versions (every import and edit)."
    ),
    "changes": Lazy(
        "lifecircle.cli.data:changes", "Show what one data version changed (default: the latest)."
    ),
    "collection": Lazy(
        "lifecircle.cli.data:collection_group",
        "Declare which types a facilities sheet holds completely (未采集 is not 缺).",
    ),
    "edit": Lazy(
        "lifecircle.cli.edit:edit_group",
        "Local knowledge OSM lacks: barriers and walking links (each edit is a data version).",
    ),
    "residents": Lazy(
        "lifecircle.cli.residents:residents_command",
        "Scale the compounds' estimated residents so they add up to a known total.",
    ),
    "duplicates": Lazy(
        "lifecircle.cli.duplicates:duplicates_group",
        "Facilities that OSM and a staff sheet both hold: each pair counts once when confirmed.",
    ),
    "build": Lazy(
        "lifecircle.cli.engine:build_command",
        "Compute walking access, gaps and 5/10/15-minute areas for every compound and board.",
    ),
    "gaps": Lazy(
        "lifecircle.cli.engine:gaps_command",
        "Which required services each compound lacks within its level (缺什么补什么).",
    ),
    "access": Lazy(
        "lifecircle.cli.engine:access_command",
        "Minutes from one compound (or board) to the nearest service of every type.",
    ),
    "fetch": Lazy(
        "lifecircle.cli.fetch:fetch_group",
        "Download real data on purpose: an OSM extract of a region (the only network command).",
    ),
    "areas": Lazy(
        "lifecircle.cli.areas:areas_group",
        "Cut a big OSM extract into area projects, one per boundary feature (e.g. each 街道).",
    ),
    "batch": Lazy(
        "lifecircle.cli.batch:batch_group",
        "Build, report and print many areas at once on Dask (each sub-folder is an area).",
    ),
    "plan": Lazy(
        "lifecircle.cli.plan:plan_command",
        "Choose new sites for a facility type: N that cover the most people, or cover everyone.",
    ),
    "boards": Lazy(
        "lifecircle.cli.boards:boards_command",
        "One vector PDF per board (QR code, map, numbered list), a PNG preview and an index.",
    ),
    "user": Lazy(
        "lifecircle.cli.user:user_group",
        "Staff accounts (roles: district, subdistrict, community; grid, microgrid for the desk).",
    ),
    "serve": Lazy(
        "lifecircle.cli.web:serve_command",
        "Serve the resident map page, the staff pages and the JSON API (docs at /docs).",
    ),
    "desk": Lazy(
        "lifecircle.cli.desk:desk_group",
        "Work the grid desk (网格服务台): grids, cases, the monthly report, Open311 keys, notices.",
    ),
    "care": Lazy(
        "lifecircle.cli.care:care_group",
        "Welfare visits (探访关爱): the encrypted register, visits due, 月探访率, rights, keys.",
    ),
}


def load_lazy(name: str) -> click.Command:
    """Import the subcommand ``name`` of :data:`LAZY`."""
    module, _, attr = LAZY[name].target.partition(":")
    command = getattr(importlib.import_module(module), attr)
    assert isinstance(command, click.Command)
    return command


class LazyGroup(click.Group):
    """A group whose :data:`LAZY` subcommands are imported only when one of them runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Commands defined here, then the lazy ones."""
        return [*super().list_commands(ctx), *(n for n in LAZY if n not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command, importing a lazy one on first use."""
        if cmd_name not in self.commands and cmd_name in LAZY:
            self.add_command(load_lazy(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their help lines, without importing the lazy ones."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            # a stand-in with the lazy command's help shortens it exactly as click would
            command = self.commands.get(name) or click.Command(name, help=LAZY[name].help)
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    from lifecircle.project import init_project

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


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def taxonomy(obj: Context, as_json: bool) -> None:
    """List the facility types of the project's taxonomy."""
    from lifecircle.project import Project
    from lifecircle.taxonomy import load_taxonomy

    try:
        project: Project | None = obj.project()
    except ConfigError:
        project = None
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
    from lifecircle.config import SETTING_HELP, Settings

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
@click.option(
    "--area",
    type=click.Choice(["nanjing", "helsinki"]),
    default="nanjing",
    show_default=True,
    help="Demo area: real OSM of Xinjiekou, Nanjing, or of central Helsinki (test fixture).",
)
@click.pass_obj
@handled
def demo(obj: Context, directory: Path, fresh: bool, area: str) -> None:
    """Set up a demo area from bundled real OSM data (default: Xinjiekou, Nanjing)."""
    from lifecircle.cli import console
    from lifecircle.jobs.demo import DEMOS, build_demo
    from lifecircle.jobs.status import project_status

    lang = obj.language()
    obj.out.print(t(DEMOS[area].source_note, lang), style="bold")
    with obj.out.status(t("import.reading", lang, path=DEMOS[area].osm_file)):
        project, reports = build_demo(directory, fresh=fresh, lang=lang, area=area)
    for report in reports:
        console.print_import(obj.out, report, lang)
    console.print_status(obj.out, project_status(project), lang)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
