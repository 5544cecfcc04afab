"""Background jobs: run in their own process, state in the store, stopped when out of budget."""

from __future__ import annotations

import os
import time

import pytest

from lifecircle.errors import JobError, UserError
from lifecircle.jobs.runner import Budget, job_state, start_job

BUDGET = Budget(time_s=60, memory_mb=1024, max_running=2)


# Targets run in a spawned process, so they live at module level (they are pickled by name).
def count_rows(rows: int, *, progress) -> dict:
    progress("check", rows)
    return {"rows": rows, "pid": os.getpid()}


def sleep_forever(*, progress) -> dict:
    progress("read", 0)
    time.sleep(3600)
    return {}


def eat_memory(*, progress) -> dict:
    hog = bytearray(4 * 1024**3)  # 4 GB: past the 1 GB budget
    return {"size": len(hog)}


def exit_hard(*, progress) -> dict:
    os._exit(3)


def refuse(*, progress) -> dict:
    raise UserError("error.user.unknown", name="ghost", known=("own",))


def _wait(project, job_id: str, timeout_s: float = 60.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with project.open_store() as store:
            row = store.jobs.get(job_id)
        if row.state != "running":
            return row
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still running")


def test_a_job_runs_in_another_process_and_stores_its_result(make_project):
    project = make_project()
    ended = []
    job_id = start_job(
        project,
        owner="li",
        kind="test",
        target=count_rows,
        args=(12,),
        budget=BUDGET,
        on_end=ended.append,
    )
    row = _wait(project, job_id)
    assert (row.state, row.stage, row.owner) == ("done", "finished", "li")
    assert row.result["rows"] == 12 and row.result["pid"] != os.getpid()
    deadline = time.monotonic() + 10
    while not ended and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r.id for r in ended] == [job_id]


def test_a_library_error_is_stored_in_both_languages(make_project):
    project = make_project()
    row = _wait(
        project, start_job(project, owner="li", kind="t", target=refuse, args=(), budget=BUDGET)
    )
    assert row.state == "failed" and row.error["code"] == "error.user.unknown"
    assert "ghost" in row.error["en"]["message"] and "没有用户" in row.error["zh"]["message"]


def test_a_job_past_its_time_is_stopped_and_says_so(make_project):
    project = make_project()
    short = Budget(time_s=3, memory_mb=1024, max_running=1)
    job_id = start_job(project, owner="li", kind="t", target=sleep_forever, args=(), budget=short)
    row = _wait(project, job_id, timeout_s=30)
    assert row.state == "failed" and row.error["code"] == "error.job.timeout"
    assert "3 s" in row.error["en"]["message"]


def test_a_job_past_its_memory_fails_cleanly(make_project):
    project = make_project()
    row = _wait(
        project, start_job(project, owner="li", kind="t", target=eat_memory, args=(), budget=BUDGET)
    )
    assert row.state == "failed" and row.error["code"] == "error.job.memory"
    assert "1024 MB" in row.error["en"]["message"]


def test_a_crashed_job_is_reported(make_project):
    project = make_project()
    row = _wait(
        project, start_job(project, owner="li", kind="t", target=exit_hard, args=(), budget=BUDGET)
    )
    assert row.state == "failed" and row.error["code"] == "error.job.crashed"
    assert "code 3" in row.error["en"]["message"]


def test_too_many_running_jobs_are_refused_and_a_lost_job_frees_its_place(make_project):
    project = make_project()
    one = Budget(time_s=20, memory_mb=1024, max_running=1)
    first = start_job(project, owner="li", kind="t", target=sleep_forever, args=(), budget=one)
    with pytest.raises(JobError, match="1 import"):
        start_job(project, owner="wang", kind="t", target=count_rows, args=(1,), budget=one)
    with project.open_store() as store:
        row = store.jobs.get(first)
    assert job_state(row, now_s=row.deadline_s + 1).error["code"] == "error.job.lost"
    assert job_state(row, now_s=row.deadline_s - 1).state == "running"
