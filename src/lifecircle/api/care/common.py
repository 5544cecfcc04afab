"""What the register's routers share: the app's Care context and error translation.

The Care context is opened once per app over the desk's; without a key file the register's
routes answer 503 saying how to make one. CareError becomes 404 (no such person or check) or
422, AccessDenied 403. Nothing here knows a route.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request

from lifecircle.api.desk.common import desk_errors, get_desk
from lifecircle.api.errors import ApiError
from lifecircle.care.context import Care, care_from_desk
from lifecircle.errors import AccessDenied, CareError, ConfigError, LifecircleError

NOT_FOUND = frozenset({"error.care.no_person", "error.care.no_check"})
_LOCK = threading.Lock()


def get_care(request: Request) -> Care:
    """FastAPI dependency: the app's Care context (opened on first use; 503 without a key)."""
    state = request.app.state
    found: Care | None = getattr(state, "care", None)
    if found is None:
        desk = get_desk(request)
        with _LOCK:
            found = getattr(state, "care", None)
            if found is None:
                try:
                    found = care_from_desk(desk)
                except ConfigError as exc:
                    raise ApiError(503, exc.msg.key, **_values(exc)) from exc
                state.care = found
    return found


CareDep = Annotated[Care, Depends(get_care)]


def _values(exc: LifecircleError) -> dict[str, Any]:
    return {name: value for name, value in exc.msg.params if name != "details"}


@contextmanager
def care_errors() -> Iterator[None]:
    """Answer the register's (and the desk's) errors in the API's one error shape."""
    try:
        with desk_errors():
            yield
    except CareError as exc:
        status = 404 if exc.msg.key in NOT_FOUND else 422
        details = [{"field": exc.field}] if exc.field else []
        raise ApiError(status, exc.msg.key, details=details, **_values(exc)) from exc
    except AccessDenied as exc:
        raise ApiError(403, exc.msg.key, **_values(exc)) from exc
    except ConfigError as exc:
        raise ApiError(503, exc.msg.key, **_values(exc)) from exc
