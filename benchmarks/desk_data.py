"""Synthetic grid-desk cases for the benchmarks (invented, not real data): many cases, fast.

Writes case rows straight into the desk tables (the report reads only the cases' milestone
columns and the summons), with times, states and answers drawn from simple distributions
over the 12 months to the given month. Not for tests: no events are written.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import insert

from lifecircle.store import Store
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.grids import GridRow
from lifecircle.store.schema import desk_cases, desk_summons

ZONE = ZoneInfo("Asia/Shanghai")
CATEGORIES = ("sanitation", "water_leak", "path_damage", "noise", "streetlight", "property_service")
SOURCES = ("phone", "resident_form", "group_chat", "patrol", "walk_in")
DEPARTMENTS = ("property", "water", "urban_management", "police", "housing")
STATES = ("closed", "done", "in_progress", "responded", "dispatched", "on_hold")
#: Cases of the last three weeks are often still open; older ones mostly closed.
STATE_P_RECENT = (0.40, 0.15, 0.15, 0.12, 0.15, 0.03)
STATE_P_OLD = (0.88, 0.07, 0.02, 0.005, 0.005, 0.02)
HOUR = 3600


def add_grids(store: Store, n_grids: int) -> list[str]:
    """Add ``n_grids`` square grids in four communities of one sub-district; return their codes."""
    grids = []
    for i in range(n_grids):
        lon, lat = 117.15 + (i % 10) * 0.01, 39.08 + (i // 10) * 0.01
        east, north = lon + 0.01, lat + 0.01
        square = (
            f"POLYGON (({lon} {lat}, {east} {lat}, {east} {north}, {lon} {north}, {lon} {lat}))"
        )
        grids.append(
            GridRow(
                f"B{i:03d}",
                f"【示例】{i + 1}号网格",
                "grid",
                community=f"【示例】社区{i % 4 + 1}",
                subdistrict="【示例】街道",
                outline_wkt=square,
            )
        )
    store.grids.replace_all(grids, now_s=0, audit=AuditEntry("bench", "desk.grids.import", "bench"))
    return [g.code for g in grids]


def _month_start(month: str, back: int) -> int:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 - back
    return int(dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=ZONE).timestamp())


def _rows(
    rng: np.random.Generator, n: int, start: int, end: int, grids: list[str], first_id: int
) -> list[dict[str, object]]:
    received = rng.integers(start, end, n)
    recent = received > end - 21 * 24 * HOUR
    state = np.where(
        recent, rng.choice(STATES, n, p=STATE_P_RECENT), rng.choice(STATES, n, p=STATE_P_OLD)
    )
    respond = received + rng.exponential(1.5 * HOUR, n).astype(np.int64)
    due_done = received + 7 * 24 * HOUR
    done = received + rng.exponential(4 * 24 * HOUR, n).astype(np.int64)
    is_done = np.isin(state, ("closed", "done"))
    closed = done + rng.integers(HOUR, 48 * HOUR, n)
    solved = rng.random(n) < 0.9
    grid = rng.choice(grids, n)
    rows = []
    for i in range(n):
        g = str(grid[i])
        number = int(g[1:])
        finished, shut = bool(is_done[i]), state[i] == "closed"
        rows.append(
            {
                "id": first_id + i,
                "token": f"bench{first_id + i:010d}",
                "category": str(rng.choice(CATEGORIES)),
                "source": str(SOURCES[i % len(SOURCES)]),
                "state": str(state[i]),
                "is_private": 0,
                "grid": g,
                "microgrid": None,
                "community": f"【示例】社区{number % 4 + 1}",
                "subdistrict": "【示例】街道",
                "lon": 117.155,
                "lat": 39.085,
                "building": "",
                "unit": "",
                "place": "",
                "summary": "",
                "details": "【示例】",
                "photos": "[]",
                "created_by": "bench",
                "received_at": int(received[i]),
                "dispatched_at": int(received[i]),
                "first_response_at": int(respond[i]),
                "due_response_at": int(received[i] + 2 * HOUR),
                "first_done_at": int(done[i]) if finished else None,
                "done_due_at": int(due_done[i]) if finished else None,
                "done_at": int(done[i]) if finished else None,
                "closed_at": int(closed[i]) if shut else None,
                "callback_at": int(closed[i]) if shut else None,
                "solved": int(solved[i]) if shut else None,
                "satisfaction": ("satisfied" if solved[i] else "dissatisfied") if shut else None,
                "due_resolution_at": int(due_done[i]),
                "hold_since": None,
                "held_s": 0,
                "extended_s": 0,
                "reopen_count": 0,
                "return_count": 0,
                "updated_at": int(received[i]),
            }
        )
    return rows


def add_cases(
    store: Store,
    n_cases: int,
    *,
    month: str,
    grids: list[str],
    months: int = 12,
    seed: int = 7,
    chunk: int = 50_000,
) -> None:
    """Insert ``n_cases`` cases received over the ``months`` months to ``month`` (and summons)."""
    rng = np.random.default_rng(seed)
    start, end = _month_start(month, months - 1), _month_start(month, -1)
    engine = store.cases._engine  # the benchmark writes rows directly, in big transactions
    made = 0
    while made < n_cases:
        n = min(chunk, n_cases - made)
        rows = _rows(rng, n, start, end, grids, made + 1)
        summons = [
            {
                "case_id": r["id"],
                "department": str(rng.choice(DEPARTMENTS)),
                "summoned_at": r["received_at"] + HOUR,
                "due_at": r["received_at"] + 25 * HOUR,
                "reported_at": r["received_at"] + int(rng.integers(HOUR, 40 * HOUR)),
                "summoned_by": "bench",
            }
            for r in rows[::10]
        ]
        with engine.begin() as conn:
            conn.execute(insert(desk_cases), rows)
            conn.execute(insert(desk_summons), summons)
        made += n
    if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
        with engine.begin() as conn:
            for table in ("desk_cases", "desk_summons"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                conn.exec_driver_sql(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
