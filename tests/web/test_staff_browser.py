"""The staff editor in headless Chromium: log in, drag a facility, see residents' minutes change.

Needs Chromium (scripts/system-deps.sh test) and the ``playwright`` package; without them the
test is skipped, or fails when LIFECIRCLE_REQUIRE_BROWSER=1 (CI). Screenshots: test-artifacts/.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lifecircle.project import open_project
from tests.staff.conftest import PASSWORD, staff_template
from tests.web_fixtures import CHROMIUM_ARGS, artifacts_dir, chromium_path, guarded_page, serve

__all__ = ["staff_template"]
SERVICE_STATION = "sheet:sample_facilities:S2"  # 【示例】居家养老服务站, in 演示社区
COMPOUND = "街坊 4"
TRAP = '<img src=x onerror="document.body.dataset.pwned=1">'


@pytest.fixture(scope="module")
def staff_url(staff_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The staff demo (a private copy) served on a free loopback port."""
    from lifecircle.api.app import create_app

    root = tmp_path_factory.mktemp("staff-browser") / "demo"
    shutil.copytree(staff_template, root)
    app = create_app(open_project(root))
    with serve(app) as url:
        yield url
    app.state.area.wait(60)


@pytest.fixture
def page(staff_url: str) -> Iterator[Any]:
    """A desktop page whose every request outside the test server is refused."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        with guarded_page(
            browser, staff_url, viewport={"width": 1280, "height": 860}, locale="zh-CN"
        ) as page:
            yield page
        browser.close()


def _minutes(page: Any, base: str, compound_id: str, facility_id: str) -> tuple[int, float]:
    answer = page.request.get(f"{base}/api/access/compound/{compound_id}?profile=standard").json()
    found = [f["minutes"] for f in answer["facilities"] if f["id"] == facility_id]
    return answer["data_version"], (found[0] if found else float("inf"))


def _login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/staff/")
    page.wait_for_selector("#login:not([hidden])")
    assert page.locator("#login h2").inner_text() == "工作人员登录"
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.locator("#login button[type=submit]").click()
    page.wait_for_selector("body[data-ready='true']")


def test_staff_drags_a_facility_and_residents_see_new_minutes(page: Any, staff_url: str) -> None:
    compound = page.request.get(f"{staff_url}/api/compounds?q={COMPOUND}").json()[0]
    version_before, minutes_before = _minutes(page, staff_url, compound["id"], SERVICE_STATION)
    assert minutes_before < 15

    _login(page, staff_url, "own")
    assert "社区级（演示社区）" in page.locator("#who").inner_text()
    marker = page.locator(f'.marker[data-key="{SERVICE_STATION}"]')
    marker.wait_for()
    assert page.locator(".marker").count() >= 4  # the community's own facilities only
    page.screenshot(path=str(artifacts_dir() / "staff-1-logged-in.png"))

    box = marker.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y - 40, steps=8)
    page.mouse.move(x + 120, y - 80, steps=8)
    page.mouse.up()
    expect(page.locator("#status")).to_contain_text("已移动")
    page.screenshot(path=str(artifacts_dir() / "staff-2-moved.png"))

    deadline = time.monotonic() + 90
    version, minutes = version_before, minutes_before
    while version == version_before and time.monotonic() < deadline:
        time.sleep(0.5)
        version, minutes = _minutes(page, staff_url, compound["id"], SERVICE_STATION)
    assert version > version_before, "the served results were not rebuilt"
    assert minutes != minutes_before

    page.locator("[data-tab=audit]").click()
    page.wait_for_selector("#audit-rows tr")
    first = page.locator("#audit-rows tr").first.inner_text()
    assert "facility.move" in first and SERVICE_STATION in first
    page.screenshot(path=str(artifacts_dir() / "staff-3-audit.png"))
    assert page.errors == [] and page.outside == []


def test_names_are_shown_as_text_and_other_areas_are_read_only(page: Any, staff_url: str) -> None:
    _login(page, staff_url, "own")
    csrf = page.evaluate("fetch('/api/staff/session').then(r => r.json()).then(b => b.csrf_token)")
    added = page.request.post(
        f"{staff_url}/api/staff/facilities",
        headers={"X-CSRF-Token": csrf},
        data={"name": TRAP, "type_code": "卫生服务站", "lon": 24.9405, "lat": 60.1700},
    )
    assert added.status == 201, added.text()
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    page.fill("#facility-search", "<img")
    item = page.locator("#facility-list li").first
    assert item.inner_text() == TRAP
    assert page.locator("#facility-list img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None

    facilities = page.request.get(f"{staff_url}/api/staff/facilities").json()
    theirs = next(f for f in facilities if not f["editable"] and f["name"])
    page.fill("#facility-search", theirs["name"])
    page.locator("#facility-list li.readonly", has_text=theirs["name"]).first.click()
    assert page.locator("#facility-readonly").is_visible()
    assert page.locator("#f-save").is_disabled()

    page.locator("[data-tab=walking]").click()
    page.select_option("#w-kind", "uncrossable_way")
    box = page.locator("#map").bounding_box()
    # a corner of the map, away from the chosen facility's marker at the centre
    page.mouse.click(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.2)
    expect(page.locator("#w-osm")).not_to_have_value("")
    assert "OSM" in page.locator("#w-points").inner_text()
    assert page.errors == [] and page.outside == []


def test_a_sheet_upload_runs_as_a_job_the_page_follows(
    page: Any, staff_url: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "上传.csv"
    sheet.write_text(
        "编号,名称,类型,经度,纬度,所属社区\nB1,测试点（测试数据）,卫生服务站,24.9405,60.1700,演示社区\n",
        encoding="utf-8",
    )
    _login(page, staff_url, "own")
    page.locator('[data-tab="sheets"]').click()
    page.set_input_files("#s-file", str(sheet))
    page.locator("#sheet-form button[type=submit]").click()
    report = page.locator("#sheet-report")
    expect(report).to_contain_text("新增 1", timeout=60_000)  # the dry run's report
    expect(page.locator("#s-commit")).to_be_enabled()
    page.locator("#s-commit").click()
    expect(report).to_contain_text("数据版本", timeout=60_000)
    page.screenshot(path=str(artifacts_dir() / "staff-sheet-job.png"))
    assert page.errors == [] and page.outside == []
