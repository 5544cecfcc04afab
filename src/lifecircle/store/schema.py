"""The store's tables as they are after the newest migration, for building queries.

SQLAlchemy Core table objects only: nothing here creates or alters a table (that is the job of
:mod:`lifecircle.store.migrations`, whose steps are frozen), and nothing here runs a query.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()


def _record_table(name: str, *columns: Column[object]) -> Table:
    """Define a record table: stable key, scope (the source), columns, content hash, payload."""
    return Table(
        name,
        metadata,
        Column("key", Text, primary_key=True),
        Column("scope", Text, nullable=False),
        *columns,
        Column("content_hash", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Index(f"ix_{name}_scope", "scope"),
    )


facilities = _record_table(
    "facilities",
    Column("name", Text, nullable=False),
    Column("type_code", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("community", Text, nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
)
compounds = _record_table(
    "compounds",
    Column("name", Text, nullable=False),
    Column("community", Text, nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("households", Integer),
    Column("residents", Integer),
    Column("elderly", Integer),
    Column("children", Integer),
)
boards = _record_table(
    "boards",
    Column("name", Text, nullable=False),
    Column("board_kind", Text, nullable=False),
    Column("community", Text, nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
)
walk_ways = _record_table("walk_ways")
walk_nodes = _record_table("walk_nodes")
local_edits = _record_table(
    "local_edits",
    Column("edit_kind", Text, nullable=False),
    Column("osm_id", BigInteger),
)
candidate_sites = _record_table(
    "candidate_sites",
    Column("name", Text, nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
)

facility_matches = _record_table(
    "facility_matches",
    Column("osm_id", Text, nullable=False),
    Column("sheet_id", Text, nullable=False),
    Column("decision", Text, nullable=False),
)

data_versions = Table(
    "data_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("counts", Text, nullable=False),
    sqlite_autoincrement=True,
)

changes = Table(
    "changes",
    metadata,
    # BIGINT on PostgreSQL (100k walk ways per OSM import add up); on SQLite only INTEGER
    # PRIMARY KEY is the auto-numbered rowid.
    Column(
        "id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("version_id", Integer, ForeignKey("data_versions.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("before", Text),
    Column("after", Text),
    Index("ix_changes_version", "version_id"),
    Index("ix_changes_record", "kind", "key"),
    sqlite_autoincrement=True,
)

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("name", Text, primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role_level", Text, nullable=False),
    Column("area", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("disabled", Integer, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("at", Text, nullable=False),
    Column("user_name", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("data_version", Integer, ForeignKey("data_versions.id")),
    Index("ix_audit_log_user", "user_name"),
    sqlite_autoincrement=True,
)


@dataclass(frozen=True)
class KindSpec:
    """How one record kind is stored.

    ``columns`` are record attributes copied into their own columns so queries need not parse
    the payload. ``keep_history`` says whether changes keep the before/after payloads; walk
    ways and nodes do not, so one OSM import does not double the database.
    """

    kind: str
    table: Table
    columns: tuple[str, ...]
    keep_history: bool


KINDS: dict[str, KindSpec] = {
    "facility": KindSpec(
        "facility",
        facilities,
        ("name", "type_code", "status", "community", "lon", "lat"),
        keep_history=True,
    ),
    "compound": KindSpec(
        "compound",
        compounds,
        ("name", "community", "lon", "lat", "households", "residents", "elderly", "children"),
        keep_history=True,
    ),
    "board": KindSpec(
        "board", boards, ("name", "board_kind", "community", "lon", "lat"), keep_history=True
    ),
    "walk_way": KindSpec("walk_way", walk_ways, (), keep_history=False),
    "walk_node": KindSpec("walk_node", walk_nodes, (), keep_history=False),
    "local_edit": KindSpec("local_edit", local_edits, ("edit_kind", "osm_id"), keep_history=True),
    "candidate_site": KindSpec(
        "candidate_site", candidate_sites, ("name", "lon", "lat"), keep_history=False
    ),
    "facility_match": KindSpec(
        "facility_match",
        facility_matches,
        ("osm_id", "sheet_id", "decision"),
        keep_history=True,
    ),
}

#: Record tables that get a PostGIS point column ``geom`` (from lon/lat) when PostGIS is present.
POINT_TABLES = ("facilities", "compounds", "boards")
