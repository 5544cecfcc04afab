"""The staff editor in headless Chromium, as staff use it: open a facility, move it on purpose
(Esc puts it back), read the audit as sentences, close it only with a note, pick roads in road
mode, see barriers drawn, and read the names a sheet would delete before importing it.

Needs Chromium (scripts/system-deps.sh test) and the ``playwright`` package; without them the
test is skipped, or fails when LIFECIRCLE_REQUIRE_BROWSER=1 (CI). Screenshots: test-artifacts/.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lifecircle.project import open_project
from tests.staff.conftest import PASSWORD, staff_template
from tests.web_fixtures import CHROMIUM_ARGS, artifacts_dir, chromium_path, guarded_page, serve

#: Browser stories in Chromium: run in CI (LIFECIRCLE_TEST_ALL=1), not by a plain `make test`.
pytestmark = pytest.mark.slow

__all__ = ["staff_template"]
SERVICE_STATION = "sheet:sample_facilities:S2"  # 【示例】居家养老服务站, in 演示社区
COMPOUND = "街坊 4"
TRAP = '<img src=x onerror="document.body.dataset.pwned=1">'
SHANGHAI = timezone(timedelta(hours=8))


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
    """A desktop page in Beijing time whose every request outside the test server is refused."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        with guarded_page(
            browser,
            staff_url,
            viewport={"width": 1280, "height": 860},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        ) as page:
            yield page
        browser.close()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(artifacts_dir() / name))


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


def _stored(page: Any, base: str, key: str) -> dict:
    return next(
        f for f in page.request.get(f"{base}/api/staff/facilities").json() if f["key"] == key
    )


def _audit(page: Any, base: str) -> list[dict]:
    return page.request.get(f"{base}/api/staff/audit").json()


def _idle(page: Any) -> None:
    page.evaluate("document.getElementById('map').staffMap.idle()")


def _dot(page: Any, key: str) -> tuple[float, float]:
    """Where a facility's dot is on the screen (page coordinates)."""
    _idle(page)
    at = page.evaluate(f"document.getElementById('map').staffMap.drawnAt({key!r})")
    assert at is not None, f"{key} is not drawn"
    box = page.locator("#map").bounding_box()
    return box["x"] + at["x"], box["y"] + at["y"]


def _drag(page: Any, x: float, y: float, dx: float, dy: float) -> None:
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=8)
    page.mouse.move(x + dx, y + dy, steps=8)
    page.mouse.up()


def _open_service_station(page: Any) -> str:
    page.fill("#facility-search", "居家养老服务站")
    page.locator(f'#facility-list li[data-key="{SERVICE_STATION}"]').click()
    name = page.locator("#facility-title").inner_text()
    assert "居家养老服务站" in name
    return name


def test_a_slip_moves_nothing_and_move_mode_moves_on_purpose(page: Any, staff_url: str) -> None:
    compound = page.request.get(f"{staff_url}/api/compounds?q={COMPOUND}").json()[0]
    version_before, minutes_before = _minutes(page, staff_url, compound["id"], SERVICE_STATION)
    assert minutes_before < 15

    _login(page, staff_url, "own")
    before = _stored(page, staff_url, SERVICE_STATION)
    assert "社区级（演示社区）" in page.locator("#who").inner_text()
    assert page.locator(".marker").count() == 0  # no draggable DOM markers, one GeoJSON layer
    _shot(page, "staff-1-logged-in.png")
    name = _open_service_station(page)
    page.locator("#facility-search").fill("")
    page.locator("#facility-form").evaluate("form => form.hidden = true")

    # a click 16 px beside the dot opens it (44 px target) ...
    x, y = _dot(page, SERVICE_STATION)
    page.mouse.click(x + 16, y)
    expect(page.locator("#facility-form")).to_be_visible()
    assert page.locator("#facility-title").inner_text() == name
    # ... and a drag from it pans the map: the facility stays where it is
    _drag(page, x, y, 120, -80)
    time.sleep(0.5)
    assert _stored(page, staff_url, SERVICE_STATION)["lon"] == before["lon"]

    # move mode: drag the one orange marker, then Esc puts everything back
    page.locator("#f-move").click()
    expect(page.locator("#move-bar")).to_be_visible()
    handle = page.locator(".move-marker").bounding_box()
    mx, my = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    _drag(page, mx, my, 90, -60)
    expect(page.locator("#move-text")).to_contain_text("米")
    page.keyboard.press("Escape")
    expect(page.locator("#move-bar")).to_be_hidden()
    expect(page.locator("#status")).to_contain_text("已取消移动")
    assert page.locator(".move-marker").count() == 0
    assert _stored(page, staff_url, SERVICE_STATION)["lon"] == before["lon"]

    # again, and confirm
    page.locator("#f-move").click()
    handle = page.locator(".move-marker").bounding_box()
    mx, my = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    _drag(page, mx, my, 90, -60)
    far_m = int(page.locator("#move-text").inner_text().split("原位置")[1].split("米")[0])
    assert far_m > 20
    _shot(page, "staff-2-move-mode.png")
    page.locator("#move-confirm").click()
    expect(page.locator("#status")).to_contain_text("已移动")
    after = _stored(page, staff_url, SERVICE_STATION)
    assert after["lon"] > before["lon"] and after["lat"] > before["lat"]

    deadline = time.monotonic() + 90
    version, minutes = version_before, minutes_before
    while version == version_before and time.monotonic() < deadline:
        time.sleep(0.5)
        version, minutes = _minutes(page, staff_url, compound["id"], SERVICE_STATION)
    assert version > version_before, "the served results were not rebuilt"
    assert minutes != minutes_before

    # the audit reads as a sentence, in Beijing time, from where to where
    page.locator("[data-tab=audit]").click()
    first = page.locator("#audit-rows li").first
    expect(first).to_contain_text("移动了")
    entry = _audit(page, staff_url)[0]
    local = datetime.fromisoformat(entry["at"]).astimezone(SHANGHAI)
    text = first.inner_text()
    assert text.startswith(f"own 于 {local.month}月{local.day}日 {local:%H:%M} 将「{name}」移动了")
    assert f"{before['lon']:.6f}, {before['lat']:.6f}" in text
    assert f"{after['lon']:.6f}, {after['lat']:.6f}" in text
    assert abs(entry["detail"]["moved_m"] - far_m) <= 1
    assert page.errors == [] and page.outside == []


