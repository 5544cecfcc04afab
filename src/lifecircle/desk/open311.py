"""Open311 GeoReport v2 as a façade over the desk: services, requests, and POST with a key.

Follows the frozen v2 spec (open311.org, ``GeoReport/v2``): ``status`` is only ``open`` or
``closed`` and the desk's finer state goes to ``status_description`` (as decided in
open311.github.io#61); personal fields (names, e-mail, phone) are written by POST and never
read back; private categories are neither listed nor returned; ``description`` is the public
summary, never the resident's own words; coordinates are WGS-84 (at compound level for cases
in a home). Rendering JSON or XML is the web layer's job.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lifecircle.desk.context import Desk
from lifecircle.desk.intake import Filed, IntakeIn, file_case
from lifecircle.desk.lifecycle import Actor
from lifecircle.desk.machine import OPEN_STATES, STATES
from lifecircle.desk.notices import place_text, public_summary
from lifecircle.desk.views import iso
from lifecircle.errors import DeskError
from lifecircle.i18n import t
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.case_queries import CaseQuery
from lifecircle.store.case_rows import CaseRow
from lifecircle.store.outbox import ApiKeyRow

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("text/xml", "application/json")
#: Without dates, GET requests covers the last 90 days or the first 1000 rows (the spec).
DEFAULT_DAYS = 90
MAX_ROWS = 1000


def hash_key(key: str) -> str:
    """Return how an API key is stored (SHA-256 hex).

    >>> hash_key("abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add_api_key(desk: Desk, name: str, *, by: str) -> str:
    """Make an API key for an Open311 client; return it (shown once, stored only hashed).

    Raises
    ------
    DeskError
        The name is empty, too long, or taken.
    """
    name = name.strip()
    if not 1 <= len(name) <= 64 or any(c.isspace() for c in name):
        raise DeskError("error.desk.key_name", field="name", value=name)
    key = secrets.token_urlsafe(24)
    row = ApiKeyRow(name, hash_key(key), desk.now(), by, False)
    if not desk.store.api_keys.add(row, audit=AuditEntry(by, "desk.api_key.add", name)):
        raise DeskError("error.desk.key_taken", field="name", value=name)
    return key


def client_of(desk: Desk, key: str) -> str | None:
    """Return the name of the enabled client holding ``key``, or ``None``."""
    found = desk.store.api_keys.find(hash_key(key)) if key else None
    return None if found is None else found.name


def services(desk: Desk, lang: str) -> list[dict[str, Any]]:
    """Return the service list: every category that is not private."""
    out = []
    for category in desk.config.categories:
        if category.private:
            continue
        tier = desk.config.tier_of(category)
        out.append(
            {
                "service_code": category.code,
                "service_name": category.name(lang),
                "description": t(
                    "desk.open311.service_description",
                    lang,
                    tier=tier.name_zh if lang == "zh" else tier.name_en,
                    limit=tier.resolution.text,
                ),
                "metadata": False,
                "type": "realtime",
                "keywords": category.keywords,
                "group": category.group,
            }
        )
    return out


def public_category(desk: Desk, code: str) -> bool:
    """Tell whether ``code`` is a category Open311 shows (known and not private)."""
    return any(c.code == code and not c.private for c in desk.config.categories)


def _status(case: CaseRow) -> str:
    return "open" if case.state in OPEN_STATES else "closed"


def _point(desk: Desk, case: CaseRow) -> tuple[float | None, float | None]:
    """Return the public point: a home's case at its compound, others to ~1 m."""
    if desk.config.category(case.category).household and case.compound_key:
        found = desk.store.get_record("compound", case.compound_key)
        if found is not None:
            return round(float(found.lon), 5), round(float(found.lat), 5)  # type: ignore[attr-defined]
    if case.lon is None or case.lat is None:
        return None, None
    return round(case.lon, 5), round(case.lat, 5)


def request_json(
    desk: Desk, case: CaseRow, lang: str, *, notes: str | None = None
) -> dict[str, Any]:
    """Describe one case as an Open311 request (no personal fields)."""
    lon, lat = _point(desk, case)
    grid = desk.store.grids.get(case.grid) if case.grid else None
    closed_at = case.closed_at if case.state == "closed" else case.done_at
    updated = closed_at if case.state in ("done", "closed") and closed_at else case.updated_at
    if case.state == "duplicate":
        notes = t("desk.open311.duplicate", lang, id=case.duplicate_of)
    return {
        "service_request_id": str(case.id),
        "status": _status(case),
        "status_notes": notes,
        "status_description": t(f"desk.state.{case.state}", lang),
        "service_name": desk.config.category(case.category).name(lang),
        "service_code": case.category,
        "description": public_summary(desk, case, lang),
        "agency_responsible": grid.name if grid else None,
        "service_notice": None,
        "requested_datetime": iso(desk, case.received_at),
        "updated_datetime": iso(desk, updated),
        "expected_datetime": iso(desk, case.due_resolution_at),
        "address": place_text(case),
        "address_id": case.compound_key,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": None,
    }


@dataclass(frozen=True)
class RequestQuery:
    """GET requests' parameters (an empty parameter is the same as an absent one)."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: int | None = None
    end: int | None = None
    statuses: tuple[str, ...] = ()


def find_requests(desk: Desk, query: RequestQuery) -> list[CaseRow]:
    """Return the public cases a GET requests asks for (ids override every other parameter)."""
    cases = desk.store.cases
    if query.ids:
        found = [cases.get(i) for i in query.ids]
        return [c for c in found if c is not None and not c.is_private]
    end = query.end if query.end is not None else desk.now() + 1
    start = query.start if query.start is not None else end - DEFAULT_DAYS * 86400
    if end - start > DEFAULT_DAYS * 86400 + 1:
        raise DeskError("error.desk.open311_range", field="start_date", days=DEFAULT_DAYS)
    states = None
    if query.statuses:
        chosen = [
            OPEN_STATES if s == "open" else frozenset(STATES) - OPEN_STATES for s in query.statuses
        ]
        states = frozenset().union(*chosen)
    return cases.find(
        CaseQuery(
            include_private=False,
            received_since=start,
            received_before=end,
            categories=frozenset(query.service_codes) or None,
            states=states,
            limit=MAX_ROWS,
        )
    )


def _one(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def _number(text: str, name: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise DeskError("error.desk.number", field=name, value=text) from None


def post_request(
    desk: Desk, form: Mapping[str, Sequence[str]], *, client: str, lang: str
) -> tuple[Filed, str]:
    """File a case from a POST requests form; return it and its ``service_notice``.

    Raises
    ------
    DeskError
        A required argument is missing or bad, or the service is unknown or private.
    LocationError
        The place is outside every grid.
    """
    code = _one(form, "service_code")
    if not public_category(desk, code):
        raise DeskError("error.desk.open311_service", field="service_code", value=code)
    lat, lon = _number(_one(form, "lat"), "lat"), _number(_one(form, "long"), "long")
    address, address_id = _one(form, "address_string"), _one(form, "address_id")
    if (lat is None or lon is None) and not address and not address_id:
        raise DeskError("error.desk.open311_location", field="lat")
    name = " ".join(p for p in (_one(form, "first_name"), _one(form, "last_name")) if p)
    description = _one(form, "description")
    media = _one(form, "media_url")
    intake = IntakeIn(
        category=code,
        source="open311",
        details=(description + (f"\n{media}" if media else ""))
        or t("desk.open311.no_description", lang),
        lon=lon,
        lat=lat,
        compound=address_id,
        place=address,
        reporter_name=name,
        reporter_phone=_one(form, "phone"),
        reporter_email=_one(form, "email"),
        channel_ref=f"open311:{client}",
        not_duplicate=True,
    )
    filed = file_case(desk, intake, actor=Actor(f"open311:{client}", "system"))
    assert filed.case is not None
    link = f"{desk.settings.public_base_url.rstrip('/')}/c/{filed.case.token}"
    due = iso(desk, filed.case.due_resolution_at) or ""
    return filed, t("desk.open311.notice", lang, due=due, link=link)
