"""The register's staff routes: visits due, one person (read with a reason), visits, rates, rights.

Every route needs a staff login, and the CSRF header on a change. Roles are by grid
(:mod:`lifecircle.care.access`): a person who is not the user's is a 403 and nothing is read,
logged or written. Phones come masked; ``POST …/reveal`` shows them, logged with its reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from lifecircle.api.care.common import CareDep, care_errors
from lifecircle.api.errors import ApiError, request_lang
from lifecircle.api.staff.auth import UserDep, user_json
from lifecircle.care import rates, records, rights, visits
from lifecircle.care.access import scope
from lifecircle.care.register import Contact, PersonIn, add_person

router = APIRouter(prefix="/care", tags=["care: staff"])
Text = Annotated[str, Field(max_length=500)]
#: A register number (bounded: the databases store 64-bit integers).
PersonId = Annotated[int, Path(ge=1, le=2**62)]


class ContactIn(BaseModel):
    """A family or emergency contact."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(max_length=40)]
    relation: Annotated[str, Field(max_length=20)] = ""
    phone: Annotated[str, Field(max_length=30)]


class PersonBody(BaseModel):
    """A person to add to the register."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(max_length=40)]
    compound: Annotated[str, Field(max_length=200)]
    building: Annotated[str, Field(max_length=40)] = ""
    unit: Annotated[str, Field(max_length=40)] = ""
    categories: list[Annotated[str, Field(max_length=20)]] = Field(default=[], max_length=6)
    level: Annotated[str, Field(max_length=20)]
    level_rule: Text = ""
    phones: list[Annotated[str, Field(max_length=30)]] = Field(default=[], max_length=5)
    contacts: list[ContactIn] = Field(default=[], max_length=5)
    health: Text = ""
    note: Text = ""
    consent_basis: Annotated[str, Field(max_length=20)]
    consent_on: Annotated[str, Field(max_length=10)] = ""
    consent_by: Annotated[str, Field(max_length=40)] = ""


class CorrectionIn(BaseModel):
    """Fields to correct, why, and whether it is a major change (a visit due soon)."""

    model_config = ConfigDict(extra="forbid")
    changes: dict[str, Any] = Field(max_length=20)
    reason: Annotated[str, Field(max_length=40)]
    major_change: bool = False


class ReasonIn(BaseModel):
    """Why a record is opened, revealed or forgotten."""

    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(max_length=40)]


class VisitBody(BaseModel):
    """A visit as logged on the phone page."""

    model_config = ConfigDict(extra="forbid")
    mode: Literal["in_person", "phone", "video", "alarm"]
    outcome: Literal["well", "needs", "unwell", "not_reached"]
    note: Text = ""
    needs: Text = ""
    case_category: Annotated[str, Field(max_length=40)] = ""
    referral: Text = ""


@router.get("/me")
def me(user: UserDep, request: Request, care: CareDep) -> dict[str, Any]:
    """Show the logged-in user, their scope, the reasons to give and the visit choices."""
    limit = scope(user)
    lang = request_lang(request)
    return {
        "user": user_json(user, request),
        "scope": None if limit is None else {"column": limit[0], "values": sorted(limit[1])},
        "reasons": dict(care.config.reasons),
        "levels": [{"code": lv.code, "name": lv.name(lang)} for lv in care.config.levels],
        "modes": list(visits.MODES),
        "outcomes": list(visits.OUTCOMES),
        "today": care.today().isoformat(),
        "month": care.today().strftime("%Y-%m"),
    }


@router.get("/visits")
def list_visits(
    user: UserDep,
    request: Request,
    care: CareDep,
    due: bool = False,
    grid: Annotated[str | None, Query(max_length=60)] = None,
) -> list[dict[str, Any]]:
    """List the user's people with when each visit is due (``due``: today's and overdue)."""
    with care_errors():
        return visits.due_list(care, user, lang=request_lang(request), grid=grid, only_due=due)


@router.post("/people", status_code=201)
def add(user: UserDep, body: PersonBody, care: CareDep) -> dict[str, Any]:
    """Add one person (a 网格员 or above, in their own area)."""
    values = body.model_dump()
    values["categories"] = tuple(values["categories"])
    values["phones"] = tuple(values["phones"])
    values["contacts"] = tuple(Contact(**c) for c in values["contacts"])
    with care_errors():
        return {"id": add_person(care, PersonIn(**values), by=user)}


@router.get("/people/{person_id}")
def read(
    person_id: PersonId,
    user: UserDep,
    request: Request,
    care: CareDep,
    reason: Annotated[str, Query(max_length=40)] = "",
) -> dict[str, Any]:
    """Read one person as the user may see them (a reason is required, and logged)."""
    with care_errors():
        return records.read_person(care, user, person_id, reason, request_lang(request))


@router.post("/people/{person_id}/reveal")
def reveal(person_id: PersonId, body: ReasonIn, user: UserDep, care: CareDep) -> dict[str, Any]:
    """Show the registered phones in clear (to ring them), logged with the reason."""
    with care_errors():
        return records.reveal_phones(care, user, person_id, body.reason)


@router.patch("/people/{person_id}")
def correct(
    person_id: PersonId, body: CorrectionIn, user: UserDep, request: Request, care: CareDep
) -> dict[str, Any]:
    """Correct a record (a 网格员 or above); answers the person as the user sees them."""
    with care_errors():
        records.correct_person(
            care,
            user,
            person_id,
            body.changes,
            reason=body.reason,
            major_change=body.major_change,
        )
        return records.read_person(care, user, person_id, body.reason, request_lang(request))


@router.post("/people/{person_id}/visits", status_code=201)
def log(person_id: PersonId, body: VisitBody, user: UserDep, care: CareDep) -> dict[str, Any]:
    """Log a visit now (needs found with a case category become a desk case)."""
    visit = visits.VisitIn(person_id=person_id, **body.model_dump())
    with care_errors():
        done = visits.log_visit(care, user, visit)
    return {"visit_id": done.visit_id, "case_id": done.case_id, "due_on": done.due_on.isoformat()}


@router.post("/people/{person_id}/export")
def export(person_id: PersonId, body: ReasonIn, user: UserDep, care: CareDep) -> dict[str, Any]:
    """Export everything held on a person (a head; logged)."""
    with care_errors():
        return rights.export_person(care, user, person_id, reason=body.reason)


@router.post("/people/{person_id}/forget", status_code=204)
def forget(person_id: PersonId, body: ReasonIn, user: UserDep, care: CareDep) -> None:
    """Anonymise a person (a head): the counts stay, the person does not."""
    with care_errors():
        rights.forget_person(care, user, person_id, reason=body.reason)


@router.get("/rates")
def month_rates(
    user: UserDep,
    care: CareDep,
    month: Annotated[
        str | None, Query(max_length=7, description="YYYY-MM; default this month")
    ] = None,
) -> dict[str, Any]:
    """月探访率 and overdue counts of the user's area by grid, community and 街道."""
    chosen = month or care.today().strftime("%Y-%m")
    with care_errors():
        figures = rates.month_figures(care, chosen, user=user)
    return {"month": chosen, "figures": rates.rates_json(figures)}


@router.get("/access-log")
def access_log(
    user: UserDep,
    care: CareDep,
    since: Annotated[str, Query(max_length=10)],
    until: Annotated[str, Query(max_length=10)],
) -> list[dict[str, Any]]:
    """Who read or changed register records, when and why (the district's privacy officer)."""
    if user.level != "district":
        raise ApiError(403, "error.care.officer_only")
    try:
        bounds = [dt.date.fromisoformat(d) for d in (since, until)]
    except ValueError:
        raise ApiError(422, "error.care.month", field="since", value=since) from None
    starts = [
        int(dt.datetime(d.year, d.month, d.day, tzinfo=care.zone).timestamp()) for d in bounds
    ]
    with care_errors():
        return rights.access_report(care, since_s=starts[0], until_s=starts[1])
