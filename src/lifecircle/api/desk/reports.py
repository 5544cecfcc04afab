"""The desk's figures for staff: a month's metrics as JSON, and the monthly XLSX report.

Scoped to the user's grids (:func:`lifecircle.desk.access.list_scope`); every figure comes with
its definition. Thin: parse, call :mod:`lifecircle.desk.report`, answer.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifecircle.api.desk.common import DeskDep, desk_errors
from lifecircle.api.errors import request_lang
from lifecircle.api.staff.auth import UserDep
from lifecircle.desk.access import list_scope
from lifecircle.desk.report import build_report, report_json, write_report
from lifecircle.store.accounts import AuditEntry

router = APIRouter(prefix="/desk", tags=["desk: staff"])
MonthParam = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/metrics")
def metrics(user: UserDep, request: Request, desk: DeskDep, month: MonthParam) -> dict[str, Any]:
    """Count a month's figures for the user's grids, by cut, with their definitions."""
    lang = request_lang(request)
    with desk_errors():
        report = build_report(desk, month, scope=list_scope(user), lang=lang)
    return report_json(report, lang, desk)


@router.get("/report.xlsx")
def report_file(user: UserDep, request: Request, desk: DeskDep, month: MonthParam) -> Response:
    """Send the monthly report workbook for the user's grids (the download is logged)."""
    lang = request_lang(request)
    with desk_errors():
        report = build_report(desk, month, scope=list_scope(user), lang=lang)
    with tempfile.TemporaryDirectory() as folder:
        path = write_report(
            report,
            Path(folder) / "report.xlsx",
            desk,
            lang=lang,
            scope_label=user.role_label().render(lang),
        )
        body = path.read_bytes()
    desk.store.accounts.add_audit(AuditEntry(user.name, "desk.report", month, {"bytes": len(body)}))
    name = f"desk-report-{month}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
