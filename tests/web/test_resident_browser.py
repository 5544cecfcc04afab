"""The resident page in headless Chromium at 360×640 on the Nanjing demo, as a resident uses it:
scan a board, see the nearest of each service first, switch to 老年人, open the nearest
community health station and see the route on the map above the peeking sheet.

Needs Chromium (scripts/system-deps.sh test) and the ``playwright`` package; without them the
tests are skipped, or fail when LIFECIRCLE_REQUIRE_BROWSER=1 (CI). Screenshots and the time to
the first useful answer go to test-artifacts/ (a figure recorded, never asserted).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web_fixtures import artifacts_dir, wait_true

BOARD = "demo-gate-1"  # at a gate of 街坊 17: the nearest of each type is judged from 街坊 17
COMPOUND = "街坊 28"  # 200 m from the 【示例】 canteen (OSM has no elderly care here)
CANTEEN = "【示例】老人家食堂（演示数据）"
CLINIC = "community_health_station"  # 社区卫生服务站: the sample sheet declares it complete
PHONE_HEIGHT = 640


def _api(live_url: str, path: str, **params: str) -> Any:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"{live_url}{path}{query}") as response:
        return json.load(response)


def _open_board(page: Any, live_url: str, board: str = BOARD) -> None:
    page.goto(f"{live_url}/b/{board}")
    page.wait_for_selector("body[data-ready='1']")


def _walk(minutes: int | None) -> str:
    return "—" if minutes is None else f"{minutes} 分钟"


def _route_box(page: Any, coords: list[list[float]]) -> dict[str, float]:
    """The route's bounding box on the screen, in CSS pixels of the viewport."""
    return page.evaluate(
        """(coords) => {
            const m = document.getElementById("map").areaMap;
            const frame = m.map.getContainer().getBoundingClientRect();
            const xs = [], ys = [];
            for (const c of coords) { const p = m.map.project(c); xs.push(p.x); ys.push(p.y); }
            return { left: frame.left + Math.min(...xs), right: frame.left + Math.max(...xs),
                     top: frame.top + Math.min(...ys), bottom: frame.top + Math.max(...ys) };
        }""",
        coords,
    )


def test_a_resident_scans_a_board_and_finds_the_way_to_the_nearest_clinic(
    phone: Any, live_url: str
) -> None:
    page = phone
    _open_board(page, live_url)
    # the first screen answers what a resident asks first: the nearest services, no scrolling
    first = page.locator("#nearest .type-row").first.bounding_box()
    assert first is not None and first["y"] + first["height"] <= PHONE_HEIGHT
    timing = page.evaluate(
        """() => ({
            nearest_ms: performance.getEntriesByName("lifecircle:nearest-shown")[0].startTime,
            dom_ms: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
            ready_ms: performance.now(),
        })"""
    )
    # recorded, not asserted (benchmarks/resident_page.py measures it against a separate server)
    (artifacts_dir() / "resident-first-answer.json").write_text(json.dumps(timing, indent=2))
    page.screenshot(path=str(artifacts_dir() / "resident-nearest.png"))

    page.locator("#profiles button", has_text="老年人").click()
    page.wait_for_selector("body[data-profile='elderly']:not([data-loading])")
    answer = _api(live_url, f"/api/access/board/{BOARD}", profile="elderly")
    clinic = next(t for t in answer["types"] if t["type"] == CLINIC)
    row = page.locator(f".type-row[data-type='{CLINIC}']")
    assert row.locator(".min").inner_text() == _walk(clinic["minutes"])  # as the API (and board)
    assert clinic["facility_name"] in row.inner_text()
    row.click()

    page.wait_for_selector("body[data-route-drawn='1']")
    sheet = page.locator("#sheet")
    assert sheet.get_attribute("data-state") == "peek"
    assert sheet.locator("#sheet-name").inner_text() == clinic["facility_name"]
    assert f"步行 {clinic['minutes']} 分钟" in sheet.locator("#sheet-walk").inner_text()
    assert sheet.get_attribute("data-route-minutes") == str(clinic["minutes"])
    # measured, like the board's verdict, from the compound's nearest gate: the sheet says so
    assert sheet.locator("#sheet-from").inner_text() == "从「街坊 17」最近的出入口出发"
    assert "周一至周五 8:00–17:00" in sheet.locator("#sheet-open").inner_text()  # plain words

    # the route is drawn, and the peeking sheet leaves all of it in sight
    assert page.evaluate("document.getElementById('map').areaMap.drawn('route')") > 0
    judged = answer["types_origin"]
    route = _api(
        live_url,
        "/api/route",
        compound=judged["id"],
        facility=clinic["facility_id"],
        profile="elderly",
    )
    box = _route_box(page, route["geometry"]["coordinates"])
    top = sheet.bounding_box()["y"]
    assert top > PHONE_HEIGHT / 2  # the sheet peeks: the map keeps most of the screen
    assert 0 <= box["left"] < box["right"] <= 360
    assert 0 <= box["top"] < box["bottom"] <= top, (box, top)
    page.screenshot(path=str(artifacts_dir() / "resident-route.png"))
    assert not page.outside, page.outside  # nothing but the local server was asked
    assert not page.errors, page.errors


