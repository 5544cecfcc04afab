"""The desk's figures for staff: scoped to the user's grids, definitions beside each figure."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.desk_web import login, own_compound


def test_metrics_are_scoped_and_defined(desk_app):
    worker = login(desk_app, "gw1")
    body = {
        "category": "sanitation",
        "source": "phone",
        "details": "x",
        "compound": own_compound(desk_app).key,
        "not_duplicate": True,
    }
    assert worker.send("POST", "/api/desk/cases", json=body).status_code == 201
    answer = worker.get("/api/desk/metrics", params={"month": "2026-11"})
    assert answer.status_code == 200
    data = answer.json()
    assert {r["key"] for r in data["by"]["grid"]} == {"D1"}
    assert data["overall"]["received"] >= 1
    assert data["definitions"]["response_rate"]["label"] == "响应率"
    assert worker.get("/api/desk/metrics", params={"month": "11/2026"}).status_code == 422


def test_the_report_downloads_as_xlsx_and_is_logged(desk_app):
    worker = login(desk_app, "own")
    answer = worker.get("/api/desk/report.xlsx", params={"month": "2026-11"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="desk-report-2026-11.xlsx"' in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    assert book["说明"]["B5"].value == "社区级（演示社区）"  # the scope row
    with desk_app.state.area.project.open_store() as store:
        assert store.accounts.audit(limit=1)[0].action == "desk.report"
