"""The pages' static files: gzipped once in memory, cached by browsers for a year when versioned.

A versioned address (``/static/<digest>/app.js``, ``/vendor/maplibre/<version>/…``) never
changes its bytes, so browsers keep it for a year without asking; an unversioned one
(``/static/api.js``) is revalidated by its ETag (304). A folder may be served with its pages'
and modules' addresses rewritten to versioned ones (``rewrite``), so a page and every module it
imports come from one version; HTML is always revalidated. Text files are compressed the first
time they are asked for and then sent gzipped to every client that takes gzip. Files are served
from inside their folder only; this module knows nothing of the pages themselves.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import stat
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: Cache-Control of a versioned address: its bytes never change.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Cache-Control of an unversioned address: keep it, but ask (ETag) before using it again.
REVALIDATE = "no-cache"
#: Files larger than this are streamed from disk as they are (source maps of a library, say).
MAX_KEPT_BYTES = 8 * 1024 * 1024
#: Smaller bodies are not worth compressing.
GZIP_MIN_BYTES = 1024
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}
COMPRESSIBLE = {".html", ".js", ".mjs", ".css", ".json", ".map", ".svg", ".ico", ".txt"}
#: Files whose addresses ``rewrite`` versions: pages (quoted addresses), modules (imports).
PAGE_SUFFIXES = {".html"}
MODULE_SUFFIXES = {".js", ".mjs"}
#: A static ``import``/``export … from`` or a dynamic ``import(…)`` of a same-origin path.
_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(/[^"'\n]*)\2""")
_VERSIONED = "lifecircle.versioned"


@dataclass(frozen=True)
class Asset:
    """One file as served: its bytes, the same gzipped (``None``: not worth it), ETag, type."""

    body: bytes
    gzipped: bytes | None
    etag: str
    media_type: str


def read_asset(path: Path, rewrite: Mapping[str, str] | None = None) -> Asset:
    """Read a file and prepare it for serving (compressed when it is text of some size).

    ``rewrite`` maps address prefixes to their versioned ones: a page's quoted addresses and a
    module's imports are rewritten with it (:func:`versioned_page`, :func:`versioned_imports`).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "a.js").write_text("let x = 1; " * 200)
    ...     asset = read_asset(Path(tmp) / "a.js")
    2200
    >>> asset.media_type, len(asset.gzipped or b"") < len(asset.body) / 10
    ('text/javascript; charset=utf-8', True)
    """
    body = path.read_bytes()
    suffix = path.suffix.lower()
    if rewrite and suffix in PAGE_SUFFIXES:
        body = versioned_page(body.decode("utf-8"), rewrite).encode("utf-8")
    elif rewrite and suffix in MODULE_SUFFIXES:
        body = versioned_imports(body.decode("utf-8"), rewrite).encode("utf-8")
    zipped = None
    if suffix in COMPRESSIBLE and len(body) >= GZIP_MIN_BYTES:
        zipped = gzip.compress(body, compresslevel=9, mtime=0)
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    media_type = MEDIA_TYPES.get(suffix, "application/octet-stream")
    return Asset(body=body, gzipped=zipped, etag=etag, media_type=media_type)


