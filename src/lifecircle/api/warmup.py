"""Ready when listening: the work a worker's first requests would pay, done before it serves.

Run by the app's lifespan, so uvicorn accepts connections only once it is done (each worker
runs its own). Measured on the demo (2026-12-07, one worker, SQLite, no warm-up): the first
Open311 ``POST requests`` after the start took 255 ms against 6 ms for the next ones, and the
first answer of any kind (even a 404) ~230 ms. At 100 requests a second, that one slow answer
holds up the 25 behind it: the benchmark's p99 of the first second was 279–854 ms. What a
worker paid for, measured one at a time in process:

- the message catalogue (parsed once, read by every error and notice): ~40 ms;
- the app's Desk: the store's first connection, the desk configuration: ~20 ms;
- the grid routing index (grids and compounds read, shapes projected): ~30 ms;
- each route's first run (FastAPI's endpoint set-up, form parsing, SQLAlchemy compiling each
  statement's shape, the JSON and XML writers, the thread pool's first thread): ~20–50 ms.

:func:`warm_up` does all of it without keeping anything: the Desk is opened and kept as the
app's; one case is filed through the staff's and Open311's code on a store whose transactions
are rolled back (:mod:`lifecircle.store.rehearsal`: every INSERT compiled, the notices and the
answer written, nothing stored); and a few requests are rehearsed through the app itself —
reads, and writes refused before they write (a POST with a wrong API key, a staff POST whose
signed cookie names no session). The one thing a first start may write is what the first staff
page would: the secret signing staff cookies, made once per store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import shapely
from fastapi import FastAPI

from lifecircle.api.desk.common import get_desk_of
from lifecircle.api.desk.public import filed_json
from lifecircle.api.staff.auth import COOKIE
from lifecircle.desk import open311
from lifecircle.desk.context import Desk
from lifecircle.desk.grids import GridIndex
from lifecircle.desk.intake import IntakeIn, file_case
from lifecircle.desk.lifecycle import Actor
from lifecircle.errors import LifecircleError
from lifecircle.i18n import catalogue
from lifecircle.store.rehearsal import fill_pool, rehearsal_store

_LOG = logging.getLogger("lifecircle.api")
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_JSON = {"Content-Type": "application/json"}
#: A case as the staff API takes it (refused: the rehearsal has no session, nothing is stored).
_CASE = {
    "category": "sanitation",
    "source": "phone",
    "details": "warm-up",
    "lon": 117.2,
    "lat": 39.1,
    "not_duplicate": True,
}
_OPEN311_FORM = b"api_key=warm-up&service_code=sanitation&lat=39.1&long=117.2"
Rehearsal = tuple[str, str, bytes, dict[str, str]]
#: The desk's requests rehearsed at start: (method, path, body, headers). None writes.
DESK_REHEARSALS: tuple[Rehearsal, ...] = (
    ("GET", "/open311/v2/discovery.json", b"", {}),
    ("GET", "/open311/v2/services.json", b"", {}),
    ("GET", "/open311/v2/services.xml", b"", {}),
    ("GET", "/open311/v2/requests.json", b"", {}),
    ("GET", "/open311/v2/requests.xml", b"", {}),
    ("GET", "/open311/v2/requests/0.json", b"", {}),
    ("POST", "/open311/v2/requests.json", _OPEN311_FORM, _FORM),  # a wrong api_key: 403
    ("POST", "/open311/v2/requests.xml", _OPEN311_FORM, _FORM),
    ("POST", "/api/desk/cases", json.dumps(_CASE).encode(), _JSON),  # no such session: 401
    ("GET", "/api/desk/cases", b"", {}),
)
#: Requests of every app rehearsed at start (the staff session, the error answer).
REHEARSALS: tuple[Rehearsal, ...] = (
    ("GET", "/api/staff/session", b"", {}),
    ("GET", "/api/no-such-thing", b"", {}),
)


def warm_desk(app: FastAPI) -> bool:
    """Open the app's Desk and read what filing a case reads: grids, accounts, routing.

    Returns whether the desk opened. One that cannot (its configuration is wrong) is left for
    the first desk request to report, as before: the map and the resident page are served.
    """
    try:
        desk = get_desk_of(app.state)
        index = desk.grid_index()
        desk.users()
    except LifecircleError as exc:
        _LOG.warning("the grid desk could not be opened at start: %s", exc.message("en"))
        return False
    index.route(lon=117.2, lat=39.1)  # the projection and distance code's first run
    fill_pool(desk.store)
    try:
        rehearse_filing(desk)
    except LifecircleError as exc:  # e.g. every category private: the desk still serves
        _LOG.warning("filing a case at start (rolled back) failed: %s", exc.message("en"))
    return True


def _place(index: GridIndex) -> dict[str, Any]:
    """Somewhere inside the first grid (a point of its outline, or a compound it lists)."""
    for grid in index.grids:
        if grid.outline_wkt:
            point = shapely.from_wkt(grid.outline_wkt).representative_point()
            return {"lon": point.x, "lat": point.y}
        if grid.compounds:
            return {"compound": grid.compounds[0]}
    return {"place": "warm-up"}


def rehearse_filing(desk: Desk) -> None:
    """File one case as staff and one through Open311 on a rolled-back store; keep nothing."""
    dry = replace(desk, store=rehearsal_store(desk.store))
    category = next((c.code for c in desk.config.categories if not c.private), "")
    place = _place(desk.grid_index())
    intake = IntakeIn(category, "phone", "warm-up", not_duplicate=True, **place)
    filed_json(dry, file_case(dry, intake, actor=Actor("warm-up", "head")), "zh")
    form = {"service_code": [category], "description": ["warm-up"]}
    if "lon" in place:
        form |= {"lat": [str(place["lat"])], "long": [str(place["lon"])]}
    else:
        form |= {"address_id": [place.get("compound", "")], "address_string": ["warm-up"]}
    open311.post_request(dry, form, client="warm-up", lang="zh")


async def rehearse(app: FastAPI, rehearsals: Sequence[Rehearsal]) -> dict[str, int]:
    """Send ``rehearsals`` through the app in process; return each one's status."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    statuses: dict[str, int] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://warm-up") as client:
        for method, path, body, headers in rehearsals:
            answer = await client.request(method, path, content=body, headers=headers)
            statuses[f"{method} {path}"] = answer.status_code
    return statuses


async def warm_up(app: FastAPI) -> dict[str, int]:
    """Do the first requests' one-time work now; return the rehearsals' statuses."""
    catalogue()
    desk = warm_desk(app)
    statuses = await rehearse(app, REHEARSALS)  # makes the staff cookie's signer
    if desk:
        cookie = _stranger_cookie(app)
        rehearsals = [(m, p, b, h | cookie) for m, p, b, h in DESK_REHEARSALS]
        statuses |= await rehearse(app, rehearsals)  # opens the staff session store
    sessions = getattr(app.state, "session_store", None)
    if sessions is not None:
        fill_pool(sessions)
    return statuses


def _stranger_cookie(app: FastAPI) -> dict[str, str]:
    """Return a signed staff cookie naming a session nobody has (the store is read; 401)."""
    signer = getattr(app.state, "staff_serializer", None)
    if signer is None:
        return {}
    return {"Cookie": f"{COOKIE}={signer.dumps({'s': 'warm-up: no such session'})}"}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Warm up, then serve: the app's lifespan (uvicorn listens only after this yields)."""
    app.state.warm_up = await warm_up(app)
    yield
