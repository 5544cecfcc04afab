"""``lifecircle duplicates``: facilities OSM and staff sheets both hold — list, confirm, split.

Parse, call :mod:`lifecircle.jobs.duplicates`, render with rich; each decision is a data version.
"""

from __future__ import annotations

import dataclasses
import getpass
import json

import click
from rich.table import Table

from lifecircle.cli.base import Context, handled
from lifecircle.i18n import t
from lifecircle.jobs.duplicates import Pair, decide, duplicate_pairs
from lifecircle.model import MatchDecision

#: What ``lifecircle duplicates`` lists by default: what counts once, and what waits for staff.
_SHOWN = ("suggested", "auto", "same")


@click.group("duplicates", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--all", "show_all", is_flag=True, help="Also list split and orphaned pairs.")
@click.pass_context
@handled
def duplicates_group(ctx: click.Context, as_json: bool, show_all: bool) -> None:
    """Facilities that OSM and a staff sheet both hold: each pair counts once when confirmed.

    Pairs whose names and places agree clearly count once until split; the others wait for
    `lifecircle duplicates same OSM_ID SHEET_ID` (or `different`). Decisions survive
    re-imports.
    """
    if ctx.invoked_subcommand is not None:
        return
    obj: Context = ctx.obj
    project = obj.project()
    lang = obj.language(project)
    pairs = duplicate_pairs(project)
    shown = [p for p in pairs if show_all or p.status in _SHOWN]
    if as_json:
        obj.out.print_json(json.dumps([dataclasses.asdict(p) for p in shown], ensure_ascii=False))
        return
    _print_table(obj, shown, lang)
    once = sum(p.counts_once for p in pairs)
    waiting = sum(p.status == "suggested" for p in pairs)
    obj.out.print(t("duplicates.summary", lang, once=once, waiting=waiting), markup=False)


def _print_table(obj: Context, pairs: list[Pair], lang: str) -> None:
    table = Table(title=t("duplicates.title", lang))
    for key in ("status", "type", "osm", "sheet", "distance", "similarity"):
        table.add_column(t(f"duplicates.col_{key}", lang))
    for p in pairs:
        table.add_row(
            t(f"duplicates.status_{p.status}", lang),
            p.type_code,
            f"{p.osm_name or '—'}\n{p.osm_id}",
            f"{p.sheet_name or '—'}\n{p.sheet_id}",
            "—" if p.distance_m is None else f"{p.distance_m:.0f} m",
            "—" if p.similarity is None else f"{p.similarity:.2f}",
        )
    obj.out.print(table)


def _decision_command(decision: MatchDecision | None, name: str, doc: str) -> click.Command:
    @click.argument("osm_id")
    @click.argument("sheet_id")
    @click.option("--note", default="", help="Why, so others understand it later.")
    @click.option("--author", default=None, help="Who decides (default: your login name).")
    @click.pass_obj
    @handled
    def command(obj: Context, osm_id: str, sheet_id: str, note: str, author: str | None) -> None:
        project = obj.project()
        lang = obj.language(project)
        who = author or getpass.getuser()
        version = decide(project, osm_id, sheet_id, decision, author=who, note=note)
        obj.out.print(t(f"duplicates.done_{name}", lang, osm=osm_id, sheet=sheet_id), markup=False)
        if version is not None:
            obj.out.print(t("import.version", lang, id=version.id, created_at=version.created_at))

    command.__doc__ = doc
    return click.command(name)(command)


duplicates_group.add_command(
    _decision_command("same", "same", "Confirm that an OSM and a sheet facility are one place.")
)
duplicates_group.add_command(
    _decision_command("different", "different", "Say that two look-alike facilities are two.")
)
duplicates_group.add_command(
    _decision_command(None, "forget", "Forget the decision on a pair (it is found anew).")
)
