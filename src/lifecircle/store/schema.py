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
complete_types = _record_table(
    "complete_types",
    Column("type_code", Text, nullable=False),
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

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", Text, nullable=False),
    Column("csrf", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_s", Double, nullable=False),
    Column("ip", Text, nullable=False),
    Index("ix_staff_sessions_user", "user_name"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("key", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_s", Double, nullable=False),
)

staff_jobs = Table(
    "staff_jobs",
    metadata,
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
    "complete_type": KindSpec("complete_type", complete_types, ("type_code",), keep_history=True),
    "facility_match": KindSpec(
        "facility_match",
        facility_matches,
        ("osm_id", "sheet_id", "decision"),
        keep_history=True,
    ),
}

#: Record tables that get a PostGIS point column ``geom`` (from lon/lat) when PostGIS is present.
POINT_TABLES = ("facilities", "compounds", "boards")


# --- grid desk (issue 14): grids, cases and their events, 吹哨 summons, walking links, Open311
# keys and the notification outbox. Times are UTC epoch seconds (BIGINT) so clocks and metrics
# are integer arithmetic on both databases.


def _id_column() -> Column[object]:
    return Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )


def _case_ref(*, nullable: bool = False) -> Column[object]:
    return Column("case_id", BigInteger, ForeignKey("desk_cases.id"), nullable=nullable)


def _epoch(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, BigInteger, nullable=nullable)


desk_grids = Table(
    "desk_grids",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),  # grid | microgrid
    Column("parent", Text, nullable=False),  # a microgrid's grid ("" for a grid)
    Column("community", Text, nullable=False),
    Column("subdistrict", Text, nullable=False),
    Column("district", Text, nullable=False),
    Column("outline_wkt", Text),
    Column("compounds", Text, nullable=False),  # JSON list of compound keys
    Column("min_lon", Double),
    Column("min_lat", Double),
    Column("max_lon", Double),
    Column("max_lat", Double),
    Column("source", Text, nullable=False),
    Column("retired", Integer, nullable=False),
    _epoch("updated_at", nullable=False),
)

#: Milestone columns of a case: a projection of its events (``desk.lifecycle.fold``).
CASE_MILESTONES = (
    "received_at",
    "dispatched_at",
    "first_response_at",
    "first_visit_at",
    "first_done_at",
    "done_due_at",
    "done_at",
    "closed_at",
    "callback_at",
    "due_response_at",
    "due_resolution_at",
    "hold_since",
)

desk_cases = Table(
    "desk_cases",
    metadata,
    _id_column(),
    Column("token", Text, nullable=False, unique=True),
    Column("category", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("is_private", Integer, nullable=False),
    Column("grid", Text),
    Column("microgrid", Text),
    Column("community", Text, nullable=False),
    Column("subdistrict", Text, nullable=False),
    Column("outside_grid_m", Double),
    Column("lon", Double),
    Column("lat", Double),
    Column("compound_key", Text),
    Column("compound_name", Text),
    Column("building", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("place", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("reporter_name", Text),
    Column("reporter_phone", Text),
    Column("reporter_email", Text),
    Column("channel_ref", Text),
    Column("photos", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("assignee", Text),
    *(_epoch(name) for name in CASE_MILESTONES),
    _epoch("held_s", nullable=False),
    _epoch("extended_s", nullable=False),
    Column("solved", Integer),
    Column("satisfaction", Text),
    Column("callback_comment", Text),
    Column("duplicate_of", BigInteger),
    Column("reopen_count", Integer, nullable=False),
    Column("return_count", Integer, nullable=False),
    Column("pending_extension", Text),
    _epoch("updated_at", nullable=False),
    _epoch("anonymised_at"),
    Index("ix_desk_cases_state", "state"),
    Index("ix_desk_cases_grid", "grid", "state"),
    Index("ix_desk_cases_received", "received_at"),
    Index("ix_desk_cases_category", "category", "state"),
    Index("ix_desk_cases_compound", "compound_key", "received_at"),
    Index("ix_desk_cases_updated", "updated_at"),
    sqlite_autoincrement=True,
)

desk_events = Table(
    "desk_events",
    metadata,
    _id_column(),
    _case_ref(),
    _epoch("at", nullable=False),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("actor_role", Text, nullable=False),
    Column("from_state", Text),
    Column("to_state", Text, nullable=False),
    Column("visibility", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("photos", Text, nullable=False),
    Index("ix_desk_events_case", "case_id"),
    sqlite_autoincrement=True,
)

desk_summons = Table(
    "desk_summons",
    metadata,
    _id_column(),
    _case_ref(),
    Column("department", Text, nullable=False),
    _epoch("summoned_at", nullable=False),
    _epoch("due_at", nullable=False),
    _epoch("reported_at"),
    Column("summoned_by", Text, nullable=False),
    Index("ix_desk_summons_case", "case_id"),
    Index("ix_desk_summons_at", "summoned_at"),
    sqlite_autoincrement=True,
)

desk_links = Table(
    "desk_links",
    metadata,
    _id_column(),
    _case_ref(),
    Column("kind", Text, nullable=False),  # local_edit | facility
    Column("target", Text, nullable=False),
    _epoch("created_at", nullable=False),
    Column("created_by", Text, nullable=False),
    _epoch("lifted_at"),
    Column("detail", Text, nullable=False),
    Index("ix_desk_links_case", "case_id"),
    Index("ix_desk_links_target", "target"),
    sqlite_autoincrement=True,
)

desk_api_keys = Table(
    "desk_api_keys",
    metadata,
    Column("name", Text, primary_key=True),
    Column("key_hash", Text, nullable=False, unique=True),
    _epoch("created_at", nullable=False),
    Column("created_by", Text, nullable=False),
    Column("disabled", Integer, nullable=False),
)

desk_outbox = Table(
    "desk_outbox",
    metadata,
    _id_column(),
    Column("case_id", BigInteger),
    Column("channel", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("text", Text, nullable=False),
    _epoch("created_at", nullable=False),
    Column("attempts", Integer, nullable=False),
    _epoch("sent_at"),
    Column("error", Text),
    Index("ix_desk_outbox_pending", "sent_at"),
    sqlite_autoincrement=True,
)

#: The desk's tables, in an order that respects their foreign keys.
DESK_TABLES = (
    desk_grids,
    desk_cases,
    desk_events,
    desk_summons,
    desk_links,
    desk_api_keys,
    desk_outbox,
)