@pytest.mark.slow
def test_every_type_says_what_the_data_says_by_content_area(phone: Any, live_url: str) -> None:
    page = phone
    _open_board(page, live_url)
    answer = _api(live_url, f"/api/access/board/{BOARD}")
    taxonomy = _api(live_url, "/api/taxonomy")
    groups = page.locator("#nearest .group")
    shown = [g.get_attribute("data-area") for g in groups.all()]
    assert shown == [a["code"] for a in taxonomy["areas"]]  # the 10 areas, in the taxonomy's order
    for area in taxonomy["areas"]:
        style = page.locator(f".group[data-area='{area['code']}']").get_attribute("style")
        assert area["color"] in style
    names = {t["code"]: t["name_zh"] for t in taxonomy["types"]}
    for nearest in answer["types"]:
        group = page.locator(f".group[data-area='{nearest['area']}']")
        if nearest["reach"] == "not_collected":  # 未采集: said once per area, never "missing"
            assert names[nearest["type"]] in group.locator(".uncollected").inner_text()
            assert group.locator(f".type-row[data-type='{nearest['type']}']").count() == 0
            continue
        row = group.locator(f".type-row[data-type='{nearest['type']}']")
        assert row.get_attribute("data-reach") == nearest["reach"]
        assert row.locator(".min").inner_text() == _walk(nearest["minutes"])
        assert row.locator(".badge").count() == (1 if nearest["missing"] else 0)
    education = page.locator(".group[data-area='education']").inner_text()
    assert "未采集（暂无数据，不等于没有）" in education


@pytest.mark.slow
def test_the_full_list_by_minutes_is_behind_the_nearest(phone: Any, live_url: str) -> None:
    page = phone
    _open_board(page, live_url)
    near = _api(live_url, f"/api/access/board/{BOARD}")["facilities"]
    more = page.locator("#show-all")
    assert more.inner_text() == f"全部 {len(near)} 处（按步行时间）"
    assert not page.locator("#list").is_visible()
    more.click()
    rows = page.locator("#list button")
    assert rows.count() == 30  # a page at a time
    assert rows.first.locator(".min").inner_text() == _walk(near[0]["minutes"])
    minutes = [int(m.split()[0]) for m in page.locator("#list .min").all_inner_texts()]
    assert minutes == sorted(minutes)
    page.locator("#chips button", has_text="养老").click()  # one content area
    assert page.locator("#nearest .group").count() == 1
    elderly = [f for f in near if f["area"] == "elderly"]
    assert page.locator("#list button").count() == len(elderly)


