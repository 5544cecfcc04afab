"""Care fixtures: the desk's hand-made area (【示例】 invented data) plus a key file and people.

People (all invented): 王桂兰 (桃园里, micro-grid G1-1, high risk), 李秀英 (桃园西里, grid G1,
key), 张淑珍 (华苑, grid G2, general). They were registered on 2026-10-01 09:00, so they count
in November's visit rate; the clock starts at Monday 2026-11-02 09:00 Tianjin time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lifecircle.care.context import Care, care_from_desk
from lifecircle.care.keys import make_key_file
from lifecircle.care.register import Contact, PersonIn, add_person
from lifecircle.desk.context import open_desk
from lifecircle.project import Project
from lifecircle.staff.accounts import User, get_user
from tests.desk import conftest as desk_fixtures
from tests.desk.conftest import Clock, fill
from tests.store.conftest import postgres_admin_url, postgres_databases  # noqa: F401 (fixtures)

#: The desk's fixtures, shared: its project on each database and its settable clock.
desk_project = desk_fixtures.desk_project
clock = desk_fixtures.clock

PEOPLE = {
    "王桂兰": PersonIn(
        name="王桂兰",
        compound="桃园里",
        building="3号楼",
        unit="2单元301",
        categories=("独居",),
        level="high",
        phones=("13812341234",),
        contacts=(Contact("张红", "女儿", "13900001111"),),
        health="高血压，独居",
        consent_basis="consent",
        consent_on="2026-09-28",
        consent_by="wang",
    ),
    "李秀英": PersonIn(
        name="李秀英",
        compound="桃园西里",
        building="1号楼",
        unit="1单元102",
        categories=("失能",),
        level="key",
        phones=("022-27350001",),
        consent_basis="legal_duty",
    ),
    "张淑珍": PersonIn(
        name="张淑珍",
        compound="华苑",
        building="5号楼",
        unit="3单元501",
        categories=("空巢",),
        level="general",
        phones=("13700007777",),
        consent_basis="legal_duty",
    ),
}


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    """A fresh key file (mode 0600) outside the project folder."""
    path = tmp_path / "keys" / "care.key"
    make_key_file(path)
    return path


@pytest.fixture
def care_project(desk_project: Project, key_path: Path) -> Project:
    """The desk's project on each database, with the key file set."""
    settings = replace(desk_project.settings, care_key_path=str(key_path))
    return replace(desk_project, settings=settings)


@pytest.fixture
def care(care_project: Project, clock: Clock) -> Iterator[Care]:
    """The register over the hand-made area, with its three people, on each database."""
    desk = open_desk(care_project, clock=clock)
    fill(desk)
    made = care_from_desk(desk)
    now = clock.now
    clock.set("2026-10-01 09:00")
    for person in PEOPLE.values():
        add_person(made, person, by="test")
    clock.now = now
    yield made
    desk.store.close()


@pytest.fixture
def staff(care: Care) -> Callable[[str], User]:
    """Look an account of the hand-made area up by name (wang, li, zhao, sun, qian, boss)."""

    def find(name: str) -> User:
        found = get_user(care.desk.store, name)
        assert found is not None
        return found

    return find


def person_id(care: Care, name: str) -> int:
    """The register number of one of the hand-made people (ids follow PEOPLE's order)."""
    return list(PEOPLE).index(name) + 1


def values(**changes: Any) -> dict[str, Any]:
    """Keyword helper for corrections."""
    return changes
