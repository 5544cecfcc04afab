"""Options several commands share, declared once so their names, choices and help agree.

Light on purpose: the walking profiles' registry only (``build`` and ``gaps`` must not pull in
the boards to declare an option).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from lifecircle.engine.profiles import PROFILES

PROFILE = click.Choice(list(PROFILES))
#: ``--profile`` once, for a command that draws one walker's minutes (boards).
BOARD_PROFILE = click.option(
    "--profile",
    type=PROFILE,
    default="standard",
    show_default=True,
    help="Walking profile of the minutes and areas.",
)


def profiles_option(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--profile`` repeatable into ``profiles``; ``default`` says what none given means."""
    return click.option(
        "--profile",
        "profiles",
        multiple=True,
        type=PROFILE,
        help=f"Walking profile (repeatable; default: {default}).",
    )
