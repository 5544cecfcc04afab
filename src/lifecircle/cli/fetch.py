"""``lifecircle fetch osm``: download an OSM extract (the one command that uses the network).

Parse, call :func:`lifecircle.io.fetch.fetch` with a rich progress bar, say what was done.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from lifecircle.cli.base import Context, handled
from lifecircle.i18n import t


@click.group("fetch")
def fetch_group() -> None:
    """Download real data on purpose: an OSM extract of a region (the only network command)."""


@fetch_group.command("osm")
@click.option("--region", default="tianjin", show_default=True,
              help="Geofabrik China sub-region, e.g. tianjin, beijing, guangdong.")  # fmt: skip
@click.option("--url", default=None, help="Download from this address instead (a mirror).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: <region>-latest.osm.pbf here).")  # fmt: skip
@click.option("--max-age-days", type=click.FloatRange(min=0), default=7.0, show_default=True,
              help="Keep a file younger than this without asking the server.")  # fmt: skip
@click.pass_obj
@handled
def fetch_osm(
    obj: Context, region: str, url: str | None, out: Path | None, max_age_days: float
) -> None:
    """Download a regional OSM extract (.osm.pbf), resuming an interrupted download."""
    from lifecircle.io.fetch import fetch, region_url

    lang = obj.language()
    source = url or region_url(region)
    target = out or Path(source.rsplit("/", 1)[-1] or f"{region}-latest.osm.pbf")
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn())  # fmt: skip
    with Progress(*columns, console=obj.out, transient=True) as bar:
        task = bar.add_task(t("fetch.downloading", lang, url=source), total=None)
        done = fetch(
            source, target, max_age_days=max_age_days,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )  # fmt: skip
    mb = done.size / 1e6
    if done.kept:
        obj.out.print(t("fetch.kept", lang, path=done.path, mb=mb), markup=False)
    else:
        resumed = t("fetch.resumed", lang, mb=done.resumed_from / 1e6) if done.resumed_from else ""
        obj.out.print(t("fetch.done", lang, path=done.path, mb=mb, resumed=resumed), markup=False)
    obj.out.print(t("fetch.credit", lang), markup=False)
