"""``lifecircle user``: staff accounts for the web editor — add, list, remove, passwd, disable.

Parses, calls :mod:`lifecircle.staff.accounts`, prints. Passwords are prompted for (hidden,
twice) or read from the first line of standard input with ``--password-stdin``; never an argument.
"""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table

from lifecircle.cli.base import Context, handled
from lifecircle.i18n import t
from lifecircle.staff import accounts as users

PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)


def _password(lang: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(
        click.prompt(
            t("user.password_prompt", lang),
            hide_input=True,
            confirmation_prompt=t("user.password_again", lang),
        )
    )


@click.group("user")
def user_group() -> None:
    """Staff accounts (roles: district, subdistrict, community; grid, microgrid for the desk)."""


@user_group.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(list(users.LEVELS)),
    required=True,
    help=(
        "district: the whole project; subdistrict / community: only that area's records; "
        "grid / microgrid: a 网格员 or 微网格长 of that grid desk grid (its code)."
    ),
)
@click.option(
    "--area", default="", help="The sub-district or community (友谊里社区), or a grid's code."
)
@PASSWORD_STDIN
@click.pass_obj
@handled
def user_add(obj: Context, name: str, role: str, area: str, password_stdin: bool) -> None:
    """Create a staff account NAME with a role bound to an area."""
    project = obj.project()
    lang = obj.language(project)
    password = _password(lang, password_stdin)
    with project.open_store() as store:
        default_area = project.area_name if role == "district" else ""
        made = users.add_user(store, name, password, level=role, area=area or default_area)
    role_text = made.role_label().render(lang)
    obj.out.print(t("user.added", lang, name=made.name, role=role_text), markup=False)


@user_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@handled
def user_list(obj: Context, as_json: bool) -> None:
    """List the staff accounts and their roles."""
    project = obj.project()
    lang = obj.language(project)
    with project.open_store() as store:
        found = users.list_users(store)
    if as_json:
        rows = [
            {
                "name": u.name,
                "level": u.level,
                "area": u.area,
                "created_at": u.created_at,
                "disabled": u.disabled,
            }
            for u in found
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not found:
        obj.out.print(t("user.none", lang))
        return
    table = Table(title=t("user.list_title", lang, n=len(found)))
    for key in ("col_name", "col_role", "col_created", "col_state"):
        table.add_column(t(f"user.{key}", lang))
    for user in found:
        state = t("user.state_disabled" if user.disabled else "user.state_enabled", lang)
        table.add_row(user.name, user.role_label().render(lang), user.created_at, state)
    obj.out.print(table)


@user_group.command("remove")
@click.argument("name")
@click.pass_obj
@handled
def user_remove(obj: Context, name: str) -> None:
    """Delete a staff account and end its sessions (what it did stays in the audit log)."""
    project = obj.project()
    with project.open_store() as store:
        users.remove_user(store, name)
    obj.out.print(t("user.removed", obj.language(project), name=name), markup=False)


@user_group.command("passwd")
@click.argument("name")
@PASSWORD_STDIN
@click.pass_obj
@handled
def user_passwd(obj: Context, name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (their web sessions end in every process)."""
    project = obj.project()
    lang = obj.language(project)
    password = _password(lang, password_stdin)
    with project.open_store() as store:
        users.set_password(store, name, password)
    obj.out.print(t("user.password_set", lang, name=name), markup=False)


@user_group.command("disable")
@click.argument("name")
@click.pass_obj
@handled
def user_disable(obj: Context, name: str) -> None:
    """Disable NAME: they cannot log in, and their web sessions end in every process."""
    project = obj.project()
    with project.open_store() as store:
        users.set_disabled(store, name, True)
    obj.out.print(t("user.disabled", obj.language(project), name=name), markup=False)


@user_group.command("enable")
@click.argument("name")
@click.pass_obj
@handled
def user_enable(obj: Context, name: str) -> None:
    """Enable a disabled account NAME again (it logs in anew)."""
    project = obj.project()
    with project.open_store() as store:
        users.set_disabled(store, name, False)
    obj.out.print(t("user.enabled", obj.language(project), name=name), markup=False)
