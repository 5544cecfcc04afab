"""``lifecircle residents``: calibrate the estimated residents to a known total.

Parse, call :func:`lifecircle.jobs.residents.calibrate_residents`, print what it did.
"""

from __future__ import annotations

import click

from lifecircle.cli.base import Context, handled
from lifecircle.i18n import t
from lifecircle.jobs.residents import Calibration, calibrate_residents


@click.command("residents")
@click.option(
    "--total", type=click.IntRange(min=1), required=True, help="Known number of residents."
)
@click.option("--community", default="", help="Only the compounds of this 社区.")
@click.option("--subdistrict", default="", help="Only the compounds of this 街道.")
@click.option("--source", default="", help="Where the total comes from (第七次人口普查 …).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.pass_obj
@handled
def residents_command(
    obj: Context, total: int, community: str, subdistrict: str, source: str, dry_run: bool
) -> None:
    """Scale the compounds' estimated residents so they add up to a known total.

    Residents given by compound sheets stay and count towards the total; the calibration is
    remembered and applied again after every OSM import.
    """
    if community and subdistrict:
        raise click.UsageError("give --community or --subdistrict, not both")
    project = obj.project()
    lang = obj.language(project)
    calibration = Calibration(total, community=community, subdistrict=subdistrict, source=source)
    report = calibrate_residents(project, calibration, dry_run=dry_run)
    scope = community or subdistrict or t("residents.whole_area", lang)
    obj.out.print(
        t(
            "residents.dry_run" if dry_run else "residents.calibrated",
            lang,
            scope=scope,
            n=report.scaled,
            before=f"{report.estimated_before:,}",
            total=f"{total:,}",
            known=f"{report.known:,}",
            factor=f"{report.factor:.3f}",
        ),
        markup=False,
    )
    if report.unknown:
        obj.out.print(t("residents.unknown", lang, n=report.unknown), markup=False)
    if report.version is not None:
        obj.out.print(
            t("import.version", lang, id=report.version.id, created_at=report.version.created_at)
        )
