"""Background jobs (a staff sheet import) as stored rows: state, stage, result, error.

SQL only. A job row is written by the process that runs the job and read by any web worker,
so a page polling ``/api/staff/jobs/<id>`` may reach either. Running jobs and their budgets
belong to :mod:`lifecircle.jobs.runner`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Engine, RowMapping, func, insert, select, update

from lifecircle.errors import StoreError
from lifecircle.store.engine import DRIVER_ERRORS, driver_message, transaction, utc_timestamp
from lifecircle.store.schema import staff_jobs

JobState = Literal["running", "done", "failed"]


@dataclass(frozen=True)
class JobRow:
    """A stored job: who started it, what it is doing (``stage``, ``done`` items) and its end.

    ``result`` (state ``done``) and ``error`` (state ``failed``) are JSON-able mappings;
    ``deadline_s`` is when a ``running`` job is given up for lost (its process is gone).
    """

    id: str
    owner: str
    kind: str
    state: JobState
    stage: str
    done: int
    created_at: str
    updated_s: float
    deadline_s: float
    result: Mapping[str, Any] | None = None
    error: Mapping[str, Any] | None = None


class Jobs:
    """The staff_jobs table of one store (``store.jobs``)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Connection]:
        try:
            with transaction(self._engine, write=write) as conn:
                yield conn
        except DRIVER_ERRORS as exc:
            raise StoreError(
                "error.store.write_failed", url=self._url, detail=driver_message(exc)
            ) from exc

    def start(
        self, job_id: str, *, owner: str, kind: str, now_s: float, deadline_s: float, limit: int
    ) -> bool:
        """Store a new running job unless ``limit`` jobs are running already (``False``).

        Jobs past their deadline do not count: their process is gone.
        """
        with self._tx(write=True) as conn:
            running = conn.execute(
                select(func.count())
                .select_from(staff_jobs)
                .where(staff_jobs.c.state == "running", staff_jobs.c.deadline_s > now_s)
            ).scalar_one()
            if int(running) >= limit:
                return False
            conn.execute(
                insert(staff_jobs).values(
                    id=job_id,
                    owner=owner,
                    kind=kind,
                    state="running",
                    stage="queued",
                    done=0,
                    created_at=utc_timestamp(),
                    updated_s=now_s,
                    deadline_s=deadline_s,
                )
            )
        return True

    def progress(self, job_id: str, *, stage: str, done: int, now_s: float) -> None:
        """Note how far a running job is."""
        self._set(job_id, {"stage": stage, "done": done, "updated_s": now_s})

    def finish(
        self,
        job_id: str,
        *,
        now_s: float,
        result: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> bool:
        """End a running job with its result or error; ``False`` if it had already ended."""
        values: dict[str, Any] = {
            "state": "failed" if error is not None else "done",
            "stage": "finished",
            "updated_s": now_s,
            "result": None if result is None else json.dumps(result, ensure_ascii=False),
            "error": None if error is None else json.dumps(error, ensure_ascii=False),
        }
        return self._set(job_id, values)

    def _set(self, job_id: str, values: Mapping[str, Any]) -> bool:
        with self._tx(write=True) as conn:
            done = conn.execute(
                update(staff_jobs)
                .where(staff_jobs.c.id == job_id, staff_jobs.c.state == "running")
                .values(**values)
            )
        return bool(done.rowcount)

    def get(self, job_id: str) -> JobRow | None:
        """Return one job, or ``None``."""
        with self._tx(write=False) as conn:
            row = conn.execute(select(staff_jobs).where(staff_jobs.c.id == job_id)).mappings()
            found = row.first()
        return None if found is None else _job(found)


def _job(row: RowMapping) -> JobRow:
    return JobRow(
        id=row["id"],
        owner=row["owner"],
        kind=row["kind"],
        state=row["state"],
        stage=row["stage"],
        done=int(row["done"]),
        created_at=row["created_at"],
        updated_s=float(row["updated_s"]),
        deadline_s=float(row["deadline_s"]),
        result=json.loads(row["result"]) if row["result"] else None,
        error=json.loads(row["error"]) if row["error"] else None,
    )
