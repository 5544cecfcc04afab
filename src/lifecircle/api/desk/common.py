"""What the desk's routers share: the app's Desk, error translation, the form's limit.

The :class:`~lifecircle.desk.context.Desk` is opened once per app; DeskError becomes
404/409/413/422 by key and AccessDenied 403; the public form is limited per client address.
Nothing here knows a route.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Request

from lifecircle.api.errors import ApiError
from lifecircle.api.staff.auth import LoginLimiter
from lifecircle.desk import notify
from lifecircle.desk.context import Desk, open_desk
from lifecircle.errors import AccessDenied, DeskError, EditError, LifecircleError, LocationError

#: Statuses of desk errors other than 422 (a bad value).
STATUS_OF_KEY = {
    "error.desk.no_case": 404,
    "error.desk.no_compound": 404,
    "error.desk.no_board": 404,
    "error.desk.unknown_photo": 422,
    "error.desk.illegal_step": 409,
    "error.desk.extension_pending": 409,
    "error.desk.no_extension": 409,
    "error.desk.nothing_to_lift": 409,
    "error.desk.photo_too_large": 413,
}
#: Resident form submissions allowed per client address in :data:`FORM_WINDOW_S`.
FORM_MAX_PER_ADDRESS = 30
FORM_WINDOW_S = 600.0
_LOCK = threading.Lock()


def get_desk(request: Request) -> Desk:
    """FastAPI dependency: the app's Desk (its store opened once, on first use)."""
    state = request.app.state
    found: Desk | None = getattr(state, "desk", None)
    if found is None:
        with _LOCK:
            found = getattr(state, "desk", None)
            if found is None:
                found = open_desk(state.area.project)
                state.desk = found
    return found


DeskDep = Annotated[Desk, Depends(get_desk)]


def _values(exc: LifecircleError) -> dict[str, Any]:
    return {name: value for name, value in exc.msg.params if name != "details"}


@contextmanager
def desk_errors() -> Iterator[None]:
    """Answer the desk's errors in the API's one error shape, with the right status."""
    try:
        yield
    except DeskError as exc:
        status = STATUS_OF_KEY.get(exc.msg.key, 422)
        details = [{"field": exc.field}] if exc.field else []
        raise ApiError(status, exc.msg.key, details=details, **_values(exc)) from exc
    except AccessDenied as exc:
        raise ApiError(403, exc.msg.key, **_values(exc)) from exc
    except (LocationError, EditError) as exc:
        raise ApiError(422, exc.msg.key, **_values(exc)) from exc


def form_limiter(request: Request) -> LoginLimiter:
    """Return the app's limiter of resident form submissions (per client address)."""
    state = request.app.state
    with _LOCK:
        found: LoginLimiter | None = getattr(state, "desk_form_limiter", None)
        if found is None:
            found = LoginLimiter(max_failures=FORM_MAX_PER_ADDRESS, window_s=FORM_WINDOW_S)
            state.desk_form_limiter = found
    return found


def send_soon(background: BackgroundTasks, desk: Desk) -> None:
    """Send the queued notices after the answer has gone (when a channel is configured)."""
    if desk.config.notify:
        background.add_task(notify.deliver_pending, desk)


def client_address(request: Request) -> str:
    """Return the client's address (behind a proxy: the proxy's)."""
    return request.client.host if request.client else "unknown"
