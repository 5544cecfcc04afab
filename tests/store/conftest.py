"""Store fixtures: a fresh database per test on every configured backend, and hand-made records.

SQLite always (a file in tmp_path). PostgreSQL when LIFECIRCLE_TEST_POSTGRES_URL points at a
server whose user may create databases (each test gets its own, dropped afterwards); with
LIFECIRCLE_REQUIRE_POSTGRES=1 a missing or unreachable server fails the tests instead of
skipping them (CI sets it; see .ci/postgres.sh).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from lifecircle.model import Board, Compound, Facility, LocalEdit, WalkNode, WalkWay
from lifecircle.store import Store, sqlite_url

POSTGRES_URL_ENV = "LIFECIRCLE_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "LIFECIRCLE_REQUIRE_POSTGRES"


@dataclass
class Database:
    """One fresh, empty database: open it as a Store (as often as a test likes) or raw."""

    url: str
    dialect: str
    _opened: list[Store] = field(default_factory=list)
    _engines: list[Engine] = field(default_factory=list)

    def open(self) -> Store:
        store = Store.open(self.url)
        self._opened.append(store)
        return store

    def raw(self) -> Engine:
        """A plain SQLAlchemy engine on the same database, to look under the Store."""
        engine = create_engine(self.url, poolclass=NullPool)
        self._engines.append(engine)
        return engine

    def close_all(self) -> None:
        for store in self._opened:
            store.close()
        for engine in self._engines:
            engine.dispose()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The URL of the PostgreSQL test server, checked once; skips (or fails under CI) if absent."""
    url = os.environ.get(POSTGRES_URL_ENV, "")
    required = os.environ.get(REQUIRE_POSTGRES_ENV) == "1"
    problem = f'{POSTGRES_URL_ENV} is not set (run `eval "$(.ci/postgres.sh start)"`)'
    if url:
        try:
            with create_engine(url, poolclass=NullPool).connect() as conn:
                conn.execute(text("SELECT 1"))
            return url
        except Exception as exc:  # any failure to reach it is the same problem for the tests
            problem = f"cannot reach the PostgreSQL test server at {POSTGRES_URL_ENV}: {exc}"
    if required:
        pytest.fail(f"{REQUIRE_POSTGRES_ENV}=1 but {problem}", pytrace=False)
    pytest.skip(problem)


def _admin(admin_url: str, statement: str) -> None:
    engine = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


