"""Migration step 0010_welfare_register: the welfare register's tables, kept apart from the rest.

Frozen like every step (:mod:`lifecircle.store.migrations`): to change a register table, append
a new step and update :mod:`lifecircle.store.care_schema`. Columns ending in ``_enc`` hold
AES-GCM ciphertexts (``v1.<key id>.<data>``) made by :mod:`lifecircle.care.keys`; the key is
never in the database.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, ForeignKey, Index, Integer, MetaData, Table
from sqlalchemy import Text as T

PERSON_SECRETS = (
    "name",
    "category",
    "building",
    "unit",
    "phones",
    "contacts",
    "health",
    "level_rule",
    "note",
)
VISIT_SECRETS = ("note", "needs", "referral")
CHECK_SECRETS = ("raiser", "said")


def _id() -> Column[object]:
    return Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )


def _at(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, BigInteger, nullable=nullable)


def _secrets(names: tuple[str, ...]) -> list[Column[object]]:
    return [Column(f"{n}_enc", T) for n in names]


def define_0010(md: MetaData) -> None:
    """Define the register's tables on ``md`` as step 0010 made them."""
    Table(
        "care_people",
        md,
        _id(),
        Column("uid", T, nullable=False, unique=True),
        *(Column(n, T, nullable=False) for n in ("level", "grid", "community", "subdistrict")),
        Column("microgrid", T),
        Column("compound_key", T),
        *(Column(n, T, nullable=False) for n in ("consent_basis", "consent_on", "consent_by")),
        *_secrets(PERSON_SECRETS),
        _at("registered_at", nullable=False),
        _at("changed_at"),
        _at("left_at"),
        _at("forgotten_at"),
        _at("updated_at", nullable=False),
        Column("source", T, nullable=False),
        Index("ix_care_people_grid", "grid"),
    )
    Table(
        "care_visits",
        md,
        _id(),
        Column("uid", T, nullable=False, unique=True),
        Column("person_id", BigInteger, ForeignKey("care_people.id"), nullable=False),
        _at("at", nullable=False),
        *(Column(n, T, nullable=False) for n in ("mode", "outcome", "by_user")),
        *_secrets(VISIT_SECRETS),
        Column("case_id", BigInteger),
        _at("logged_at", nullable=False),
        Index("ix_care_visits_person", "person_id", "at"),
    )
    Table(
        "care_checks",
        md,
        _id(),
        Column("token", T, nullable=False, unique=True),
        Column("person_id", BigInteger, ForeignKey("care_people.id")),
        Column("case_id", BigInteger),
        Column("raised_by", T, nullable=False),
        *(Column(n, T) for n in ("grid", "microgrid", "community", "subdistrict")),
        *_secrets(CHECK_SECRETS),
        _at("raised_at", nullable=False),
        *(_at(f"{s}_at") for s in ("ring", "door", "contacts", "closed")),
        *(Column(f"{s}_result", T) for s in ("ring", "door", "contacts")),
        Column("outcome", T),
    )
    Table(
        "care_access",
        md,
        _id(),
        _at("at", nullable=False),
        *(Column(n, T, nullable=False) for n in ("user_name", "action", "reason", "detail")),
        Column("person_id", BigInteger),
        Index("ix_care_access_at", "at"),
        Index("ix_care_access_person", "person_id"),
    )


def step_0010_welfare_register(conn: Connection, _dialect: str) -> str:
    """Create the welfare register's tables."""
    md = MetaData()
    define_0010(md)
    md.create_all(conn, checkfirst=False)
    return "welfare register tables created (people, visits, urgent checks, access log)"
