"""What the desk's routers share: the app's Desk, error translation, the form's limit.

The :class:`~lifecircle.desk.context.Desk` is opened once per app; DeskError becomes
404/409/413/422 by key and AccessDenied 403; the public form is limited per client address.
Nothing here knows a route.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Request

from lifecircle.api.errors import ApiError
from lifecircle.api.staff.auth import client_ip
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
    """FastAPI dependency: the app's Desk (opened at start, see :mod:`lifecircle.api.warmup`)."""
    return get_desk_of(request.app.state)


def get_desk_of(state: Any) -> Desk:
    """Return the Desk kept in an app's ``state``, opening its store on first use."""
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


class SubmissionLimiter:
    """Resident submissions per key (``ip:…``) in a sliding window, in this process only.

    A form flood from one address is slowed; with several server processes each counts its
    own share (the limit is per process, which is enough against a script and never blocks
    staff). Idle keys are dropped beyond :data:`MAX_KEYS`.

    >>> now = [0.0]
    >>> limits = SubmissionLimiter(max_per_window=2, window_s=60, clock=lambda: now[0])
    >>> limits.count(["ip:a"]); limits.count(["ip:a"]); limits.blocked_for_s(["ip:a"])
    60.0
    >>> now[0] = 61.0; limits.blocked_for_s(["ip:a"])
    0.0
    """

    MAX_KEYS = 10_000

    def __init__(
        self, *, max_per_window: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_per_window = max_per_window
        self.window_s = window_s
        self._clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._seen[key]
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def blocked_for_s(self, keys: list[str]) -> float:
        """Seconds until these keys may submit again (0: now)."""
        now = self._clock()
        with self._lock:
            waits = [
                self.window_s - (now - times[0])
                for times in (self._recent(key, now) for key in keys)
                if len(times) >= self.max_per_window
            ]
        return max(waits, default=0.0)

    def count(self, keys: list[str]) -> None:
        """Count one submission for each key."""
        now = self._clock()
        with self._lock:
            if len(self._seen) > self.MAX_KEYS:
                for key in [k for k in list(self._seen) if not self._recent(k, now)]:
                    del self._seen[key]
            for key in keys:
                self._recent(key, now).append(now)


def form_limiter(request: Request) -> SubmissionLimiter:
    """Return the app's limiter of resident form submissions (per client address)."""
    state = request.app.state
    with _LOCK:
        found: SubmissionLimiter | None = getattr(state, "desk_form_limiter", None)
        if found is None:
            found = SubmissionLimiter(max_per_window=FORM_MAX_PER_ADDRESS, window_s=FORM_WINDOW_S)
            state.desk_form_limiter = found
    return found


def send_soon(background: BackgroundTasks, desk: Desk) -> None:
    """Send the queued notices after the answer has gone (when a channel is configured)."""
    if desk.config.notify:
        background.add_task(notify.deliver_pending, desk)


def client_address(request: Request) -> str:
    """Return the client's address (a forwarded one only from a trusted proxy)."""
    return client_ip(request)
