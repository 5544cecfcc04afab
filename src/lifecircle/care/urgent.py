"""The urgent "can't reach" check (联系不上): raised by family, a neighbour or staff; timed steps.

Raising it files a 2-hour grid-desk case (the ``urgent.desk_category`` of care.toml, an emergency
category of desk.toml) routed to the grid of the compound, and gives the raiser a token. Staff
then ring the registered phone, knock on the door and ring the emergency contacts, each step
timed against its limit, and close the check with an outcome. The raiser's view by token shows
only the status and the outcome: never whether the person is on the register, nor any phone,
name or note they did not give. The raiser's own words and number are sealed like the register.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, replace
from typing import Any

from lifecircle.care.access import care_role, require_care_role
from lifecircle.care.context import Care
from lifecircle.care.records import compound_names
from lifecircle.care.register import MAX_TEXT, get_row, open_person, route_person
from lifecircle.care.urgent_case import close_on_case, file_urgent_case, step_on_case
from lifecircle.desk.grids import Route
from lifecircle.desk.lifecycle import Actor
from lifecircle.errors import CareError
from lifecircle.i18n import t
from lifecircle.staff.accounts import User
from lifecircle.store.care import AccessEntry, Row

RAISERS = ("family", "neighbour", "staff")
STEPS = ("ring", "door", "contacts")
RESULTS = {
    "ring": ("answered", "no_answer"),
    "door": ("found_well", "found_needs_help", "no_answer"),
    "contacts": ("reached", "not_reached"),
}
OUTCOMES = ("safe", "helped", "emergency", "not_found")


@dataclass(frozen=True)
class CheckIn:
    """An urgent check as raised: where the person lives, who they are, who asks and what for."""

    compound: str
    name: str
    building: str = ""
    unit: str = ""
    raised_by: str = "family"
    raiser_name: str = ""
    raiser_phone: str = ""
    relation: str = ""
    said: str = ""


def _match(care: Care, compound_key: str, check: CheckIn) -> Row | None:
    """Find the register person the check is about (same compound and name; address if given)."""
    for row in care.tables.people(column="compound_key", values=[compound_key], active_only=True):
        person = open_person(care, row)
        same = person.name == check.name.strip()
        for given, stored in ((check.building, person.building), (check.unit, person.unit)):
            same = same and (not given.strip() or given.strip() == stored)
        if same:
            return row
    return None


def _checked(check: CheckIn) -> None:
    if check.raised_by not in RAISERS:
        raise CareError(
            "error.care.choice", field="raised_by", value=check.raised_by, known=RAISERS
        )
    if not check.name.strip():
        raise CareError("error.care.required", field="name")
    for name in ("name", "building", "unit", "raiser_name", "raiser_phone", "relation", "said"):
        if len(getattr(check, name)) > MAX_TEXT:
            raise CareError("error.care.too_long", field=name, n=MAX_TEXT)


def _check_values(care: Care, check: CheckIn, person: Row | None, route: Route) -> Row:
    """Make the stored row of a new check: where it goes, and the raiser's words sealed."""
    where = person or {
        "grid": route.grid.code if route.grid else None,
        "microgrid": route.microgrid.code if route.microgrid else None,
        "community": route.community,
        "subdistrict": route.subdistrict,
    }
    token = secrets.token_urlsafe(12)
    raiser = {"name": check.raiser_name, "phone": check.raiser_phone, "relation": check.relation}
    said = "\n".join(t for t in (check.name, check.building, check.unit, check.said) if t)
    return {
        "token": token,
        "person_id": person["id"] if person else None,
        "raised_by": check.raised_by,
        **{k: where.get(k) for k in ("grid", "microgrid", "community", "subdistrict")},
        "raiser_enc": care.keys.encrypt(
            json.dumps(raiser, ensure_ascii=False), f"check:{token}:raiser"
        ),
        "said_enc": care.keys.encrypt(said, f"check:{token}:said"),
        "raised_at": care.now(),
    }


def raise_check(care: Care, check: CheckIn, *, user: User | None) -> dict[str, Any]:
    """Raise an urgent check (``user`` ``None``: the public page); return what the raiser sees.

    Raises
    ------
    CareError
        A field is missing or wrong, or the compound is unknown.
    """
    _checked(check)
    compound, route = route_person(care, check.compound)
    person = _match(care, compound.key, check)
    values = _check_values(
        care, replace(check, raised_by="staff") if user else check, person, route
    )
    person_id = int(person["id"]) if person else None
    detail = {"matched": person is not None}
    entry = AccessEntry(user.name if user else "public", "urgent", "urgent", person_id, detail)
    now = care.now()
    check_id = care.tables.add_check(values, [entry], now_s=now)
    case_id = file_urgent_case(care, check_id, compound.key, user)
    care.tables.update_check(check_id, {"case_id": case_id}, [], now_s=now)
    return public_view(care, care.tables.check(check_id=check_id) or {})


def get_check(care: Care, check_id: int) -> Row:
    """Return an urgent check, or refuse with 404.

    Raises
    ------
    CareError
        There is no such check.
    """
    row = care.tables.check(check_id=check_id)
    if row is None:
        raise CareError("error.care.no_check", check=check_id)
    return row


