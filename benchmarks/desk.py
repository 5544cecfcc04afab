"""Grid desk benchmarks: intake through the served API, and the monthly report on a big store.

``python -m benchmarks.desk intake [--rate 100] [--seconds 20] [--workers 2]``: the demo with
an invented grid, served by ``lifecircle serve``; new cases are POSTed at a fixed rate (open
loop: a request's latency counts from when it was due to be sent, so a slow server cannot hide
behind fewer requests) through Open311 ``POST requests`` and through the staff API, each on a
freshly started server: its first second (``--cold-seconds``) is a row of its own, "cold
start", then a warm-up at the same rate that is not counted (``--warmup-seconds``, 2 s; 0 for
none) and the timed run; prints the achieved rate and p50/p99.

``python -m benchmarks.desk report [--cases 500000] [--months 12] [--postgres URL]``: fills a
fresh store (SQLite, and PostgreSQL when a server URL is given: a throw-away database is made
and dropped) with invented cases, then times the monthly report: cold (no facts cache), warm
after 200 new cases (a new process reading the cache file), and the XLSX writing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from benchmarks import desk_data
from benchmarks.desk_serve import _cpu_s, _open_loop, _staff_login, _start, _stop
from lifecircle.desk import facts
from lifecircle.desk.context import open_desk
from lifecircle.desk.intake import IntakeIn, file_case
from lifecircle.desk.lifecycle import Actor
from lifecircle.desk.open311 import add_api_key
from lifecircle.desk.report import build_report, write_report
from lifecircle.model import Compound
from lifecircle.project import Project, init_project, open_project
from lifecircle.staff.accounts import add_user
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.grids import GridRow

LIFECIRCLE = Path(sys.executable).with_name("lifecircle")
MONTH = "2026-11"


# -- the monthly report ------------------------------------------------------------------------


def _timed(label: str, work, rows: list[tuple[str, float]]):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    value = work()
    rows.append((label, time.perf_counter() - began))
    print(f"  {label}: {rows[-1][1]:.2f} s", flush=True)
    return value


def _report_run(project: Project, n_cases: int, months: int, out: Path) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    desk = open_desk(project)
    grids = desk_data.add_grids(desk.store, 40)
    _timed(
        f"insert {n_cases:,} invented cases (not measured)",
        lambda: desk_data.add_cases(desk.store, n_cases, month=MONTH, grids=grids, months=months),
        rows,
    )
    as_of = desk_data._month_start(MONTH, -1) + 3600
    facts._MEMORY.clear()
    shutil.rmtree(project.cache_dir / "desk", ignore_errors=True)
    report = _timed(
        "report, cold (no facts cache)", lambda: build_report(desk, MONTH, as_of=as_of), rows
    )
    _timed("XLSX written", lambda: write_report(report, out / "report.xlsx", desk), rows)
    lon, lat = 117.155, 39.085  # inside the first invented grid
    for _ in range(200):
        intake = IntakeIn(
            category="sanitation",
            source="phone",
            details="【示例】",
            lon=lon,
            lat=lat,
            not_duplicate=True,
        )
        file_case(desk, intake, actor=Actor("bench", "head"))
    facts._MEMORY.clear()  # as a new `lifecircle desk report` process would start
    _timed(
        "report, warm (cache file + 200 new cases)",
        lambda: build_report(desk, MONTH, as_of=as_of),
        rows,
    )
    _timed(
        "report, warm (in memory, as the web app)",
        lambda: build_report(desk, MONTH, as_of=as_of),
        rows,
    )
    print(f"  received in {MONTH}: {report.overall['received']:,}", flush=True)
    desk.store.close()
    return rows


def _postgres_project(root: Path, admin_url: str) -> tuple[Project, str]:
    name = f"lc_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    project = init_project(root, name="【示例】街道")
    return replace(project, settings=replace(project.settings, database_url=url)), name


def _drop(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def report_main(args: argparse.Namespace) -> int:
    """Time the monthly report on each store."""
    with tempfile.TemporaryDirectory() as tmp:
        print(f"SQLite, {args.cases:,} cases over {args.months} months:", flush=True)
        sqlite = _report_run(
            init_project(Path(tmp) / "sqlite", name="【示例】街道"),
            args.cases,
            args.months,
            Path(tmp),
        )
        results = {"sqlite": sqlite}
        if args.postgres:
            project, name = _postgres_project(Path(tmp) / "pg", args.postgres)
            try:
                print(f"PostgreSQL, {args.cases:,} cases over {args.months} months:", flush=True)
                results["postgresql"] = _report_run(project, args.cases, args.months, Path(tmp))
            finally:
                _drop(args.postgres, name)
    print(f"\n{os.cpu_count()} cores, Python {platform.python_version()}; seconds:")
    for store, rows in results.items():
        print(f"| {store} | " + " | ".join(f"{label}: {s:.2f}" for label, s in rows[1:]) + " |")
    return 0


# -- intake through the API --------------------------------------------------------------------


def _prepare(root: Path, database_url: str = "") -> tuple[str, list[tuple[float, float]]]:
    """The demo with one invented grid over all its compounds, a key and a grid worker.

    With ``database_url``, the demo is copied into that (empty) PostgreSQL database first.
    """
    subprocess.run([str(LIFECIRCLE), "demo", str(root)], check=True, stdout=subprocess.DEVNULL)
    if database_url:
        _move_to(root, database_url)
    project = open_project(root)
    with project.open_store() as store:
        compounds = [c for c in store.records("compound") if isinstance(c, Compound)]
        grid = GridRow("B1", "【示例】网格", "grid", compounds=tuple(c.key for c in compounds))
        store.grids.replace_all(
            [grid], now_s=0, audit=AuditEntry("bench", "desk.grids.import", "bench")
        )
        add_user(store, "bench", "correct horse battery", level="district", by="bench")
    desk = open_desk(project)
    key = add_api_key(desk, "bench", by="bench")
    desk.store.close()
    return key, [(c.lon, c.lat) for c in compounds]


def _move_to(root: Path, database_url: str) -> None:
    """Copy the demo's records into a PostgreSQL store and point the project at it."""
    from lifecircle.store import Snapshot, Store

    with Store.open(open_project(root).database_url) as old, Store.open(database_url) as new:
        for key in ("area_name", "area_code", "osm_file", "osm_timestamp", "boundary_wkt"):
            value = old.get_meta(key)
            if value is not None:
                new.set_meta(key, value)
        for kind in ("walk_way", "walk_node", "facility", "compound", "board"):
            by_scope: dict[str, list[object]] = {}
            for scope in old.scopes(kind):
                by_scope[scope] = old.records(kind, scope=scope)
            snapshots = [Snapshot(kind, s, r) for s, r in by_scope.items()]  # type: ignore[arg-type]
            if snapshots:
                new.commit(snapshots, action="import", source="demo copy", author="bench")
    config = root / "lifecircle.toml"
    text_ = config.read_text(encoding="utf-8").replace(
        "[settings]\n", f'[settings]\ndatabase_url = "{database_url}"\n'
    )
    config.write_text(text_, encoding="utf-8")


