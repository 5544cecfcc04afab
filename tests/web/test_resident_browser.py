"""The resident page in headless Chromium at phone size, on the Nanjing demo: pick a compound,
switch to the elderly profile, filter by 养老, open a facility and see its details and route.

Needs Chromium (scripts/system-deps.sh test) and the ``playwright`` package; without them the
test is skipped, or fails when LIFECIRCLE_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web_fixtures import CHROMIUM_ARGS, artifacts_dir, chromium_path, guarded_page

COMPOUND = (
    "街坊 29"  # a street block 200 m from the 【示例】 canteen (OSM has no elderly care here)
)
CANTEEN = "【示例】老人家食堂（演示数据）"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's) driven by playwright."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Any, live_url: str) -> Iterator[Any]:
    """A 360×640 phone page whose every request outside the test server is refused."""
    with guarded_page(
        browser,
        live_url,
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        locale="zh-CN",
    ) as page:
        yield page


def _minutes_in_list(page: Any, name: str) -> int:
    row = page.locator("#list button", has_text=name)
    return int(row.locator(".min").inner_text().split()[0])


def test_resident_finds_elderly_care_near_a_compound(phone: Any, live_url: str) -> None:
    page = phone
    page.goto(live_url + "/")
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#chips button").count() == 11  # 全部 + the 10 content areas
    assert "数据更新于" in page.locator("footer").inner_text()
    assert "OpenStreetMap" in page.locator("footer").inner_text()
    notice = page.locator("#notice")  # the demo says, before anything else, what its data is
    assert notice.is_visible()
    assert notice.inner_text() == "演示：南京新街口真实 OSM 数据，非天津数据"

    page.fill("#search", COMPOUND)
    page.locator("#search-results button", has_text=COMPOUND).click()
    page.wait_for_selector("#list button")
    assert COMPOUND in page.locator("#list-title").inner_text()
    page.locator("#chips button", has_text="养老").click()
    standard = _minutes_in_list(page, CANTEEN)
    page.locator("#chips button", has_text="全部").click()

    page.locator("#profiles button", has_text="老年人").click()
    page.wait_for_selector("body[data-profile='elderly']")
    page.locator("#chips button", has_text="养老").click()
    names = page.locator("#list button").all_inner_texts()
    assert names and all("示例" in n for n in names)  # only the elderly-care samples remain
    elderly = _minutes_in_list(page, CANTEEN)
    assert elderly > standard  # older people walk slower: more minutes to the same canteen
    page.wait_for_selector("body[data-map-drawn='1']")
    page.screenshot(path=str(artifacts_dir() / "resident-elderly-list.png"), full_page=True)

    page.locator("#list button", has_text=CANTEEN).click()
    sheet = page.locator("#sheet")
    sheet.wait_for(state="visible")
    page.wait_for_selector("#sheet[data-route-minutes]")
    assert sheet.locator("#sheet-name").inner_text() == CANTEEN
    facts = sheet.locator("#sheet-facts").inner_text()
    assert f"{elderly} 分钟" in facts
    assert "老人家食堂" in facts
    # the route drawn on the map takes exactly as long as the list says
    assert float(sheet.get_attribute("data-route-minutes")) == elderly
    assert sheet.locator("#sheet-open").inner_text() in ("现在开放", "现在关闭", "开放时间未知")
    assert not sheet.locator("#sheet-call").is_visible()  # no phone number, no call button
    page.screenshot(path=str(artifacts_dir() / "resident-facility-sheet.png"))
    assert not page.outside, page.outside  # nothing but the local server was asked
    assert not page.errors, page.errors


def test_board_landing_page_is_centred_on_the_board(phone: Any, live_url: str) -> None:
    page = phone
    page.goto(live_url + "/b/demo-gate-1")
    page.wait_for_selector("body[data-ready='1']")
    assert "演示展板" in page.locator("#list-title").inner_text()
    assert page.locator("#list button").count() > 0
    page.wait_for_selector("body[data-map-drawn='1']")
    page.screenshot(path=str(artifacts_dir() / "resident-board.png"))
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def test_use_my_location_lists_services_near_where_i_stand(browser: Any, live_url: str) -> None:
    (board,) = [b for b in _boards(live_url) if b["id"] == "demo-gate-1"]
    context = browser.new_context(
        viewport={"width": 360, "height": 640},
        locale="zh-CN",
        geolocation={"longitude": board["lon"], "latitude": board["lat"]},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto(live_url + "/")
        page.wait_for_selector("body[data-ready='1']")
        page.locator("#locate").click()
        page.wait_for_selector("#list button")
        assert "我的位置" in page.locator("#list-title").inner_text()
    finally:
        context.close()


def test_english_switch_translates_the_page(phone: Any, live_url: str) -> None:
    page = phone
    page.goto(live_url + "/b/demo-gate-1")
    page.wait_for_selector("body[data-ready='1']")
    page.locator("#lang").click()
    page.wait_for_selector("html[lang='en']")
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#profiles button").all_inner_texts() == [
        "Standard",
        "Older person",
        "Wheelchair",
    ]
    assert "Data as of" in page.locator("footer").inner_text()
    assert " min" in page.locator("#list button").first.inner_text()
    assert "not Tianjin data" in page.locator("#notice").inner_text()


def _boards(live_url: str) -> list[dict[str, Any]]:
    import json
    import urllib.request

    with urllib.request.urlopen(live_url + "/api/boards") as response:
        return list(json.load(response))


def test_a_facility_with_a_phone_number_offers_tap_to_call(phone: Any, live_url: str) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(live_url + "/api/access/board/demo-gate-1") as response:
        near = json.load(response)["facilities"]
    for row in near:
        with urllib.request.urlopen(live_url + "/api/facilities/" + row["id"]) as response:
            facility = json.load(response)
        if facility["phone"]:
            break
    else:
        pytest.fail("no facility with a phone near demo-gate-1")
    page = phone
    page.goto(f"{live_url}/b/demo-gate-1?facility={facility['id']}")
    page.wait_for_selector("body[data-ready='1']")
    call = page.locator("#sheet-call")
    assert call.is_visible()
    digits = "".join(c for c in facility["phone"] if c.isdigit() or c == "+")
    assert call.get_attribute("href") == f"tel:{digits}"
    assert facility["phone"] in call.inner_text()
    box = call.bounding_box()
    assert box is not None and box["height"] >= 48  # a thumb can hit it
