"""The register: sealed at rest, routed to its grid, opened only with the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from lifecircle.care.context import Care, open_care
from lifecircle.care.register import PersonIn, add_person, get_row, open_person
from lifecircle.errors import CareError, ConfigError
from lifecircle.project import Project
from tests.care.conftest import PEOPLE, person_id

SECRETS = ("王桂兰", "13812341234", "13900001111", "高血压", "3号楼", "2单元301", "张红")


def raw_database_text(care: Care) -> str:
    """Everything the database holds, as text: the SQLite files' bytes or every PostgreSQL row."""
    url = care.desk.project.database_url
    if url.startswith("sqlite"):
        db = Path(url.removeprefix("sqlite:///"))
        parts = [p.read_bytes() for p in db.parent.glob(db.name + "*")]
        return b"".join(parts).decode("utf-8", errors="replace")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            texts = []
            for table in inspect(conn).get_table_names():
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                texts.append(repr(rows))
            return "\n".join(texts)
    finally:
        engine.dispose()


def test_a_database_dump_holds_no_name_phone_or_health_note(care: Care) -> None:
    dump = raw_database_text(care)
    assert "桃园社区" in dump  # the dump did read the stored rows (places stay in clear)
    found = [s for s in SECRETS if s in dump]
    assert found == []
    # … while the key opens them again
    person = open_person(care, get_row(care, person_id(care, "王桂兰")))
    assert (person.name, person.phones, person.health) == (
        "王桂兰",
        ("13812341234",),
        "高血压，独居",
    )


def test_every_sealed_value_names_its_key(care: Care) -> None:
    row = get_row(care, 1)
    sealed = [v for k, v in row.items() if k.endswith("_enc") and v]
    assert sealed and all(v.startswith(f"v1.{care.keys.current}.") for v in sealed)


def test_a_person_is_routed_to_the_micro_grid_of_their_compound(care: Care) -> None:
    rows = {open_person(care, r).name: r for r in care.tables.people()}
    assert (rows["王桂兰"]["grid"], rows["王桂兰"]["microgrid"]) == ("G1", "G1-1")
    assert (rows["李秀英"]["grid"], rows["李秀英"]["microgrid"]) == ("G1", None)
    assert (rows["张淑珍"]["grid"], rows["张淑珍"]["community"]) == ("G2", "华苑社区")


def test_a_bad_person_is_refused_naming_the_field_and_nothing_is_stored(care: Care) -> None:
    before = len(care.tables.people())
    bad = PersonIn(**{**PEOPLE["张淑珍"].__dict__, "phones": ("call me",)})
    with pytest.raises(CareError, match="phones"):
        add_person(care, bad, by="test")
    with pytest.raises(CareError, match="compound"):
        add_person(care, PersonIn(**{**PEOPLE["张淑珍"].__dict__, "compound": "无此小区"}), by="t")
    assert len(care.tables.people()) == before


def test_consent_as_basis_needs_who_took_it(care: Care) -> None:
    bad = PersonIn(**{**PEOPLE["王桂兰"].__dict__, "consent_by": ""})
    with pytest.raises(CareError, match="consent_by"):
        add_person(care, bad, by="test")


def test_the_care_commands_refuse_to_open_without_a_key(care_project: Project) -> None:
    from dataclasses import replace

    keyless = replace(care_project, settings=replace(care_project.settings, care_key_path=""))
    with pytest.raises(ConfigError, match="init-key"):
        open_care(keyless)
