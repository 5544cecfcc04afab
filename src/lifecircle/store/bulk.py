"""Bulk writes (insert many rows, delete many keys) in the fastest form each database offers.

SQLite: the driver's executemany; PostgreSQL: COPY and ``DELETE ... = ANY(array)``. Writes in
chunks inside the caller's transaction; decides nothing about what to write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table

#: Rows per chunk: bounds memory, and each chunk is one driver call.
CHUNK_ROWS = 10_000


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert rows (mappings with the same keys) into a table; return how many.

    >>> from sqlalchemy import create_engine
    >>> from lifecircle.store.schema import meta
    >>> with create_engine("sqlite://").begin() as conn:
    ...     meta.create(conn)
    ...     insert_rows(conn, meta, [{"key": "name", "value": "桃园街道"}])
    1
    """
    columns: tuple[str, ...] = ()
    batch: list[tuple[Any, ...]] = []
    total = 0
    for row in rows:
        if not columns:
            columns = tuple(row)
        batch.append(tuple(row[name] for name in columns))
        if len(batch) >= CHUNK_ROWS:
            insert_chunk(conn, table, columns, batch)
            total, batch = total + len(batch), []
    if batch:
        insert_chunk(conn, table, columns, batch)
        total += len(batch)
    return total


def insert_chunk(
    conn: Connection, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert one chunk of row tuples (values in ``columns`` order) with one driver call."""
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)


def delete_keys(conn: Connection, table: Table, keys: Sequence[str]) -> None:
    """Delete the rows with these primary keys (column ``key``)."""
    name = conn.dialect.identifier_preparer.quote(table.name)
    for start in range(0, len(keys), CHUNK_ROWS):
        chunk = list(keys[start : start + CHUNK_ROWS])
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"DELETE FROM {name} WHERE key = ANY(%s)", (chunk,))
        else:
            conn.exec_driver_sql(f"DELETE FROM {name} WHERE key = ?", [(k,) for k in chunk])
