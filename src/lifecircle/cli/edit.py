"""``lifecircle edit``: local knowledge — barriers, uncrossable roads, walking links, closed gates.

Each edit is one data version with its author; :mod:`lifecircle.jobs.local_edits` validates.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
from typing import Any

import click
from rich.table import Table

from lifecircle.cli.base import Context, handled
from lifecircle.i18n import t
from lifecircle.jobs import local_edits as edits
from lifecircle.model import LocalEdit


class LonLatType(click.ParamType[tuple[float, float]]):
    """A ``LON,LAT`` pair in WGS-84 degrees."""

    name = "LON,LAT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse ``117.2001,39.1102`` into a (lon, lat) tuple."""
        if isinstance(value, tuple):
            return value
        try:
            lon, lat = (float(part) for part in str(value).split(","))
        except ValueError:
            self.fail(
                f"expected LON,LAT in degrees (e.g. 117.2001,39.1102), got {value!r}", param, ctx
            )
        return (lon, lat)


LONLAT = LonLatType()
AUTHOR = click.option("--author", default=None, help="Who knows this (default: your login name).")


def _author(author: str | None) -> str:
    return author or getpass.getuser()


def _add(obj: Context, author: str | None, **edit: Any) -> None:
    """Store one edit (see :func:`~lifecircle.jobs.local_edits.add_edit`) and say its number."""
    project = obj.project()
    made, version = edits.add_edit(project, author=_author(author), **edit)
    obj.out.print(t("edit.added", obj.language(project), id=made.edit_id, version=version.id))


@click.group("edit")
def edit_group() -> None:
    """Local knowledge OSM lacks: barriers and walking links (each edit is a data version)."""


@edit_group.command("barrier")
@click.option("--way", "way_id", type=int, default=None, help="OSM way id nobody can use.")
@click.option("--node", "node_id", type=int, default=None, help="OSM node id nobody can pass.")
@click.option("--uncrossable", is_flag=True, help="With --way: walk along it, never across it.")
@click.option("--note", default="", help="Why, so others understand it later.")
@AUTHOR
@click.pass_obj
@handled
def edit_barrier(
    obj: Context,
    way_id: int | None,
    node_id: int | None,
    uncrossable: bool,
    note: str,
    author: str | None,
) -> None:
    """Mark an OSM way or node impassable, or a road uncrossable (e.g. an arterial with a fence)."""
    if (way_id is None) == (node_id is None):
        raise click.UsageError("give exactly one of --way ID or --node ID")
    if uncrossable and node_id is not None:
        raise click.UsageError("--uncrossable goes with --way (a road), not with --node")
    osm_id = node_id if node_id is not None else way_id
    if node_id is not None:
        kind = "impassable_node"
    else:
        kind = "uncrossable_way" if uncrossable else "impassable_way"
    _add(obj, author, edit_kind=kind, osm_id=osm_id, note=note)


@edit_group.command("link")
@click.argument("start", type=LONLAT)
@click.argument("end", type=LONLAT)
@click.option("--note", default="", help="What it is (a gate in the wall, a passage).")
@AUTHOR
@click.pass_obj
@handled
def edit_link(
    obj: Context,
    start: tuple[float, float],
    end: tuple[float, float],
    note: str,
    author: str | None,
) -> None:
    """Add a walking link OSM lacks, from START to END (each LON,LAT in WGS-84)."""
    _add(obj, author, edit_kind="link", coords=(start, end), note=note)


@edit_group.command("gate")
@click.argument("point", type=LONLAT)
@click.option("--note", default="", help="Why it is shut (locked, cars parked across it).")
@AUTHOR
@click.pass_obj
@handled
def edit_gate(obj: Context, point: tuple[float, float], note: str, author: str | None) -> None:
    """Mark a compound's gate at POINT (LON,LAT in WGS-84) closed: nobody walks through it.

    Its compound's residents walk out by its other gates; lift it with `edit remove`.
    """
    _add(obj, author, edit_kind="closed_gate", coords=(point,), note=note)


def _target(edit: LocalEdit) -> str:
    if edit.edit_kind == "link":
        (a, b) = edit.coords[:2]
        return f"{a[0]:.6f},{a[1]:.6f} → {b[0]:.6f},{b[1]:.6f}"
    if edit.edit_kind == "closed_gate":
        return f"{edit.coords[0][0]:.6f},{edit.coords[0][1]:.6f}"
    what = "node" if edit.edit_kind == "impassable_node" else "way"
    return f"{what} {edit.osm_id}"


@edit_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def edit_list(obj: Context, as_json: bool) -> None:
    """List the local edits, and warn about any whose OSM way or node has gone."""
    project = obj.project()
    lang = obj.language(project)
    with project.open_store() as store:
        found = edits.list_edits(store)
        _, warnings = edits.local_rules(store)
    if as_json:
        rows = [dataclasses.asdict(e) for e in found]
        texts = [str(w) for w in warnings]  # English: scripts match on stable text
        click.echo(json.dumps({"edits": rows, "warnings": texts}, ensure_ascii=False, indent=2))
        return
    if not found:
        obj.out.print(t("edit.none", lang))
        return
    table = Table(title=t("edit.list_title", lang, n=len(found)))
    for key in ("col_id", "col_kind", "col_target", "col_note", "col_author", "col_time"):
        table.add_column(t(f"edit.{key}", lang))
    for edit in found:
        table.add_row(
            str(edit.edit_id),
            t(f"edit.kind.{edit.edit_kind}", lang),
            _target(edit),
            edit.note,
            edit.author,
            edit.created_at,
        )
    obj.out.print(table)
    for warning in warnings:
        obj.out.print(f"⚠ {warning.render(lang)}", markup=False, highlight=False)


@edit_group.command("remove")
@click.argument("edit_id", type=int)
@click.option("--note", default="", help="Why it no longer applies.")
@AUTHOR
@click.pass_obj
@handled
def edit_remove(obj: Context, edit_id: int, note: str, author: str | None) -> None:
    """Remove a local edit (its history stays in the data versions)."""
    project = obj.project()
    version = edits.remove_edit(project, edit_id, author=_author(author), note=note)
    obj.out.print(t("edit.removed", obj.language(project), id=edit_id, version=version.id))
