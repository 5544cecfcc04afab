"""Migration step 0008_grid_desk: the grid desk's tables, as they were when the step was made.

Frozen like every step (:mod:`lifecircle.store.migrations`): to change a desk table, append a
new step and update :mod:`lifecircle.store.schema`. Kept in its own module for its length.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

_MILESTONES = (
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


def _id() -> Column[object]:
    return Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )


def _case_ref() -> Column[object]:
    return Column("case_id", BigInteger, ForeignKey("desk_cases.id"), nullable=False)


def _epoch(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, BigInteger, nullable=nullable)


def _texts(*names: str, nullable: bool = False) -> list[Column[object]]:
    return [Column(name, Text, nullable=nullable) for name in names]


def _grids(md: MetaData) -> None:
    Table(
        "desk_grids",
        md,
        Column("code", Text, primary_key=True),
        *_texts("name", "kind", "parent", "community", "subdistrict", "district"),
        Column("outline_wkt", Text),
        Column("compounds", Text, nullable=False),
        *(Column(n, Double) for n in ("min_lon", "min_lat", "max_lon", "max_lat")),
        Column("source", Text, nullable=False),
        Column("retired", Integer, nullable=False),
        _epoch("updated_at", nullable=False),
    )


def _cases(md: MetaData) -> None:
    Table(
        "desk_cases",
        md,
        _id(),
        Column("token", Text, nullable=False, unique=True),
        *_texts("category", "source", "state"),
        Column("is_private", Integer, nullable=False),
        *_texts("grid", "microgrid", nullable=True),
        *_texts("community", "subdistrict"),
        Column("outside_grid_m", Double),
        Column("lon", Double),
        Column("lat", Double),
        *_texts("compound_key", "compound_name", nullable=True),
        *_texts("building", "unit", "place", "summary", "details"),
        *_texts("reporter_name", "reporter_phone", "reporter_email", "channel_ref", nullable=True),
        Column("photos", Text, nullable=False),
        Column("created_by", Text, nullable=False),
        Column("assignee", Text),
        *(_epoch(name) for name in _MILESTONES),
        _epoch("held_s", nullable=False),
        _epoch("extended_s", nullable=False),
        Column("solved", Integer),
        *_texts("satisfaction", "callback_comment", nullable=True),
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


def _case_tables(md: MetaData) -> None:
    Table(
        "desk_events",
        md,
        _id(),
        _case_ref(),
        _epoch("at", nullable=False),
        *_texts("action", "actor", "actor_role"),
        Column("from_state", Text),
        *_texts("to_state", "visibility", "note", "data", "photos"),
        Index("ix_desk_events_case", "case_id"),
        sqlite_autoincrement=True,
    )
    Table(
        "desk_summons",
        md,
        _id(),
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
    Table(
        "desk_links",
        md,
        _id(),
        _case_ref(),
        *_texts("kind", "target"),
        _epoch("created_at", nullable=False),
        Column("created_by", Text, nullable=False),
        _epoch("lifted_at"),
        Column("detail", Text, nullable=False),
        Index("ix_desk_links_case", "case_id"),
        Index("ix_desk_links_target", "target"),
        sqlite_autoincrement=True,
    )


def _outside(md: MetaData) -> None:
    Table(
        "desk_api_keys",
        md,
        Column("name", Text, primary_key=True),
        Column("key_hash", Text, nullable=False, unique=True),
        _epoch("created_at", nullable=False),
        Column("created_by", Text, nullable=False),
        Column("disabled", Integer, nullable=False),
    )
    Table(
        "desk_outbox",
        md,
        _id(),
        Column("case_id", BigInteger),
        *_texts("channel", "event", "text"),
        _epoch("created_at", nullable=False),
        Column("attempts", Integer, nullable=False),
        _epoch("sent_at"),
        Column("error", Text),
        Index("ix_desk_outbox_pending", "sent_at"),
        sqlite_autoincrement=True,
    )


def step_0008_grid_desk(conn: Connection, _dialect: str) -> str:
    """Create the grid desk's tables."""
    md = MetaData()
    for define in (_grids, _cases, _case_tables, _outside):
        define(md)
    md.create_all(conn, checkfirst=False)
    return "grid desk tables created (grids, cases, events, summons, links, API keys, outbox)"
