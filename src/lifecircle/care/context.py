"""The :class:`Care` context: the grid desk it builds on, the register's keys and configuration.

Opening it reads the key file first and refuses without one (saying how to make one); it writes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lifecircle.care.config import CareConfig, load_care_config
from lifecircle.care.keys import KeyRing, load_key_ring
from lifecircle.desk.config import bad_value
from lifecircle.desk.context import Desk, open_desk
from lifecircle.errors import DeskError
from lifecircle.project import Project
from lifecircle.store import Store
from lifecircle.store.care import CareTables


@dataclass
class Care:
    """What every register function needs: the desk (store, grids, clock), keys, configuration."""

    desk: Desk
    keys: KeyRing
    config: CareConfig

    @property
    def tables(self) -> CareTables:
        """The register's tables."""
        return self.desk.store.care

    @property
    def zone(self) -> ZoneInfo:
        """The area's time zone (due days and months are local)."""
        return ZoneInfo(self.desk.settings.timezone)

    def now(self) -> int:
        """Return the current time (UTC epoch seconds) by the desk's clock."""
        return self.desk.now()

    def today(self) -> dt.date:
        """Return today's local date."""
        return dt.datetime.fromtimestamp(self.now(), self.zone).date()


def care_from_desk(desk: Desk) -> Care:
    """Make the Care context over an open desk (reads the key file and the care configuration).

    Raises
    ------
    ConfigError
        No key file, or a bad one, or a bad care configuration (also: an escalation to a
        department desk.toml lacks).
    """
    keys = load_key_ring(desk.settings.care_key_path)
    config = load_care_config(desk.project)
    for code in config.urgent.escalate_to:
        try:
            desk.config.department(code)
        except DeskError:
            where = (config.path, "urgent", "escalate_to")
            raise bad_value(where, code, "care_config.expect.department") from None
    return Care(desk=desk, keys=keys, config=config)


def open_care(
    project: Project, *, store: Store | None = None, clock: Callable[[], int] | None = None
) -> Care:
    """Open the register of a project (its store too, unless one is given; close it yourself).

    Raises
    ------
    ConfigError
        No key file, or a bad one (checked before the store is opened), or bad configuration.
    """
    load_key_ring(project.settings.care_key_path)  # refuse before opening anything
    return care_from_desk(open_desk(project, store=store, clock=clock))
