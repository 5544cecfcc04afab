"""Do residents wait while staff import a large sheet? A resident endpoint, with and without.

``python -m benchmarks.import_load [--rows 90000] [--clients 20] [--seconds 10] [--workers 1]
[--source DIR]``. Builds the demo, adds a staff account, writes a large facilities CSV of
invented rows (【示例】, random points in the area: ~19 MB at 90,000 rows), starts
``lifecircle serve`` and measures a cached resident endpoint (services near a compound, three
profiles) for ``--seconds``: first alone, then while the sheet is uploaded as a dry run and
imported to its end (the load runs until the import ends). ``--source DIR`` serves another
checkout's ``src`` (e.g. the code before the import became a background job, whose upload
answers only when the import is done). Also times refusing a 2 GB XLSX bomb in process. Prints
one table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import http.cookiejar
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.load import LIFECIRCLE, _client, _get, _run, _start

PASSWORD = "benchmark only, not a real account"
TYPES = ("药店", "便利店", "卫生服务站", "幼儿园", "社区服务站", "公交站")


def _sheet(path: Path, rows: int, bbox: list[float]) -> int:
    """Write ``rows`` invented facility rows inside ``bbox``; return the file's size in bytes."""
    west, south, east, north = bbox
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["编号", "名称", "类型", "经度", "纬度", "地址", "电话", "开放时间", "备注"])
        for n in range(rows):
            out.writerow(
                [
                    f"B{n}",
                    f"【示例】压测设施{n}",
                    TYPES[n % len(TYPES)],
                    f"{rng.uniform(west, east):.6f}",
                    f"{rng.uniform(south, north):.6f}",
                    f"示例路{n % 500}号院{n % 37}号楼（压测用虚构地址）",
                    f"022-{23000000 + n}",
                    "Mo-Fr 08:30-17:30; Sa 09:00-12:00",
                    "invented benchmark row",
                ]
            )
    return path.stat().st_size


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _json(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request
) -> tuple[int, dict]:
    try:
        with opener.open(request, timeout=3600) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as failed:
        return failed.code, json.loads(failed.read() or b"{}")


def _login(port: int) -> tuple[urllib.request.OpenerDirector, str]:
    opener = _opener()
    base = f"http://127.0.0.1:{port}/api/staff"
    _, session = _json(opener, urllib.request.Request(f"{base}/session"))
    body = json.dumps({"name": "bench", "password": PASSWORD}).encode()
    headers = {"Content-Type": "application/json", "X-CSRF-Token": session["csrf_token"]}
    status, answer = _json(opener, urllib.request.Request(f"{base}/login", body, headers))
    if status != 200:
        raise RuntimeError(f"login failed: {status} {answer}")
    return opener, answer["csrf_token"]


