"""Download an OSM extract: **the one module of lifecircle that downloads data**.

This is the network seam for data: it runs only when a user types ``lifecircle fetch``, no
other module fetches anything (the grid desk's notice senders post webhooks, nothing else goes
on the network), and no test reaches the internet (they serve files from 127.0.0.1).

A download streams into ``<file>.part`` and is renamed when complete, so ``<file>`` is whole
or absent. A run after an interruption resumes the ``.part`` with an HTTP ``Range`` request
(``If-Range`` on the server's ``Last-Modified``: a file changed on the server starts over). A
file already there is kept while it is younger than ``max_age_days`` or as new as the server's
(same size, not older than its ``Last-Modified``). The default source is Geofabrik's China
sub-regions (``https://download.geofabrik.de/asia/china/<region>-latest.osm.pbf``, OSM data ©
OpenStreetMap contributors, ODbL); ``url`` takes any mirror the user trusts.
"""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lifecircle.errors import FetchError

if TYPE_CHECKING:
    import httpx

#: Geofabrik's download address of a China sub-region (``download.geofabrik.de/asia/china``).
GEOFABRIK_CHINA = "https://download.geofabrik.de/asia/china/{region}-latest.osm.pbf"
#: Geofabrik's China sub-regions (its clipping polygons ``polygons/asia/china/*.poly``).
CHINA_REGIONS = (
    "anhui", "beijing", "chongqing", "fujian", "gansu", "guangdong", "guangxi", "guizhou",
    "hainan", "hebei", "heilongjiang", "henan", "hong-kong", "hubei", "hunan", "inner-mongolia",
    "jiangsu", "jiangxi", "jilin", "liaoning", "macau", "ningxia", "qinghai", "shaanxi",
    "shandong", "shanghai", "shanxi", "sichuan", "tianjin", "tibet", "xinjiang", "yunnan",
    "zhejiang",
)  # fmt: skip
#: Called with bytes written so far and the expected total (``None`` when unknown).
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Fetched:
    """What :func:`fetch` did: the file, its size, where it resumed, and whether it was kept."""

    path: Path
    size: int
    resumed_from: int = 0
    last_modified: str = ""
    kept: bool = False


def region_url(region: str) -> str:
    """Return Geofabrik's address of a China sub-region's extract.

    >>> region_url("tianjin")
    'https://download.geofabrik.de/asia/china/tianjin-latest.osm.pbf'
    """
    if region not in CHINA_REGIONS:
        raise FetchError("error.fetch.region", region=region, known=CHINA_REGIONS)
    return GEOFABRIK_CHINA.format(region=region)


def _mtime(last_modified: str | None) -> float | None:
    if not last_modified:
        return None
    try:
        return email.utils.parsedate_to_datetime(last_modified).timestamp()
    except (TypeError, ValueError):
        return None


def _current(out: Path, head: httpx.Response | None, max_age_days: float) -> bool:
    """Whether ``out`` can be kept as it is.

    Without ``head``: when younger than ``max_age_days``; with ``head`` (the server's answer):
    when of the same size and not older than the server's Last-Modified.
    """
    if not out.is_file():
        return False
    if head is None:
        return time.time() - out.stat().st_mtime < max_age_days * 86400
    if head.status_code != 200:
        return False
    size, stamp = head.headers.get("content-length"), _mtime(head.headers.get("last-modified"))
    same_size = size is not None and int(size) == out.stat().st_size
    return same_size and stamp is not None and out.stat().st_mtime >= stamp


def _resume_headers(part: Path, stamp: Path) -> dict[str, str]:
    """Range and If-Range for a part begun from a file dated ``stamp``'s text (else none)."""
    start = part.stat().st_size if part.is_file() else 0
    begun = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else ""
    return {"Range": f"bytes={start}-", "If-Range": begun} if start and begun else {}


def _stream(client: httpx.Client, url: str, part: Path, progress: Progress | None) -> str:
    """Append the rest of ``url`` to ``part`` (or start over); return its Last-Modified.

    ``<part>.date`` keeps the Last-Modified of the file the part is a piece of: a resumed
    request sends it as If-Range, so a server whose file changed sends the new one whole.
    """
    stamp = part.with_name(part.name + ".date")
    headers = _resume_headers(part, stamp)
    with client.stream("GET", url, headers=headers) as response:
        modified = str(response.headers.get("last-modified", ""))
        if response.status_code == 416 and headers:  # nothing left: the part is whole
            stamp.unlink()
            return headers["If-Range"]
        if response.status_code not in (200, 206) or (response.status_code == 206 and not headers):
            raise FetchError("error.fetch.http", url=url, status=response.status_code)
        start = part.stat().st_size if response.status_code == 206 else 0
        stamp.write_text(modified, encoding="utf-8")
        total = _total(response, start)
        with part.open("r+b" if start else "wb") as handle:
            handle.seek(start)
            handle.truncate()
            done = start
            for chunk in response.iter_bytes():  # as it arrives: a break keeps all so far
                handle.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    if total is not None and done != total:
        raise FetchError("error.fetch.short", url=url, got=done, want=total, part=part)
    stamp.unlink()
    return modified


def _total(response: httpx.Response, start: int) -> int | None:
    if response.status_code == 206:
        whole = response.headers.get("content-range", "").rpartition("/")[2]
        return int(whole) if whole.isdigit() else None
    length = response.headers.get("content-length")
    return int(length) if length is not None and length.isdigit() else None


def fetch(
    url: str, out: Path, *, max_age_days: float = 7.0, progress: Progress | None = None,
    timeout_s: float = 30.0,
) -> Fetched:  # fmt: skip
    """Download ``url`` to ``out`` (resuming ``out.part``); keep a current ``out`` as it is.

    Raises :class:`FetchError` when offline, refused or cut short (the part is kept).
    """
    import httpx

    part = out.with_name(out.name + ".part")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=True) as client:
            if _current(out, None, max_age_days) or _current(out, client.head(url), -1):
                return Fetched(out, out.stat().st_size, kept=True)
            resumed = part.stat().st_size if part.is_file() else 0
            modified = _stream(client, url, part, progress)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        detail = str(exc) or type(exc).__name__
        raise FetchError("error.fetch.offline", url=url, detail=detail) from None
    except httpx.TransportError as exc:  # the connection broke off mid-way: keep the part
        got = part.stat().st_size if part.is_file() else 0
        detail = str(exc) or type(exc).__name__
        raise FetchError("error.fetch.cut", url=url, got=got, part=part, detail=detail) from None
    stamp = _mtime(modified)
    if stamp is not None:
        os.utime(part, (stamp, stamp))
    part.replace(out)
    return Fetched(out, out.stat().st_size, resumed_from=resumed, last_modified=modified)
