"""Opening a store: URLs, clear errors, schema migrations, and PostGIS on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from lifecircle.errors import StoreError
from lifecircle.store import Snapshot, Store, sqlite_url
from lifecircle.store.engine import create_store_engine, parse_store_url
from lifecircle.store.migrations import STEPS, Step, applied_steps, migrate
from lifecircle.store.schema import POINT_TABLES, metadata

ALL_STEPS = [
    "0001_initial",
    "0002_postgis_geometry",
    "0003_local_edits",
    "0004_candidate_sites",
    "0005_users_and_audit",
    "0006_staff_sessions",
    "0007_type_coverage",
    "0008_grid_desk",
    "0009_facility_matches",
    "0010_welfare_register",
]
IMPORT = {"action": "import", "source": "test", "author": "tester"}


def test_a_new_database_gets_every_step_recorded_once(db) -> None:
    store = db.open()
    assert store.applied_migrations() == ALL_STEPS
    assert store.dialect == db.dialect
    store.close()

    reopened = db.open()
    assert reopened.applied_migrations() == ALL_STEPS
    engine = create_store_engine(parse_store_url(db.url))
    assert migrate(engine) == []  # nothing left to do
    engine.dispose()


def test_data_survives_reopening(db, hand) -> None:
    with db.open() as store:
        store.commit([Snapshot("facility", "osm", hand.facilities())], **IMPORT)
    with db.open() as store:
        assert store.count("facility") == 3
        assert len(store.versions()) == 1


def test_tables_match_the_schema_module(db) -> None:
    store = db.open()
    with db.raw().connect() as conn:
        for table in metadata.sorted_tables:
            stored = set(conn.execute(text(f"SELECT * FROM {table.name} WHERE 1 = 0")).keys())
            expected = {c.name for c in table.columns}
            if store.has_postgis and table.name in POINT_TABLES:
                expected.add("geom")
            assert stored == expected, table.name


def test_a_database_from_a_newer_lifecircle_is_refused(db) -> None:
    db.open().close()
    with db.raw().begin() as conn:
        conn.execute(
            text(
                "INSERT INTO schema_migrations (name, applied_at, note) "
                "VALUES ('0099_from_the_future', '2030-01-01T00:00:00Z', '')"
            )
        )

    with pytest.raises(StoreError, match=r"newer lifecircle.*0099_from_the_future"):
        db.open()


def test_a_failing_step_leaves_the_previous_steps_and_is_retried(db) -> None:
    engine = create_store_engine(parse_store_url(db.url))

    def broken(conn, dialect):  # type: ignore[no-untyped-def]
        conn.execute(text("CREATE TABLE extra_table (x INTEGER)"))
        conn.execute(text("SELECT * FROM no_such_table"))
        return ""

    def fixed(conn, dialect):  # type: ignore[no-untyped-def]
        conn.execute(text("CREATE TABLE extra_table (x INTEGER)"))
        return "ok"

    with pytest.raises(StoreError, match="schema step 0003_extra failed"):
        migrate(engine, steps=(*STEPS, Step("0003_extra", broken)))
    with engine.connect() as conn:
        assert applied_steps(conn) == ALL_STEPS  # and extra_table was rolled back:
    assert migrate(engine, steps=(*STEPS, Step("0003_extra", fixed))) == ["0003_extra"]
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://lc@localhost/lifecircle", "unsupported store URL"),
        ("just some words", "cannot read the store URL"),
        ("sqlite://", "names no database file"),
        ("sqlite:///:memory:", "names no database file"),
        ("sqlite:////no/such/folder/lifecircle.db", "folder '/no/such/folder' does not exist"),
    ],
)
def test_bad_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store.open(url)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "facilities.xlsx"
    path.write_bytes(b"PK\x03\x04 this is a spreadsheet, not a database" * 100)

    with pytest.raises(
        StoreError, match=r"cannot open the store .*facilities\.xlsx.*not a database"
    ):
        Store.open(sqlite_url(path))


def test_an_unreachable_postgres_server_is_reported_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://lc:s3cret@/lifecircle?host={tmp_path}&port=5999"  # no server there

    with pytest.raises(StoreError) as info:
        Store.open(url)
    message = str(info.value)
    assert "cannot open the store postgresql+psycopg://lc:***@/lifecircle" in message
    assert "that the server is running" in message
    assert "s3cret" not in message


@pytest.mark.postgres
def test_a_missing_postgres_database_is_named(postgres_databases) -> None:
    url = postgres_databases.create()
    postgres_databases.drop(url)

    with pytest.raises(StoreError, match=r"does not exist.*the database exists"):
        Store.open(url)


def _postgis_available(admin_url: str) -> bool:
    engine = create_engine(admin_url, poolclass=NullPool)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
        ).first()
    engine.dispose()
    return found is not None


def test_postgis_geometry_answers_a_bbox_query(db, hand) -> None:
    if db.dialect != "postgresql":
        pytest.skip("PostGIS is a PostgreSQL extension")
    if not _postgis_available(db.url):
        pytest.skip("the postgis extension is not installed on the test server")
    store = db.open()
    assert store.has_postgis
    store.commit([Snapshot("facility", "osm", hand.facilities())], **IMPORT)
    store.commit([Snapshot("facility", "osm", [hand.clinic(lon=117.2001)])], **IMPORT)

    # A box around the moved clinic only (the school and market lie west/south of it).
    query = text(
        "SELECT key, ST_X(geom), ST_SRID(geom) FROM facilities "
        "WHERE geom && ST_MakeEnvelope(117.195, 39.110, 117.205, 39.115, 4326)"
    )
    with db.raw().connect() as conn:
        assert conn.execute(query).all() == [("osm:node/101", 117.2001, 4326)]
        index = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_facilities_geom'")
        ).scalar_one()
    assert "USING gist (geom)" in index


@pytest.mark.postgres
def test_without_rights_to_create_postgis_the_store_works_and_says_so(
    postgres_databases, hand
) -> None:
    if not _postgis_available(postgres_databases.admin_url):
        pytest.skip("the postgis extension is not installed on the test server")
    # A role that may not create extensions (postgis is not a trusted extension) owns a fresh
    # database: a shared server whose administrator did not install PostGIS.
    url = postgres_databases.create(owner=postgres_databases.create_role())

    with Store.open(url) as store:
        assert not store.has_postgis
        assert store.applied_migrations() == ALL_STEPS
        store.commit([Snapshot("facility", "osm", hand.facilities())], **IMPORT)
        assert store.count("facility") == 3
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        note = conn.execute(
            text("SELECT note FROM schema_migrations WHERE name = '0002_postgis_geometry'")
        ).scalar_one()
    engine.dispose()
    assert note.startswith("skipped: cannot create the postgis extension (permission denied")
    with Store.open(url) as store:
        assert not store.has_postgis


def test_sqlite_has_no_postgis(tmp_path: Path) -> None:
    with Store.open(sqlite_url(tmp_path / "lifecircle.db")) as store:
        assert (store.dialect, store.has_postgis) == ("sqlite", False)
