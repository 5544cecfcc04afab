"""Staff sheet upload: the file is saved, then imported by a background job the page polls.

The import (a dry-run report first, then the same file committed as one version) runs in a
process of its own (:mod:`lifecircle.jobs.runner`), so a large sheet never stalls the server's
answers to residents. ``POST /sheets/{kind}`` answers 202 with the job; ``GET /jobs/{id}``
(any worker process) tells its stage and, at the end, the import report or the error.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from lifecircle.api.errors import ApiError, request_lang
from lifecircle.api.staff.auth import StateDep, UserDep
from lifecircle.api.state import AreaState
from lifecircle.errors import JobError
from lifecircle.jobs.imports import SheetKind
from lifecircle.jobs.runner import Budget, job_state, start_job
from lifecircle.staff import uploads as staff_local
from lifecircle.staff.accounts import User
from lifecircle.store.jobs import JobRow

router = APIRouter(tags=["staff"])
SHEET_SUFFIXES = (".csv", ".xlsx", ".geojson", ".json")
_CHUNK = 1 << 20
#: Seconds a refused upload is told to wait before it tries again.
BUSY_RETRY_S = 30


def report_json(record: dict[str, Any], lang: str) -> dict[str, Any]:
    """Describe an import report (as :func:`lifecircle.staff.uploads.report_record` stores it)."""
    return {**record, "skipped": record["skipped"].get(lang, [])}


def job_json(row: JobRow, lang: str) -> dict[str, Any]:
    """Describe a job for the page: its stage, and at the end its report or its error."""
    row = job_state(row)
    error = None
    if row.error is not None:
        text = row.error.get(lang) or row.error.get("en") or {}
        error = {
            "code": row.error.get("code", ""),
            "message": text.get("message", ""),
            "details": text.get("details", []),
        }
    return {
        "id": row.id,
        "kind": row.kind,
        "state": row.state,
        "stage": row.stage,
        "done": row.done,
        "created_at": row.created_at,
        "result": report_json(dict(row.result), lang) if row.result is not None else None,
        "error": error,
    }


async def _save(upload: UploadFile, folder: Path, max_mb: int) -> Path:
    name = PurePath(upload.filename or "upload.csv").name
    if PurePath(name).suffix.lower() not in SHEET_SUFFIXES:
        raise ApiError(422, "error.staff.upload_kind", name=name, exts=SHEET_SUFFIXES)
    path = folder / f"upload{PurePath(name).suffix.lower()}"
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > max_mb * _CHUNK:
                raise ApiError(413, "error.staff.upload_too_big", max_mb=max_mb)
            out.write(chunk)
    return path


def _start(state: AreaState, user: User, request: staff_local.UploadRequest, folder: Path) -> str:
    def ended(row: JobRow) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        if row.result is not None and row.result.get("data_version") is not None:
            state.refresh()

    try:
        return start_job(
            state.project,
            owner=user.name,
            kind=f"sheet.{request.kind}",
            target=staff_local.upload_job,
            args=(request,),
            budget=Budget.from_settings(state.project.settings),
            on_end=ended,
        )
    except JobError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        retry = {"Retry-After": str(BUSY_RETRY_S)}
        raise ApiError(
            429, exc.msg.key, headers=retry, n=state.project.settings.import_max_running
        ) from exc


@router.post("/sheets/{kind}", status_code=202)
async def upload_sheet(
    kind: SheetKind,
    request: Request,
    user: UserDep,
    state: StateDep,
    file: Annotated[UploadFile, File(description="CSV, XLSX or GeoJSON")],
    dry_run: Annotated[bool, Query(description="Only report what would change")] = True,
    crs: Annotated[str, Query(pattern="^(wgs84|gcj02|bd09)$")] = "wgs84",
    dataset: Annotated[str, Query(max_length=100)] = "",
) -> JSONResponse:
    """Start importing a sheet (``dry_run``: only report what would change); answers the job.

    Poll ``GET /api/staff/jobs/{id}`` until its ``state`` is ``done`` (``result`` is the
    import report) or ``failed`` (``error`` in the API's error shape).
    """
    folder = Path(tempfile.mkdtemp(prefix="lifecircle-upload-"))
    try:
        path = await _save(file, folder, state.project.settings.upload_max_mb)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job = staff_local.UploadRequest(
        project=state.project,
        user=user,
        kind=kind,
        path=path,
        crs=crs,
        dataset=dataset,
        dry_run=dry_run,
        original_name=PurePath(file.filename or path.name).name,
    )
    job_id = await run_in_threadpool(_start, state, user, job, folder)
    row = await run_in_threadpool(_job_row, state, job_id)
    body = {"job": job_json(row, request_lang(request))}
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/staff/jobs/{job_id}"})


def _job_row(state: AreaState, job_id: str) -> JobRow:
    with state.project.open_store() as store:
        row = store.jobs.get(job_id)
    if row is None:
        raise ApiError(404, "error.job.not_found", job=job_id)
    return row


@router.get("/jobs/{job_id}")
def get_job(
    job_id: Annotated[str, PathParam(max_length=64, pattern="^[0-9a-f]+$")],
    request: Request,
    user: UserDep,
    state: StateDep,
) -> dict[str, Any]:
    """Tell a job's stage (``read``, ``check``, ``write`` …), and at the end its report or error."""
    row = _job_row(state, job_id)
    if row.owner != user.name and user.level != "district":
        raise ApiError(404, "error.job.not_found", job=job_id)
    return {"job": job_json(row, request_lang(request))}
