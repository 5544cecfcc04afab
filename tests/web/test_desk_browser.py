"""The grid desk's whole story in headless Chromium at 360×640 (issue 14, "Must show").

A resident reports a blocked gate on the phone page; the grid worker sees it on the desk,
visits and calls in 城管 (吹哨); the community head marks the gate's path as a barrier and the
resident page's minutes for that compound change; the worker closes it (办结) with a public
answer; the resident opens /c/<token>, reads the answer and rates it; the month's figures and
the XLSX count it. On the Helsinki test demo (real OSM data) with invented test grids and
accounts (tests/desk_web.py). Screenshots: test-artifacts/desk-*.png.
"""

from __future__ import annotations

import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from lifecircle.project import open_project
from tests.desk_web import PASSWORD, add_grids, staff_template
from tests.staff.conftest import OWN
from tests.web_fixtures import artifacts_dir, guarded_page, serve

__all__ = ["staff_template"]
PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "locale": "zh-CN"}
WHAT = "小区门口被车堵住了，老人推轮椅出不去"
ANSWER = "城管已到场劝离车辆，门口装了隔离栏，已恢复通行"


@pytest.fixture(scope="module")
def desk_url(staff_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The staff demo with two grids, served with its real clock and real rebuilds."""
    from lifecircle.api.app import create_app

    root = tmp_path_factory.mktemp("desk-browser") / "demo"
    shutil.copytree(staff_template, root)
    add_grids(root)
    app = create_app(open_project(root))
    with serve(app) as url:
        yield url
    app.state.area.wait(60)


def _compound(page: Any, base: str) -> dict[str, Any]:
    """街坊 6, a block of 演示社区 (grid D1) whose first gate opens on Fredrikinkatu."""
    found = page.request.get(f"{base}/api/compounds?q=街坊 6").json()
    assert found[0]["name"] == "街坊 6" and found[0]["community"] == OWN
    return found[0]


def _minutes(page: Any, base: str, key: str) -> tuple[int, dict[str, float]]:
    answer = page.request.get(f"{base}/api/access/compound/{key}?profile=standard").json()
    return answer["data_version"], {f["id"]: f["minutes"] for f in answer["facilities"]}


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(artifacts_dir() / f"desk-{name}.png"))


def _login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/desk/")
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.locator("#login button[type=submit]").click()
    page.wait_for_selector("body[data-ready='true']")


def _step(page: Any, action: str, note: str = "", **fill: str) -> None:
    page.locator(f'[data-step="{action}"]').click()
    form = page.locator(f'#step-form[data-action="{action}"]')
    expect(form).to_be_visible()
    if note:
        form.locator("#step-note").fill(note)
    for selector, value in fill.items():
        form.locator(f"#{selector}").fill(value)
    form.locator("button[type=submit]").click()
    expect(form).to_have_count(0)


def _report(page: Any, base: str, compound: dict[str, Any]) -> str:
    """The resident files the case on the phone page; returns its token."""
    page.goto(f"{base}/?compound={compound['id']}")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#case-count")).to_contain_text("近30天本小区反映的问题 0 件")
    page.locator("#report-open").click()
    expect(page.locator("#report")).to_be_visible()
    expect(page.locator("#report-where")).to_have_text(compound["name"])
    assert "默认匿名" in page.locator(".anon").inner_text()
    send = page.locator("#report-send")
    send.click()  # nothing chosen yet: the form says what is missing, nothing is sent
    expect(page.locator("#report-problem")).to_have_text("请先选问题类别")
    page.locator('[data-code="blocked_access"]').click()
    page.fill("#report-details", WHAT)
    page.fill("#report-building", "3")
    page.fill("#report-phone", "13900001111")
    for target in page.locator("#report button").all():
        if target.is_visible():
            assert target.bounding_box()["height"] >= 47.5, target.inner_text()
    _shot(page, "1-report")
    send.click()
    expect(page.locator("#report-done")).to_be_visible()
    link = page.locator("#report-link").inner_text()
    assert re.search(r"/c/[\w-]{8,}$", link), link
    _shot(page, "2-filed")
    return str(page.evaluate("document.body.dataset.reported"))


def _worker(page: Any, base: str) -> int:
    """gw1 (网格员 D1) finds the case first on the desk, visits, and calls in 城管."""
    _login(page, base, "gw1")
    first = page.locator(".case-row").first
    expect(first).to_contain_text("占道堵门")
    case_id = int(first.get_attribute("data-case"))
    expect(first).to_contain_text("还剩")
    _shot(page, "3-list")
    first.click()
    expect(page.locator("#case")).to_have_attribute("data-state", "dispatched")
    assert "139****1111" in page.locator(".reporter").inner_text()
    assert page.locator('[data-step="finish"]').count() == 0  # not allowed before handling
    page.fill("#reveal-reason", "上门前电话确认门口情况")
    page.locator(".reveal button").click()
    expect(page.locator(".revealed")).to_contain_text("13900001111")
    _step(page, "visit", "到现场看了，北门被三辆车堵住", **{"step-people_met": "物业保安"})
    expect(page.locator("#case")).to_have_attribute("data-state", "in_progress")
    page.locator('[data-step="whistle"]').click()
    page.locator('#step-departments input[value="urban_management"]').check()
    page.fill("#step-note", "车辆长期堵门，请城管到场")
    page.locator("#step-form button[type=submit]").click()
    expect(page.locator(".summons")).to_contain_text("城管")
    _shot(page, "4-whistle")
    return case_id


def _head_marks_barrier(page: Any, base: str, case_id: int) -> None:
    """The community head verifies it and marks the gate's path impassable."""
    _login(page, base, "own")
    page.goto(f"{base}/desk/?case={case_id}")
    page.wait_for_selector("#walk-barrier")
    expect(page.locator("#walk-found")).to_contain_text("最近的道路")
    page.locator("#walk-barrier button[type=submit]").click()
    expect(page.locator(".walking .links")).to_contain_text("edit:")
    _shot(page, "5-barrier")


def test_a_blocked_gate_from_report_to_rating(chromium: Any, desk_url: str) -> None:
    with guarded_page(chromium, desk_url, **PHONE) as resident:
        compound = _compound(resident, desk_url)
        version, before = _minutes(resident, desk_url, compound["id"])
        token = _report(resident, desk_url, compound)
        with guarded_page(chromium, desk_url, **PHONE) as worker:
            case_id = _worker(worker, desk_url)
        with guarded_page(chromium, desk_url, **PHONE) as head:
            _head_marks_barrier(head, desk_url, case_id)
            deadline = time.monotonic() + 120
            now_version, after = version, before
            while now_version == version and time.monotonic() < deadline:
                time.sleep(0.5)
                now_version, after = _minutes(head, desk_url, compound["id"])
            assert now_version > version, "the served results were not rebuilt"
            assert after != before, "the barrier changed no minutes of the compound"
            _step(head, "finish", ANSWER)
            expect(head.locator("#case")).to_have_attribute("data-state", "done")

        resident.goto(f"{desk_url}/c/{token}")
        resident.wait_for_selector("body[data-ready='1']")
        expect(resident.locator("#case-state")).to_have_text("已办结")
        expect(resident.locator("#case-steps")).to_contain_text(ANSWER)
        text = resident.locator("body").inner_text()
        for secret in ("13900001111", WHAT, "物业保安"):
            assert secret not in text
        assert ANSWER in resident.locator("#group-text").input_value()
        resident.locator('[data-solved="true"]').click()
        resident.locator('[data-satisfaction="satisfied"]').click()
        _shot(resident, "6-case-page")
        resident.locator("#fb-send").click()
        expect(resident.locator("#feedback-given")).to_contain_text("解决了，满意")
        expect(resident.locator("#case-state")).to_have_text("已关闭")
        _shot(resident, "7-rated")
        resident.goto(f"{desk_url}/?compound={compound['id']}")
        expect(resident.locator("#case-count")).to_contain_text("反映的问题 1 件，已办结 1 件")
        assert resident.errors == [] and resident.outside == []

    with guarded_page(chromium, desk_url, **PHONE) as head:
        _login(head, desk_url, "own")
        head.locator('[data-view="figures"]').click()
        head.wait_for_selector("body[data-figures]")
        solved = head.locator('[data-figure="solved_rate"] .figure-value')
        expect(solved).to_have_text("100.0% (1/1)")
        assert "÷" in head.locator('[data-figure="solved_rate"] .figure-def').inner_text()
        _shot(head, "8-figures")
        month = head.evaluate("document.body.dataset.figures")
        xlsx = head.request.get(f"{desk_url}/api/desk/report.xlsx?month={month}")
        assert xlsx.status == 200
        book = load_workbook(io.BytesIO(xlsx.body()), read_only=True)
        cells = [v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row]
        assert 1 in cells and head.errors == [] and head.outside == []
