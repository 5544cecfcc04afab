"""Run one per-area job over many area projects on Dask: a whole district or city at once.

Every sub-folder of an areas folder that holds a ``lifecircle.toml`` is an area (a project of
its own, e.g. one 街道 cut by :mod:`lifecircle.jobs.areas`). Areas whose output is current are
skipped here, before any cluster starts; the others go to Dask as one task each — to the
scheduler given (any Dask cluster: its workers need this package installed and the area
folders on a path they all read and write, e.g. NFS; each area keeps its own store, so a shared
PostgreSQL needs one database or schema per area) or to a ``LocalCluster`` of N processes with
one thread each. An area whose task crashes (its worker killed, out of memory, an I/O error)
is tried again on another worker; an area with bad data (a :class:`LifecircleError`) is
reported at once, since trying again would give the same answer. Either way the other areas
finish, and every area ends as *done*, *skipped* or *failed* with its error.

It prints nothing: each finished area goes to a callback. The per-area work itself is the one
the single-area commands run (:data:`BUILD`, :data:`GAPS` here; boards in
:mod:`lifecircle.boards.areas`), so an area built in a batch is built exactly as by hand.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import resource
import socket
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifecircle.config import PROJECT_FILE
from lifecircle.errors import ConfigError, LifecircleError
from lifecircle.project import Project, open_project
from lifecircle.version import __version__

#: Options of one batch run, the same for every area (profiles, language, paper …).
Options = Mapping[str, Any]
#: Where a batch job writes its "finished" stamp inside an area folder.
STAMP_DIR = "batch"
#: Times Dask tries an area's task again after it crashed (an exception or a lost worker).
RETRIES = 2


@dataclass(frozen=True)
class AreaJob:
    """One kind of per-area work: its name, a "finished?" test and the work.

    Both functions are module-level so Dask can send them to a worker by reference. ``run``
    returns a short summary (counts) for the report; ``finished`` must be cheap.
    """

    name: str
    finished: Callable[[Project, Options], bool]
    run: Callable[[Project, Options], dict[str, int]]


@dataclass(frozen=True)
class AreaOutcome:
    """How one area ended: ``done``, ``skipped`` (already current) or ``failed``.

    ``error`` is the failure in the run's language; ``peak_rss_mb`` the worker process's peak
    resident memory so far (its lifetime maximum, so it bounds this area's need).
    """

    area: str
    status: str
    seconds: float = 0.0
    summary: Mapping[str, int] | None = None
    error: str = ""
    worker: str = ""
    peak_rss_mb: float = 0.0


OnOutcome = Callable[[AreaOutcome], None]


def find_areas(areas_dir: Path) -> list[Path]:
    """Return the area project folders in ``areas_dir`` (sorted by name).

    Paths are absolute (a worker may run in another folder). Folders without a
    ``lifecircle.toml`` (and hidden ones, e.g. an unfinished cut) are not areas; an areas
    folder without any is an error.
    """
    if not areas_dir.is_dir():
        raise ConfigError("error.batch.no_folder", path=areas_dir)
    areas_dir = areas_dir.resolve()  # workers elsewhere (another folder, machine) need it whole
    found = sorted(
        p
        for p in areas_dir.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (p / PROJECT_FILE).is_file()
    )
    if not found:
        raise ConfigError("error.batch.no_areas", path=areas_dir, file=PROJECT_FILE)
    return found


def input_key(project: Project, options: Options) -> str:
    """Return a key of what an area's output depends on: code, data, taxonomy, settings, options."""
    with project.open_store() as store:
        latest = store.latest_version()
    basis = {
        "code": __version__,
        "data_version": latest.id if latest is not None else 0,
        "taxonomy": project.taxonomy().version,
        "settings": repr(project.settings),
        "options": {k: repr(v) for k, v in sorted(options.items())},
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def stamp_current(project: Project, job: str, options: Options) -> bool:
    """Whether the stamp ``job`` wrote last in this area matches the area's inputs now."""
    path = project.root / STAMP_DIR / f"{job}.json"
    try:
        stamp = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and stamp.get("key") == input_key(project, options)


def write_stamp(project: Project, job: str, options: Options, summary: Mapping[str, int]) -> None:
    """Record that ``job`` finished for the area's current inputs (written whole or not at all)."""
    folder = project.root / STAMP_DIR
    folder.mkdir(exist_ok=True)
    text = json.dumps({"key": input_key(project, options), "summary": dict(summary)})
    part = folder / f".{job}.json.part"
    part.write_text(text, encoding="utf-8")
    part.replace(folder / f"{job}.json")


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_area(job: AreaJob, root: Path, options: Options, lang: str) -> AreaOutcome:
    """Run ``job`` on one area (on a worker, or here); bad data ends as a ``failed`` outcome.

    Any other exception propagates, so that Dask tries the area again.
    """
    started = time.perf_counter()
    where = f"{socket.gethostname()}:{os.getpid()}"
    try:
        summary = job.run(open_project(root), options)
    except LifecircleError as exc:
        return AreaOutcome(
            root.name, "failed", time.perf_counter() - started, error=exc.message(lang),
            worker=where, peak_rss_mb=_peak_rss_mb(),
        )  # fmt: skip
    return AreaOutcome(
        root.name, "done", time.perf_counter() - started, summary=summary, worker=where,
        peak_rss_mb=_peak_rss_mb(),
    )  # fmt: skip


def pending(
    job: AreaJob, areas: Sequence[Path], options: Options, *, force: bool, lang: str
) -> tuple[list[Path], list[AreaOutcome]]:
    """Split the areas into those to run and outcomes of those already current (or unreadable)."""
    todo: list[Path] = []
    settled: list[AreaOutcome] = []
    for root in areas:
        try:
            current = not force and job.finished(open_project(root), options)
        except LifecircleError as exc:
            settled.append(AreaOutcome(root.name, "failed", error=exc.message(lang)))
            continue
        if current:
            settled.append(AreaOutcome(root.name, "skipped"))
        else:
            todo.append(root)
    return todo, settled


def run_here(
    job: AreaJob, areas: Sequence[Path], options: Options, *, lang: str = "zh",
    on_outcome: OnOutcome | None = None,
) -> list[AreaOutcome]:  # fmt: skip
    """Run ``job`` on each area one after another in this process (no Dask, no retries)."""
    outcomes = []
    for root in areas:
        outcome = run_area(job, root, options, lang)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """Yield a Dask client of the scheduler at ``scheduler``, or of a new local cluster.

    The local cluster has ``workers`` processes of one thread each (the walk is one thread per
    area; numpy and numba keep to it) and no dashboard; it is closed on the way out.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ConfigError("error.batch.scheduler", address=scheduler, detail=str(exc)) from None
        with client:
            yield client
        return
    if workers < 1:
        raise ConfigError("error.batch.workers", n=workers)
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        yield client


def run_on_dask(
    job: AreaJob, areas: Sequence[Path], options: Options, *, client: Any, lang: str = "zh",
    retries: int = RETRIES, on_outcome: OnOutcome | None = None,
) -> list[AreaOutcome]:  # fmt: skip
    """Submit one task per area to ``client`` and collect every area's outcome as it ends.

    A task that raises (or whose worker dies) is tried ``retries`` more times; if it still
    fails the area is reported ``failed`` with the last error, and the others carry on.
    """
    from distributed import as_completed

    futures = {
        client.submit(
            run_area, job, root, options, lang, key=f"{job.name}-{root.name}-{time.time_ns()}",
            retries=retries, pure=False,
        ): root
        for root in areas
    }  # fmt: skip
    outcomes = []
    for future in as_completed(futures):
        root = futures[future]
        if future.status == "finished":
            outcome = future.result()
        else:
            exc = future.exception()
            outcome = AreaOutcome(root.name, "failed", error=f"{type(exc).__name__}: {exc}")
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def run_batch(
    job: AreaJob, areas_dir: Path, options: Options, *, scheduler: str | None = None,
    workers: int = 2, force: bool = False, lang: str = "zh",
    on_outcome: OnOutcome | None = None,
) -> list[AreaOutcome]:  # fmt: skip
    """Run ``job`` on every area of ``areas_dir`` that is not current; return all outcomes.

    Outcomes come in area order; a cluster starts only when some area has work to do.
    """
    areas = find_areas(areas_dir)
    todo, settled = pending(job, areas, options, force=force, lang=lang)
    for outcome in settled:
        if on_outcome is not None:
            on_outcome(outcome)
    ran: list[AreaOutcome] = []
    if todo:
        with dask_client(scheduler, workers) as client:
            ran = run_on_dask(job, todo, options, client=client, lang=lang, on_outcome=on_outcome)
    order = {root.name: i for i, root in enumerate(areas)}
    return sorted([*settled, *ran], key=lambda o: order[o.area])