@pytest.mark.slow
def test_older_walkers_need_more_minutes_from_a_compound_found_by_name(
    phone: Any, live_url: str
) -> None:
    page = phone
    page.goto(live_url + "/")
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#search").is_visible()  # no place yet: the search is open
    page.fill("#search", COMPOUND)
    page.locator("#search-results button", has_text=COMPOUND).click()
    page.wait_for_selector("body[data-nearest-shown='1']")
    assert page.locator("#place-name").inner_text() == COMPOUND
    canteen = page.locator(".type-row[data-type='elderly_canteen'] .min")
    standard = int(canteen.inner_text().split()[0])
    page.locator("#profiles button", has_text="老年人").click()
    page.wait_for_selector("body[data-profile='elderly']:not([data-loading])")
    elderly = int(canteen.inner_text().split()[0])
    assert elderly > standard  # older people walk slower: more minutes to the same canteen
    page.locator(".type-row[data-type='elderly_canteen']").click()
    page.wait_for_selector("body[data-route-drawn='1']")
    assert page.locator("#sheet-name").inner_text() == CANTEEN
    assert page.locator("#sheet").get_attribute("data-route-minutes") == str(elderly)
    assert "每天 10:30–13:00" in page.locator("#sheet-open").inner_text()
    assert not page.locator("#sheet-from").is_visible()  # it starts where the page does
    assert not page.locator("#sheet-call").is_visible()  # no phone number, no call button
    page.reload()  # the walker chosen is remembered
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("body").get_attribute("data-profile") == "elderly"
    assert not page.errors, page.errors


@pytest.mark.slow
def test_the_sheet_peeks_expands_and_closes(phone: Any, live_url: str) -> None:
    page = phone
    _open_board(page, live_url)
    page.locator(".type-row[data-type='fresh_market']").click()
    page.wait_for_selector("body[data-route-drawn='1']")
    sheet, handle = page.locator("#sheet"), page.locator("#sheet-handle")
    assert not page.locator("#sheet-facts").is_visible()  # the peek: the short answer only
    handle.click()
    assert sheet.get_attribute("data-state") == "full"
    assert page.locator("#sheet-facts").is_visible()
    assert "地址" in page.locator("#sheet-facts").inner_text()

    def drag_down() -> None:
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x, y + 120, steps=6)
        page.mouse.up()

    drag_down()  # from the full sheet back to the peek ...
    assert sheet.get_attribute("data-state") == "peek" and sheet.is_visible()
    drag_down()  # ... and away
    assert not sheet.is_visible()
    assert page.locator("body").get_attribute("data-route-drawn") is None
    # the route's layer is emptied at once and redrawn with the next frame
    wait_true(page, "document.getElementById('map').areaMap.drawn('route') === 0")
    page.locator(".type-row[data-type='fresh_market']").click()  # the list kept its place
    page.wait_for_selector("#sheet:not([hidden])")
    targets = [handle, page.locator("#sheet-close"), *page.locator("#profiles button").all()]
    for target in targets:
        assert target.bounding_box()["height"] >= 48  # thumb-sized targets


@pytest.mark.slow
def test_a_facility_with_a_phone_number_offers_tap_to_call(phone: Any, live_url: str) -> None:
    near = _api(live_url, f"/api/access/board/{BOARD}")["facilities"]
    for row in near:
        facility = _api(live_url, "/api/facilities/" + urllib.parse.quote(row["id"], safe=":/"))
        if facility["phone"]:
            break
    else:
        pytest.fail(f"no facility with a phone near {BOARD}")
    page = phone
    page.goto(f"{live_url}/b/{BOARD}?facility={urllib.parse.quote(facility['id'])}")
    page.wait_for_selector("body[data-ready='1']")
    call = page.locator("#sheet-call")
    assert call.is_visible()  # in the peek, without expanding
    digits = "".join(c for c in facility["phone"] if c.isdigit() or c == "+")
    assert call.get_attribute("href") == f"tel:{digits}"
    assert facility["phone"] in call.inner_text()
    box = call.bounding_box()
    assert box["height"] >= 48  # a thumb can hit it
    assert box["y"] + box["height"] <= PHONE_HEIGHT  # in the peek, not cut off below
    # the map above the sheet still shows the place and the way there
    assert page.locator("#sheet").bounding_box()["y"] >= PHONE_HEIGHT * 0.4


