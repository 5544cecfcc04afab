"""Connect to a store URL (a SQLite file or PostgreSQL via psycopg 3) and run transactions on it.

Knows how each database must be set up (SQLite: WAL, foreign keys, busy timeout, BEGIN
IMMEDIATE for writes; PostgreSQL: one writer at a time), and nothing about tables or versions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from lifecircle.errors import Msg, StoreError

#: Seconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_S = 30
#: Seconds to wait for a PostgreSQL server to answer.
POSTGRES_CONNECT_TIMEOUT_S = 10
#: pg_advisory_xact_lock key that serialises lifecircle writers on one PostgreSQL database.
_WRITE_LOCK_KEY = 0x6C6966656369  # "lifeci"
_WRITE_OPTION = "lifecircle_write"

#: Errors a database driver raises; SQLAlchemy wraps most, but not those from connect hooks.
DRIVER_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, sqlite3.Error, psycopg.Error)


def sqlite_url(path: Path | str) -> str:
    """Make the store URL of a SQLite file.

    >>> sqlite_url("/data/taoyuan/lifecircle.db")
    'sqlite:////data/taoyuan/lifecircle.db'
    """
    return f"sqlite:///{Path(path).absolute()}"


def safe_url(url: str | URL) -> str:
    """Render a URL for people to see: the password replaced by ``***``.

    >>> safe_url("postgresql+psycopg://lc:secret@db.example/lifecircle")
    'postgresql+psycopg://lc:***@db.example/lifecircle'
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def driver_message(exc: BaseException) -> str:
    """Return the first line of the driver's own error message (without SQLAlchemy's wrapping)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip() or type(orig).__name__
    return text.splitlines()[0]


def parse_store_url(url: str) -> URL:
    """Check a store URL and pick the driver (``postgresql://`` means psycopg 3).

    Raises
    ------
    StoreError
        The URL is not a SQLite file or PostgreSQL URL, or the SQLite file's folder is missing.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError("error.store.bad_url", url=url) from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise StoreError("error.store.unsupported_url", url=safe_url(parsed))
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise StoreError("error.store.no_file", url=url)
    folder = Path(database).absolute().parent
    if not folder.is_dir():
        raise StoreError("error.store.no_folder", database=database, folder=str(folder))
    return parsed.set(drivername="sqlite")


def create_store_engine(url: URL) -> Engine:
    """Create an engine for a URL from :func:`parse_store_url`, set up for its dialect."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _setup_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(
        url,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S},
        pool_pre_ping=True,
    )


def _setup_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's begin event (below) emit BEGIN itself: pysqlite's own transaction
    # handling starts transactions late and never as BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _begin_sqlite(conn: Connection) -> None:
    # IMMEDIATE takes the write lock before the diff is read, so two imports cannot
    # interleave; readers use a deferred BEGIN and never block a writer (WAL).
    write = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """One transaction: committed when the block ends, rolled back if it raises.

    With ``write=True`` only one lifecircle writer runs at a time on the database (SQLite
    ``BEGIN IMMEDIATE``, PostgreSQL transaction advisory lock), so what a writer reads inside
    the block is what it writes over.
    """
    with engine.connect() as conn:
        if write:
            conn.execution_options(**{_WRITE_OPTION: True})
        with conn.begin():
            if write and conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_WRITE_LOCK_KEY)))
            yield conn


def check_reachable(engine: Engine) -> None:
    """Open one connection so an unreachable or unreadable database fails now, clearly.

    Raises
    ------
    StoreError
        Naming the URL (password hidden), the driver's message and what to check.
    """
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DRIVER_ERRORS as exc:
        where = safe_url(engine.url)
        sqlite = engine.dialect.name == "sqlite"
        hint = Msg("error.store.check_sqlite" if sqlite else "error.store.check_server")
        raise StoreError(
            "error.store.cannot_open", url=where, detail=driver_message(exc), hint=hint
        ) from exc


def utc_timestamp() -> str:
    """Return now as ISO 8601 UTC to the second (``2025-05-01T08:30:00Z``)."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
