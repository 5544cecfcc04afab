"""Load benchmark of the web app: board pages and "services near this compound" on loopback.

``python -m benchmarks.load [--project DIR] [--clients 100] [--seconds 10] [--workers 2]``.
Builds the demo (unless ``--project``), starts ``lifecircle serve`` in a subprocess, drives it
with a small keep-alive HTTP/1.1 client on asyncio (no extra dependency; it shares the
machine's cores with the server, so the figures are a floor), prints one table. Bounded in
time: each scenario runs ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LIFECIRCLE = Path(sys.executable).with_name("lifecircle")
#: Each scenario first runs this long unmeasured (fills the answer memory of every worker).
WARM_UP_S = 3.0


@dataclass(frozen=True)
class Outcome:
    """One scenario's figures."""

    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    mean_bytes: float

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds


async def _one(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, headers: str
) -> tuple[int, int]:
    # a phone browser's headers: compressed answers welcome
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n{headers}\r\n"
    writer.write(request.encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status, length


async def _client(
    port: int,
    paths: Callable[[], tuple[str, str]],
    until: float,
    latencies: list[float],
    statuses: dict[int, int],
    sizes: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            path, headers = paths()
            began = time.perf_counter()
            status, size = await _one(reader, writer, path, headers)
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1
            sizes.append(size)
    finally:
        writer.close()


async def _run(
    name: str, port: int, paths: Callable[[], tuple[str, str]], *, clients: int, seconds: float
) -> Outcome:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sizes: list[int] = []
    began = time.perf_counter()
    until = began + seconds
    await asyncio.gather(
        *(_client(port, paths, until, latencies, statuses, sizes) for _ in range(clients))
    )
    elapsed = time.perf_counter() - began
    ms = np.array(latencies) * 1000
    return Outcome(
        name,
        len(latencies),
        elapsed,
        float(np.percentile(ms, 50)),
        float(np.percentile(ms, 99)),
        statuses,
        float(np.mean(sizes)) if sizes else 0.0,
    )


def _get(port: int, path: str) -> tuple[dict[str, str], bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return dict(response.headers), response.read()


def _start(project: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [str(LIFECIRCLE), "-p", str(project), "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            _get(port, "/api/areas")
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode() if server.stderr else "") from None
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the server did not start in 120 s")


def _scenarios(port: int) -> dict[str, Callable[[], tuple[str, str]]]:
    boards = [b["id"] for b in json.loads(_get(port, "/api/boards")[1])]
    compounds = [c["id"] for c in json.loads(_get(port, "/api/compounds")[1])]
    (area,) = json.loads(_get(port, "/api/areas")[1])
    west, south, east, north = area["bbox"]
    profiles = ("standard", "elderly", "wheelchair")
    tags = {b: _get(port, f"/api/access/board/{b}")[0]["etag"] for b in boards}
    pick = random.Random(1).choice

    def board_page() -> tuple[str, str]:
        return f"/b/{pick(boards)}", ""

    def board_access() -> tuple[str, str]:
        return f"/api/access/board/{pick(boards)}", ""

    def board_revalidate() -> tuple[str, str]:
        board = pick(boards)
        return f"/api/access/board/{board}", f"If-None-Match: {tags[board]}\r\n"

    def compound_access() -> tuple[str, str]:
        return f"/api/access/compound/{pick(compounds)}?profile={pick(profiles)}", ""

    rng = random.Random(2)

    def point_uncached() -> tuple[str, str]:
        lon = rng.uniform(west + 0.2 * (east - west), east - 0.2 * (east - west))
        lat = rng.uniform(south + 0.2 * (north - south), north - 0.2 * (north - south))
        return f"/api/access/point?lon={lon:.6f}&lat={lat:.6f}", ""

    return {
        "board page /b/<id> (HTML)": board_page,
        "board access, cached (200, full body)": board_access,
        "board access, If-None-Match (304)": board_revalidate,
        "compound access, cached, 3 profiles": compound_access,
        "point access, never cached (engine)": point_uncached,
    }


def _table(outcomes: list[Outcome], *, clients: int, workers: int) -> str:
    lines = [
        f"Load on loopback: {clients} concurrent keep-alive clients, `lifecircle serve --workers "
        f"{workers}`, {os.cpu_count()} CPU cores shared by server and client, "
        f"Python {platform.python_version()}.",
        "",
        "| scenario | req/s | p50 ms | p99 ms | mean body | statuses |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for o in outcomes:
        codes = ", ".join(f"{k}×{v}" for k, v in sorted(o.statuses.items()))
        lines.append(
            f"| {o.name} | {o.rate:,.0f} | {o.p50_ms:.1f} | {o.p99_ms:.1f} | "
            f"{o.mean_bytes / 1024:,.1f} KiB | {codes} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the load benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", type=Path, help="Serve this project (default: the demo).")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project
        if project is None:
            project = Path(tmp) / "demo"
            subprocess.run(
                # the Helsinki fixture, as in the recorded results of the README's table
                [str(LIFECIRCLE), "demo", str(project), "--area", "helsinki"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        server = _start(project, args.port, args.workers)
        try:
            scenarios = _scenarios(args.port)
            outcomes = []
            for name, paths in scenarios.items():
                asyncio.run(_run(name, args.port, paths, clients=args.clients, seconds=WARM_UP_S))
                outcomes.append(
                    asyncio.run(
                        _run(name, args.port, paths, clients=args.clients, seconds=args.seconds)
                    )
                )
        finally:
            server.terminate()
            server.wait(30)
    print(_table(outcomes, clients=args.clients, workers=args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
