"""Shared pieces of the command line: the context object, error handling, option types.

Every command is wrapped in :func:`handled`: a LifecircleError prints one line in the user's
language and exits 1. Nothing here does any work of its own, and nothing heavy is imported
until a command needs it (the store, when a project is opened).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click
from rich.console import Console

from lifecircle.config import load_settings
from lifecircle.errors import BadRowsError, LifecircleError
from lifecircle.i18n import t

if TYPE_CHECKING:
    from lifecircle.project import Project

P = ParamSpec("P")
R = TypeVar("R")
CRS_CHOICE = click.Choice(["wgs84", "gcj02", "bd09"], case_sensitive=False)


@dataclass
class Context:
    """What the global options give every command."""

    project_dir: Path
    lang: str | None
    overrides: dict[str, str]
    out: Console

    def project(self) -> Project:
        """Open the project named by -p (or the current folder)."""
        from lifecircle.project import open_project

        return open_project(self.project_dir, cli_overrides=self.overrides)

    def language(self, project: Project | None = None) -> str:
        """--lang, else the project's language setting, else zh."""
        if self.lang:
            return self.lang
        return project.settings.language if project is not None else "zh"


def _error_language(obj: Context) -> str:
    """--lang, else the language setting (project file, environment, --set), else zh."""
    if obj.lang:
        return obj.lang
    try:
        return obj.project().settings.language
    except LifecircleError:
        pass
    try:
        return load_settings(None, cli_overrides=obj.overrides).language
    except LifecircleError:
        return "zh"


def _fail(ctx: click.Context, exc: LifecircleError) -> None:
    obj: Context = ctx.obj
    lang = _error_language(obj)
    err = Console(stderr=True)
    line = t("error.line", lang, message=exc.message(lang))
    err.print(line, markup=False, highlight=False, soft_wrap=True)
    if isinstance(exc, BadRowsError) and len(exc.problems) > 1:
        from lifecircle.cli import console

        console.print_problems(err, exc.problems, lang)
    ctx.exit(1)


def handled(func: Callable[P, R]) -> Callable[P, R | None]:
    """Turn a :class:`LifecircleError` into a one-line message and exit status 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return func(*args, **kwargs)
        except LifecircleError as exc:
            _fail(click.get_current_context(), exc)
            return None

    return wrapper


def parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    """Read repeated ``--set NAME=VALUE`` options into a dict."""
    found = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--set")
        found[name.strip()] = value.strip()
    return found
