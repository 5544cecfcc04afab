"""Shared fixtures of the register's web tests: the desk's demo app with a micro-grid and people.

On top of :mod:`tests.desk_web` (the Helsinki demo with invented communities and grids D1, D2):
a micro-grid ``D1-1`` holding the first compound of 演示社区, its head ``mg1`` (微网格长), a key
file, and three invented people (【示例】): 王桂兰 and 李秀英 in D1-1, 张淑珍 in D2, registered
on 2026-10-01 so they count in November's rate; the desk's clock is Monday 2026-11-02 09:00.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lifecircle.care.context import care_from_desk
from lifecircle.care.keys import make_key_file
from lifecircle.care.register import PersonIn, add_person
from lifecircle.desk.context import open_desk
from lifecircle.model import Compound
from lifecircle.project import open_project
from lifecircle.staff.accounts import add_user
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.grids import GridRow
from tests.desk.conftest import Clock
from tests.desk_web import PASSWORD, add_grids, login
from tests.staff.conftest import NEIGHBOUR, OWN, staff_template

__all__ = ["PASSWORD", "care_app", "login", "staff_template"]


def add_micro_grid(root: Path) -> tuple[Compound, Compound]:
    """Give grid D1 a micro-grid D1-1 over one compound, and its head mg1; return compounds."""
    project = open_project(root)
    with project.open_store() as store:
        compounds = [c for c in store.records("compound") if isinstance(c, Compound)]
        own = sorted((c for c in compounds if c.community == OWN), key=lambda c: c.key)[0]
        other = sorted((c for c in compounds if c.community == NEIGHBOUR), key=lambda c: c.key)[0]
        grids = [*store.grids.all()]
        micro = GridRow(
            "D1-1", "演示一网格1号微网格", "microgrid", parent="D1", compounds=(own.key,)
        )
        store.grids.replace_all(
            [*grids, replace(micro, community=OWN, subdistrict=grids[0].subdistrict)],
            now_s=0,
            audit=AuditEntry("test", "desk.grids.import", "test"),
        )
        add_user(store, "mg1", PASSWORD, level="microgrid", area="D1-1", by="test")
    return own, other


def people(own: Compound, other: Compound) -> list[PersonIn]:
    """The three invented people of the web tests."""
    base = {"consent_basis": "legal_duty", "categories": ("独居",)}
    return [
        PersonIn(name="王桂兰", compound=own.key, building="3号楼", unit="301", level="high",
                 phones=("13812341234",), health="高血压", **base),  # type: ignore[arg-type]
        PersonIn(name="李秀英", compound=own.key, building="5号楼", unit="102", level="key",
                 phones=("13700001111",), **base),  # type: ignore[arg-type]
        PersonIn(name="张淑珍", compound=other.key, level="general",
                 phones=("13600002222",), **base),  # type: ignore[arg-type]
    ]  # fmt: skip


@pytest.fixture(scope="module")
def care_app(staff_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The web app on a private demo copy with grids, a micro-grid, a key file and three people."""
    from lifecircle.api.app import create_app

    base = tmp_path_factory.mktemp("care-app")
    root = base / "demo"
    shutil.copytree(staff_template, root)
    add_grids(root)
    own, other = add_micro_grid(root)
    key = base / "keys" / "care.key"
    make_key_file(key)
    opened = open_project(root)
    project = replace(opened, settings=replace(opened.settings, care_key_path=str(key)))
    app = create_app(project)
    app.state.area.refresh = lambda wait=False: None  # no rebuilds: these tests do not walk
    clock = Clock()
    clock.set("2026-10-01 09:00")
    app.state.desk = open_desk(project, clock=clock)
    care = care_from_desk(app.state.desk)
    for person in people(own, other):
        add_person(care, person, by="test")
    clock.set("2026-11-02 09:00")
    app.state.care = care
    app.state.clock = clock
    yield app
    app.state.desk.store.close()
    app.state.area.wait(60)