def record_step(care: Care, user: User, check_id: int, step: str, result: str) -> dict[str, Any]:
    """Record one step of a check (in order: ring, door, contacts), timed now.

    Its desk case records it too, in the same transaction: ringing is the case's response,
    the door its visit (:mod:`.urgent_case`).

    Raises
    ------
    CareError
        No such check, an unknown step or result, a step out of order or again, or a closed check.
    AccessDenied
        Not a check of the user's grid or micro-grid.
    """
    row = get_check(care, check_id)
    role = require_care_role(user, row)
    if step not in STEPS:
        raise CareError("error.care.choice", field="step", value=step, known=STEPS)
    if result not in RESULTS[step]:
        raise CareError("error.care.choice", field="result", value=result, known=RESULTS[step])
    earlier = STEPS[: STEPS.index(step)]
    if (
        row.get("closed_at")
        or row.get(f"{step}_at")
        or any(not row.get(f"{s}_at") for s in earlier)
    ):
        raise CareError("error.care.step_order", field="step", step=step)
    now = care.now()
    entry = AccessEntry(
        user.name, f"urgent.{step}", "urgent", row.get("person_id"), {"result": result}
    )
    care.tables.update_check(
        check_id,
        {f"{step}_at": now, f"{step}_result": result},
        [entry],
        now_s=now,
        also=step_on_case(care, Actor(user.name, role), row, step),
    )
    return staff_view(care, get_check(care, check_id))


def close_check(care: Care, user: User, check_id: int, outcome: str) -> dict[str, Any]:
    """Close a check with its outcome (what the raiser will be told), and settle its desk case.

    The person reached (平安, 已协助, 已呼叫急救): the case is finished with the outcome; still
    not found: the case is escalated to ``urgent.escalate_to`` (:mod:`.urgent_case`). Check and
    case change in one transaction.

    Raises
    ------
    CareError
        No such check, an unknown outcome, or the check is closed already.
    AccessDenied
        Not a check of the user's grid or micro-grid.
    """
    row = get_check(care, check_id)
    role = require_care_role(user, row)
    if outcome not in OUTCOMES:
        raise CareError("error.care.choice", field="outcome", value=outcome, known=OUTCOMES)
    if row.get("closed_at"):
        raise CareError("error.care.step_order", field="outcome", step="close")
    now = care.now()
    entry = AccessEntry(
        user.name, "urgent.close", "urgent", row.get("person_id"), {"outcome": outcome}
    )
    care.tables.update_check(
        check_id,
        {"closed_at": now, "outcome": outcome},
        [entry],
        now_s=now,
        also=close_on_case(care, Actor(user.name, role), row, outcome),
    )
    return staff_view(care, get_check(care, check_id))


def _iso(care: Care, at_s: int | None) -> str | None:
    if at_s is None:
        return None
    return dt.datetime.fromtimestamp(at_s, care.zone).isoformat(timespec="minutes")


def staff_view(care: Care, row: Row) -> dict[str, Any]:
    """Describe a check for staff: each step with its limit, when done, and whether late."""
    raised = int(row["raised_at"])
    limits = care.config.urgent.step_due_min()
    now = care.now()
    steps = []
    for step in STEPS:
        due = raised + limits[step] * 60
        done = row.get(f"{step}_at")
        steps.append(
            {
                "step": step,
                "due_at": _iso(care, due),
                "done_at": _iso(care, done),
                "result": row.get(f"{step}_result"),
                "minutes": None if done is None else (int(done) - raised) // 60,
                "late": (done or now) > due and not (done is None and row.get("closed_at")),
            }
        )
    return {
        "id": row["id"],
        "case_id": row.get("case_id"),
        "person_id": row.get("person_id"),
        "raised_by": row["raised_by"],
        "grid": row.get("grid"),
        "microgrid": row.get("microgrid"),
        "raised_at": _iso(care, raised),
        "steps": steps,
        "outcome": row.get("outcome"),
        "closed_at": _iso(care, row.get("closed_at")),
    }


def public_view(care: Care, row: Row) -> dict[str, Any]:
    """Describe a check as its raiser sees it: status and outcome only (nothing new to them)."""
    if row.get("closed_at"):
        state = "closed"
    elif any(row.get(f"{s}_at") for s in STEPS):
        state = "checking"
    else:
        state = "received"
    return {
        "token": row.get("token"),
        "state": state,
        "outcome": row.get("outcome"),
        "raised_at": _iso(care, row.get("raised_at")),
        "closed_at": _iso(care, row.get("closed_at")),
    }


def check_by_token(care: Care, token: str) -> dict[str, Any]:
    """Return the raiser's view of a check.

    Raises
    ------
    CareError
        No check has that token.
    """
    row = care.tables.check(token=token) if 8 <= len(token) <= 64 else None
    if row is None:
        raise CareError("error.care.no_check", check="—")
    return public_view(care, row)


def open_checks(care: Care, user: User, lang: str) -> list[dict[str, Any]]:
    """List the open checks of the user's grid or micro-grid with where to go, logged.

    Where to go is the register's address and name when the check matched a person, else what
    the raiser said (the person's name and address as they gave them). One access-log row per
    check names its reason: ``urgent``.
    """
    shown, entries = [], []
    names = compound_names(care)
    for row in care.tables.checks(open_only=True):
        if care_role(user, row) is None:
            continue
        view = staff_view(care, row)
        person_id = row.get("person_id")
        if person_id is not None:
            person = open_person(care, get_row(care, int(person_id)))
            place = [names.get(person.compound_key or "", ""), person.building, person.unit]
            view["who"] = person.name
            view["where"] = " ".join(p for p in place if p)
        else:
            said = care.keys.decrypt(row["said_enc"], f"check:{row['token']}:said")
            view["who"], view["where"] = "", said.replace("\n", " ")
        view["raised_by_name"] = t(f"care.check.raised_by.{row['raised_by']}", lang)
        shown.append(view)
        entries.append(
            AccessEntry(user.name, "urgent.read", "urgent", person_id, {"check": row["id"]})
        )
    care.tables.log(entries, now_s=care.now())
    return shown
