"""Welfare register benchmark: a district's register (invented people), sealed and listed.

``python -m benchmarks.care [--people 2000] [--visits 12]``: a fresh SQLite project with one
invented compound per 20 people and one grid over them; adds the people (each field sealed with
AES-GCM), logs ``--visits`` visits each, then times what staff wait for: the whole list with due
days (every record opened), one record read with its log row, the month's rates, a key rotation
(every value re-encrypted, then the files compacted), and the planning counts. Prints seconds.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from lifecircle.care.access import OPERATOR
from lifecircle.care.context import care_from_desk
from lifecircle.care.keys import make_key_file
from lifecircle.care.planning import vulnerable_counts
from lifecircle.care.rates import month_figures
from lifecircle.care.records import read_person
from lifecircle.care.register import PersonIn, new_row, route_person
from lifecircle.care.rotation import rotate_key
from lifecircle.care.visits import due_list
from lifecircle.desk.context import open_desk
from lifecircle.model import Compound
from lifecircle.project import init_project
from lifecircle.store import Snapshot
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.grids import GridRow


def _timed(label: str, work):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    found = work()
    print(f"{label:<42} {time.perf_counter() - start:8.3f} s")
    return found


def main() -> None:
    """Run the benchmark and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--visits", type=int, default=12)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp()) / "bench"
    project = init_project(root, name="【示例】基准街道")
    key = root.parent / "care.key"
    make_key_file(key)
    project = replace(project, settings=replace(project.settings, care_key_path=str(key)))
    n_compounds = max(1, args.people // 20)
    compounds = [
        Compound(f"bench:C{i}", f"示例小区{i}", 117.18 + i * 1e-4, 39.10, community="示例社区")
        for i in range(n_compounds)
    ]
    clock = [1_790_000_000]
    desk = open_desk(project, clock=lambda: clock[0])
    desk.store.commit(
        [Snapshot("compound", "bench", compounds)], action="import", source="b", author="b"
    )
    grid = GridRow(
        "B1", "示例网格", "grid", community="示例社区", compounds=tuple(c.key for c in compounds)
    )
    desk.store.grids.replace_all([grid], now_s=0, audit=AuditEntry("b", "desk.grids.import", "b"))
    care = care_from_desk(desk)

    def add() -> None:
        routes = {c.key: route_person(care, c.key) for c in compounds}
        rows = []
        for i in range(args.people):
            c = compounds[i % n_compounds]
            person = PersonIn(
                name=f"示例{i}", compound=c.key, building=f"{i % 9}号楼", unit="101",
                categories=("独居",), level=("high", "key", "general")[i % 3],
                phones=(f"138{secrets.randbelow(10**8):08d}",), health="示例",
                consent_basis="legal_duty",
            )  # fmt: skip
            compound, route = routes[c.key]
            rows.append(new_row(care, person, route, compound, source="bench"))
        care.tables.add_people(rows, [], now_s=clock[0])

    _timed(f"add {args.people} people (sealed)", add)
    visits = [
        {"uid": secrets.token_hex(8), "person_id": p, "at": clock[0] + v * 86400 * 7,
         "mode": "phone", "outcome": "well", "by_user": "b", "logged_at": clock[0]}
        for p in range(1, args.people + 1) for v in range(args.visits)
    ]  # fmt: skip
    with care.tables.tx(write=True) as conn:
        from sqlalchemy import insert

        from lifecircle.store.care_schema import care_visits

        conn.execute(insert(care_visits), visits)
    clock[0] += 86400 * 7 * args.visits
    _timed("list everyone with due days", lambda: due_list(care, OPERATOR, lang="zh"))
    _timed("read one record (and log it)", lambda: read_person(care, OPERATOR, 1, "visit", "zh"))
    month = time.strftime("%Y-%m", time.localtime(clock[0]))
    _timed(f"rates of {month}", lambda: month_figures(care, month))
    _timed("planning counts", lambda: vulnerable_counts(care.desk.store, min_count=5))
    _timed("rotate the key (re-encrypt, compact)", lambda: rotate_key(care, by="b"))
    desk.store.close()


if __name__ == "__main__":
    main()
