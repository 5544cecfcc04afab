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

#: Browser stories in Chromium: run in CI (LIFECIRCLE_TEST_ALL=1), not by a plain `make test`.
pytestmark = pytest.mark.slow

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
    _shot(page, "0-phone")
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
    _history_reads_as_sentences(page)
    _case_map_shows_the_place(page)
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "4-whistle")
    return case_id


def _history_reads_as_sentences(page: Any) -> None:
    """Each event is a sentence: who, when (in the viewer's zone), what, with its facts."""
    event = page.locator("#case .events").locator
    when = r"\d{1,2}月\d{1,2}日 \d{2}:\d{2}"
    expect(event('[data-action="intake"]')).to_have_text(
        re.compile(rf"^反映人 于 {when} 提交了反映（来源：居民手机报事）")
    )
    expect(event('[data-action="dispatch"]')).to_have_text(
        re.compile(rf"^系统 于 {when} 将案件分派给 演示一网格（gw1）")
    )
    expect(event('[data-action="visit"]')).to_contain_text("上门处置，见到了 物业保安")
    expect(event('[data-action="whistle"]')).to_have_text(
        re.compile(rf"^gw1 于 {when} 吹哨，召集 城管执法 报到")
    )
    assert "whistle" not in page.locator("#case .events").inner_text()  # no bare action codes
    page.locator("#case .events").scroll_into_view_if_needed()
    _shot(page, "4a-history")


def _case_map_shows_the_place(page: Any) -> None:
    """The case's point on the area's base map, inside the small map, OSM credited."""
    box = page.locator("#case-map")
    expect(box).to_have_attribute("data-ready", "true", timeout=20_000)
    expect(box.locator(".maplibregl-ctrl-attrib")).to_contain_text("OpenStreetMap")
    drawn = page.evaluate(
        """() => { const m = document.getElementById("case-map").placeMap;
                   const [place] = m.queryRenderedFeatures({ layers: ["place"] });
                   const p = m.project(place.geometry.coordinates), s = m.getContainer();
                   return [p.x, p.y, s.clientWidth, s.clientHeight]; }"""
    )
    x, y, width, height = drawn
    assert 0 < x < width and 0 < y < height and height >= 150, drawn
    box.scroll_into_view_if_needed()
    _shot(page, "4b-case-map")


def _head_marks_barrier(page: Any, base: str, case_id: int) -> None:
    """The community head verifies it and marks the compound's gate closed."""
    _login(page, base, "own")
    page.goto(f"{base}/desk/?case={case_id}")
    page.wait_for_selector("#walk-barrier")
    expect(page.locator("#walk-found")).to_contain_text("最近的道路")
    expect(page.locator("#walk-kind")).to_have_value("closed_gate")  # a blocked gate: closed
    page.locator("#walk-barrier button[type=submit]").click()
    expect(page.locator(".walking .links")).to_contain_text("edit:")
    page.locator(".walking").scroll_into_view_if_needed()
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
        expect(head.locator("#fig-body")).to_contain_text("按月（近12个月）")
        _shot(head, "8-figures")
        month = head.evaluate("document.body.dataset.figures")
        xlsx = head.request.get(f"{desk_url}/api/desk/report.xlsx?month={month}")
        assert xlsx.status == 200
        book = load_workbook(io.BytesIO(xlsx.body()), read_only=True)
        cells = [v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row]
        assert 1 in cells and head.errors == [] and head.outside == []


def _file(page: Any, base: str, compound: dict[str, Any], category: str) -> dict[str, Any]:
    """File a case through the public form's API (as another resident would)."""
    answer = page.request.post(
        f"{base}/api/desk/requests",
        multipart={
            "category": category,
            "details": "【测试】楼下垃圾三天没清运",
            "compound": compound["id"],
            "not_duplicate": "true",
        },
    )
    assert answer.status == 201, answer.text()
    return dict(answer.json())


def test_the_form_checks_photos_first_and_offers_the_open_case_nearby(
    chromium: Any, desk_url: str
) -> None:
    with guarded_page(chromium, desk_url, **PHONE) as page:
        compound = _compound(page, desk_url)
        first = _file(page, desk_url, compound, "sanitation")
        page.goto(f"{desk_url}/?compound={compound['id']}")
        page.wait_for_selector("body[data-ready='1']")
        page.locator("#report-open").click()
        # the form opens once its settings have loaded (and resets its fields then): a photo
        # chosen before that would be wiped, which a resident cannot do (the form is hidden)
        expect(page.locator("#report")).to_be_visible()
        photo = page.locator("#report-photo")
        photo.set_input_files({"name": "a.gif", "mimeType": "image/gif", "buffer": b"GIF89a"})
        expect(page.locator("#report-problem")).to_have_text("只能上传 JPEG、PNG 或 WebP 照片")
        assert photo.input_value() == ""  # refused before anything is sent
        jpeg = b"\xff\xd8" + b"0" * 8_000_001
        photo.set_input_files({"name": "big.jpg", "mimeType": "image/jpeg", "buffer": jpeg})
        expect(page.locator("#report-problem")).to_contain_text("照片太大（最多 8 MB）")
        page.locator("#report-map").click()  # a point on the map instead of the compound
        expect(page.locator("#report-pick")).to_be_visible()
        page.mouse.click(180, 400)
        expect(page.locator("#report-where")).to_contain_text("地图上选的位置")
        expect(page.locator("#report-unit-row")).to_be_hidden()
        page.fill("#report-search", "街坊 6")  # and back to the compound, found by name
        page.locator("#report-found button", has_text="街坊 6").first.click()
        expect(page.locator("#report-where")).to_have_text("街坊 6")
        page.locator('[data-code="sanitation"]').click()
        page.fill("#report-details", "垃圾桶满了没人清")
        page.locator("#report-send").click()
        nearby = page.locator("#report-nearby")
        expect(nearby).to_be_visible()
        expect(nearby).to_contain_text("附近已有 1 件同类问题正在办理")
        _shot(page, "9-nearby")
        page.locator(f'#report-nearby-list [data-case="{first["case_id"]}"]').click()
        expect(page.locator("#report-done-text")).to_have_text(
            f"已加入正在办理的第 {first['case_id']} 件，办理结果会一起告诉您"
        )
        token = page.evaluate("document.body.dataset.reported")
        page.goto(f"{desk_url}/c/{token}")
        expect(page.locator("#case-merged")).to_contain_text(f"已并入第 {first['case_id']} 件")
        assert page.errors == [] and page.outside == []


