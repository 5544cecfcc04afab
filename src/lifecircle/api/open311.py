"""Open311 GeoReport v2 at ``/open311/v2``: discovery, services, requests — in XML and JSON.

The format is the path's suffix (``/services.xml``, ``/requests/12.json``). XML starts with
``<?xml version="1.0" encoding="UTF-8"?>``; JSON is the spec's mechanical mapping (a list is an
array). Errors are ``errors/error[]`` with ``code`` and ``description``: 404 not found, 403 a
missing or bad ``api_key``, 400 anything else. Only ``POST requests`` needs a key
(``lifecircle desk api-key add NAME``). The mapping to cases is :mod:`lifecircle.desk.open311`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from lifecircle.api.desk.common import get_desk, send_soon
from lifecircle.api.errors import request_lang
from lifecircle.desk import open311
from lifecircle.desk.context import Desk
from lifecircle.errors import AccessDenied, DeskError, LifecircleError, LocationError
from lifecircle.version import __version__

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])
MEDIA = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
#: Root and item element names of each answer (the JSON is the item list or the object).
_XML_NAMES = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(child, key, inner)
    elif isinstance(value, list):
        singular = name[:-1] if name.endswith("s") else name
        for item in value:
            _xml_value(child, singular, item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def render(kind: str, payload: Any, fmt: str, *, status: int = 200) -> Response:
    """Answer ``payload`` in ``fmt``: a list as ``<root><item>…`` (XML) or an array (JSON)."""
    if fmt == "json":
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return Response(body, status_code=status, media_type=MEDIA["json"])
    root_name, item_name = _XML_NAMES.get(kind, (kind, kind))
    root = ET.Element(root_name)
    if isinstance(payload, list):
        for item in payload:
            _xml_value(root, item_name, item)
    else:
        for key, value in payload.items():
            _xml_value(root, key, value)
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode()
    )
    return Response(body, status_code=status, media_type=MEDIA["xml"])


def error(fmt: str, status: int, description: str) -> Response:
    """Answer an Open311 error list (one error whose code is the HTTP status)."""
    return render(
        "errors",
        [{"code": status, "description": description}],
        fmt if fmt in MEDIA else "xml",
        status=status,
    )


def _format(fmt: str) -> str | None:
    return fmt if fmt in MEDIA else None


def _foreign(request: Request, values: Mapping[str, Any], desk: Desk) -> str | None:
    """Return a ``jurisdiction_id`` that is not this desk's (``None``: absent, empty or ours)."""
    given = str(values.get("jurisdiction_id") or request.query_params.get("jurisdiction_id") or "")
    given = given.strip()
    if given and given not in (desk.project.area_code, desk.project.area_name):
        return given
    return None


def _unknown_jurisdiction(fmt: str, given: str) -> Response:
    return error(fmt, 404, f"jurisdiction_id {given!r} not found")


def _failure(exc: LifecircleError, fmt: str, lang: str) -> Response:
    text = exc.message(lang)
    if isinstance(exc, DeskError) and exc.msg.key in ("error.desk.no_case",):
        return error(fmt, 404, text)
    if isinstance(exc, AccessDenied):
        return error(fmt, 403, text)
    return error(fmt, 400, text)


@router.get("/discovery.{fmt}")
def discovery(fmt: str, request: Request) -> Response:
    """Service discovery: where this endpoint is and which formats it speaks."""
    if _format(fmt) is None:
        return error("xml", 404, "unknown format")
    desk = get_desk(request)
    base = desk.settings.public_base_url.rstrip("/")
    changeset = (
        dt.datetime.fromtimestamp(desk.now(), dt.UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )
    payload = {
        "changeset": changeset,
        "contact": f"{desk.project.area_name} · lifecircle {__version__}",
        "key_service": f"{base}/staff/ (lifecircle desk api-key add NAME)",
        "endpoints": [
            {
                "specification": open311.SPECIFICATION,
                "url": f"{base}/open311/v2",
                "changeset": changeset,
                "type": "production",
                "formats": list(open311.FORMATS),
            }
        ],
    }
    return render("discovery", payload, fmt)


@router.get("/services.{fmt}")
def services(fmt: str, request: Request) -> Response:
    """List the services: the desk's public categories."""
    if _format(fmt) is None:
        return error("xml", 404, "unknown format")
    desk = get_desk(request)
    if (foreign := _foreign(request, {}, desk)) is not None:
        return _unknown_jurisdiction(fmt, foreign)
    return render("services", open311.services(desk, request_lang(request)), fmt)


@router.get("/services/{code}.{fmt}")
def service_definition(code: str, fmt: str, request: Request) -> Response:
    """Define a service (no extra attributes: every service has ``metadata`` false)."""
    if _format(fmt) is None:
        return error("xml", 404, "unknown format")
    desk = get_desk(request)
    if (foreign := _foreign(request, {}, desk)) is not None:
        return _unknown_jurisdiction(fmt, foreign)
    if not open311.public_category(desk, code):
        return error(fmt, 404, f"service_code {code!r} not found")
    return render("service_definition", {"service_code": code, "attributes": []}, fmt)


def _list(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in params.get(name, "").split(",") if p.strip())


def _date(text: str, desk: Desk) -> int | None:
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DeskError("error.desk.open311_date", field="date", value=text) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=desk.config.working_time.zone)
    return int(when.timestamp())


