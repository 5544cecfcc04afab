"""``lifecircle areas cut``: one project per boundary feature, cut from one big OSM extract.

Parse, call :func:`lifecircle.jobs.areas.cut_areas`, print each area as it is made and a table.
Exits with status 1 when an area failed (the others are made).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from lifecircle.cli.base import Context, handled
from lifecircle.i18n import t


@click.group("areas")
def areas_group() -> None:
    """Cut a big OSM extract into area projects, one per boundary feature (e.g. each 街道)."""


@areas_group.command("cut")
@click.argument("extract", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--boundaries",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="GeoJSON of the areas in WGS-84, one feature per area.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder of the area projects (made if missing).",
)
@click.option(
    "--buffer-m",
    type=click.FloatRange(min=0, min_open=True),
    default=1500.0,
    show_default=True,
    help="Keep the walk network this far beyond each boundary (metres).",
)
@click.option(
    "--name-field",
    default="name",
    show_default=True,
    help="Feature property holding the area's name.",
)
@click.option(
    "--code-field", default="", help="Feature property holding its 6/9/12-digit code (e.g. adcode)."
)
@click.option("--fresh", is_flag=True, help="Remake areas that already exist in --out.")
@click.pass_obj
@handled
def cut_command(
    obj: Context, extract: Path, boundaries: Path, out: Path, buffer_m: float,
    name_field: str, code_field: str, fresh: bool,
) -> None:  # fmt: skip
    """Make one project per feature of --boundaries in --out, each with its cut of EXTRACT."""
    from lifecircle.jobs.areas import CutOutcome, cut_areas

    lang = obj.language()

    def made(outcome: CutOutcome) -> None:
        obj.out.print(t(f"areas.line_{outcome.status}", lang, area=outcome.folder,
                        error=outcome.error), markup=False, highlight=False)  # fmt: skip

    with obj.out.status(t("areas.cutting", lang, path=extract)):
        outcomes = cut_areas(
            extract, boundaries, out, buffer_m=buffer_m, name_field=name_field,
            code_field=code_field, fresh=fresh, lang=lang, on_outcome=made,
        )  # fmt: skip
    table = Table(title=t("areas.title", lang, n=len(outcomes), path=out))
    for key in ("col_area", "col_status", "col_ways", "col_facilities", "col_compounds"):
        table.add_column(t(f"areas.{key}", lang))
    for o in outcomes:
        counts = (str(o.ways), str(o.facilities), str(o.compounds)) if o.status == "made" else ()
        table.add_row(o.folder, t(f"areas.status_{o.status}", lang), *counts)
    obj.out.print(table)
    obj.out.print(t("areas.osm_credit", lang), markup=False)
    if any(o.status == "failed" for o in outcomes):
        raise click.exceptions.Exit(1)
