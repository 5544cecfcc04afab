"""Reading and changing one person's record: the logged read, reveal, correction, leaving.

Every read of a record asks for a reason and writes an access-log row (who, when, why, what);
phones stay masked unless revealed, and a reveal is logged too. A correction re-seals the
changed fields with fresh nonces; a major change (出院, 丧偶 …) makes a visit due soon
(:mod:`.schedule`). Data-subject rights (export, forget) are :mod:`.rights`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from lifecircle.care.access import SEES, Role, check_reason, masked_phones, require_care_role
from lifecircle.care.context import Care
from lifecircle.care.register import (
    Contact,
    Person,
    PersonIn,
    first_problem,
    get_row,
    open_person,
    person_problems,
    route_person,
    seal,
    secret_values,
)
from lifecircle.care.schedule import NOT_REACHED, Due, next_due, status
from lifecircle.errors import CareError
from lifecircle.model import Compound
from lifecircle.staff.accounts import User
from lifecircle.store.care import AccessEntry


def compound_names(care: Care) -> dict[str, str]:
    """Return the stored compounds' names by key."""
    return {c.key: c.name for c in care.desk.store.records("compound") if isinstance(c, Compound)}


def due_of(care: Care, person: Person, last_reached_at: int | None) -> Due:
    """Return when a person's next visit is due."""
    return next_due(
        care.config,
        level=person.level,
        registered_at=person.registered_at,
        last_reached_at=last_reached_at,
        changed_at=person.changed_at,
        zone=care.zone,
    )


def person_view(
    care: Care,
    person: Person,
    role: Role,
    *,
    names: Mapping[str, str],
    last_reached_at: int | None,
    lang: str,
) -> dict[str, Any]:
    """Describe a person as a role may see them (phones masked; contacts' phones too)."""
    sees = SEES[role]
    level = care.config.level(person.level)
    due = due_of(care, person, last_reached_at)
    view: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        "compound": names.get(person.compound_key or "", ""),
        "building": person.building,
        "unit": person.unit,
        "grid": person.grid,
        "microgrid": person.microgrid,
        "community": person.community,
        "level": person.level,
        "level_name": level.name(lang),
        "due_on": due.on.isoformat(),
        "due_why": due.why,
        "due_status": status(due, care.now(), care.zone),
        "last_visit_at": _iso(care, last_reached_at),
        "left": person.left_at is not None,
    }
    if "phones" in sees:
        view["phones"] = masked_phones(person.phones)
    if "categories" in sees:
        view["categories"] = list(person.categories)
        view["level_rule"] = person.level_rule
        view["note"] = person.note
    if "contacts" in sees:
        view["contacts"] = [
            {"name": c.name, "relation": c.relation, "phone": masked_phones((c.phone,))[0]}
            for c in person.contacts
        ]
    if "health" in sees:
        view["health"] = person.health
    if "consent" in sees:
        view["consent"] = {
            "basis": person.consent_basis,
            "on": person.consent_on,
            "by": person.consent_by,
        }
    return view


def _iso(care: Care, at_s: int | None) -> str | None:
    if at_s is None:
        return None
    return dt.datetime.fromtimestamp(at_s, care.zone).isoformat(timespec="minutes")


def last_reached(care: Care) -> dict[int, int]:
    """Return each person's latest visit that reached them."""
    return care.tables.last_visits(except_outcome=NOT_REACHED)


def read_person(care: Care, user: User, person_id: int, reason: str, lang: str) -> dict[str, Any]:
    """Return one person as the user may see them, logging who read it, when and why.

    Raises
    ------
    CareError
        No such person, or no (known) reason given.
    AccessDenied
        Not one of the user's people; nothing is read or logged.
    """
    row = get_row(care, person_id)
    role = require_care_role(user, row)
    why = check_reason(care.config, reason)
    person = open_person(care, row)
    entry = AccessEntry(user.name, "read", why, person.id, {"role": role})
    care.tables.log([entry], now_s=care.now())
    last = last_reached(care).get(person.id)
    return person_view(
        care, person, role, names=compound_names(care), last_reached_at=last, lang=lang
    )


def reveal_phones(care: Care, user: User, person_id: int, reason: str) -> dict[str, Any]:
    """Return a person's registered phones in clear (to ring them), logged with the reason.

    A 微网格长 may reveal the registered phone of its own people (a phone visit needs it); the
    contacts' phones need a 网格员 or above.

    Raises
    ------
    CareError
        No such person, or no (known) reason.
    AccessDenied
        Not one of the user's people.
    """
    row = get_row(care, person_id)
    role = require_care_role(user, row)
    why = check_reason(care.config, reason)
    person = open_person(care, row)
    contacts = role != "helper"
    detail = {"role": role, "contacts": contacts}
    care.tables.log([AccessEntry(user.name, "reveal", why, person.id, detail)], now_s=care.now())
    found: dict[str, Any] = {"phones": list(person.phones)}
    if contacts:
        found["contacts"] = [c.__dict__ for c in person.contacts]
    return found