def _channels(key: str, points: list[tuple[float, float]]):  # type: ignore[no-untyped-def]
    """The two channels: name, and a maker of request ``i`` given the staff login (or None)."""
    rng = np.random.default_rng(3)

    def open311(i: int, _login: tuple[str, str] | None) -> tuple[str, bytes, str]:
        lon, lat = points[int(rng.integers(len(points)))]
        form = {
            "api_key": key,
            "service_code": "sanitation",
            "lat": f"{lat:.6f}",
            "long": f"{lon:.6f}",
            "description": f"【示例】{i}",
        }
        return (
            "/open311/v2/requests.json",
            urllib.parse.urlencode(form).encode(),
            "Content-Type: application/x-www-form-urlencoded\r\n",
        )

    def staff(i: int, login: tuple[str, str] | None) -> tuple[str, bytes, str]:
        assert login is not None
        lon, lat = points[int(rng.integers(len(points)))]
        body = {
            "category": "sanitation",
            "source": "phone",
            "details": f"【示例】{i}",
            "lon": lon,
            "lat": lat,
            "not_duplicate": True,
        }
        headers = (
            f"Content-Type: application/json\r\nCookie: {login[0]}\r\nX-CSRF-Token: {login[1]}\r\n"
        )
        return "/api/desk/cases", json.dumps(body).encode(), headers

    return (("Open311 POST requests", open311, False), ("staff POST /api/desk/cases", staff, True))


def _row(label: str, offered: str, seconds: float, latencies: list[float], extra: str) -> str:
    ms = np.array(latencies) * 1000
    achieved = len(ms) / (seconds + ms.max() / 1000) if len(ms) else 0.0
    p50, p99 = np.percentile(ms, 50), np.percentile(ms, 99)
    return (
        f"| {label} | {offered} | {achieved:.0f}/s | {p50:.1f} | {p99:.1f} | {ms.max():.1f} "
        f"| {extra} |"
    )


