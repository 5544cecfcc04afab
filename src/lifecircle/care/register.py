"""The register of people to visit: check a person, seal their fields, add, read, correct.

Identifying and health fields are sealed one by one (:mod:`.keys`), each bound to the person's
``uid`` and the field's name; where they live (compound, grid, micro-grid, community) stays in
clear so lists, counts and roles work without the key. A person's place is routed to its grid the
way the desk routes a case (:mod:`lifecircle.desk.grids`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lifecircle.care.access import require_care_role
from lifecircle.care.context import Care
from lifecircle.desk.grids import Route
from lifecircle.desk.intake import find_compound
from lifecircle.errors import CareError, DeskError, Msg
from lifecircle.model import Compound
from lifecircle.staff.accounts import User
from lifecircle.store.care import AccessEntry, Row
from lifecircle.store.care_schema import PERSON_SECRETS

#: Legal bases for keeping a person on the register (PIPL art. 13, 29).
CONSENT_BASES = ("consent", "legal_duty", "vital_interest")
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,22}[0-9]$")
MAX_TEXT = 500


@dataclass(frozen=True)
class Contact:
    """A family or emergency contact: who, how related, their phone."""

    name: str
    relation: str
    phone: str


@dataclass(frozen=True)
class PersonIn:
    """A person as sent or read from a sheet (text, not yet checked)."""

    name: str
    compound: str
    building: str = ""
    unit: str = ""
    categories: tuple[str, ...] = ()
    level: str = ""
    level_rule: str = ""
    phones: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    health: str = ""
    note: str = ""
    consent_basis: str = ""
    consent_on: str = ""
    consent_by: str = ""


@dataclass(frozen=True)
class Person:
    """A register person as the key opens it (``name`` is ``""`` once anonymised)."""

    id: int
    uid: str
    name: str
    compound_key: str | None
    building: str
    unit: str
    categories: tuple[str, ...]
    level: str
    level_rule: str
    phones: tuple[str, ...]
    contacts: tuple[Contact, ...]
    health: str
    note: str
    grid: str
    microgrid: str | None
    community: str
    subdistrict: str
    consent_basis: str
    consent_on: str
    consent_by: str
    registered_at: int
    changed_at: int | None = None
    left_at: int | None = None
    forgotten_at: int | None = None


Problem = tuple[str, str, Msg]  # field, value, what is wrong


def _phone_problems(phones: Sequence[str], name: str) -> list[Problem]:
    return [(name, p, Msg("care.problem.phone")) for p in phones if not _PHONE.match(p)]


def person_problems(care: Care, person: PersonIn) -> list[Problem]:
    """Return what is wrong with a person as sent (an empty list: nothing).

    Checks the name, categories, risk level, phones, contacts, the consent record (a date and
    who took it when consent is the basis) and text lengths; the compound is checked when routed.
    """
    found: list[Problem] = []
    if not person.name.strip():
        found.append(("name", "", Msg("care.problem.required")))
    known = care.config.categories
    found += [
        ("categories", c, Msg("care.problem.category", known=known))
        for c in person.categories
        if c not in known
    ]
    if not person.categories:
        found.append(("categories", "", Msg("care.problem.category", known=known)))
    levels = tuple(lv.code for lv in care.config.levels)
    if person.level not in levels:
        found.append(("level", person.level, Msg("care.problem.level", known=levels)))
    found += _phone_problems(person.phones, "phones")
    found += _phone_problems([c.phone for c in person.contacts], "contacts")
    if person.consent_basis not in CONSENT_BASES:
        what = Msg("care.problem.basis", known=CONSENT_BASES)
        found.append(("consent_basis", person.consent_basis, what))
    if person.consent_basis == "consent" and not person.consent_by.strip():
        found.append(("consent_by", "", Msg("care.problem.consent_by")))
    if person.consent_on or person.consent_basis == "consent":
        try:
            dt.date.fromisoformat(person.consent_on)
        except ValueError:
            found.append(("consent_on", person.consent_on, Msg("care.problem.date")))
    for name in ("name", "building", "unit", "level_rule", "health", "note"):
        if len(getattr(person, name)) > MAX_TEXT:
            found.append(
                (name, getattr(person, name)[:20], Msg("care.problem.too_long", n=MAX_TEXT))
            )
    return found


def route_person(care: Care, compound_text: str) -> tuple[Compound, Route]:
    """Find a person's compound and route it to its grid and micro-grid.

    Raises
    ------
    CareError
        No such compound (or several), or no grid holds it.
    """
    try:
        compound = find_compound(care.desk, compound_text)
    except DeskError as exc:
        raise CareError("error.care.compound", field="compound", value=compound_text) from exc
    if compound is None:
        raise CareError("error.care.compound", field="compound", value=compound_text)
    route = care.desk.grid_index().route(
        lon=compound.lon, lat=compound.lat, compound_key=compound.key
    )
    if route.grid is None or (route.outside_m or 0.0) > care.desk.settings.desk_outside_grid_max_m:
        raise CareError("error.care.no_grid", field="compound", value=compound.name)
    return compound, route


def seal(care: Care, uid: str, values: Mapping[str, str]) -> dict[str, str | None]:
    """Encrypt each non-empty value for ``person:<uid>:<name>`` (empty: stored as NULL)."""
    return {
        f"{name}_enc": care.keys.encrypt(text, f"person:{uid}:{name}") if text else None
        for name, text in values.items()
    }


def secret_values(person: PersonIn | Person) -> dict[str, str]:
    """Return a person's secret fields as the text that is sealed (lists as JSON)."""
    contacts = [c.__dict__ for c in person.contacts]
    return {
        "name": person.name.strip(),
        "category": json.dumps(list(person.categories), ensure_ascii=False)
        if person.categories
        else "",
        "building": person.building.strip(),
        "unit": person.unit.strip(),
        "phones": json.dumps(list(person.phones)) if person.phones else "",
        "contacts": json.dumps(contacts, ensure_ascii=False) if contacts else "",
        "health": person.health.strip(),
        "level_rule": person.level_rule.strip(),
        "note": person.note.strip(),
    }


