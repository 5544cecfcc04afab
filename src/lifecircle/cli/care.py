"""``lifecircle care``: the welfare register from the command line — import, visits, report, rights.

Thin: parse, call one :mod:`lifecircle.care` function, print. The operator of the project folder
acts as ``cli`` (full access); every read and change is in the register's access log. Every
command but ``init-key`` refuses to start without the key file (``care_key_path``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from lifecircle.care.access import OPERATOR
from lifecircle.care.context import Care, open_care
from lifecircle.care.keys import make_key_file
from lifecircle.care.rates import month_figures, rates_json, write_rates
from lifecircle.care.records import correct_person, leave_person
from lifecircle.care.retention import purge
from lifecircle.care.rights import access_report, apply_retention, export_person, forget_person
from lifecircle.care.rotation import rotate_key
from lifecircle.care.sheet import import_register
from lifecircle.care.visits import due_list
from lifecircle.cli.base import Context, handled, parse_sets
from lifecircle.i18n import t


@contextmanager
def _care(obj: Context) -> Iterator[tuple[Care, str]]:
    project = obj.project()
    care = open_care(project)
    try:
        yield care, obj.language(project)
    finally:
        care.desk.store.close()


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


REASON = click.option(
    "--reason", default="request", show_default=True, help="Why (a code of care.toml [reasons])."
)


@click.group("care")
def care_group() -> None:
    """Welfare visits (探访关爱): the encrypted register, visits due, 月探访率, rights, keys."""


@care_group.command("init-key")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
@handled
def init_key_command(obj: Context, file: Path) -> None:
    """Make a new key file (mode 0600); keep it outside the database and its backups."""
    made = make_key_file(file.expanduser().absolute())
    lang = obj.language()
    obj.out.print(t("care.cli.key_made", lang, path=made.path), markup=False)


@care_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the sheet; store nothing.")
@click.pass_obj
@handled
def import_command(obj: Context, file: Path, dry_run: bool) -> None:
    """Import people from a register sheet (XLSX/CSV); any bad row stores nothing."""
    with _care(obj) as (care, lang):
        done = import_register(care, file, dry_run=dry_run)
    key = "care.cli.checked" if dry_run else "care.cli.imported"
    obj.out.print(t(key, lang, file=done.file, n=done.people), markup=False)


@care_group.command("visits")
@click.option("--due", "only_due", is_flag=True, help="Only those due today or overdue.")
@click.option("--grid", default="", help="Only one grid or micro-grid (its code).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def visits_command(obj: Context, only_due: bool, grid: str, as_json: bool) -> None:
    """List the people to visit with their due day (phones masked)."""
    with _care(obj) as (care, lang):
        rows = due_list(care, OPERATOR, lang=lang, grid=grid or None, only_due=only_due)
    if as_json:
        _echo_json(rows)
        return
    table = Table(title=t("care.cli.visits_title", lang, n=len(rows)))
    columns = ("id", "name", "compound", "grid", "level_name", "due_on", "due_status", "phones")
    for name in columns:
        table.add_column(t(f"care.cli.col.{name}", lang))
    for row in rows:
        cells = [row.get(c) for c in columns]
        table.add_row(*(", ".join(c) if isinstance(c, list) else str(c or "") for c in cells))
    obj.out.print(table)


@care_group.command("report")
@click.option("--month", required=True, help="The month, e.g. 2026-11.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The XLSX to write.")
@click.pass_obj
@handled
def report_command(obj: Context, month: str, out: Path) -> None:
    """Write 月探访率 and overdue counts by grid, community and 街道 (counts only)."""
    with _care(obj) as (care, lang):
        figures = month_figures(care, month)
        write_rates(care, figures, out, month=month, lang=lang)
    total = rates_json(figures)[0] if figures else {}
    obj.out.print(
        t(
            "care.cli.report",
            lang,
            month=month,
            visited=total.get("visited", 0),
            people=total.get("on_register", 0),
            rate="—" if total.get("rate_pct") is None else f"{total['rate_pct']}%",
            overdue=total.get("overdue", 0),
            out=str(out),
        ),
        markup=False,
    )


@care_group.command("export")
@click.argument("person", type=int)
@REASON
@click.option("--out", type=click.Path(path_type=Path), help="Write JSON here (else print it).")
@click.pass_obj
@handled
def export_command(obj: Context, person: int, reason: str, out: Path | None) -> None:
    """Export everything held on one person (查阅、复制 on their request)."""
    with _care(obj) as (care, _lang):
        found = export_person(care, OPERATOR, person, reason=reason)
    text = json.dumps(found, ensure_ascii=False, indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")


@care_group.command("correct")
@click.argument("person", type=int)
@click.option("--set", "sets", multiple=True, help="FIELD=VALUE (lists: comma-separated).")
@click.option("--major-change", is_flag=True, help="A major change: visit due soon.")
@click.option("--reason", default="correct", show_default=True, help="Why.")
@click.pass_obj
@handled
def correct_command(
    obj: Context, person: int, sets: tuple[str, ...], major_change: bool, reason: str
) -> None:
    """Correct one person's record (更正)."""
    changes: dict[str, Any] = dict(parse_sets(sets))
    for name in ("categories", "phones"):
        if name in changes:
            changes[name] = [p.strip() for p in str(changes[name]).split(",") if p.strip()]
    with _care(obj) as (care, lang):
        correct_person(care, OPERATOR, person, changes, reason=reason, major_change=major_change)
    obj.out.print(t("care.cli.corrected", lang, person=person), markup=False)


