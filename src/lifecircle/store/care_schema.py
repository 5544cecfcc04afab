"""The welfare register's tables as they are now (step 0010; later steps update this module).

Kept apart from :mod:`lifecircle.store.schema` so the register is its own store area.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from lifecircle.store.care_migration import (
    CHECK_SECRETS,
    PERSON_SECRETS,
    VISIT_SECRETS,
    define_0010,
)

care_metadata = MetaData()
define_0010(care_metadata)
care_people = care_metadata.tables["care_people"]
care_visits = care_metadata.tables["care_visits"]
care_checks = care_metadata.tables["care_checks"]
care_access = care_metadata.tables["care_access"]

#: Encrypted columns of each table (``<name>_enc``), by table name.
SECRETS = {
    "care_people": PERSON_SECRETS,
    "care_visits": VISIT_SECRETS,
    "care_checks": CHECK_SECRETS,
}

__all__ = [
    "CHECK_SECRETS",
    "PERSON_SECRETS",
    "SECRETS",
    "VISIT_SECRETS",
    "care_access",
    "care_checks",
    "care_metadata",
    "care_people",
    "care_visits",
]