def new_row(care: Care, person: PersonIn, route: Route, compound: Compound, *, source: str) -> Row:
    """Make the stored row of a checked, routed person (sealed fields, clear place)."""
    uid = secrets.token_hex(8)
    level = care.config.level(person.level)
    rule = person.level_rule or level.rule
    values = secret_values(replace(person, level_rule=rule))
    now = care.now()
    assert route.grid is not None
    return {
        "uid": uid,
        "level": level.code,
        "grid": route.grid.code,
        "microgrid": route.microgrid.code if route.microgrid else None,
        "community": route.community or compound.community,
        "subdistrict": route.subdistrict or compound.subdistrict,
        "compound_key": compound.key,
        "consent_basis": person.consent_basis,
        "consent_on": person.consent_on,
        "consent_by": person.consent_by.strip(),
        **seal(care, uid, values),
        "registered_at": now,
        "source": source,
    }


def open_person(care: Care, row: Mapping[str, Any]) -> Person:
    """Decrypt a stored person row (every sealed field checked against its place)."""
    uid = str(row["uid"])

    def opened(name: str) -> str:
        stored = row.get(f"{name}_enc")
        return care.keys.decrypt(stored, f"person:{uid}:{name}") if stored else ""

    texts = {name: opened(name) for name in PERSON_SECRETS}
    contacts = json.loads(texts["contacts"]) if texts["contacts"] else []
    return Person(
        id=int(row["id"]),
        uid=uid,
        name=texts["name"],
        compound_key=row.get("compound_key"),
        building=texts["building"],
        unit=texts["unit"],
        categories=tuple(json.loads(texts["category"])) if texts["category"] else (),
        level=str(row["level"]),
        level_rule=texts["level_rule"],
        phones=tuple(json.loads(texts["phones"])) if texts["phones"] else (),
        contacts=tuple(Contact(**c) for c in contacts),
        health=texts["health"],
        note=texts["note"],
        grid=str(row["grid"]),
        microgrid=row.get("microgrid"),
        community=str(row["community"]),
        subdistrict=str(row["subdistrict"]),
        consent_basis=str(row["consent_basis"]),
        consent_on=str(row["consent_on"]),
        consent_by=str(row["consent_by"]),
        registered_at=int(row["registered_at"]),
        changed_at=row.get("changed_at"),
        left_at=row.get("left_at"),
        forgotten_at=row.get("forgotten_at"),
    )


def get_row(care: Care, person_id: int) -> Row:
    """Return a stored person row, or refuse with 404.

    Raises
    ------
    CareError
        There is no such person.
    """
    row = care.tables.person(person_id)
    if row is None:
        raise CareError("error.care.no_person", person=person_id)
    return row


def first_problem(problems: Sequence[Problem]) -> CareError:
    """Turn the first problem of a single person into the error to raise."""
    name, value, what = problems[0]
    return CareError("error.care.bad_field", field=name, value=value or "—", what=what)


def add_person(care: Care, person: PersonIn, *, by: str | User, source: str = "staff") -> int:
    """Check, route, seal and store one person; return their register number.

    ``by`` a staff account: they must be a 网格员 or above where the person lives.

    Raises
    ------
    CareError
        A field is missing or wrong (the first problem, naming the field); nothing is stored.
    AccessDenied
        The person would live outside the account's area; nothing is stored.
    """
    problems = person_problems(care, person)
    if problems:
        raise first_problem(problems)
    compound, route = route_person(care, person.compound)
    row = new_row(care, person, route, compound, source=source)
    if isinstance(by, User):
        require_care_role(by, row, need="worker")
    name = by.name if isinstance(by, User) else by
    entry = AccessEntry(name, "add", "register", None, {"source": source})
    return care.tables.add_people([row], [entry], now_s=care.now())[0]
