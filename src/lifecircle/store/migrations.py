"""Schema migrations: an ordered list of named steps, each run once in its own transaction.

A step is frozen once released: to change a table, append a new step (and update
:mod:`lifecircle.store.schema`) rather than edit an old one. Nothing here reads or writes records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Double,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from lifecircle.errors import StoreError
from lifecircle.store.care_migration import step_0010_welfare_register
from lifecircle.store.desk_migration import step_0008_grid_desk
from lifecircle.store.engine import (
    DRIVER_ERRORS,
    driver_message,
    safe_url,
    transaction,
    utc_timestamp,
)
from lifecircle.store.schema import POINT_TABLES

_bookkeeping = MetaData()
schema_migrations = Table(
    "schema_migrations",
    _bookkeeping,
    Column("name", Text, primary_key=True),
    Column("applied_at", Text, nullable=False),
    Column("note", Text, nullable=False),
)


@dataclass(frozen=True)
class Step:
    """One named migration; ``apply(connection, dialect_name)`` returns a note for the record."""

    name: str
    apply: Callable[[Connection, str], str]


def _step_0001_initial(conn: Connection, _dialect: str) -> str:
    md = MetaData()

    def record_table(name: str, *columns: Column[object]) -> None:
        Table(
            name,
            md,
            Column("key", Text, primary_key=True),
            Column("scope", Text, nullable=False),
            *columns,
            Column("content_hash", String(64), nullable=False),
            Column("payload", Text, nullable=False),
            Index(f"ix_{name}_scope", "scope"),
        )

    def text_cols(*names: str) -> list[Column[object]]:
        return [Column(n, Text, nullable=False) for n in names]

    def lonlat() -> list[Column[object]]:
        return [Column("lon", Double, nullable=False), Column("lat", Double, nullable=False)]

    record_table("facilities", *text_cols("name", "type_code", "status", "community"), *lonlat())
    counts = ("households", "residents", "elderly", "children")
    people: list[Column[object]] = [Column(n, Integer) for n in counts]
    record_table("compounds", *text_cols("name", "community"), *lonlat(), *people)
    record_table("boards", *text_cols("name", "board_kind", "community"), *lonlat())
    record_table("walk_ways")
    record_table("walk_nodes")
    Table(
        "data_versions",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        *text_cols("created_at", "action", "source", "author", "note", "counts"),
        sqlite_autoincrement=True,
    )
    Table(
        "changes",
        md,
        Column(
            "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        Column("version_id", Integer, ForeignKey("data_versions.id"), nullable=False),
        *text_cols("kind", "scope", "key", "action"),
        Column("before", Text),
        Column("after", Text),
        Index("ix_changes_version", "version_id"),
        Index("ix_changes_record", "kind", "key"),
        sqlite_autoincrement=True,
    )
    Table("meta", md, Column("key", Text, primary_key=True), Column("value", Text, nullable=False))
    md.create_all(conn, checkfirst=False)
    return "record, version, change and meta tables created"


def _step_0002_postgis_geometry(conn: Connection, dialect: str) -> str:
    if dialect != "postgresql":
        return f"not applicable on {dialect}"
    available = conn.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
    ).first()
    if available is None:
        return "skipped: the postgis extension is not installed on the server"
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except DBAPIError as exc:
        return f"skipped: cannot create the postgis extension ({driver_message(exc)})"
    for table in POINT_TABLES:
        conn.execute(
            text(
                f"ALTER TABLE {table} ADD COLUMN geom geometry(Point, 4326) "
                "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED"
            )
        )
        conn.execute(text(f"CREATE INDEX ix_{table}_geom ON {table} USING GIST (geom)"))
    return f"geometry(Point, 4326) column geom with GIST index on {', '.join(POINT_TABLES)}"


def _step_0003_local_edits(conn: Connection, _dialect: str) -> str:
    md = MetaData()
    Table(
        "local_edits",
        md,
        Column("key", Text, primary_key=True),
        Column("scope", Text, nullable=False),
        Column("edit_kind", Text, nullable=False),
        Column("osm_id", BigInteger),  # OSM ids outgrew 32 bits long ago
        Column("content_hash", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Index("ix_local_edits_scope", "scope"),
    )
    md.create_all(conn, checkfirst=False)
    return "local_edits table created (staff's barriers and links)"


def _step_0004_candidate_sites(conn: Connection, _dialect: str) -> str:
    md = MetaData()
    Table(
        "candidate_sites",
        md,
        Column("key", Text, primary_key=True),
        Column("scope", Text, nullable=False),
        Column("name", Text, nullable=False),
        Column("lon", Double, nullable=False),
        Column("lat", Double, nullable=False),
        Column("content_hash", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Index("ix_candidate_sites_scope", "scope"),
    )
    md.create_all(conn, checkfirst=False)
    return "candidate_sites table created (places that could host a new facility)"


def _step_0005_users_and_audit(conn: Connection, _dialect: str) -> str:
    md = MetaData()
    Table(
        "users",
        md,
        Column("name", Text, primary_key=True),
        Column("password_hash", Text, nullable=False),
        Column("role_level", Text, nullable=False),
        Column("area", Text, nullable=False),
        Column("created_at", Text, nullable=False),
        Column("disabled", Integer, nullable=False),
    )
    Table("data_versions", md, Column("id", Integer, primary_key=True))  # for the foreign key
    Table(
        "audit_log",
        md,
        Column(
            "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        Column("at", Text, nullable=False),
        # "user" is reserved in PostgreSQL, hence user_name.
        Column("user_name", Text, nullable=False),
        Column("action", Text, nullable=False),
        Column("target", Text, nullable=False),
        Column("detail", Text, nullable=False),
        Column("data_version", Integer, ForeignKey("data_versions.id")),
        Index("ix_audit_log_user", "user_name"),
        sqlite_autoincrement=True,
    )
    md.create_all(conn, tables=[md.tables["users"], md.tables["audit_log"]], checkfirst=False)
    return "users and audit_log tables created (staff logins, roles and who changed what)"


def _step_0006_staff_sessions(conn: Connection, _dialect: str) -> str:
    md = MetaData()
    Table(
        "staff_sessions",
        md,
        # sha-256 of the cookie's token: a copy of the database opens no session
        Column("token_hash", String(64), primary_key=True),
        Column("user_name", Text, nullable=False),
        Column("csrf", Text, nullable=False),
        Column("created_at", Text, nullable=False),
        Column("expires_s", Double, nullable=False),
        Column("ip", Text, nullable=False),
        Index("ix_staff_sessions_user", "user_name"),
    )
    Table(
        "login_failures",
        md,
        Column("key", Text, primary_key=True),
        Column("failures", Integer, nullable=False),
        Column("last_s", Double, nullable=False),
    )
    Table(
        "staff_jobs",
        md,
        Column("id", String(32), primary_key=True),
        Column("owner", Text, nullable=False),
        Column("kind", Text, nullable=False),
        Column("state", Text, nullable=False),
        Column("stage", Text, nullable=False),
        Column("done", Integer, nullable=False),
        Column("created_at", Text, nullable=False),
        Column("updated_s", Double, nullable=False),
        Column("deadline_s", Double, nullable=False),
        Column("result", Text),
        Column("error", Text),
        Index("ix_staff_jobs_state", "state"),
    )
    md.create_all(conn, checkfirst=False)
    return "staff_sessions, login_failures and staff_jobs tables created (server-side sessions)"


def _step_0007_type_coverage(conn: Connection, _dialect: str) -> str:
    md = MetaData()
    Table(
        "complete_types",
        md,
        Column("key", Text, primary_key=True),
        Column("scope", Text, nullable=False),
        Column("type_code", Text, nullable=False),
        Column("content_hash", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Index("ix_complete_types_scope", "scope"),
    )
    md.create_all(conn, checkfirst=False)
    return "complete_types table created (facility types a sheet declares it holds completely)"


def _step_0009_facility_matches(conn: Connection, _dialect: str) -> str:
    md = MetaData()
    Table(
        "facility_matches",
        md,
        Column("key", Text, primary_key=True),
        Column("scope", Text, nullable=False),
        Column("osm_id", Text, nullable=False),
        Column("sheet_id", Text, nullable=False),
        Column("decision", Text, nullable=False),
        Column("content_hash", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Index("ix_facility_matches_scope", "scope"),
    )
    md.create_all(conn, checkfirst=False)
    return "facility_matches table created (staff's same/different decisions on OSM vs sheets)"


#: Every step this version of lifecircle knows, in the order they are applied.
STEPS: tuple[Step, ...] = (
    Step("0001_initial", _step_0001_initial),
    Step("0002_postgis_geometry", _step_0002_postgis_geometry),
    Step("0003_local_edits", _step_0003_local_edits),
    Step("0004_candidate_sites", _step_0004_candidate_sites),
    Step("0005_users_and_audit", _step_0005_users_and_audit),
    Step("0006_staff_sessions", _step_0006_staff_sessions),
    Step("0007_type_coverage", _step_0007_type_coverage),
    Step("0008_grid_desk", step_0008_grid_desk),
    Step("0009_facility_matches", _step_0009_facility_matches),
    Step("0010_welfare_register", step_0010_welfare_register),
)


def applied_steps(conn: Connection) -> list[str]:
    """List the names of the steps already applied to this database, in order."""
    rows = conn.execute(select(schema_migrations.c.name).order_by(schema_migrations.c.name))
    return [name for (name,) in rows]


def migrate(engine: Engine, *, steps: tuple[Step, ...] = STEPS) -> list[str]:
    """Bring the database's schema up to date; return the names of the steps applied now.

    Each step runs in its own write transaction, so a failed step leaves the database at the
    previous step and a later open retries it.

    Raises
    ------
    StoreError
        The database holds steps this code does not know (a newer lifecircle made it), or a
        step failed.
    """
    with transaction(engine, write=True) as conn:
        schema_migrations.create(conn, checkfirst=True)
        applied = applied_steps(conn)
    _refuse_unknown(applied, steps=steps, url=safe_url(engine.url))
    done: list[str] = []
    for step in steps:
        if step.name in applied:
            continue
        try:
            with transaction(engine, write=True) as conn:
                # Re-read under the write lock: another process may have just applied it.
                if step.name in applied_steps(conn):
                    continue
                note = step.apply(conn, engine.dialect.name)
                row = {"name": step.name, "applied_at": utc_timestamp(), "note": note}
                conn.execute(insert(schema_migrations).values(**row))
        except DRIVER_ERRORS as exc:
            raise StoreError(
                "error.store.migration_failed",
                step=step.name,
                url=safe_url(engine.url),
                detail=driver_message(exc),
            ) from exc
        done.append(step.name)
    return done


def _refuse_unknown(applied: list[str], *, steps: tuple[Step, ...], url: str) -> None:
    known = {step.name for step in steps}
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise StoreError("error.store.newer_schema", url=url, steps=tuple(unknown))


def has_postgis_geometry(conn: Connection) -> bool:
    """Tell whether the point tables have the PostGIS ``geom`` column (step 0002 found PostGIS)."""
    if conn.dialect.name != "postgresql":
        return False
    found = conn.execute(
        text(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'facilities' AND column_name = 'geom'"
        )
    ).first()
    return found is not None
