"""Staff sheet upload: a dry-run report first, then the same file committed as one version.

The file goes to a temporary folder and through :mod:`lifecircle.jobs.imports` like the CLI's; the
answer is the import report (counts, skipped rows, points far from the network).
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile

from lifecircle.api.errors import ApiError, request_lang
from lifecircle.api.staff.auth import StateDep, UserDep, api_errors
from lifecircle.jobs.imports import ImportReport, SheetKind
from lifecircle.staff import uploads as staff_local

router = APIRouter(tags=["staff"])
SHEET_SUFFIXES = (".csv", ".xlsx", ".geojson", ".json")
MAX_UPLOAD_MB = 20
_CHUNK = 1 << 20


def report_json(report: ImportReport, lang: str) -> dict[str, Any]:
    """Describe the import report for the page."""
    return {
        "dry_run": report.dry_run,
        "counts": report.summary.counts(),
        "data_version": report.version.id if report.version else None,
        "skipped": [p.render(lang) for p in report.skipped],
        "far": [{"row": f.row, "label": f.label, "dist_m": round(f.dist_m)} for f in report.far],
    }


async def _save(upload: UploadFile, folder: Path) -> Path:
    name = PurePath(upload.filename or "upload.csv").name
    if PurePath(name).suffix.lower() not in SHEET_SUFFIXES:
        raise ApiError(422, "error.staff.upload_kind", name=name, exts=SHEET_SUFFIXES)
    path = folder / f"upload{PurePath(name).suffix.lower()}"
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD_MB * _CHUNK:
                raise ApiError(413, "error.staff.upload_too_big", max_mb=MAX_UPLOAD_MB)
            out.write(chunk)
    return path


@router.post("/sheets/{kind}")
async def upload_sheet(
    kind: SheetKind,
    request: Request,
    user: UserDep,
    state: StateDep,
    file: Annotated[UploadFile, File(description="CSV, XLSX or GeoJSON")],
    dry_run: Annotated[bool, Query(description="Only report what would change")] = True,
    crs: Annotated[str, Query(pattern="^(wgs84|gcj02|bd09)$")] = "wgs84",
    dataset: Annotated[str, Query(max_length=100)] = "",
) -> dict[str, Any]:
    """Validate a sheet and report what it would change; with ``dry_run=false`` import it."""
    with tempfile.TemporaryDirectory(prefix="lifecircle-upload-") as folder:
        path = await _save(file, Path(folder))
        with api_errors():
            report = staff_local.upload_sheet(
                state.project,
                user,
                kind,
                path,
                crs=crs,
                dataset=dataset,
                dry_run=dry_run,
                original_name=PurePath(file.filename or path.name).name,
            )
    if report.version is not None:
        state.refresh()
    return report_json(report, request_lang(request))