def test_staff_enter_a_group_message_and_a_stale_step_is_refused(
    chromium: Any, desk_url: str
) -> None:
    with guarded_page(chromium, desk_url, **PHONE) as page:
        _login(page, desk_url, "gw1")
        page.locator('[data-view="entry"]').click()
        page.select_option("#e-source", "group_chat")
        page.select_option("#e-category", "neighbour_dispute")
        page.fill("#e-details", "【测试】3号楼两户因漏水赔偿争吵，需要调解")
        page.fill("#e-ref", "【测试】群消息：楼上漏水到我家，谁来管管")
        page.fill("#e-compound", "街坊 6")
        page.locator("#e-found button").first.click()
        page.locator("#e-replied").check()
        page.locator("#entry-form button[type=submit]").click()
        case = page.locator("#case")
        expect(case).to_have_attribute("data-state", "responded")  # answered in the group
        expect(case.locator(".case-head")).to_contain_text("不公开")
        case_id = int(case.get_attribute("data-case"))
        offered = {b.get_attribute("data-step") for b in page.locator("[data-step]").all()}
        actions = page.evaluate(
            f"fetch('/api/desk/cases/{case_id}').then(r => r.json()).then(c => c.actions)"
        )
        assert offered == set(actions) - {"link_walking", "lift_walking"}
        assert "finish" in offered and "dispatch" not in offered
        _shot(page, "10-entry")

        stale = page.context.new_page()  # the same case open in a second tab
        stale.goto(f"{desk_url}/desk/?case={case_id}")
        stale.wait_for_selector("[data-step='mediate']")
        _step(page, "finish", "双方已达成一致，楼上负责维修")
        expect(case).to_have_attribute("data-state", "done")
        stale.locator("[data-step='mediate']").click()
        stale.fill("#step-note", "调解")
        stale.locator("#step-form button[type=submit]").click()
        expect(stale.locator("#status-bar")).to_have_class(re.compile("error"))
        # the server names the state it refused in
        expect(stale.locator("#status")).to_contain_text("已办结")
        expect(stale.locator("#status-dismiss")).to_be_visible()  # the staff map's status bar
        assert page.errors == [] and page.outside == []


def test_the_staff_map_shows_the_cases_layer(chromium: Any, desk_url: str) -> None:
    desktop = {"viewport": {"width": 1280, "height": 860}, "locale": "zh-CN"}
    with guarded_page(chromium, desk_url, **desktop) as page:
        page.goto(f"{desk_url}/staff/")
        page.wait_for_selector("#login:not([hidden])")
        page.fill("#login-name", "own")
        page.fill("#login-password", PASSWORD)
        page.locator("#login button[type=submit]").click()
        page.wait_for_selector("body[data-ready='true']")
        box = page.locator(".case-filter")
        expect(box).to_contain_text("居民反映")
        names = box.locator("select option").all_inner_texts()
        assert names[0] == "全部类别" and len(names) >= 2
        assert box.locator("input[type=checkbox]").count() == 4
        _shot(page, "11-staff-map")
        assert page.errors == [] and page.outside == []


def test_a_case_known_only_by_a_place_name_has_no_map(chromium: Any, desk_url: str) -> None:
    with guarded_page(chromium, desk_url, **PHONE) as page:
        _login(page, desk_url, "district")
        csrf = page.evaluate(
            "fetch('/api/staff/session').then(r => r.json()).then(s => s.csrf_token)"
        )
        filed = page.request.post(
            f"{desk_url}/api/desk/cases",
            headers={"X-CSRF-Token": csrf},
            data={
                "category": "sanitation",
                "source": "phone",
                "details": "【测试】菜市场东门垃圾堆了两天",
                "place": "【测试】菜市场东门",
            },
        )
        assert filed.status == 201, filed.text()
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto(f"{desk_url}/desk/?case={filed.json()['case_id']}")
        expect(page.locator("#case .facts")).to_contain_text("【测试】菜市场东门")
        expect(page.locator("#case .events [data-action='intake']")).to_have_text(
            re.compile(r"^district 于 .+ 受理了案件（来源：")
        )
        assert page.locator("#case-map").count() == 0  # no point: no map, no MapLibre loaded
        assert asked and not [u for u in asked if u.endswith("maplibre-gl.mjs")]
        assert page.errors == [] and page.outside == []
