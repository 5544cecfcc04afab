"""Run a long use case (a staff sheet import) in its own process, within a time and memory budget.

The web server must keep answering residents while staff import a 20 MB sheet, so the work
runs in a spawned process: it gets its own interpreter (no shared lock with the server's event
loop), an address-space limit, and is stopped when its time is up. Its state lives in the
store (:mod:`lifecircle.store.jobs`), so any web worker can answer the page that polls it. A
thread of the starting process waits for the child and notes a timeout or a crash. The work
itself is the ``target`` callable; nothing here knows about sheets.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from lifecircle.config import Settings
from lifecircle.errors import BadRowsError, JobError, LifecircleError, Msg
from lifecircle.i18n import LANGUAGES
from lifecircle.project import Project
from lifecircle.store.jobs import JobRow

_LOG = logging.getLogger("lifecircle.jobs")
#: A running job's row is given up for lost this long after its time budget ends.
GRACE_S = 60.0
#: How much lower than the server's the job's CPU priority is (Unix ``nice``).
NICENESS = 10
#: Seconds a stopped child gets to exit before it is killed.
_STOP_WAIT_S = 5.0


class Progress(Protocol):
    """What a job's ``target`` calls to say how far it is: a stage and a count."""

    def __call__(self, stage: str, done: int = 0) -> None:
        """Note the stage (``read``, ``check``, ``write`` …) and items done in it."""


@dataclass(frozen=True)
class Budget:
    """A job's limits: seconds, memory (MB), and how many jobs may run at once."""

    time_s: float
    memory_mb: int
    max_running: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Budget:
        """Take the budget from the ``import_*`` settings."""
        return cls(
            settings.import_time_limit_s, settings.import_memory_mb, settings.import_max_running
        )


def error_record(msg: Msg, details: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """Make a stored error: its catalogue key, its message and details in every language.

    >>> error_record(Msg("error.job.lost"))["code"]
    'error.job.lost'
    """
    record: dict[str, Any] = {"code": msg.key}
    for lang in LANGUAGES:
        record[lang] = {"message": msg.render(lang), "details": list((details or {}).get(lang, []))}
    return record


def _record_of(exc: LifecircleError) -> dict[str, Any]:
    details = {}
    if isinstance(exc, BadRowsError):
        details = {lang: [p.render(lang) for p in exc.problems] for lang in LANGUAGES}
    return error_record(exc.msg, details)


def start_job(
    project: Project,
    *,
    owner: str,
    kind: str,
    target: Callable[..., Mapping[str, Any]],
    args: tuple[Any, ...],
    budget: Budget,
    on_end: Callable[[JobRow], None] | None = None,
) -> str:
    """Start ``target(*args, progress=…)`` in a spawned process; return the job's id.

    ``target`` must be a module-level function (it is pickled) returning a JSON-able mapping.
    ``on_end`` runs in this process once the job has ended, however it ended (e.g. to clean up
    its files or to reload the served data); it does not run when the job could not start.

    Raises
    ------
    JobError
        ``budget.max_running`` jobs are running already (nothing was started).
    """
    job_id = secrets.token_hex(12)
    now = time.time()
    with project.open_store() as store:
        started = store.jobs.start(
            job_id,
            owner=owner,
            kind=kind,
            now_s=now,
            deadline_s=now + budget.time_s + GRACE_S,
            limit=budget.max_running,
        )
    if not started:
        raise JobError("error.job.busy", n=budget.max_running)
    # spawn, not fork: the server has threads and open database handles
    context = multiprocessing.get_context("spawn")
    child = context.Process(
        target=_run_child,
        args=(project, job_id, target, args, budget.memory_mb),
        name=f"lifecircle-job-{job_id}",
        daemon=True,
    )
    child.start()
    watcher = threading.Thread(
        target=_watch, args=(project, job_id, child, budget, on_end), daemon=True
    )
    watcher.start()
    return job_id


def _watch(
    project: Project,
    job_id: str,
    child: Any,
    budget: Budget,
    on_end: Callable[[JobRow], None] | None,
) -> None:
    """Wait for the child; stop it when its time is up; note how it ended if it could not."""
    try:
        child.join(budget.time_s)
        error = None
        if child.is_alive():
            child.terminate()
            child.join(_STOP_WAIT_S)
            if child.is_alive():
                child.kill()
                child.join()
            error = error_record(Msg("error.job.timeout", s=round(budget.time_s)))
        elif child.exitcode != 0:
            error = error_record(Msg("error.job.crashed", code=child.exitcode))
        with project.open_store() as store:
            if error is not None:
                store.jobs.finish(job_id, now_s=time.time(), error=error)
            row = store.jobs.get(job_id)
        if on_end is not None and row is not None:
            on_end(row)
    except Exception:  # a watcher thread has no caller to tell; the log says why
        _LOG.exception("watching job %s failed", job_id)


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still holds
        return
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run_child(
    project: Project,
    job_id: str,
    target: Callable[..., Mapping[str, Any]],
    args: tuple[Any, ...],
    memory_mb: int,
) -> None:
    """Run the target in the child process and store its result or error."""
    _limit_memory(memory_mb)
    if hasattr(os, "nice"):
        os.nice(NICENESS)  # residents' requests first: the import takes what CPU is left

    def progress(stage: str, done: int = 0) -> None:
        with project.open_store() as store:
            store.jobs.progress(job_id, stage=stage, done=done, now_s=time.time())

    result: Mapping[str, Any] | None = None
    error: dict[str, Any] | None = None
    out_of_memory = False
    try:
        progress("started")
        result = target(*args, progress=progress)
    except LifecircleError as exc:
        error = _record_of(exc)
    except MemoryError:
        out_of_memory = True  # the record is made below, once the traceback's memory is free
    except Exception:
        _LOG.exception("job %s failed", job_id)
        error = error_record(Msg("error.job.crashed", code=1))
    if out_of_memory:
        error = error_record(Msg("error.job.memory", mb=memory_mb))
    with project.open_store() as store:
        store.jobs.finish(job_id, now_s=time.time(), result=result, error=error)


def job_state(row: JobRow, *, now_s: float | None = None) -> JobRow:
    """Return the row as it stands: a running job past its deadline is reported lost."""
    now = time.time() if now_s is None else now_s
    if row.state == "running" and row.deadline_s <= now:
        lost = error_record(Msg("error.job.lost"))
        return JobRow(**{**row.__dict__, "state": "failed", "stage": "finished", "error": lost})
    return row
