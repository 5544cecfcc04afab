"""Time to the first useful answer on the resident page: a board's QR code opened at 360×640.

``python -m benchmarks.resident_page [--project DIR] [--runs 7] [--board demo-gate-1]
[--cpu-slowdown 1] [--network loopback|4g|3g]`` (``make bench-phone``). Builds the Nanjing demo
(unless ``--project``), starts ``lifecircle serve`` in a subprocess, and opens ``/b/<board>``
in headless Chromium, each run in a new browser context (a cold cache), after one unmeasured
visit has warmed the server (its first request loads the walk graph, once per process). The
first useful answer is the moment the nearest of each service is on screen (the page's
``lifecircle:nearest-shown`` mark); also reported: DOMContentLoaded, the map drawn, the bytes
sent, and a second visit with a warm cache. ``--cpu-slowdown`` and ``--network`` emulate a
slower phone and line (Chrome DevTools Protocol). Prints a table and writes it with every run's
figures to ``benchmarks/results/resident_page-<network>-cpu<slowdown>.json``. Bounded: every
wait has a time-out.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LIFECIRCLE = Path(sys.executable).with_name("lifecircle")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: Network conditions (DevTools): latency ms, down and up bytes/s.
NETWORKS = {
    "loopback": None,
    "4g": (60, 9_000_000 / 8, 3_000_000 / 8),
    "3g": (300, 1_600_000 / 8, 750_000 / 8),
}
TIMEOUT_MS = 60_000
FIGURES = """() => ({
    nearest_ms: performance.getEntriesByName("lifecircle:nearest-shown")[0].startTime,
    dom_ms: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
    kib: performance.getEntriesByType("resource")
        .concat(performance.getEntriesByType("navigation"))
        .reduce((n, r) => n + r.transferSize, 0) / 1024,
})"""


def _start(project: Path, port: int) -> subprocess.Popen[bytes]:
    command = [str(LIFECIRCLE), "-p", str(project), "serve", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/areas", timeout=10).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode() if server.stderr else "") from None
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the server did not start in 120 s")


def _visit(browser: Any, url: str, *, cpu: float, network: str) -> dict[str, float]:
    """One cold visit and one warm one (a reload in the same context), their figures."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="zh-CN")
    try:
        page = context.new_page()
        session = context.new_cdp_session(page)
        if cpu > 1:
            session.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
        if NETWORKS[network] is not None:
            latency, down, up = NETWORKS[network]
            session.send("Network.enable")
            conditions = {"offline": False, "latency": latency}
            session.send(
                "Network.emulateNetworkConditions",
                conditions | {"downloadThroughput": down, "uploadThroughput": up},
            )
        finished: list[Any] = []
        context.on("requestfinished", lambda r: finished.append(r))  # the map worker's too
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("body[data-nearest-shown='1']", timeout=TIMEOUT_MS)
        page.wait_for_selector("body[data-map-drawn='1']", timeout=TIMEOUT_MS)
        map_ms = (time.perf_counter() - started) * 1000
        # the map's worker fetches the base map: not in the page's resource timings
        sizes = [r.sizes() for r in finished if "/api/basemap/" in r.url]
        base_kib = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes) / 1024
        cold = page.evaluate(FIGURES) | {"map_ms": map_ms}
        cold["all_kib"] = cold["kib"] + base_kib
        page.reload()
        page.wait_for_selector("body[data-nearest-shown='1']", timeout=TIMEOUT_MS)
        warm = page.evaluate(FIGURES)
        return cold | {"warm_nearest_ms": warm["nearest_ms"], "warm_kib": warm["kib"]}
    finally:
        context.close()


def _table(runs: list[dict[str, float]], *, args: argparse.Namespace) -> str:
    def cell(key: str) -> str:
        values = [r[key] for r in runs]
        return f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})"

    rows = [
        ("first useful answer: nearest services shown, ms", "nearest_ms"),
        ("DOMContentLoaded, ms", "dom_ms"),
        ("map drawn (walking areas, markers, street names), ms", "map_ms"),
        ("received: page, scripts, styles, API answers, KiB", "kib"),
        ("received in all, with the base map's GeoJSON, KiB", "all_kib"),
        ("second visit (warm cache): nearest services shown, ms", "warm_nearest_ms"),
        ("second visit: received, KiB", "warm_kib"),
    ]
    head = (
        f"Resident page `/b/{args.board}` at 360×640, headless Chromium, {len(runs)} cold visits "
        f"(median, min–max), network {args.network}, CPU slowdown ×{args.cpu_slowdown:g}, "
        f"`lifecircle serve` (1 worker, warmed), Python {platform.python_version()}."
    )
    lines = [head, "", "| figure | value |", "| --- | ---: |"]
    lines += [f"| {label} | {cell(key)} |" for label, key in rows]
    return "\n".join(lines)


def _project(args: argparse.Namespace, tmp: str) -> Path:
    if args.project is not None:
        return Path(args.project)
    project = Path(tmp) / "demo"
    subprocess.run([str(LIFECIRCLE), "demo", str(project)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [str(LIFECIRCLE), "-p", str(project), "build"], check=True, stdout=subprocess.DEVNULL
    )
    return project


def main(argv: list[str] | None = None) -> int:
    """Run the page benchmark, print its table and write its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", type=Path, help="Serve this project (default: the demo).")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--board", default="demo-gate-1")
    parser.add_argument("--cpu-slowdown", type=float, default=1.0)
    parser.add_argument("--network", choices=sorted(NETWORKS), default="loopback")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = _start(_project(args, tmp), args.port)
        try:
            url = f"http://127.0.0.1:{args.port}/b/{args.board}"
            with sync_playwright() as play:
                browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                _visit(browser, url, cpu=1, network="loopback")  # warms the server, unmeasured
                runs = [
                    _visit(browser, url, cpu=args.cpu_slowdown, network=args.network)
                    for _ in range(args.runs)
                ]
                browser.close()
        finally:
            server.terminate()
            server.wait(30)
    table = _table(runs, args=args)
    print(table)
    name = f"resident_page-{args.network}-cpu{args.cpu_slowdown:g}.json"
    out = ROOT / "benchmarks" / "results" / name
    out.write_text(json.dumps({"table": table, "runs": runs}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