@care_group.command("leave")
@click.argument("person", type=int)
@click.option("--reason", default="correct", show_default=True, help="Why.")
@click.pass_obj
@handled
def leave_command(obj: Context, person: int, reason: str) -> None:
    """Take a person off the register (moved, into care, died); retention forgets them later."""
    with _care(obj) as (care, lang):
        leave_person(care, OPERATOR, person, reason=reason)
    obj.out.print(t("care.cli.left", lang, person=person), markup=False)


@care_group.command("forget")
@click.argument("person", type=int)
@REASON
@click.confirmation_option(prompt="Anonymise this person for good?")
@click.pass_obj
@handled
def forget_command(obj: Context, person: int, reason: str) -> None:
    """Anonymise one person (删除 on request): counts stay, the person does not."""
    with _care(obj) as (care, lang):
        forget_person(care, OPERATOR, person, reason=reason)
    obj.out.print(t("care.cli.forgotten", lang, person=person), markup=False)


@care_group.command("retention")
@click.option("--dry-run", is_flag=True, help="List who would be anonymised.")
@click.pass_obj
@handled
def retention_command(obj: Context, dry_run: bool) -> None:
    """Anonymise people off the register longer than care_retention_days."""
    with _care(obj) as (care, lang):
        ids = apply_retention(care, by=OPERATOR.name, dry_run=dry_run)
    key = "care.cli.retention_check" if dry_run else "care.cli.retention"
    obj.out.print(t(key, lang, n=len(ids), ids=tuple(map(str, ids)) or ("—",)), markup=False)


@care_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go, change nothing.")
@click.pass_obj
@handled
def purge_command(obj: Context, dry_run: bool) -> None:
    """Delete what is past retention: people who left, urgent checks' details, the access log.

    Run it daily from cron (serve does not); the periods are the care_*_days settings.
    """
    with _care(obj) as (care, lang):
        done = purge(care, by=OPERATOR.name, dry_run=dry_run)
    day = "%Y-%m-%d"
    when = {
        name: dt.datetime.fromtimestamp(at, care.zone).strftime(day)
        for name, at in (
            ("people_before", done.people_before_s),
            ("checks_before", done.checks_before_s),
            ("access_before", done.access_before_s),
        )
    }
    key = "care.cli.purge_check" if dry_run else "care.cli.purged"
    counts = {"people": len(done.people), "checks": len(done.checks), "rows": done.access_rows}
    obj.out.print(t(key, lang, **counts, **when), markup=False)


@care_group.command("rotate-key")
@click.option("--drop-old", is_flag=True, help="Then remove the old keys from the key file.")
@click.pass_obj
@handled
def rotate_key_command(obj: Context, drop_old: bool) -> None:
    """Add a new key and re-encrypt every sealed value with it (one transaction)."""
    with _care(obj) as (care, lang):
        done = rotate_key(care, by=OPERATOR.name, drop_old=drop_old)
    obj.out.print(
        t("care.cli.rotated", lang, key=done.key_id, rows=done.rows, keys=done.keys),
        markup=False,
    )


@care_group.command("access-log")
@click.option("--since", required=True, help="First day, e.g. 2026-11-01.")
@click.option("--until", required=True, help="Day after the last, e.g. 2026-12-01.")
@click.pass_obj
@handled
def access_log_command(obj: Context, since: str, until: str) -> None:
    """Print who read or changed register records, when and why (for the privacy officer)."""
    with _care(obj) as (care, _lang):
        bounds = [
            int(dt.datetime.fromisoformat(d).replace(tzinfo=care.zone).timestamp())
            for d in (since, until)
        ]
        rows = access_report(care, since_s=bounds[0], until_s=bounds[1])
    _echo_json(rows)
