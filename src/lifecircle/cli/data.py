"""``lifecircle import | status | versions | changes | collection``: the data commands.

Parse, call one job (:mod:`lifecircle.jobs.imports`, ``status``, ``collection``), render.
Libraries are imported inside the commands, so ``lifecircle --help`` stays fast.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lifecircle.cli.base import CRS_CHOICE, Context, handled
from lifecircle.errors import ConfigError
from lifecircle.i18n import t

if TYPE_CHECKING:
    from lifecircle.jobs.imports import SheetKind

#: Record kinds ``lifecircle changes --kind`` accepts.
CHANGE_KINDS = ("facility", "compound", "board", "walk_way", "walk_node", "local_edit")


@click.group("import")
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
    from lifecircle.cli import console
    from lifecircle.jobs import imports
    from lifecircle.jobs.residents import Calibration

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


def _sheet_command(kind: SheetKind, doc: str) -> click.Command:
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
    @click.option(
        "--replace",
        is_flag=True,
        help="Allow removing more than a few (or all) stored rows of the dataset.",
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
        replace: bool,
        complete_types: str = "",
    ) -> None:
        from lifecircle.cli import console
        from lifecircle.jobs import imports
        from lifecircle.jobs.collection import split_names

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
            replace=replace,
            complete_types=split_names(complete_types),
        )
        console.print_import(obj.out, report, lang)

    if kind == "facilities":
        command = click.option(
            "--complete-types",
            default="",
            metavar="TYPES",
            help="Types this sheet holds completely (e.g. 社区卫生服务站,早餐店): kept until "
            "withdrawn; a compound without one within its level then truly lacks it.",
        )(command)
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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def status(obj: Context, as_json: bool) -> None:
    """Show the area, data version, counts, sources and which types are collected."""
    from lifecircle.cli import console
    from lifecircle.jobs.status import project_status

    project = obj.project()
    result = project_status(project)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        console.print_status(obj.out, result, obj.language(project))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def versions(obj: Context, as_json: bool) -> None:
    """List the data versions (every import and edit)."""
    from lifecircle.cli import console

    project = obj.project()
    with project.open_store() as store:
        found = store.versions()
    if as_json:
        rows = [dataclasses.asdict(v) for v in found]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        console.print_versions(obj.out, found, obj.language(project))


@click.command()
@click.argument("version_id", type=int, required=False)
@click.option(
    "--kind",
    type=click.Choice([*CHANGE_KINDS, "complete_type"]),
    default=None,
    help="Only changes of this kind of record.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def changes(obj: Context, version_id: int | None, kind: str | None, as_json: bool) -> None:
    """Show what one data version changed (default: the latest)."""
    from lifecircle.cli import console
    from lifecircle.jobs import history

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


@click.group("collection")
def collection_group() -> None:
    """Declare which types a facilities sheet holds completely (未采集 is not 缺)."""


def _collection_command(declare: bool) -> click.Command:
    @click.argument("types")
    @click.option(
        "--dataset", required=True, help="The facilities dataset (file name or --dataset)."
    )
    @click.pass_obj
    @handled
    def command(obj: Context, types: str, dataset: str) -> None:
        from lifecircle.jobs.collection import change_declarations, split_names

        project = obj.project()
        lang = obj.language(project)
        names = split_names(types)
        if declare:
            version = change_declarations(project, dataset, declare=names)
        else:
            version = change_declarations(project, dataset, withdraw=names)
        if version is None:
            obj.out.print(t("collection.no_change", lang))
            return
        key = "collection.declared" if declare else "collection.withdrawn"
        what = t(key, lang, types="、".join(names) if lang == "zh" else ", ".join(names))
        obj.out.print(t("collection.changed", lang, id=version.id, dataset=dataset, what=what))

    command.__doc__ = (
        "Declare TYPES (comma-separated) complete in a dataset already imported."
        if declare
        else "Withdraw the declaration that a dataset holds TYPES completely."
    )
    return click.command("declare" if declare else "withdraw")(command)


collection_group.add_command(_collection_command(True))
collection_group.add_command(_collection_command(False))
