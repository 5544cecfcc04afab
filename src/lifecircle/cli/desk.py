"""``lifecircle desk``: the grid desk from the command line — grids, cases, report, keys, notices.

Thin: parse, call one :mod:`lifecircle.desk` function, print (``--json`` for scripts). The
operator of the project folder acts as ``cli`` (full access); what they do is audited.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from lifecircle.cli.base import CRS_CHOICE, Context, handled
from lifecircle.desk import notify, privacy
from lifecircle.desk.context import Desk, open_desk
from lifecircle.desk.grids import import_grids
from lifecircle.desk.machine import RUNNING_STATES, STATES
from lifecircle.desk.open311 import add_api_key
from lifecircle.desk.report import build_report, write_report
from lifecircle.desk.views import case_summary
from lifecircle.i18n import t
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.case_queries import CaseQuery

OPERATOR = "cli"


@contextmanager
def _desk(obj: Context) -> Iterator[tuple[Desk, str]]:
    project = obj.project()
    desk = open_desk(project)
    try:
        yield desk, obj.language(project)
    finally:
        desk.store.close()


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group("desk")
def desk_group() -> None:
    """Work the grid desk (网格服务台): grids, cases, the monthly report, Open311 keys, notices."""


@desk_group.command("import-grids")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--crs", type=CRS_CHOICE, default="wgs84", show_default=True, help="Of the outlines.")
@click.option("--dry-run", is_flag=True, help="Check the file; write nothing.")
@click.pass_obj
@handled
def import_grids_command(obj: Context, file: Path, crs: str, dry_run: bool) -> None:
    """Import 网格 and 微网格 (GeoJSON outlines, or a sheet listing compounds per grid)."""
    with _desk(obj) as (desk, lang):
        grids, changes = import_grids(
            desk.store, file, crs=crs.lower(), author=OPERATOR, now_s=desk.now(), dry_run=dry_run
        )
    kinds = {k: sum(g.kind == k for g in grids) for k in ("grid", "microgrid")}
    obj.out.print(
        t(
            "desk.cli.grids_read",
            lang,
            file=file.name,
            grids=kinds["grid"],
            micro=kinds["microgrid"],
        ),
        markup=False,
    )
    if changes is None:
        obj.out.print(t("desk.cli.dry_run", lang), markup=False)
        return
    obj.out.print(
        t(
            "desk.cli.grids_done",
            lang,
            added=len(changes.added),
            changed=len(changes.changed),
            retired=len(changes.retired),
            same=changes.unchanged,
        ),
        markup=False,
    )


@desk_group.command("grids")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def grids_command(obj: Context, as_json: bool) -> None:
    """List the active grids and micro-grids."""
    with _desk(obj) as (desk, lang):
        grids = desk.store.grids.all()
    if as_json:
        _echo_json(
            [
                {
                    "code": g.code,
                    "name": g.name,
                    "kind": g.kind,
                    "parent": g.parent,
                    "community": g.community,
                    "subdistrict": g.subdistrict,
                    "compounds": list(g.compounds),
                }
                for g in grids
            ]
        )
        return
    table = Table(title=t("desk.cli.grids_title", lang, n=len(grids)))
    for key in ("code", "name", "kind", "parent", "community", "compounds"):
        table.add_column(t(f"desk.cli.col.{key}", lang))
    for g in grids:
        table.add_row(
            g.code,
            g.name,
            t(f"user.level_name.{g.kind}", lang),
            g.parent,
            g.community,
            str(len(g.compounds)),
        )
    obj.out.print(table)


@desk_group.command("cases")
@click.option("--overdue", is_flag=True, help="Only open cases past their due time.")
@click.option("--grid", default=None, help="Only this grid or micro-grid (its code).")
@click.option(
    "--state", "states", multiple=True, type=click.Choice(STATES), help="Only these states."
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def cases_command(
    obj: Context,
    overdue: bool,
    grid: str | None,
    states: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """List cases, newest first (phones masked)."""
    with _desk(obj) as (desk, lang):
        query = CaseQuery(
            states=frozenset(states) or None,
            grid=grid,
            overdue_at=desk.now() if overdue else None,
            running_states=RUNNING_STATES,
            limit=limit,
        )
        rows = [case_summary(desk, c, lang) for c in desk.store.cases.find(query)]
    if as_json:
        _echo_json(rows)
        return
    table = Table(title=t("desk.cli.cases_title", lang, n=len(rows)))
    for key in ("id", "category", "state", "grid", "place", "received", "due"):
        table.add_column(t(f"desk.cli.col.{key}", lang))
    for r in rows:
        due = (r["due_resolution_at"] or "—")[:16] + (" ⚠" if r["overdue"] else "")
        table.add_row(
            str(r["id"]),
            r["category_name"],
            r["state_name"],
            r["grid"] or "—",
            r["place"],
            (r["received_at"] or "")[:16],
            due,
        )
    obj.out.print(table)


@desk_group.command("report")
@click.option("--month", required=True, help="The month, e.g. 2026-11.")
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path), help="The .xlsx file to write."
)
@click.option("--grid", default=None, help="Only this grid (its code).")
@click.option("--community", default=None, help="Only this community.")
@click.pass_obj
@handled
def report_command(
    obj: Context, month: str, out: Path, grid: str | None, community: str | None
) -> None:
    """Write the monthly report (XLSX): 三率, 按期办结率, 结案率, departments, overdue."""
    scope = None
    if grid:
        scope = ("grid", frozenset({grid}))
    elif community:
        scope = ("community", frozenset({community}))
    with _desk(obj) as (desk, lang):
        report = build_report(desk, month, scope=(scope, True), lang=lang)
        label = grid or community or ""
        write_report(report, out, desk, lang=lang, scope_label=label)
        desk.store.accounts.add_audit(AuditEntry(OPERATOR, "desk.report", month, {"out": out.name}))
    overall = report.overall
    obj.out.print(
        t("desk.cli.report_done", lang, path=out, month=month, n=int(overall["received"])),
        markup=False,
    )


@desk_group.group("api-key")
def api_key_group() -> None:
    """Keys of Open311 clients (only POST requests needs one)."""


@api_key_group.command("add")
@click.argument("name")
@click.pass_obj
@handled
def api_key_add(obj: Context, name: str) -> None:
    """Make a key for client NAME and print it once (it is stored hashed)."""
    with _desk(obj) as (desk, lang):
        key = add_api_key(desk, name, by=OPERATOR)
    obj.out.print(t("desk.cli.key_made", lang, name=name), markup=False)
    click.echo(key)


@api_key_group.command("list")
@click.pass_obj
@handled
def api_key_list(obj: Context) -> None:
    """List the clients and whether their key works."""
    with _desk(obj) as (desk, lang):
        keys = desk.store.api_keys.all()
    for row in keys:
        state = t("desk.cli.key_disabled" if row.disabled else "desk.cli.key_enabled", lang)
        click.echo(f"{row.name}\t{state}")


@api_key_group.command("disable")
@click.argument("name")
@click.pass_obj
@handled
def api_key_disable(obj: Context, name: str) -> None:
    """Stop client NAME's key from working."""
    with _desk(obj) as (desk, lang):
        done = desk.store.api_keys.disable(
            name, audit=AuditEntry(OPERATOR, "desk.api_key.disable", name)
        )
    obj.out.print(
        t("desk.cli.key_off" if done else "desk.cli.key_unknown", lang, name=name), markup=False
    )


@desk_group.command("notify")
@click.option("--remind", is_flag=True, help="First queue a reminder of overdue cases per grid.")
@click.pass_obj
@handled
def notify_command(obj: Context, remind: bool) -> None:
    """Send the queued notices (run it from cron every few minutes; --remind once a day)."""
    with _desk(obj) as (desk, lang):
        queued = notify.queue_overdue_reminders(desk) if remind else 0
        done = notify.deliver_pending(desk)
    obj.out.print(
        t("desk.cli.notified", lang, queued=queued, sent=done.sent, failed=done.failed),
        markup=False,
    )
    for line in done.errors[:20]:
        obj.out.print(f"  {line}", markup=False)


@desk_group.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
@click.pass_obj
@handled
def retention_command(obj: Context, dry_run: bool) -> None:
    """Take personal details out of cases closed longer ago than desk_retention_days."""
    with _desk(obj) as (desk, lang):
        done = privacy.anonymise_old_cases(desk, by=OPERATOR, dry_run=dry_run)
        days = desk.settings.desk_retention_days
    key = "desk.cli.retention_would" if dry_run else "desk.cli.retention_done"
    obj.out.print(
        t(key, lang, n=len(done.cases), days=days, photos=done.photos_removed), markup=False
    )
