"""Data-subject rights: export, forget (anonymise), retention, the access report; key rotation."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecircle.care.context import Care
from lifecircle.care.keys import load_key_ring
from lifecircle.care.records import read_person
from lifecircle.care.register import get_row, open_person
from lifecircle.care.rights import access_report, apply_retention, export_person, forget_person
from lifecircle.care.rotation import rotate_key
from lifecircle.care.visits import VisitIn, log_visit
from lifecircle.errors import AccessDenied, ConfigError
from tests.care.conftest import person_id
from tests.care.test_register import raw_database_text
from tests.desk.conftest import Clock


def test_export_holds_the_record_visits_and_who_read_it(care: Care, staff) -> None:
    pid = person_id(care, "王桂兰")
    log_visit(care, staff("zhao"), VisitIn(pid, "phone", "well", note="精神不错"))
    read_person(care, staff("wang"), pid, "visit", "zh")
    found = export_person(care, staff("sun"), pid, reason="request")
    assert found["person"]["name"] == "王桂兰" and found["person"]["compound"] == "桃园里"
    assert [v["note"] for v in found["visits"]] == ["精神不错"]
    assert ("wang", "read") in {(a["user"], a["action"]) for a in found["access_log"]}


def test_only_a_head_exports_or_forgets(care: Care, staff) -> None:
    with pytest.raises(AccessDenied):
        export_person(care, staff("wang"), 1, reason="request")
    with pytest.raises(AccessDenied):
        forget_person(care, staff("zhao"), 1, reason="request")
    assert open_person(care, get_row(care, 1)).name == "王桂兰"


def test_forgetting_removes_the_person_but_keeps_what_counts(care: Care, staff) -> None:
    pid = person_id(care, "王桂兰")
    log_visit(care, staff("zhao"), VisitIn(pid, "phone", "well", note="精神不错"))
    sealed = [v for k, v in get_row(care, pid).items() if k.endswith("_enc") and v]
    forget_person(care, staff("boss"), pid, reason="request")
    dump = raw_database_text(care)  # nor in the database files' old pages
    assert sealed and not any(value in dump for value in sealed)
    row = get_row(care, pid)
    assert all(row[k] is None for k in row if k.endswith("_enc"))
    assert (row["grid"], row["level"], row["compound_key"]) == ("G1", "high", None)
    [visit] = care.tables.visits(person_ids=[pid])
    assert (visit["mode"], visit["outcome"], visit["note_enc"]) == ("phone", "well", None)
    assert export_person(care, staff("boss"), pid, reason="request")["person"]["name"] == ""


def test_retention_forgets_people_who_left_long_ago(care: Care, staff, clock: Clock) -> None:
    from lifecircle.care.records import leave_person

    leave_person(care, staff("wang"), 2, reason="correct")
    assert apply_retention(care, by="test") == []
    clock.advance(hours=24 * 366)
    assert apply_retention(care, by="test", dry_run=True) == [2]
    assert apply_retention(care, by="test") == [2]
    assert get_row(care, 2)["forgotten_at"] is not None


def test_the_access_report_lists_who_did_what_without_personal_fields(care: Care, staff) -> None:
    read_person(care, staff("wang"), 1, "visit", "zh")
    rows = access_report(care, since_s=0, until_s=care.now() + 1)
    assert ("wang", "read", "visit", 1) in {
        (r["user"], r["action"], r["reason"], r["person_id"]) for r in rows
    }
    assert "王桂兰" not in repr(rows)


def test_rotation_re_encrypts_every_value_with_the_new_key(care: Care, staff) -> None:
    log_visit(care, staff("zhao"), VisitIn(1, "phone", "well", note="血压偏高"))
    done = rotate_key(care, by="test", drop_old=True)
    assert done.key_id == "k2" and done.keys == ("k2",) and done.rows >= 4
    dump = raw_database_text(care)
    assert ".k1." not in dump and ".k2." in dump
    fresh = load_key_ring(care.keys.path)  # what the next run reads from the file
    assert fresh.current == "k2"
    care.keys = fresh
    assert open_person(care, get_row(care, 1)).name == "王桂兰"
    assert (
        export_person(care, staff("boss"), 1, reason="request")["visits"][0]["note"] == "血压偏高"
    )


def test_a_value_sealed_with_a_dropped_key_no_longer_opens(care: Care, tmp_path: Path) -> None:
    old_row = get_row(care, 1)
    rotate_key(care, by="test", drop_old=True)
    with pytest.raises(ConfigError, match="k1"):
        open_person(care, old_row)