@pytest.mark.slow
def test_english_switch_translates_the_page(phone: Any, live_url: str) -> None:
    page = phone
    _open_board(page, live_url)
    page.locator("#lang").click()
    page.wait_for_selector("html[lang='en']")
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#profiles button").all_inner_texts() == [
        "Standard",
        "Older person",
        "Wheelchair",
    ]
    assert "Data as of" in page.locator("footer").inner_text()
    assert "OpenStreetMap contributors" in page.locator("footer").inner_text()
    assert page.locator("#nearest-title").inner_text() == "Nearest services (walking: Standard)"
    assert page.locator(".group[data-area='health'] h3").inner_text() == "Health"
    assert " min" in page.locator(".type-row").first.inner_text()
    assert "not Tianjin data" in page.locator("#notice").inner_text()


def test_the_demo_says_what_its_data_is_and_whose_map_it_is(phone: Any, live_url: str) -> None:
    page = phone
    _open_board(page, live_url)
    notice = page.locator("#notice")  # the demo says, before anything else, what its data is
    assert notice.is_visible()
    assert notice.inner_text() == "演示：南京新街口真实 OSM 数据，非天津数据"
    assert "数据更新于" in page.locator("footer").inner_text()
    attribution = page.locator(".maplibregl-ctrl-attrib")  # where the map is drawn
    assert attribution.is_visible() and "© OpenStreetMap 贡献者" in attribution.inner_text()


@pytest.mark.slow
def test_use_my_location_lists_services_near_where_i_stand(chromium: Any, live_url: str) -> None:
    (board,) = [b for b in _api(live_url, "/api/boards") if b["id"] == BOARD]
    context = chromium.new_context(
        viewport={"width": 360, "height": PHONE_HEIGHT},
        locale="zh-CN",
        geolocation={"longitude": board["lon"], "latitude": board["lat"]},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto(live_url + "/")
        page.wait_for_selector("body[data-ready='1']")
        page.locator("#locate").click()
        page.wait_for_selector("body[data-nearest-shown='1']")
        assert page.locator("#place-name").inner_text() == "我的位置"
        assert page.locator("#nearest .type-row").count() > 10
    finally:
        context.close()


@pytest.mark.slow
def test_an_unknown_board_says_so_and_offers_the_search(phone: Any, live_url: str) -> None:
    page = phone
    _open_board(page, live_url, "no-such-board")
    assert "没有编号为「no-such-board」的展板" in page.locator("#status").inner_text()
    assert page.locator("#search").is_visible()


#: Is the element at the right of a row's middle the row itself (or inside it), not what floats?
_ROW_ON_TOP = """(selector) => {
    const rows = document.querySelectorAll(selector);
    const last = rows[rows.length - 1];
    const box = last.getBoundingClientRect();
    const hit = document.elementFromPoint(box.right - 12, box.top + box.height / 2);
    return { onTop: last.contains(hit), hit: hit ? hit.id || hit.className : null };
}"""


@pytest.mark.slow
def test_the_report_button_leaves_the_last_row_of_the_list_clickable(
    phone: Any, live_url: str
) -> None:
    page = phone
    _open_board(page, live_url)
    page.locator("#show-all").click()
    assert page.locator("#list li").count() == 30
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.locator("#report-open").is_visible()  # it floats over the page's end
    for selector in ("#list li", "#more"):
        found = page.evaluate(_ROW_ON_TOP, selector)
        assert found["onTop"], (selector, found)
    page.locator("#list li button").last.click(timeout=2000)  # nothing intercepts the tap
    expect(page.locator("#sheet")).to_be_visible()
    # the probe sees a covered row: without the room the button would sit on the last one
    page.locator("#sheet-close").click()
    page.add_style_tag(content=".foot { display: none; } #more { display: none !important; }")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate(_ROW_ON_TOP, "#list li") == {"onTop": False, "hit": "report-open"}