def folder_digest(folder: Path) -> str:
    """Return 12 hex digits naming the exact contents of ``folder`` (file names and bytes).

    The versioned address of a page's files: any edit makes a new one.
    """
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def package_version(dist: Path) -> str:
    """Return the version of the npm package whose ``dist`` folder this is ("" if unknown)."""
    try:
        meta = json.loads((dist.parent / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    version = meta.get("version", "") if isinstance(meta, dict) else ""
    return version if isinstance(version, str) else ""


def versioned_page(html: str, prefixes: Mapping[str, str]) -> str:
    """Return a page whose quoted addresses under each prefix point at the versioned ones.

    >>> versioned_page('<script src="/static/app.js">', {"/static/": "/static/ab12/"})
    '<script src="/static/ab12/app.js">'
    """
    for old, new in prefixes.items():
        html = html.replace(f'"{old}', f'"{new}')
    return html


def versioned_imports(script: str, prefixes: Mapping[str, str]) -> str:
    """Return a JavaScript module whose imports under each prefix name the versioned addresses.

    Only import specifiers change (``from "…"``, ``import "…"``, ``import("…")``); other strings,
    such as a link to ``/desk/?case=1``, are left as they are.

    >>> versioned_imports('import { t } from "/static/api.js"; go("/static/x");',
    ...                   {"/static/": "/static/ab12/"})
    'import { t } from "/static/ab12/api.js"; go("/static/x");'
    """

    def one(match: re.Match[str]) -> str:
        lead, quote, address = match.groups()
        for old, new in prefixes.items():
            if address.startswith(old):
                address = new + address[len(old) :]
                break
        return f"{lead}{quote}{address}{quote}"

    return _IMPORT.sub(one, script)


class AssetFiles(StaticFiles):
    """Serve one folder's files with ETags, gzip kept in memory and a cache policy.

    ``version`` (a digest or a package version) is the optional first path segment of a
    versioned address, answered as cacheable for a year. ``rewrite`` versions the addresses
    inside the folder's pages and modules (:func:`read_asset`). With ``html`` a folder's
    ``index.html`` answers for the folder; pages are always revalidated and carry ``policy`` as
    their Content-Security-Policy.
    """

    def __init__(
        self,
        *,
        directory: Path,
        version: str = "",
        rewrite: Mapping[str, str] | None = None,
        html: bool = False,
        policy: str = "",
    ) -> None:
        super().__init__(directory=directory, html=html)
        self.version = version
        self.rewrite = dict(rewrite or {})
        self.policy = policy
        self._kept: dict[tuple[str, int, int], Asset] = {}
        self._lock = threading.Lock()

    def get_path(self, scope: Scope) -> str:
        """Return the file's path inside the folder, without the version segment."""
        path = super().get_path(scope)
        head, sep, rest = path.partition(os.sep)
        versioned = bool(self.version) and head == self.version and bool(sep)
        scope[_VERSIONED] = versioned
        return rest if versioned else path

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        """Answer a file: 304 when the client has it, gzipped when it takes gzip."""
        if stat_result.st_size > MAX_KEPT_BYTES or not stat.S_ISREG(stat_result.st_mode):
            return super().file_response(full_path, stat_result, scope, status_code)
        asset = self._asset(Path(full_path), stat_result)
        page = asset.media_type.startswith("text/html")
        policy = IMMUTABLE if scope.get(_VERSIONED) and not page else REVALIDATE
        headers = {"ETag": asset.etag, "Cache-Control": policy, "Vary": "Accept-Encoding"}
        if page and self.policy:
            headers["Content-Security-Policy"] = self.policy
        request = Headers(scope=scope)
        if asset.etag in _tags(request.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        body = asset.body
        if asset.gzipped is not None and "gzip" in request.get("accept-encoding", ""):
            body, headers["Content-Encoding"] = asset.gzipped, "gzip"
        return Response(body, status_code=status_code, media_type=asset.media_type, headers=headers)

    def _asset(self, path: Path, stat_result: os.stat_result) -> Asset:
        key = (str(path), stat_result.st_mtime_ns, stat_result.st_size)
        with self._lock:
            found = self._kept.get(key)
        if found is None:
            found = read_asset(path, self.rewrite)
            with self._lock:
                self._kept[key] = found
        return found

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Find and answer the file; reading and compressing happen off the event loop."""
        try:
            full_path, found = await anyio.to_thread.run_sync(self.lookup_path, path)
        except (OSError, ValueError):  # the parent class answers these (401, 404)
            found = None
        if found is not None and stat.S_ISREG(found.st_mode) and found.st_size <= MAX_KEPT_BYTES:
            await anyio.to_thread.run_sync(self._asset, Path(full_path), found)
        return await super().get_response(path, scope)


def _tags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}
