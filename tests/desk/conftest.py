"""Desk fixtures: a hand-made area (invented, not real data), a settable clock, both databases.

The area is 【示例】 data around 桃园街道, Tianjin, small enough to check by eye:

- grid ``G1`` 一网格 (桃园社区): a drawn square 117.1880–117.1920 E, 39.1080–39.1110 N, holding
  the micro-grid ``G1-1`` (the compound 桃园里, listed by key) and the compound 桃园西里;
- grid ``G2`` 二网格 (华苑社区): no outline, just the compound 华苑 it lists (40 m around it);
- accounts: wang (网格员 G1), li (网格员 G2), zhao (微网格长 G1-1), sun (社区 桃园社区),
  qian (街道 桃园街道), boss (区).

Every store test runs on SQLite and, when LIFECIRCLE_TEST_POSTGRES_URL is set, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lifecircle.desk.context import Desk, open_desk
from lifecircle.desk.intake import IntakeIn, file_case
from lifecircle.desk.lifecycle import Actor, perform
from lifecircle.desk.steps import StepIn
from lifecircle.model import Compound
from lifecircle.project import Project
from lifecircle.staff.accounts import User, get_user, hash_password
from lifecircle.store import Snapshot
from lifecircle.store.accounts import AuditEntry, UserRow
from lifecircle.store.case_rows import CaseRow
from lifecircle.store.grids import GridRow
from tests.store.conftest import postgres_admin_url, postgres_databases  # noqa: F401 (fixtures)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct horse battery"
SQUARE = (
    "POLYGON ((117.188 39.108, 117.192 39.108, 117.192 39.111, 117.188 39.111, 117.188 39.108))"
)
#: Monday 2026-11-02 09:00 in Tianjin (a working day, inside office hours).
START = int(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI).timestamp())


def at(text: str) -> int:
    """Epoch seconds of a Tianjin local time written ``2026-11-02 09:00``."""
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp())


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: int = START) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def set(self, text: str) -> None:
        self.now = at(text)

    def advance(self, *, hours: float = 0, minutes: float = 0) -> None:
        self.now += int(hours * 3600 + minutes * 60)


COMPOUNDS = [
    Compound(
        "sheet:test:C1",
        "桃园里",
        117.1899,
        39.1090,
        community="桃园社区",
        subdistrict="桃园街道",
        entrances=((117.1897, 39.1086),),
    ),
    Compound(
        "sheet:test:C3", "桃园西里", 117.1885, 39.1100, community="桃园社区", subdistrict="桃园街道"
    ),
    Compound(
        "sheet:test:C2", "华苑", 117.1950, 39.1100, community="华苑社区", subdistrict="桃园街道"
    ),
]
GRIDS = [
    GridRow(
        "G1",
        "一网格",
        "grid",
        community="桃园社区",
        subdistrict="桃园街道",
        district="和平区",
        outline_wkt=SQUARE,
    ),
    GridRow(
        "G1-1",
        "一网格1号微网格",
        "microgrid",
        parent="G1",
        community="桃园社区",
        subdistrict="桃园街道",
        compounds=("sheet:test:C1",),
    ),
    GridRow(
        "G2",
        "二网格",
        "grid",
        community="华苑社区",
        subdistrict="桃园街道",
        compounds=("sheet:test:C2",),
    ),
]
USERS = {
    "wang": ("grid", "G1"),
    "li": ("grid", "G2"),
    "zhao": ("microgrid", "G1-1"),
    "sun": ("community", "桃园社区"),
    "qian": ("subdistrict", "桃园街道"),
    "boss": ("district", ""),
}


@functools.cache
def _hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for every account


def fill(desk: Desk) -> None:
    """Put the hand-made compounds, grids and accounts into a desk's store."""
    store = desk.store
    store.commit(
        [Snapshot("compound", "sheet:test", COMPOUNDS)],
        action="import",
        source="tests/desk/conftest.py",
        author="test",
    )
    store.grids.replace_all(
        GRIDS, now_s=START, audit=AuditEntry("test", "desk.grids.import", "test")
    )
    for name, (level, area) in USERS.items():
        store.accounts.add_user(UserRow(name, _hash(), level, area, "2026-11-01T00:00:00Z"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def desk_project(request: pytest.FixtureRequest, make_project: Callable[..., Project]) -> Project:
    """An empty project on each configured database."""
    made = make_project(name="测试街道")
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_databases").create()
        made = replace(made, settings=replace(made.settings, database_url=url))
    return made


@pytest.fixture
def clock() -> Clock:
    """The desk's clock, at Monday 2026-11-02 09:00 Tianjin time."""
    return Clock()


@pytest.fixture
def desk(desk_project: Project, clock: Clock) -> Iterator[Desk]:
    """A desk over the hand-made area, on each configured database."""
    made = open_desk(desk_project, clock=clock)
    fill(made)
    yield made
    made.store.close()


@pytest.fixture
def user(desk: Desk) -> Callable[[str], User]:
    """Look an account of the hand-made area up by name."""

    def find(name: str) -> User:
        found = get_user(desk.store, name)
        assert found is not None
        return found

    return find


def intake(**values: Any) -> IntakeIn:
    """A case as sent, with a category, a source, details and the compound 桃园里 by default."""
    base: dict[str, Any] = {
        "category": "water_leak",
        "source": "phone",
        "details": "楼上水管漏水，顺着墙往下流",
        "compound": "桃园里",
        "building": "3号楼",
        "unit": "2单元301",
        "reporter_phone": "13812341234",
        "reporter_name": "王阿姨",
        "not_duplicate": True,
    }
    base.update(values)
    return IntakeIn(**base)


def file(desk: Desk, who: str = "wang", role: str = "worker", **values: Any) -> CaseRow:
    """File a case and return it (fails the test when duplicates came back instead)."""
    filed = file_case(desk, intake(**values), actor=Actor(who, role))  # type: ignore[arg-type]
    assert filed.case is not None, filed.duplicates
    return filed.case


def step(desk: Desk, user: User | None, case: CaseRow, action: str, **values: Any) -> CaseRow:
    """Take a step and return the case after it."""
    token = values.pop("token", "")
    made, _ = perform(desk, user, case.id, action, StepIn(**values), token=token)
    return made
