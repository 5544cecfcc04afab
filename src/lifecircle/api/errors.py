"""The one JSON error shape of the API, and the request's language.

Every failure — ours, FastAPI's validation, 404s, crashes — answers
``{"error": {"code": <catalogue key>, "message": <in the request language>,
"details": [...]}}``.
Handlers only translate exceptions; they never decide what went wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lifecircle.errors import (
    BadRowsError,
    LifecircleError,
    LocationError,
    Msg,
    Param,
    RowError,
    StoreError,
    UnknownTypeError,
)

Lang = Literal["zh", "en"]
_LOG = logging.getLogger("lifecircle.api")
#: Errors about what the caller sent (a bad row, place or type) rather than about the request.
_UNPROCESSABLE = (RowError, BadRowsError, LocationError, UnknownTypeError)
_HTTP_KEYS = {
    401: "error.api.unauthorized",
    403: "error.api.forbidden",
    404: "error.api.not_found",
    405: "error.api.method_not_allowed",
    429: "error.api.too_many",
}


class ApiError(Exception):
    """An error answered with ``status_code`` and the catalogue message ``key``.

    ``details`` (keyword) is a list of JSON-able items put in the response as they are;
    ``headers`` (keyword) are sent with it (``Retry-After``); every other keyword fills the
    message's placeholders.

    >>> ApiError(404, "error.api.no_board", board="x").msg.render("en")
    "there is no board 'x'; the QR code may be from an older print — ask the community office"
    """

    def __init__(
        self,
        status_code: int,
        key: str,
        /,
        *,
        details: Sequence[Any] = (),
        headers: Mapping[str, str] | None = None,
        **values: Param,
    ) -> None:
        self.status_code = status_code
        self.msg = Msg(key, **values)
        self.details = list(details)
        self.headers = dict(headers or {})
        super().__init__(self.msg.render("en"))


def supported_lang(tag: str | None) -> Lang | None:
    """Return the supported language nearest a language tag (``None``: none is near).

    >>> [supported_lang(t) for t in ("zh-CN", "zh_Hans", "ZH-tw", "en-GB", "fr", "", None)]
    ['zh', 'zh', 'zh', 'en', None, None, None]
    """
    primary = (tag or "").strip().lower().replace("_", "-").split("-")[0]
    if primary == "zh":
        return "zh"
    return "en" if primary == "en" else None


def request_lang(request: Request) -> Lang:
    """Pick the answer's language: ``?lang=``, cookie ``lang``, Accept-Language; else zh.

    Each names its nearest supported language (zh-CN, zh-Hans, zh-TW → zh; en-GB → en); one
    that names none (``fr``) is passed over for the next, and in the end zh is the default.
    """
    for value in (request.query_params.get("lang"), request.cookies.get("lang")):
        found = supported_lang(value)
        if found is not None:
            return found
    for part in request.headers.get("accept-language", "").split(","):
        found = supported_lang(part.split(";")[0])
        if found is not None:
            return found
    return "zh"


def error_body(code: str, message: str, details: Sequence[Any] = ()) -> dict[str, Any]:
    """Return the one error shape."""
    return {"error": {"code": code, "message": message, "details": list(details)}}


def _reply(
    request: Request, status: int, msg: Msg, details: Sequence[Any] = (), **headers: str
) -> JSONResponse:
    body = error_body(msg.key, msg.render(request_lang(request)), details)
    return JSONResponse(body, status_code=status, headers=headers or None)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"Retry-After": "60", **exc.headers} if exc.status_code == 429 else exc.headers
    return _reply(request, exc.status_code, exc.msg, exc.details, **headers)


def lifecircle_status(exc: LifecircleError) -> int:
    """HTTP status of a library error: 422 for bad input data, 503 for the store, else 400."""
    if isinstance(exc, StoreError):
        return 503
    return 422 if isinstance(exc, _UNPROCESSABLE) else 400


async def _lifecircle_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LifecircleError)
    lang = request_lang(request)
    details: list[Any] = []
    if isinstance(exc, BadRowsError):
        details = [p.render(lang) for p in exc.problems]
    return _reply(request, lifecircle_status(exc), exc.msg, details)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {
            "field": ".".join(str(part) for part in err.get("loc", ())),
            "problem": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]
    fields = tuple(d["field"] for d in details)
    return _reply(request, 422, Msg("error.api.invalid", fields=fields), details)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    key = _HTTP_KEYS.get(exc.status_code, "error.api.http")
    msg = Msg(key, status=exc.status_code, path=request.url.path)
    return _reply(request, exc.status_code, msg, **(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    _LOG.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return _reply(request, 500, Msg("error.api.internal"))


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` in the one shape."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(LifecircleError, _lifecircle_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
