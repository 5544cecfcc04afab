"""Staff sheet uploads: a dry run first, then the same file as one data version, by area.

A thin wrapper over :func:`lifecircle.jobs.imports.import_sheet` that refuses rows (and
removals) outside the editor's area and writes an audit row. The web runs it as a background
job (:func:`upload_job`, in a process of its own, see :mod:`lifecircle.jobs.runner`), whose
result is the report in both languages. No HTTP here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifecircle import geo as crs_io
from lifecircle.errors import AccessDenied, Msg
from lifecircle.i18n import LANGUAGES
from lifecircle.io import records as records_io
from lifecircle.io.sheet_limits import SheetLimits
from lifecircle.io.sheets import read_sheet
from lifecircle.jobs import imports
from lifecircle.model import Board, Compound, Facility, Record
from lifecircle.project import Project
from lifecircle.staff.accounts import User, can_edit, require_editor
from lifecircle.store.accounts import AuditEntry

_RECORD_KIND = {"facilities": "facility", "compounds": "compound", "boards": "board"}


def upload_sheet(
    project: Project,
    user: User,
    kind: imports.SheetKind,
    path: Path,
    *,
    crs: str = "wgs84",
    dataset: str = "",
    dry_run: bool = True,
    original_name: str = "",
    progress: Callable[[str, int], None] | None = None,
) -> imports.ImportReport:
    """Import a sheet as :func:`lifecircle.jobs.imports.import_sheet` does, for a staff member.

    A community or sub-district editor's sheet may only hold rows of their area, and may only
    remove stored records of their area; a dry run writes nothing but the audit row.

    Raises
    ------
    AccessDenied
        A row, or a record the upload would remove, lies outside the editor's area.
    BadRowsError, InputFileError
        The sheet itself is bad (nothing is imported).
    """
    require_editor(user)
    dataset = dataset or Path(original_name or path.name).stem
    if user.level != "district":
        _require_rows_in_area(project, user, kind, path, crs=crs, dataset=dataset)
    report = imports.import_sheet(
        project,
        kind,
        path,
        crs=crs,
        dataset=dataset,
        dry_run=True,
        author=user.name,
        progress=progress,
    )
    if user.level != "district":
        _require_removals_in_area(project, user, kind, report)
    detail: dict[str, Any] = {
        "file": original_name or path.name,
        "dataset": dataset,
        "counts": report.summary.counts(),
    }
    if dry_run:
        with project.open_store() as store:
            store.accounts.add_audit(AuditEntry(user.name, "sheet.dry_run", kind, detail))
        return report
    # The web page showed the dry run's counts (removals included) and the editor confirmed:
    # that confirmation is the explicit "replace" the command line asks for with --replace.
    return imports.import_sheet(
        project,
        kind,
        path,
        crs=crs,
        dataset=dataset,
        replace=True,
        author=user.name,
        audit=AuditEntry(user.name, "sheet.import", kind, detail),
        progress=progress,
    )


@dataclass(frozen=True)
class UploadRequest:
    """One staff upload to run as a job: who, which sheet, and the import's options."""

    project: Project
    user: User
    kind: imports.SheetKind
    path: Path
    crs: str = "wgs84"
    dataset: str = ""
    dry_run: bool = True
    original_name: str = ""


def upload_job(request: UploadRequest, *, progress: Callable[[str, int], None]) -> dict[str, Any]:
    """Run :func:`upload_sheet` for a job and return its report (see :func:`report_record`)."""
    report = upload_sheet(
        request.project,
        request.user,
        request.kind,
        request.path,
        crs=request.crs,
        dataset=request.dataset,
        dry_run=request.dry_run,
        original_name=request.original_name,
        progress=progress,
    )
    return report_record(report)


def report_record(report: imports.ImportReport) -> dict[str, Any]:
    """Describe an import report as JSON-able data, skipped rows in every language."""
    return {
        "dry_run": report.dry_run,
        "counts": report.summary.counts(),
        "data_version": report.version.id if report.version else None,
        "skipped": {lang: [p.render(lang) for p in report.skipped] for lang in LANGUAGES},
        "far": [{"row": f.row, "label": f.label, "dist_m": round(f.dist_m)} for f in report.far],
        "free_hours": [{"row": f.row, "label": f.label, "text": f.text} for f in report.free_hours],
    }


def _require_rows_in_area(
    project: Project, user: User, kind: str, path: Path, *, crs: str, dataset: str
) -> None:
    sheet = read_sheet(path, limits=SheetLimits.from_settings(project.settings))
    crs = crs_io.parse_crs(crs)
    parsed: records_io.ParseResult[Any]
    if kind == "facilities":
        taxonomy = project.taxonomy()
        parsed = records_io.facilities_from_sheet(
            sheet, dataset=dataset, crs=crs, resolve_type=lambda t: taxonomy.resolve_type(t).code
        )
    elif kind == "compounds":
        parsed = records_io.compounds_from_sheet(sheet, dataset=dataset, crs=crs)
    else:
        parsed = records_io.boards_from_sheet(sheet, dataset=dataset, crs=crs)
    outside = [r for r in parsed.records if not can_edit(user, r)]
    if outside:
        _refuse(user, outside)


def _require_removals_in_area(
    project: Project, user: User, kind: str, report: imports.ImportReport
) -> None:
    removed = {key for k in report.summary.kinds for key in k.removed}
    if not removed:
        return
    with project.open_store() as store:
        stored = [r for r in store.records(_RECORD_KIND[kind]) if r.key in removed]
    outside = [r for r in stored if isinstance(r, Facility | Compound | Board)]
    outside = [r for r in outside if not can_edit(user, r)]
    if outside:
        _refuse(user, outside)


def _refuse(user: User, records: Sequence[Record]) -> None:
    names = tuple(str(getattr(r, "name", r.key)) for r in records[:5])
    more = Msg("error.store.more", n=len(records) - 5) if len(records) > 5 else None
    raise AccessDenied("error.staff.sheet_outside", names=names, more=more, role=user.role_label())