def _channel_rows(root: Path, args: argparse.Namespace, name: str, make, staff: bool) -> list[str]:  # type: ignore[no-untyped-def]
    """Start a fresh server; time the first ``--cold-seconds``, then (warmed up) the run."""
    server = _start(root, args.port, args.workers)
    try:
        login = _staff_login(args.port) if staff else None
        load = partial(_open_loop, args.port, lambda i: make(i, login), rate=args.rate)
        load = partial(load, connections=args.connections)
        rows = []
        cpu_before = _cpu_s(server.pid)
        latencies, statuses = asyncio.run(load(seconds=args.cold_seconds))
        cpu_ms = (_cpu_s(server.pid) - cpu_before) * 1000 / max(1, len(latencies))
        offered = f"{args.rate:.0f}/s × {args.cold_seconds:g} s"
        extra = f"{cpu_ms:.1f} | {statuses}"
        rows.append(_row(f"{name}, cold start", offered, args.cold_seconds, latencies, extra))
        if args.warmup_seconds > 0:  # not counted
            asyncio.run(load(seconds=args.warmup_seconds))
        cpu_before = _cpu_s(server.pid)
        latencies, statuses = asyncio.run(load(seconds=args.seconds))
        cpu_ms = (_cpu_s(server.pid) - cpu_before) * 1000 / max(1, len(latencies))
        offered = f"{args.rate:.0f}/s × {args.seconds:g} s"
        extra = f"{cpu_ms:.1f} | {statuses}"
        rows.append(_row(name, offered, args.seconds, latencies, extra))
        return rows
    finally:
        _stop(server)


def intake_main(args: argparse.Namespace) -> int:
    """Post new cases at a fixed rate through Open311 and the staff API; print the latencies.

    Each channel gets a freshly started server: its first ``--cold-seconds`` after the server
    answers are a row of their own ("cold start"), then after ``--warmup-seconds`` of the same
    load (not counted) the ``--seconds`` run.
    """
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        database = ""
        if args.postgres:
            project, database = _postgres_project(Path(tmp) / "pg-holder", args.postgres)
            key, points = _prepare(root, project.settings.database_url)
        else:
            key, points = _prepare(root)
        try:
            lines = [
                line
                for name, make, staff in _channels(key, points)
                for line in _channel_rows(root, args, name, make, staff)
            ]
        finally:
            if database:
                _drop(args.postgres, database)
    print(
        f"\n`lifecircle serve --workers {args.workers}`, {os.cpu_count()} cores shared with the "
        f"client, Python {platform.python_version()}; each channel on a freshly started server: "
        f"its first {args.cold_seconds:g} s (cold start), then {args.warmup_seconds:g} s of "
        "warm-up not counted, then the run:"
    )
    print("| channel | offered | achieved | p50 ms | p99 ms | max ms | CPU ms/case | statuses |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one of the desk benchmarks."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    report = sub.add_parser("report", help="the monthly report on a big store")
    report.add_argument("--cases", type=int, default=500_000)
    report.add_argument("--months", type=int, default=12, help="months the cases are spread over")
    report.add_argument(
        "--postgres",
        default=os.environ.get("LIFECIRCLE_TEST_POSTGRES_URL", ""),
        help="PostgreSQL server URL (a database is made and dropped)",
    )
    intake = sub.add_parser("intake", help="new cases through the API at a fixed rate")
    intake.add_argument("--rate", type=float, default=100.0)
    intake.add_argument("--seconds", type=float, default=20.0)
    intake.add_argument("--workers", type=int, default=2)
    intake.add_argument("--connections", type=int, default=32)
    intake.add_argument(
        "--warmup-seconds",
        type=float,
        default=2.0,
        help="posted at the same rate before each channel's timed run and not counted (0: none)",
    )
    intake.add_argument(
        "--cold-seconds",
        type=float,
        default=1.0,
        help="the first seconds after the server starts, timed as their own row (cold start)",
    )
    intake.add_argument("--port", type=int, default=8766)
    intake.add_argument(
        "--postgres", default="", help="serve from a PostgreSQL store on this server"
    )
    args = parser.parse_args(argv)
    return report_main(args) if args.what == "report" else intake_main(args)


if __name__ == "__main__":
    sys.exit(main())
