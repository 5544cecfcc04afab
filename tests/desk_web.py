"""Shared fixtures of the desk's web tests: the staff demo with two grids and their workers.

The demo is the packaged Helsinki extract (real OSM data) whose compounds the staff fixtures
give invented test communities (演示社区, 邻居社区 in 演示街道). On top, invented grids: ``D1``
lists the compounds of 演示社区, ``D2`` those of 邻居社区; accounts gw1 (网格员 D1) and gw2
(网格员 D2) join the staff fixtures' district, own (社区 演示社区), neighbour and street.
Import the fixtures you need into a conftest (``from tests.desk_web import desk_app, ...``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lifecircle.desk.context import open_desk
from lifecircle.model import Compound
from lifecircle.project import open_project
from lifecircle.staff.accounts import add_user
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.grids import GridRow
from tests.desk.conftest import Clock
from tests.staff.conftest import NEIGHBOUR, OWN, PASSWORD, SUBDISTRICT, StaffClient, staff_template

__all__ = ["PASSWORD", "StaffClient", "desk_app", "staff_template"]


def add_grids(root: Path) -> None:
    """Give the demo copy at ``root`` its two invented grids and their 网格员."""
    project = open_project(root)
    with project.open_store() as store:
        compounds = [c for c in store.records("compound") if isinstance(c, Compound)]
        grids = [
            GridRow(
                code,
                name,
                "grid",
                community=community,
                subdistrict=SUBDISTRICT,
                compounds=tuple(c.key for c in compounds if c.community == community),
            )
            for code, name, community in (
                ("D1", "演示一网格", OWN),
                ("D2", "演示二网格", NEIGHBOUR),
            )
        ]
        store.grids.replace_all(
            grids, now_s=0, audit=AuditEntry("test", "desk.grids.import", "test")
        )
        add_user(store, "gw1", PASSWORD, level="grid", area="D1", by="test")
        add_user(store, "gw2", PASSWORD, level="grid", area="D2", by="test")


@pytest.fixture(scope="module")
def desk_app(staff_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The web app on a private copy of the staff demo with grids; its desk runs a set clock."""
    from lifecircle.api.app import create_app

    root = tmp_path_factory.mktemp("desk-app") / "demo"
    shutil.copytree(staff_template, root)
    add_grids(root)
    project = open_project(root)
    app = create_app(project)
    app.state.area.refresh = lambda wait=False: None  # no rebuilds: desk tests do not walk
    app.state.desk = open_desk(project, clock=Clock())
    yield app
    app.state.desk.store.close()
    app.state.area.wait(60)


def own_compound(app: Any) -> Compound:
    """A compound of 演示社区 (grid D1)."""
    return next(c for c in app.state.desk.store.records("compound") if c.community == OWN)


def neighbour_compound(app: Any) -> Compound:
    """A compound of 邻居社区 (grid D2)."""
    return next(c for c in app.state.desk.store.records("compound") if c.community == NEIGHBOUR)


def login(app: Any, name: str) -> StaffClient:
    """A logged-in client of one of the accounts."""
    client = StaffClient(app)
    assert client.login(name).status_code == 200
    return client
