"""``care purge``: what is older than its retention goes, the rest stays, and the purge is logged.

Hand-set dates (Tianjin time), the purge run on Monday 2026-11-02 09:00 with the defaults:
people who left before 2025-11-02 are forgotten (365 days), urgent checks closed before
2026-05-06 lose the raiser's details (180 days), access-log rows before 2023-11-03 are deleted
(1095 days).
"""

from __future__ import annotations

import json

from lifecircle.care.access import OPERATOR
from lifecircle.care.context import Care
from lifecircle.care.records import leave_person
from lifecircle.care.retention import purge
from lifecircle.care.urgent import CheckIn, close_check, raise_check
from lifecircle.store.care import AccessEntry
from tests.care.conftest import person_id
from tests.desk.conftest import Clock, at

ASKED = CheckIn(compound="桃园里", name="王桂兰", raiser_name="张红", raiser_phone="13900001111")


def _check(care: Care, staff, clock: Clock, raised: str, closed: str | None) -> int:
    clock.set(raised)
    raise_check(care, ASKED, user=None)
    check_id = int(care.tables.checks()[0]["id"])
    if closed is not None:
        clock.set(closed)
        close_check(care, staff("wang"), check_id, "safe")
    return check_id


def _history(care: Care, staff, clock: Clock) -> dict[str, int]:
    """Checks, log rows and leavers on both sides of each retention line."""
    ids = {
        "old_closed": _check(care, staff, clock, "2026-03-01 10:00", "2026-03-01 10:40"),
        "recent_closed": _check(care, staff, clock, "2026-06-01 10:00", "2026-06-01 10:30"),
        "old_open": _check(care, staff, clock, "2026-01-10 10:00", None),
    }
    old, kept = at("2023-11-03 08:00"), at("2023-11-03 10:00")
    for when in (old, kept):
        care.tables.log([AccessEntry("wang", "read", "visit", 1, {"hand": when})], now_s=when)
    clock.set("2025-09-01 09:00")
    leave_person(care, OPERATOR, person_id(care, "张淑珍"), reason="correct")
    clock.set("2026-10-20 09:00")
    leave_person(care, OPERATOR, person_id(care, "李秀英"), reason="correct")
    clock.set("2026-11-02 09:00")
    return ids


def test_a_dry_run_counts_and_changes_nothing(care: Care, staff, clock: Clock) -> None:
    ids = _history(care, staff, clock)
    before = (care.tables.access_log(), care.tables.checks(), care.tables.people())
    done = purge(care, by="cli", dry_run=True)
    assert done.people == (person_id(care, "张淑珍"),)
    assert done.checks == (ids["old_closed"],) and done.access_rows == 1
    assert (care.tables.access_log(), care.tables.checks(), care.tables.people()) == before


def test_what_is_past_retention_goes_and_the_rest_stays(care: Care, staff, clock: Clock) -> None:
    ids = _history(care, staff, clock)
    done = purge(care, by="cli")
    assert (done.people_before_s, done.checks_before_s, done.access_before_s) == (
        at("2025-11-02 09:00"),
        at("2026-05-06 09:00"),
        at("2023-11-03 09:00"),
    )
    checks = {int(c["id"]): c for c in care.tables.checks()}
    old = checks[ids["old_closed"]]
    assert (old["raiser_enc"], old["said_enc"]) == (None, None)
    assert (old["outcome"], old["closed_at"], old["grid"]) == ("safe", at("2026-03-01 10:40"), "G1")
    for kept in ("recent_closed", "old_open"):
        assert checks[ids[kept]]["raiser_enc"] and checks[ids[kept]]["said_enc"]
    hand = [json.loads(a["detail"]).get("hand") for a in care.tables.access_log()]
    assert at("2023-11-03 08:00") not in hand and at("2023-11-03 10:00") in hand
    people = {int(p["id"]): p for p in care.tables.people()}
    assert people[person_id(care, "张淑珍")]["forgotten_at"] == clock.now
    assert people[person_id(care, "李秀英")]["forgotten_at"] is None
    assert people[person_id(care, "李秀英")]["name_enc"]


def test_the_purge_is_logged_with_its_lines_and_numbers(care: Care, staff, clock: Clock) -> None:
    ids = _history(care, staff, clock)
    purge(care, by="cli")
    [row] = [a for a in care.tables.access_log() if a["action"] == "purge"]
    assert (row["user_name"], row["reason"], row["at"]) == ("cli", "retention", clock.now)
    assert json.loads(row["detail"]) == {
        "people_before": at("2025-11-02 09:00"),
        "checks_before": at("2026-05-06 09:00"),
        "access_before": at("2023-11-03 09:00"),
        "people": 1,
        "checks": [ids["old_closed"]],
        "access_rows": 1,
    }
    forgot = [a for a in care.tables.access_log() if a["action"] == "forget"]
    assert [(a["person_id"], a["reason"]) for a in forgot] == [
        (person_id(care, "张淑珍"), "retention")
    ]
    again = purge(care, by="cli")  # nothing left to do, still on record
    assert not again.changed
    assert [a["action"] for a in care.tables.access_log()].count("purge") == 2