def _save(page: Any) -> None:
    """Save the facility form and wait until the server has answered."""
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        page.locator("#f-save").click()
    assert answer.value.ok, answer.value.text()


def test_an_error_stays_until_a_later_result_and_the_audit_shows_before_and_after(
    page: Any, staff_url: str
) -> None:
    _login(page, staff_url, "own")
    _open_service_station(page)
    page.fill("#f-phone", "不是电话")
    page.locator("#f-save").click()
    expect(page.locator("#status-bar")).to_have_class("status error")
    expect(page.locator("#status-dismiss")).to_be_visible()
    page.locator("#status-dismiss").click()
    expect(page.locator("#status")).to_have_text("")
    page.locator("#f-save").click()  # the same error again ...
    expect(page.locator("#status-bar")).to_have_class("status error")
    page.fill("#f-phone", "13800000000")
    _save(page)  # ... replaced by the later result
    expect(page.locator("#status")).to_contain_text("已保存")
    expect(page.locator("#status-bar")).not_to_have_class("status error")
    page.fill("#f-phone", "13900000000")
    _save(page)

    page.locator("[data-tab=audit]").click()
    expect(page.locator("#audit-rows li").first).to_contain_text(
        "电话由 13800000000 改为 13900000000"
    )
    _shot(page, "staff-3-audit.png")
    page.locator("#lang").click()  # the same entry, said again in English
    expect(page.locator("#audit-rows li").first).to_contain_text(
        "phone from 13800000000 to 13900000000"
    )
    assert page.errors == [] and page.outside == []


def test_closing_asks_for_a_note_and_cancel_changes_nothing(page: Any, staff_url: str) -> None:
    _login(page, staff_url, "own")
    name = _open_service_station(page)
    newest = _audit(page, staff_url)[0]["id"]
    page.locator("#f-close").click()
    dialog = page.locator("#confirm")
    expect(dialog).to_be_visible()
    assert name in page.locator("#confirm-title").inner_text()
    page.locator("#confirm-ok").click()  # no note: refused, the dialog stays
    expect(page.locator("#confirm-error")).to_have_text("请先写明原因。")
    expect(dialog).to_be_visible()
    page.locator("#confirm-cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#status")).to_contain_text("已取消")
    assert _stored(page, staff_url, SERVICE_STATION)["status"] == "open"
    assert _audit(page, staff_url)[0]["id"] == newest

    page.locator("#f-close").click()
    page.fill("#confirm-note", "居委会通知：服务站搬到社区中心")
    _shot(page, "staff-4-close-note.png")
    page.locator("#confirm-ok").click()
    expect(page.locator("#status")).to_contain_text("已标记为关闭")
    assert _stored(page, staff_url, SERVICE_STATION)["status"] == "closed"
    page.locator("[data-tab=audit]").click()
    expect(page.locator("#audit-rows li").first).to_contain_text(
        f"将「{name}」标记为已关闭，原因：居委会通知：服务站搬到社区中心"
    )
    assert page.errors == [] and page.outside == []


def _drawn(page: Any, layer: str) -> int:
    _idle(page)
    script = "layer => document.getElementById('map').staffMap.map"
    script += ".queryRenderedFeatures({layers: [layer]}).length"
    return int(page.evaluate(script, layer))


