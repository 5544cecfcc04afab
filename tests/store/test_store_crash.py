"""A process killed in the middle of an import leaves the previous data version intact."""

from __future__ import annotations

import signal
import subprocess
import sys

from sqlalchemy import text

from lifecircle.model import WalkWay
from lifecircle.store import Snapshot

WAYS = 2000

# Runs in a child process: the import is SIGKILLed (no cleanup, no rollback by Python) right
# after half of the new walk ways have been written inside the import's transaction.
KILLED_IMPORT = """
import os, signal, sys
from lifecircle.model import WalkWay
from lifecircle.store import Snapshot, Store, bulk

url, count = sys.argv[1], int(sys.argv[2])
bulk.CHUNK_ROWS = 100
real_insert = bulk.insert_chunk
written = 0

def insert_then_die(conn, table, columns, rows):
    global written
    real_insert(conn, table, columns, rows)
    if table.name == "walk_ways":
        written += len(rows)
        if written >= count // 2:
            print(f"killed after writing {written} of {count} ways", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

bulk.insert_chunk = insert_then_die
ways = [
    WalkWay(i, (i, i + 1), ((117.19, 39.11), (117.2, 39.12 + i * 1e-6)), {"highway": "steps"})
    for i in range(count + 500)
]
store = Store.open(url)
store.commit(
    [Snapshot("walk_way", "osm", ways), Snapshot("facility", "osm", [])],
    action="import", source="killed", author="test",
)
print("the import finished: the test's kill point was never reached", flush=True)
"""


def footways(count: int) -> list[WalkWay]:
    """Ways in key order (text order: osm:way/10 before osm:way/2), as the store lists them."""
    ways = [
        WalkWay(i, (i, i + 1), ((117.19, 39.11), (117.2, 39.12 + i * 1e-6)), {"highway": "footway"})
        for i in range(count)
    ]
    return sorted(ways, key=lambda way: way.key)


def test_a_killed_import_leaves_the_previous_version_intact(db, hand) -> None:
    store = db.open()
    before = store.commit(
        [
            Snapshot("walk_way", "osm", footways(WAYS)),
            Snapshot("facility", "osm", hand.facilities()),
        ],
        action="import",
        source="first",
        author="test",
    ).version
    assert before is not None
    store.close()

    child = subprocess.run(
        [sys.executable, "-c", KILLED_IMPORT, db.url, str(WAYS)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert child.returncode == -signal.SIGKILL, child.stderr
    assert f"killed after writing {WAYS // 2} of {WAYS} ways" in child.stdout
    store = db.open()
    assert store.versions() == [before]
    assert store.changes(before.id + 1) == []
    assert store.records("walk_way") == footways(WAYS)  # all old ways, none of the new ones
    assert store.count("facility") == 3
    with db.raw().connect() as conn:
        if db.dialect == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        history = conn.execute(text("SELECT count(*) FROM changes")).scalar_one()
        assert history == WAYS + 3  # only the first version's changes

    redo = footways(WAYS)[:100]
    after = store.commit(
        [Snapshot("walk_way", "osm", redo)], action="import", source="redo", author="test"
    )
    assert after.version is not None
    assert after.version.id > before.id
    assert after.summary.counts() == {"walk_way": {"added": 0, "changed": 0, "removed": WAYS - 100}}
    assert store.records("walk_way") == redo