def _upload(port: int, sheet: Path, result: dict) -> None:
    """Upload the sheet as a dry run and follow it to its end (202 + job, or the old 200)."""
    opener, csrf = _login(port)
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{sheet.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body = head + sheet.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRF-Token": csrf}
    url = f"http://127.0.0.1:{port}/api/staff/sheets/facilities?dry_run=true"
    began = time.perf_counter()
    status, answer = _json(opener, urllib.request.Request(url, body, headers))
    result["answered_s"] = time.perf_counter() - began
    job = answer.get("job") if status == 202 else None  # the old code answered the report
    while job is not None and job["state"] == "running":
        time.sleep(0.5)
        job_url = f"http://127.0.0.1:{port}/api/staff/jobs/{job['id']}"
        status, answer = _json(opener, urllib.request.Request(job_url))
        job = answer["job"] if status == 200 else {"state": f"HTTP {status}"}
    result["done_s"] = time.perf_counter() - began
    if job is None:
        result["outcome"] = f"HTTP {status}, answered with the report"
    else:
        result["outcome"] = job["state"] + (f": {job['error']['code']}" if job.get("error") else "")


@dataclass(frozen=True)
class Figures:
    """Latencies of one phase: counts, percentiles and the worst (blocking shows in the tail)."""

    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    statuses: dict[int, int]


async def _load(port: int, paths, *, clients: int, name: str, until) -> Figures:
    """Drive the endpoint in rounds of one second while ``until()`` says to go on."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sizes: list[int] = []
    began = time.perf_counter()
    while until(time.perf_counter() - began):
        end = time.perf_counter() + 1.0
        await asyncio.gather(
            *(_client(port, paths, end, latencies, statuses, sizes) for _ in range(clients))
        )
    ms = np.array(latencies) * 1000
    return Figures(
        name,
        len(latencies),
        time.perf_counter() - began,
        *(float(np.percentile(ms, q)) for q in (50, 99, 99.9)),
        float(ms.max()),
        statuses,
    )


def _with_import(port: int, sheet: Path, paths, *, clients: int) -> tuple[Figures, dict]:
    result: dict = {}
    uploader = threading.Thread(target=_upload, args=(port, sheet, result))
    uploader.start()
    during = asyncio.run(
        _load(
            port,
            paths,
            clients=clients,
            name="during the import",
            until=lambda _s: uploader.is_alive(),
        )
    )
    uploader.join()
    return during, result


def _bomb() -> tuple[float, float]:
    """Seconds and traced peak MB to refuse an XLSX that unzips to 2 GB."""
    from tests.io.bombs import rows_xml, write_xlsx

    from lifecircle.errors import InputFileError
    from lifecircle.io.sheets import read_sheet

    with tempfile.TemporaryDirectory() as tmp:
        bomb = write_xlsx(
            Path(tmp) / "bomb.xlsx", unit=rows_xml(20) * 1400, repeats=2000, crc=False
        )
        tracemalloc.start()
        began = time.perf_counter()
        with contextlib.suppress(InputFileError):
            read_sheet(bomb)
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, peak


def _environment(source: Path | None) -> None:
    if source is not None:  # the server (a subprocess) imports lifecircle from there
        os.environ["PYTHONPATH"] = f"{source / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=90_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--source", type=Path, help="serve this checkout's src/ instead")
    args = parser.parse_args(argv)
    bomb_s, bomb_mb = _bomb()
    _environment(args.source)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "demo"
        run = {"check": True, "stdout": subprocess.DEVNULL}
        subprocess.run([str(LIFECIRCLE), "demo", str(project)], **run)
        add = [str(LIFECIRCLE), "-p", str(project), "user", "add", "bench", "--role", "district"]
        subprocess.run([*add, "--password-stdin"], input=f"{PASSWORD}\n".encode(), **run)
        server = _start(project, args.port, args.workers)
        try:
            (area,) = json.loads(_get(args.port, "/api/areas")[1])
            size = _sheet(Path(tmp) / "压测设施.csv", args.rows, area["bbox"])
            compounds = [c["id"] for c in json.loads(_get(args.port, "/api/compounds")[1])]
            pick = random.Random(3).choice

            def paths() -> tuple[str, str]:
                profile = pick(("standard", "elderly", "wheelchair"))
                return f"/api/access/compound/{pick(compounds)}?profile={profile}", ""

            asyncio.run(_run("warm-up", args.port, paths, clients=args.clients, seconds=3.0))
            alone = asyncio.run(
                _load(
                    args.port,
                    paths,
                    clients=args.clients,
                    name="no import",
                    until=lambda s: s < args.seconds,
                )
            )
            sheet = Path(tmp) / "压测设施.csv"
            during, upload = _with_import(args.port, sheet, paths, clients=args.clients)
        finally:
            server.terminate()
            server.wait(30)
    lines = [
        f"Resident endpoint (services near a compound, cached, 3 profiles) under {args.clients} "
        f"keep-alive clients, `lifecircle serve --workers {args.workers}`"
        f"{f' from {args.source}' if args.source else ''}, {os.cpu_count()} CPU cores shared by "
        f"server, import and client, Python {platform.python_version()}.",
        f"Import: a {size / 2**20:.1f} MB CSV of {args.rows:,} invented facility rows, dry run; "
        f"the upload answered in {upload.get('answered_s', 0):.2f} s, the import ended after "
        f"{upload.get('done_s', 0):.1f} s ({upload.get('outcome')}).",
        "",
        "| while | requests | req/s | p50 ms | p99 ms | p99.9 ms | max ms | statuses |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for o in (alone, during):
        codes = ", ".join(f"{k}×{v}" for k, v in sorted(o.statuses.items()))
        rate = o.requests / o.seconds
        figures = f"{o.requests:,} | {rate:,.0f} | {o.p50_ms:.1f} | {o.p99_ms:.1f}"
        lines.append(f"| {o.name} | {figures} | {o.p999_ms:.1f} | {o.max_ms:,.0f} | {codes} |")
    lines += [
        "",
        f"Refusing an 8 MB XLSX that unzips to 2 GB: {bomb_s:.2f} s, "
        f"peak traced memory {bomb_mb:.1f} MiB.",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