def test_road_mode_picks_roads_and_barriers_are_drawn(page: Any, staff_url: str) -> None:
    _login(page, staff_url, "district")  # the station was moved away from own's compounds
    name = _open_service_station(page)
    page.locator("[data-tab=walking]").click()
    page.select_option("#w-kind", "uncrossable_way")
    expect(page.locator("#w-mode")).to_contain_text("道路选择模式")
    x, y = _dot(page, SERVICE_STATION)
    page.mouse.click(x + 6, y + 6)  # on the facility's dot: road mode picks the road
    expect(page.locator("#w-osm")).not_to_have_value("")
    assert "OSM" in page.locator("#w-points").inner_text()
    assert page.locator("#facility-title").inner_text() == name  # nothing else opened
    assert _drawn(page, "picked-road") > 0
    page.fill("#w-note", "中央护栏（测试）")
    page.locator("#walking-form button[type=submit]").click()
    expect(page.locator("#status")).to_contain_text("已保存本地修正")
    assert _drawn(page, "walk-edit-lines") > 0
    _shot(page, "staff-5-road-mode.png")

    item = page.locator("#walking-list li").last
    item.locator("button").click()
    expect(page.locator("#confirm")).to_be_visible()
    page.locator("#confirm-cancel").click()
    expect(page.locator("#walking-list li")).to_have_count(page.locator("#walking-list li").count())
    item.locator("button").click()
    page.fill("#confirm-note", "护栏已拆除")
    page.locator("#confirm-ok").click()
    expect(page.locator("#status")).to_contain_text("已删除本地修正")
    assert page.errors == [] and page.outside == []


def test_a_compounds_dry_run_names_what_it_would_delete(
    page: Any, staff_url: str, tmp_path: Path
) -> None:
    compounds = page.request.get(f"{staff_url}/api/compounds").json()
    lon, lat = compounds[0]["lon"], compounds[0]["lat"]
    sheet = tmp_path / "小区台账.csv"
    sheet.write_text(f"名称,经度,纬度\n新小区（测试数据）,{lon},{lat}\n", encoding="utf-8")
    _login(page, staff_url, "district")
    page.locator('[data-tab="sheets"]').click()
    page.select_option("#s-kind", "compounds")
    page.set_input_files("#s-file", str(sheet))
    page.locator("#sheet-form button[type=submit]").click()
    report = page.locator("#sheet-report")
    expect(report).to_contain_text("将删除：", timeout=60_000)
    removed = report.locator(".names.removed").inner_text()
    assert all(c["name"] in removed for c in compounds)  # 9 compounds: every one named
    longer = "import('/staff/tools.js').then(m => m.namesText({names: ['甲', '乙'], total: 40}))"
    assert page.evaluate(longer) == "甲、乙 等 40 个"  # the first names, then the total
    assert "新小区（测试数据）" in report.locator(".names.added").inner_text()
    expect(report.locator(".warning")).to_contain_text(f"全部 {len(compounds)} 个小区")
    expect(page.locator("#s-commit")).to_be_disabled()  # until the deletions are acknowledged
    page.locator("#s-ack").check()
    expect(page.locator("#s-commit")).to_be_enabled()
    _shot(page, "staff-6-dry-run-names.png")
    assert len(page.request.get(f"{staff_url}/api/staff/compounds").json()) == len(compounds)
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
    page.locator("[data-tab=audit]").click()
    expect(page.locator("#audit-rows li").first).to_contain_text(TRAP)
    assert page.locator("#audit-rows img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None

    page.locator("[data-tab=facilities]").click()
    facilities = page.request.get(f"{staff_url}/api/staff/facilities").json()
    page.fill("#facility-search", "")  # the demo holds more than the list shows: it says so
    assert len(facilities) > 200 and page.locator("#facility-list li[data-key]").count() == 200
    expect(page.locator("#facility-more")).to_have_text(
        f"另有 {len(facilities) - 200} 处未列出：请在上方输入名称查找"
    )
    theirs = next(f for f in facilities if not f["editable"] and f["name"])
    page.fill("#facility-search", theirs["name"])
    expect(page.locator("#facility-more")).to_have_count(0)
    page.locator("#facility-list li.readonly", has_text=theirs["name"]).first.click()
    assert page.locator("#facility-readonly").is_visible()
    assert page.locator("#f-save").is_disabled() and page.locator("#f-move").is_disabled()
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
    expect(report).to_contain_text("将新增：测试点（测试数据）")
    expect(page.locator("#s-commit")).to_be_enabled()  # nothing to delete: no tick needed
    page.locator("#s-commit").click()
    expect(report).to_contain_text("数据版本", timeout=60_000)
    _shot(page, "staff-sheet-job.png")
    assert page.errors == [] and page.outside == []
