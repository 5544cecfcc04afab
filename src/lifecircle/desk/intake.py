"""File a new case from any channel: check it, route it to its grid, offer duplicates, dispatch.

Channels (``source``): ``resident_form`` (the phone page, anonymous towards everyone but
staff), ``phone``, ``walk_in`` and ``group_chat`` (staff entering what a resident said, rang in
or posted in the 网格群), ``patrol`` (a grid worker's own finding) and ``open311``. Before a
case is filed, open cases of the same category nearby are returned instead, unless the sender
joins one of them or says theirs is new. Filing writes the case, its 受理 event, the automatic
分派 to the grid, a first response when staff took it in person or by phone, the audit row and
the notices — in one transaction.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from typing import Any

from lifecircle import geo
from lifecircle.desk import clock, notices
from lifecircle.desk.config import Category
from lifecircle.desk.context import Desk
from lifecircle.desk.grids import Route, checked_route, route_fields
from lifecircle.desk.lifecycle import Actor, folded_write
from lifecircle.desk.machine import OPEN_STATES, next_state
from lifecircle.desk.photos import require_photo
from lifecircle.desk.steps import clean_text
from lifecircle.errors import DeskError, Msg
from lifecircle.geo import haversine_m
from lifecircle.model import Compound
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.case_rows import CaseRow, CaseWrite, EventRow, NewEvent

SOURCES = ("resident_form", "phone", "walk_in", "group_chat", "patrol", "open311")
STAFF_SOURCES = ("phone", "walk_in", "group_chat", "patrol")
#: Staff who took a case in person or on the phone have answered the resident already.
ANSWERED_SOURCES = ("phone", "walk_in")
#: A group-chat message older than this cannot set the received time (days).
MAX_MESSAGE_AGE_D = 7
DETAILS_MAX = 4000  # Open311's limit for ``description``
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,22}[0-9]$")
_EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,190}\.[^@\s<>]{2,}$")


@dataclass(frozen=True)
class IntakeIn:
    """A new case as sent: what, where (point and/or compound), who (optional), from where."""

    category: str
    source: str
    details: str
    summary: str = ""
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    compound: str = ""
    building: str = ""
    unit: str = ""
    place: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    photos: tuple[str, ...] = ()
    channel_ref: str = ""
    channel_at: int | None = None
    replied: bool = False
    join: int | None = None
    not_duplicate: bool = False
    private: bool = False


@dataclass(frozen=True)
class Nearby:
    """An open case that may be the same problem (public facts only, no token)."""

    case_id: int
    summary: str
    state: str
    distance_m: float
    received_at: int | None


@dataclass(frozen=True)
class Filed:
    """The outcome of an intake: the new case and its events, or the possible duplicates."""

    case: CaseRow | None
    events: tuple[EventRow, ...] = ()
    route: Route | None = None
    duplicates: tuple[Nearby, ...] = ()


def _phone(text: str) -> str | None:
    text = clean_text(text, "reporter_phone", max_chars=30)
    if text and not _PHONE.match(text):
        raise DeskError("error.desk.phone", field="reporter_phone", value=text)
    return text or None


def _email(text: str) -> str | None:
    text = clean_text(text, "reporter_email", max_chars=254)
    if text and not _EMAIL.match(text):
        raise DeskError("error.desk.email", field="reporter_email", value=text)
    return text or None


def find_compound(desk: Desk, text: str) -> Compound | None:
    """Return the compound named by key or exact name (``None`` for empty text).

    Raises
    ------
    DeskError
        No compound, or several, have that name.
    """
    text = text.strip()
    if not text:
        return None
    found = desk.store.get_record("compound", text)
    if isinstance(found, Compound):
        return found
    named = [
        c for c in desk.store.records("compound") if isinstance(c, Compound) and c.name == text
    ]
    if len(named) != 1:
        keys = tuple(c.key for c in named[:5]) or ("—",)
        raise DeskError("error.desk.compound", field="compound", value=text, keys=keys)
    return named[0]


def _point(intake: IntakeIn, compound: Compound | None) -> tuple[float | None, float | None]:
    lon, lat = intake.lon, intake.lat
    if (lon is None) != (lat is None):
        raise DeskError("error.desk.half_point", field="lon" if lon is None else "lat")
    if lon is not None and lat is not None:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            swapped = -90 <= lon <= 90 and -180 <= lat <= 180
            hint = Msg("error.desk.swapped") if swapped else None
            raise DeskError("error.desk.point", field="lon", value=f"{lon},{lat}", hint=hint)
        if intake.crs != "wgs84":
            x, y = geo.to_wgs84(lon, lat, geo.parse_crs(intake.crs))
            lon, lat = float(x), float(y)
        return round(lon, 7), round(lat, 7)
    if compound is not None:
        return compound.lon, compound.lat
    return None, None


def nearby(
    desk: Desk, category: Category, lon: float | None, lat: float | None, *, exclude: int = 0
) -> list[Nearby]:
    """Return open, public cases of a category within its duplicate radius, nearest first."""
    if category.private or category.radius_m <= 0 or lon is None or lat is None:
        return []
    deg_lat = category.radius_m / 110_574 * 1.2
    deg_lon = category.radius_m / (111_320 * max(0.1, math.cos(math.radians(lat)))) * 1.2
    box = (lon - deg_lon, lat - deg_lat, lon + deg_lon, lat + deg_lat)
    found = []
    for case in desk.store.cases.near(category.code, box, OPEN_STATES):
        if case.is_private or case.id == exclude or case.lon is None or case.lat is None:
            continue
        dist = float(haversine_m(lon, lat, case.lon, case.lat))
        if dist <= category.radius_m:
            summary = notices.public_summary(desk, case, desk.settings.language)
            found.append(Nearby(case.id, summary, case.state, round(dist, 1), case.received_at))
    return sorted(found, key=lambda n: n.distance_m)


def _received_at(desk: Desk, intake: IntakeIn, now: int) -> int:
    at = intake.channel_at
    if at is None:
        return now
    if not now - MAX_MESSAGE_AGE_D * 86400 <= at <= now + 60:
        raise DeskError("error.desk.message_time", field="channel_at", days=MAX_MESSAGE_AGE_D)
    return min(at, now)


def _check_source(intake: IntakeIn, actor: Actor) -> None:
    if intake.source not in SOURCES:
        raise DeskError("error.desk.source", field="source", value=intake.source, known=SOURCES)
    allowed = {"resident": ("resident_form",), "system": ("open311",)}.get(
        actor.role, STAFF_SOURCES
    )
    if intake.source not in allowed:
        raise DeskError("error.desk.source", field="source", value=intake.source, known=allowed)


def _join_target(desk: Desk, intake: IntakeIn, category: Category) -> CaseRow | None:
    if intake.join is None:
        return None
    target = desk.store.cases.get(intake.join)
    while target is not None and target.duplicate_of is not None:
        target = desk.store.cases.get(target.duplicate_of)
    if (
        target is None
        or target.is_private
        or target.category != category.code
        or target.state not in OPEN_STATES
    ):
        raise DeskError("error.desk.bad_join", field="join", value=str(intake.join))
    return target


def _values(
    desk: Desk,
    intake: IntakeIn,
    category: Category,
    compound: Compound | None,
    point: tuple[float | None, float | None],
    actor: Actor,
) -> dict[str, Any]:
    return {
        "token": secrets.token_urlsafe(12),
        "category": category.code,
        "source": intake.source,
        "state": "received",
        "is_private": category.private or (intake.private and actor.role != "resident"),
        "community": "",
        "subdistrict": "",
        "lon": point[0],
        "lat": point[1],
        "compound_key": compound.key if compound else None,
        "compound_name": compound.name if compound else None,
        "building": clean_text(intake.building, "building", max_chars=40),
        "unit": clean_text(intake.unit, "unit", max_chars=40),
        "place": clean_text(intake.place, "place", max_chars=200),
        "summary": clean_text(intake.summary, "summary", max_chars=200)
        if actor.role != "resident"
        else "",
        "details": clean_text(intake.details, "details", max_chars=DETAILS_MAX, required=True),
        "reporter_name": clean_text(intake.reporter_name, "reporter_name", max_chars=40) or None,
        "reporter_phone": _phone(intake.reporter_phone),
        "reporter_email": _email(intake.reporter_email),
        "channel_ref": clean_text(intake.channel_ref, "channel_ref", max_chars=200) or None,
        "photos": tuple(intake.photos),
        "created_by": actor.name,
        "held_s": 0,
        "extended_s": 0,
        "reopen_count": 0,
        "return_count": 0,
    }


def _events(
    intake: IntakeIn,
    actor: Actor,
    at: int,
    now: int,
    dues: dict[str, Any],
    route: dict[str, Any],
    join: CaseRow | None,
) -> list[NewEvent]:
    def make(action: str, who: Actor, when: int, state: str, data: dict[str, Any]) -> NewEvent:
        return NewEvent(
            when, action, who.name, who.role, state, next_state(action, state), "staff", "", data
        )

    system = Actor("system", "system")
    events = [
        NewEvent(
            at,
            "intake",
            actor.name,
            actor.role,
            None,
            "received",
            "staff",
            "",
            {**dues, **route, "source": intake.source},
        )
    ]
    if route:
        events.append(make("dispatch", system, now, "received", route))
    state = events[-1].to_state
    answered = intake.source in ANSWERED_SOURCES or (
        intake.source == "group_chat" and intake.replied
    )
    if answered and actor.role not in ("resident", "system"):
        events.append(make("respond", actor, now, state, {"channel": intake.source}))
    if join is not None:
        events.append(make("merge", system, now, events[-1].to_state, {"into": join.id}))
    return events


def _place(
    desk: Desk, intake: IntakeIn
) -> tuple[Compound | None, tuple[float | None, float | None], Route]:
    """Check where a new case is and route it: its compound, its point, its grid."""
    compound = find_compound(desk, intake.compound)
    point = _point(intake, compound)
    if point[0] is None and not intake.place.strip():
        raise DeskError("error.desk.no_place", field="lon")
    if intake.source == "patrol" and (intake.lon is None or intake.lat is None):
        raise DeskError("error.desk.patrol_point", field="lon")
    route = checked_route(
        desk.grid_index(),
        lon=point[0],
        lat=point[1],
        compound_key=compound.key if compound else None,
        max_outside_m=desk.settings.desk_outside_grid_max_m,
    )
    return compound, point, route


def _dues(desk: Desk, intake: IntakeIn, category: Category, at: int) -> dict[str, int | None]:
    """When the first response and the handling of a case received at ``at`` are due."""
    tier, working = desk.config.tier_of(category), desk.config.working_time
    response = None if intake.source == "patrol" else clock.add_limit(at, tier.response, working)
    return {
        "due_response_at": response,
        "due_resolution_at": clock.add_limit(at, tier.resolution, working),
    }


def file_case(desk: Desk, intake: IntakeIn, *, actor: Actor) -> Filed:
    """Check and file a new case (or return the open cases it may duplicate, writing nothing).

    Raises
    ------
    DeskError
        A field is missing or wrong (the error names it).
    LocationError
        The place lies farther than ``desk_outside_grid_max_m`` outside every grid.
    """
    _check_source(intake, actor)
    category = desk.config.category(intake.category)
    compound, point, route = _place(desk, intake)
    for name in intake.photos:
        require_photo(desk.photo_dir, name)
    join = _join_target(desk, intake, category)
    values = _values(desk, intake, category, compound, point, actor)
    if join is None and not intake.not_duplicate:
        found = nearby(desk, category, point[0], point[1])
        if found:
            return Filed(None, route=route, duplicates=tuple(found))
    now = desk.now()
    at = _received_at(desk, intake, now)
    dues = _dues(desk, intake, category, at)
    events = _events(intake, actor, at, now, dues, route_fields(desk.users(), route), join)
    grid = route.grid.code if route.grid else None
    detail = {"category": category.code, "source": intake.source, "grid": grid}

    def first(case: CaseRow) -> CaseWrite:
        entry = AuditEntry(actor.name, "desk.intake", f"case:{case.id}", detail)
        write = folded_write(case, events, CaseWrite(audits=(entry,)))
        routed = CaseRow(**{**case.__dict__, **write.values})
        queued = tuple(notices.for_event(desk, routed, "intake")) if join is None else ()
        return CaseWrite(values=write.values, events=write.events, audits=(entry,), notices=queued)

    made, written = desk.store.cases.create(values, first, now_s=now)
    return Filed(made, tuple(written), route)
