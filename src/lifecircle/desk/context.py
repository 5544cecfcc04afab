"""The :class:`Desk`: one project's store, desk configuration, settings, photo folder and clock.

Every desk function takes a Desk, so tests can hand one a fixed clock and the web app can keep
one open. Opening it reads the configuration files; it writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lifecircle.config import Settings
from lifecircle.desk.config import DeskConfig, load_desk_config
from lifecircle.desk.grids import GridIndex, grid_index
from lifecircle.project import Project
from lifecircle.store import Store
from lifecircle.store.accounts import UserRow

#: Folder beside the store (in the project folder) where case photos are kept.
PHOTO_DIR = "desk_photos"
#: Seconds a looked-up routing index (and the list of accounts) is used before the store is
#: asked again (a busy desk files many cases a second; a new import shows within this time).
FRESH_S = 2.0


def wall_clock() -> int:
    """Return now as UTC epoch seconds."""
    return int(time.time())


@dataclass
class Desk:
    """What every desk function needs: the store, the configuration and the time.

    ``clock`` returns UTC epoch seconds.
    """

    project: Project
    store: Store
    config: DeskConfig
    clock: Callable[[], int] = field(default=wall_clock)
    _index: tuple[GridIndex, float] | None = field(default=None, repr=False, compare=False)
    _users: tuple[list[UserRow], float] | None = field(default=None, repr=False, compare=False)

    @property
    def settings(self) -> Settings:
        """The project's settings."""
        return self.project.settings

    @property
    def store_url(self) -> str:
        """The URL the store was opened with (routing caches reopen it)."""
        return self.project.database_url

    def now(self) -> int:
        """Return the current time (UTC epoch seconds) by the desk's clock."""
        return int(self.clock())

    @property
    def photo_dir(self) -> Path:
        """Where photos are kept (created on the first photo)."""
        return self.project.root / PHOTO_DIR

    def users(self) -> list[UserRow]:
        """Return the staff accounts (read again every few seconds), to find grid workers."""
        now = time.monotonic()
        found = self._users
        if found is None or now - found[1] > FRESH_S:
            found = self._users = (self.store.accounts.users(), now)
        return found[0]

    def grid_index(self) -> GridIndex:
        """Return the routing index of the current grids (looked up again every few seconds)."""
        now = time.monotonic()
        found = self._index
        if found is None or now - found[1] > FRESH_S:
            found = self._index = (grid_index(self.store, self.store_url), now)
        return found[0]


def open_desk(
    project: Project, *, store: Store | None = None, clock: Callable[[], int] | None = None
) -> Desk:
    """Make the Desk of a project (opening its store unless one is given; close it yourself).

    Raises
    ------
    ConfigError
        The desk configuration is missing or wrong.
    """
    config = load_desk_config(project)
    opened = store if store is not None else project.open_store()
    return Desk(project=project, store=opened, config=config, clock=clock or wall_clock)