def _as_input(person: Person) -> PersonIn:
    return PersonIn(
        name=person.name,
        compound=person.compound_key or "",
        building=person.building,
        unit=person.unit,
        categories=person.categories,
        level=person.level,
        level_rule=person.level_rule,
        phones=person.phones,
        contacts=person.contacts,
        health=person.health,
        note=person.note,
        consent_basis=person.consent_basis,
        consent_on=person.consent_on,
        consent_by=person.consent_by,
    )


def _texts(name: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise CareError("error.care.wrong_type", field=name)
    return tuple(value)


def _contact(value: object) -> Contact:
    if isinstance(value, Contact):
        return value
    fields = ("name", "relation", "phone")
    if not isinstance(value, dict) or set(value) - set(fields):
        raise CareError("error.care.wrong_type", field="contacts")
    found = {f: value.get(f, "") for f in fields}
    if not all(isinstance(v, str) for v in found.values()):
        raise CareError("error.care.wrong_type", field="contacts")
    return Contact(**found)


def _changed(current: PersonIn, changes: Mapping[str, Any]) -> PersonIn:
    """Apply sent changes to a person, checking each value's type (the values are judged later)."""
    unknown = set(changes) - set(PersonIn.__dataclass_fields__)
    if unknown:
        raise CareError("error.care.unknown_field", field=sorted(unknown)[0])
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("categories", "phones"):
            values[name] = _texts(name, value)
        elif name == "contacts":
            if not isinstance(value, list | tuple):
                raise CareError("error.care.wrong_type", field=name)
            values[name] = tuple(_contact(c) for c in value)
        elif isinstance(value, str):
            values[name] = value
        else:
            raise CareError("error.care.wrong_type", field=name)
    return replace(current, **values)


def correct_person(
    care: Care,
    user: User,
    person_id: int,
    changes: Mapping[str, Any],
    *,
    reason: str,
    major_change: bool = False,
) -> Person:
    """Correct a person's record (a 网格员 or above); ``major_change`` makes a visit due soon.

    Raises
    ------
    CareError
        No such person, an unknown or bad field (named), or no reason; nothing is written.
    AccessDenied
        Not the user's person, or a 微网格长 (who may log visits, not change records).
    """
    row = get_row(care, person_id)
    require_care_role(user, row, need="worker")
    why = check_reason(care.config, reason)
    person = open_person(care, row)
    if person.forgotten_at is not None:
        raise CareError("error.care.forgotten", person=person_id)
    updated = _changed(_as_input(person), changes)
    problems = person_problems(care, updated)
    if problems:
        raise first_problem(problems)
    values: dict[str, Any] = {
        "level": updated.level,
        "consent_basis": updated.consent_basis,
        "consent_on": updated.consent_on,
        "consent_by": updated.consent_by,
        **seal(care, person.uid, secret_values(updated)),
    }
    if "compound" in changes and changes["compound"] != person.compound_key:
        compound, route = route_person(care, str(changes["compound"]))
        assert route.grid is not None
        values.update(
            compound_key=compound.key,
            grid=route.grid.code,
            microgrid=route.microgrid.code if route.microgrid else None,
            community=route.community or compound.community,
            subdistrict=route.subdistrict or compound.subdistrict,
        )
    now = care.now()
    if major_change:
        values["changed_at"] = now
    detail = {"fields": sorted(changes), "major_change": major_change}
    entry = AccessEntry(user.name, "correct", why, person_id, detail)
    care.tables.update_person(person_id, values, [entry], now_s=now)
    return open_person(care, get_row(care, person_id))


def leave_person(care: Care, user: User, person_id: int, *, reason: str) -> None:
    """Mark a person as off the register (moved, into care, died); retention forgets them later.

    Raises
    ------
    CareError
        No such person or no reason.
    AccessDenied
        Not the user's person, or a role below 网格员.
    """
    row = get_row(care, person_id)
    require_care_role(user, row, need="worker")
    why = check_reason(care.config, reason)
    now = care.now()
    entry = AccessEntry(user.name, "leave", why, person_id, {})
    care.tables.update_person(person_id, {"left_at": row.get("left_at") or now}, [entry], now_s=now)
