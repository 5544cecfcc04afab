"""``GET /api/gaps``: gap summaries — coverage by community and sub-district, top missing types.

Renders :func:`lifecircle.jobs.reports.gap_report` of the served results; no new analysis here.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifecircle.api.common import ProfileParam, SnapshotDep, cached_json
from lifecircle.api.errors import request_lang
from lifecircle.api.schemas import GapsOut
from lifecircle.engine.coverage import WHOLE_AREA
from lifecircle.engine.profiles import plain_rule
from lifecircle.jobs.reports import gap_report
from lifecircle.jobs.residents import MARK

router = APIRouter(tags=["gaps"])


@router.get("/gaps", response_model=GapsOut)
def get_gaps(
    request: Request,
    snapshot: SnapshotDep,
    profile: ProfileParam = "standard",
    level: Annotated[int | None, Query(description="Only types of this level: 5, 10 or 15")] = None,
) -> Response:
    """Gap summaries of one profile (the per-compound rows are in ``lifecircle gaps``)."""
    results = {profile: snapshot.result(profile)}
    notice = request.app.state.area.project.notice(request_lang(request))
    report = gap_report(
        snapshot.data, results, taxonomy=snapshot.taxonomy, level=level, notice=notice
    )

    methods = (c.estimate_method for c in snapshot.data.compounds)
    estimated = [m for m in methods if m is not None]

    def render() -> dict[str, Any]:
        return {
            "profile": profile,
            "convention": plain_rule(report.profiles[0], request_lang(request)),
            "data_date": report.data_date,
            "notice": report.notice,
            "missing_rows": sum(1 for r in report.rows if r.missing),
            "by_type": [
                dataclasses.asdict(c)
                | {"share_compounds": c.share_compounds, "share_residents": c.share_residents}
                for c in report.by_type
                if c.group == WHOLE_AREA
            ],
            "coverage": [dataclasses.asdict(c) | {"share": c.share} for c in report.coverage],
            "coverage_by_subdistrict": [
                dataclasses.asdict(c) | {"share": c.share} for c in report.coverage_by_subdistrict
            ],
            "top_missing": [dataclasses.asdict(m) for m in report.top_missing],
            "not_collected": [dataclasses.asdict(u) for u in report.not_collected],
            "residents_estimated_compounds": len(estimated),
            "residents_calibrated_compounds": sum(MARK in m for m in estimated),
        }

    return cached_json(request, snapshot, render)
