"""The served app under load, for ``benchmarks.desk intake``: start, settle, post, stop.

``lifecircle serve`` runs in its own process group (so its workers are stopped with it and
their CPU counted); requests are sent open loop over keep-alive connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

LIFECIRCLE = Path(sys.executable).with_name("lifecircle")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its worker processes (its own process group, started by us)."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)


def _cpu_s(group: int) -> float:
    """CPU seconds (user + system) used so far by the processes of a process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _settled(group: int, deadline: float, *, idle_cpu_s: float = 0.05) -> None:
    """Wait until the server's processes use under ``idle_cpu_s`` of CPU in half a second.

    With ``--workers`` uvicorn's parent listens before its workers have started; the first
    answer comes from the first worker ready, while another may still be starting (imports,
    results, warm-up: seconds of CPU, on the cores the load needs). A load balancer would
    wait for each worker's health check; here: until every process is idle.
    """
    before = _cpu_s(group)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _cpu_s(group)
        if now - before < idle_cpu_s:
            return
        before = now


def _start(root: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is in use; pass --port")
    command = [
        str(LIFECIRCLE),
        "-p",
        str(root),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            # ready = answers at all (a static file: nothing of the desk warmed by the probe)
            urllib.request.urlopen(f"http://127.0.0.1:{port}/favicon.ico", timeout=5).read()
            _settled(server.pid, deadline)
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode() if server.stderr else "") from None
            time.sleep(0.5)
    _stop(server)
    raise RuntimeError("the server did not start")


def _staff_login(port: int) -> tuple[str, str]:
    """Log the district account in; return its cookie header and CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    csrf = json.load(opener.open(f"http://127.0.0.1:{port}/api/staff/session"))["csrf_token"]
    body = json.dumps({"name": "bench", "password": "correct horse battery"}).encode()
    headers = {"Content-Type": "application/json", "X-CSRF-Token": csrf}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/staff/login", data=body, headers=headers
    )
    answer = json.load(opener.open(request))
    return "; ".join(f"{c.name}={c.value}" for c in jar), answer["csrf_token"]


async def _post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, body: bytes, headers: str
) -> int:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
    )
    writer.write(head.encode() + body)
    reply = await reader.readuntil(b"\r\n\r\n")
    lines = reply.decode("latin-1").split("\r\n")
    length = next(
        (int(x.split(":", 1)[1]) for x in lines if x.lower().startswith("content-length:")), 0
    )
    if length:
        await reader.readexactly(length)
    return int(lines[0].split()[1])


async def _open_loop(
    port: int, make, *, rate: float, seconds: float, connections: int
) -> tuple[list[float], dict[int, int]]:  # type: ignore[no-untyped-def]
    total = int(rate * seconds)
    start = time.perf_counter() + 0.5
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(total))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in counter:
                due = start + i / rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                path, body, headers = make(i)
                status = await _post(reader, writer, path, body, headers)
                latencies.append(time.perf_counter() - due)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies, statuses
