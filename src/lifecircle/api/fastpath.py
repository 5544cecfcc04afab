"""Answer repeated GETs from memory, before routing: the board pages a QR code brings crowds to.

A pure ASGI middleware. A 200 answer that carries an ETag is kept (plain and gzipped) in the
served snapshot, keyed by the raw request (path, query, language headers, 10-minute clock for
"open now"), and sent gzipped to every client that takes it, the first one too; the same
request again is answered from there, or 304 on If-None-Match. A new data version brings a
new snapshot and so an empty store. It never changes what is answered.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from lifecircle.api.common import VARY
from lifecircle.api.state import AreaState, Kept

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
#: Headers the answer may depend on besides path and query.
_VARY = (b"accept-language", b"cookie")
#: Answers say "open now": keep them at most this long (seconds), as the ETags do.
CLOCK_S = 600
#: Do not bother compressing tiny answers.
GZIP_MIN_BYTES = 1024


def _kept_path(path: str) -> bool:
    """Say whether answers under ``path`` may be kept: public API and resident page only."""
    if path.startswith("/api/"):
        return not path.startswith("/api/staff")
    return path == "/" or path.startswith("/b/")


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes:
    for key, value in headers:
        if key == name:
            return value
    return b""


class CachedAnswers:
    """ASGI middleware answering repeated GETs of ``app`` from the snapshot's memory."""

    def __init__(self, app: ASGIApp, *, area: Callable[[], AreaState]) -> None:
        self.app = app
        self.area = area

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Replay a kept answer, or pass the request on and keep its answer."""
        if scope["type"] != "http" or scope["method"] != "GET" or not _kept_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        state = self.area()
        state.check_now_and_then()
        snapshot = state.current
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        key = (
            scope["path"],
            scope["query_string"],
            *(_header(headers, name) for name in _VARY),
            int(time.time() // CLOCK_S),
        )
        kept = snapshot.answer(key)
        if kept is not None:
            await _replay(kept, headers, send)
            return
        record = _recorder(send, lambda k: snapshot.keep_answer(key, k), headers)
        await self.app(scope, receive, record)


async def _replay(kept: Kept, request_headers: list[tuple[bytes, bytes]], send: Send) -> None:
    if kept.etag and kept.etag in _header(request_headers, b"if-none-match"):
        await send({"type": "http.response.start", "status": 304, "headers": kept.meta})
        await send({"type": "http.response.body", "body": b""})
        return
    zipped = kept.gzipped is not None and b"gzip" in _header(request_headers, b"accept-encoding")
    body = kept.gzipped if zipped and kept.gzipped is not None else kept.body
    extra = [(b"content-encoding", b"gzip")] if zipped else []
    length = [(b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": 200, "headers": kept.meta + extra + length}
    )
    await send({"type": "http.response.body", "body": body})


def _recorder(send: Send, keep: Callable[[Kept], None], request: list[tuple[bytes, bytes]]) -> Send:
    """Pass an answer on; a complete 200 with an ETag is kept and sent as its replay would be.

    A 200 answer is held until its body is complete, so that even the first client gets it
    gzipped (compressed once, for the client and for keeping).
    """
    started: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def record(message: Message) -> None:
        if message["type"] == "http.response.start" and message.get("status") == 200:
            started.update(message)
            return
        if message["type"] != "http.response.body" or not started:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        kept = _kept(started.get("headers", []), body)
        if kept is None:
            await send(started)
            await send({"type": "http.response.body", "body": body})
            return
        keep(kept)
        await _replay(kept, request, send)

    return record


def _kept(headers: list[tuple[bytes, bytes]], body: bytes) -> Kept | None:
    """Return the answer to keep (plain and gzipped), or ``None`` if it may not be kept."""
    etag = _header(headers, b"etag")
    if not etag or _header(headers, b"content-encoding"):
        return None
    meta = [(k, v) for k, v in headers if k not in (b"content-length", b"vary")]
    meta.append((b"vary", VARY.encode()))
    zipped = gzip.compress(body, compresslevel=6) if len(body) >= GZIP_MIN_BYTES else None
    return Kept(etag=etag, meta=meta, body=body, gzipped=zipped)