class PostgresDatabases:
    """Create throw-away databases (and login roles) on the test server; drop them all later."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._databases: list[str] = []
        self._roles: list[str] = []

    def create(self, *, owner: str | None = None) -> str:
        """Create an empty database; return its URL (connecting as ``owner`` if given)."""
        name = f"lc_test_{uuid.uuid4().hex[:12]}"
        _admin(self.admin_url, f'CREATE DATABASE "{name}"' + (f' OWNER "{owner}"' if owner else ""))
        self._databases.append(name)
        url = make_url(self.admin_url).set(database=name)
        if owner:
            url = url.set(username=owner, password=None)
        return url.render_as_string(hide_password=False)

    def create_role(self) -> str:
        """Create a login role without special rights (no superuser, no CREATEDB)."""
        name = f"lc_role_{uuid.uuid4().hex[:12]}"
        _admin(self.admin_url, f'CREATE ROLE "{name}" LOGIN')
        self._roles.append(name)
        return name

    def drop(self, url: str) -> None:
        _admin(self.admin_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def drop_all(self) -> None:
        for name in self._databases:
            _admin(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in self._roles:
            _admin(self.admin_url, f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def postgres_databases(postgres_admin_url: str) -> Iterator[PostgresDatabases]:
    """Extra PostgreSQL databases for one test (PostgreSQL-only tests use this directly)."""
    databases = PostgresDatabases(postgres_admin_url)
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[Database]:
    """A fresh empty database on each configured backend (the one factory for store tests)."""
    if request.param == "sqlite":
        database = Database(sqlite_url(os.path.join(tmp_path, "lifecircle.db")), "sqlite")
        yield database
        database.close_all()
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    database = Database(databases.create(), "postgresql")
    yield database
    database.close_all()  # before postgres_databases drops the database


@pytest.fixture
def store(db: Database) -> Store:
    """An open Store on a fresh database (closed after the test)."""
    return db.open()


class HandMade:
    """Hand-made records (not real data): made-up facilities around 桃园街道, Tianjin, whose
    expected diffs can be checked by eye."""

    @staticmethod
    def clinic(**changes: object) -> Facility:
        values: dict[str, object] = {
            "source_id": "osm:node/101",
            "name": "桃园街社区卫生服务站",
            "type_code": "community_health_station",
            "lon": 117.1901,
            "lat": 39.1102,
            "phone": "022-2735 0000",
            "opening_hours": "Mo-Fr 08:00-17:00",
            "community": "桃园社区",
            "source": "osm:node/101",
        }
        values.update(changes)
        return Facility(**values)  # type: ignore[arg-type]

    @staticmethod
    def facilities() -> list[Facility]:
        return [
            HandMade.clinic(),
            Facility(
                "osm:node/102",
                "桃园菜市场",
                "market",
                117.1925,
                39.1088,
                community="桃园社区",
                extra={"operator": "街道"},
            ),
            Facility(
                "osm:way/103",
                "桃园小学",
                "primary_school",
                117.1880,
                39.1120,
                outline_wkt="POLYGON ((117.1875 39.1115, 117.1885 39.1115, 117.1885 39.1125, "
                "117.1875 39.1125, 117.1875 39.1115))",
                entrances=((117.1880, 39.1115),),
                capacity=900,
            ),
        ]

    @staticmethod
    def sheet_facility() -> Facility:
        return Facility(
            "sheet:facilities:7",
            "日间照料中心",
            "elderly_day_care",
            117.1911,
            39.1095,
            status="planned",
            source="sheet:facilities.xlsx#row 8",
            verified_on="2025-03-01",
        )

    @staticmethod
    def compound() -> Compound:
        return Compound(
            "sheet:compounds:1",
            "桃园里",
            117.1899,
            39.1090,
            community="桃园社区",
            entrances=((117.1897, 39.1086), (117.1903, 39.1094)),
            households=820,
            residents=2100,
            elderly=560,
            children=95,
        )

    @staticmethod
    def board() -> Board:
        return Board("TY-001", "桃园里北门", 117.1897, 39.1086, compound="sheet:compounds:1")

    @staticmethod
    def ways(count: int = 3) -> list[WalkWay]:
        return [
            WalkWay(
                osm_id=1000 + i,
                node_ids=(i * 10, i * 10 + 1, i * 10 + 2),
                coords=((117.19, 39.11 + i * 1e-4), (117.191, 39.11 + i * 1e-4), (117.192, 39.11)),
                tags={"highway": "footway", "lit": "yes"},
            )
            for i in range(count)
        ]

    @staticmethod
    def node() -> WalkNode:
        return WalkNode(
            5001, 117.1905, 39.1101, {"highway": "crossing", "crossing": "traffic_signals"}
        )

    @staticmethod
    def edit(edit_id: int = 1, **changes: object) -> LocalEdit:
        values: dict[str, object] = {
            "edit_id": edit_id,
            "edit_kind": "uncrossable_way",
            "osm_id": 1001,
            "coords": ((117.191, 39.1101),),
            "note": "主干道中间有护栏，只能走天桥",
            "author": "王芳",
            "created_at": "2025-05-01T08:30:00Z",
        }
        values.update(changes)
        return LocalEdit(**values)  # type: ignore[arg-type]

    @staticmethod
    def link(edit_id: int = 1) -> LocalEdit:
        ends = ((117.1901, 39.1102), (117.1904, 39.1105))
        return HandMade.edit(edit_id, edit_kind="link", osm_id=None, coords=ends, note="小区北门")


@pytest.fixture
def hand() -> HandMade:
    """The hand-made records (``hand.clinic(phone=...)``, ``hand.facilities()`` ...)."""
    return HandMade()