def _query(params: Mapping[str, str], desk: Desk) -> open311.RequestQuery:
    ids = _list(params, "service_request_id")
    if any(not i.isdigit() or len(i) > 18 for i in ids):  # a store integer (< 2**63)
        raise DeskError("error.desk.open311_id", field="service_request_id", value=",".join(ids))
    statuses = _list(params, "status")
    if any(s not in ("open", "closed") for s in statuses):
        raise DeskError("error.desk.open311_status", field="status", value=",".join(statuses))
    return open311.RequestQuery(
        ids=tuple(int(i) for i in ids),
        service_codes=_list(params, "service_code"),
        start=_date(params.get("start_date", ""), desk),
        end=_date(params.get("end_date", ""), desk),
        statuses=statuses,
    )


@router.get("/requests.{fmt}")
def list_requests(fmt: str, request: Request) -> Response:
    """Query requests: ids, service codes, a date range of at most 90 days, open/closed."""
    if _format(fmt) is None:
        return error("xml", 404, "unknown format")
    desk, lang = get_desk(request), request_lang(request)
    if (foreign := _foreign(request, {}, desk)) is not None:
        return _unknown_jurisdiction(fmt, foreign)
    try:
        found = open311.find_requests(desk, _query(request.query_params, desk))
    except LifecircleError as exc:
        return _failure(exc, fmt, lang)
    return render("requests", [open311.request_json(desk, c, lang) for c in found], fmt)


@router.get("/requests/{request_id}.{fmt}")
def one_request(request_id: str, fmt: str, request: Request) -> Response:
    """One request (answered as a list, as the spec says)."""
    if _format(fmt) is None:
        return error("xml", 404, "unknown format")
    desk, lang = get_desk(request), request_lang(request)
    if (foreign := _foreign(request, {}, desk)) is not None:
        return _unknown_jurisdiction(fmt, foreign)
    known = request_id.isdigit() and len(request_id) <= 18  # a store integer (< 2**63)
    case = desk.store.cases.get(int(request_id)) if known else None
    if case is None or case.is_private:
        return error(fmt, 404, f"service_request_id {request_id!r} not found")
    return render("requests", [open311.request_json(desk, case, lang)], fmt)


def _form(raw: Sequence[tuple[str, Any]]) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for key, value in raw:
        if isinstance(value, str):  # files are not part of GeoReport v2 (media_url is a URL)
            form.setdefault(key, []).append(value)
    return form


@router.post("/requests.{fmt}")
async def create_request(fmt: str, request: Request, background: BackgroundTasks) -> Response:
    """Create a request (form-urlencoded, with ``api_key``); answers its id and a notice."""
    if _format(fmt) is None:
        return error("xml", 404, "unknown format")
    desk, lang = get_desk(request), request_lang(request)
    form = _form((await request.form()).multi_items())
    if (
        foreign := _foreign(
            request, {"jurisdiction_id": (form.get("jurisdiction_id") or [""])[0]}, desk
        )
    ) is not None:
        return _unknown_jurisdiction(fmt, foreign)
    client = open311.client_of(desk, (form.get("api_key") or [""])[0].strip())
    if client is None:
        return error(fmt, 403, "Invalid api_key received -- can't proceed with create_request.")
    try:  # the store's work off the event loop: other requests go on meanwhile
        filed, notice = await run_in_threadpool(
            open311.post_request, desk, form, client=client, lang=lang
        )
    except (DeskError, LocationError) as exc:
        return _failure(exc, fmt, lang)
    assert filed.case is not None
    send_soon(background, desk)
    answer = [
        {"service_request_id": str(filed.case.id), "service_notice": notice, "account_id": None}
    ]
    return render("requests", answer, fmt)
