"""The welfare-visit phone page in headless Chromium at 360×640: a micro-grid head opens today's
visits, logs one by phone, and the month's visit rate updates.

Needs Chromium and playwright (skipped without them, failed when LIFECIRCLE_REQUIRE_BROWSER=1).
Screenshots: test-artifacts/care-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.care_web import PASSWORD, care_app, staff_template
from tests.web_fixtures import artifacts_dir, guarded_page, serve

#: Browser stories in Chromium: run in CI (LIFECIRCLE_TEST_ALL=1), not by a plain `make test`.
pytestmark = pytest.mark.slow

__all__ = ["care_app", "staff_template"]


@pytest.fixture(scope="module")
def care_url(care_app: Any) -> Iterator[str]:
    """The register's app served on a free loopback port."""
    with serve(care_app) as url:
        yield url


@pytest.fixture
def small_phone(chromium: Any, care_url: str) -> Iterator[Any]:
    """A 360×640 phone page that may only reach the test server."""
    with guarded_page(
        chromium, care_url, viewport={"width": 360, "height": 640}, device_scale_factor=2,
        locale="zh-CN",
    ) as page:  # fmt: skip
        yield page


def test_a_micro_grid_head_logs_a_phone_visit_and_the_rate_updates(
    small_phone: Any, care_url: str
) -> None:
    page = small_phone
    page.goto(f"{care_url}/care/")
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#login-name", "mg1")
    page.fill("#login-password", PASSWORD)
    page.locator("#login button[type=submit]").click()
    page.wait_for_selector("body[data-ready='true']")

    people = page.locator("#people li")
    expect(people).to_have_count(2)  # 王桂兰 and 李秀英 of micro-grid D1-1; not 张淑珍 (D2)
    assert "张淑珍" not in page.locator("#people").inner_text()
    wang = page.locator("#people li", has_text="王桂兰")
    assert "138****1234" in wang.inner_text() and "高血压" not in page.content()
    expect(page.locator("#rate")).to_have_text("0.0%")
    expect(page.locator("#rate-count")).to_contain_text("0 / 应探访 2")
    expect(page.locator("#overdue")).to_have_text("逾期未探访 2 人")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page must not scroll sideways on a 360 px phone"
    page.screenshot(path=str(artifacts_dir() / "care-1-today.png"))

    wang.locator("button.log").click()
    expect(page.locator("#visit")).to_be_visible()
    assert page.locator("#v-mode").input_value() == "phone"
    page.locator("#v-outcomes input[value=well]").check()
    page.fill("#v-note", "电话联系，精神不错")
    page.screenshot(path=str(artifacts_dir() / "care-2-log.png"))
    page.locator("#v-save").click()

    expect(page.locator("#status")).to_contain_text("已登记对 王桂兰 的探访")
    expect(page.locator("#rate")).to_have_text("50.0%")
    expect(page.locator("#rate-count")).to_contain_text("1 / 应探访 2")
    expect(page.locator("#overdue")).to_have_text("逾期未探访 1 人")
    expect(people).to_have_count(1)  # 王桂兰 is next due in a week
    page.screenshot(path=str(artifacts_dir() / "care-3-logged.png"))
    assert page.errors == [] and page.outside == []


def test_a_micro_grid_head_works_an_urgent_check_step_by_step(
    small_phone: Any, care_url: str, care_app: Any
) -> None:
    page = small_phone
    compound = care_app.state.care.tables.people()[0]["compound_key"]  # 王桂兰's
    raised = page.request.post(
        f"{care_url}/api/care/urgent",
        data={"compound": compound, "name": "王桂兰", "relation": "女儿", "said": "一天没接电话"},
    )
    assert raised.status == 201, raised.text()
    token = raised.json()["token"]
    page.goto(f"{care_url}/care/")
    page.fill("#login-name", "mg1")
    page.fill("#login-password", PASSWORD)
    page.locator("#login button[type=submit]").click()
    page.wait_for_selector("body[data-ready='true']")

    check = page.locator("#check-list li.check").first
    expect(check).to_contain_text("王桂兰")
    expect(check).to_contain_text("拨打备案电话：应于 09:15 前")
    check.locator("button[data-result=no_answer]").click()
    expect(check).to_contain_text("拨打备案电话：无人应答（第 0 分钟）")
    check.locator("button[data-step=door][data-result=found_well]").click()
    expect(check).to_contain_text("上门：见到本人，安好")
    page.screenshot(path=str(artifacts_dir() / "care-4-check.png"))
    check.locator("button[data-outcome=safe]").click()
    expect(page.locator("#checks")).to_be_hidden()
    answer = page.request.get(f"{care_url}/api/care/urgent/{token}").json()
    assert (answer["state"], answer["outcome"]) == ("closed", "safe")
    assert page.errors == [] and page.outside == []


def test_the_page_holds_no_text_of_its_own() -> None:
    import re
    from pathlib import Path

    from lifecircle.i18n import catalogue

    folder = Path(__file__).parents[2] / "src" / "lifecircle" / "web" / "care"
    texts = {p.name: p.read_text("utf-8") for p in folder.iterdir() if p.suffix in (".js", ".html")}
    used = {k for text in texts.values() for k in re.findall(r"staff\.care\.[a-z_.]+[a-z]", text)}
    assert len(used) > 15
    built = {f"staff.care.{kind}.{v}" for kind, values in (
        ("mode", ("in_person", "phone", "video", "alarm")),
        ("outcome", ("well", "needs", "unwell", "not_reached")),
        ("status", ("today", "overdue")),
        ("step", ("ring", "door", "contacts")),
        ("result", ("answered", "no_answer", "found_well", "found_needs_help", "reached",
                    "not_reached")),
        ("close", ("safe", "helped", "emergency", "not_found")),
    ) for v in values}  # fmt: skip
    prefixes = {f"staff.care.{p}" for p in ("mode", "outcome", "status", "step", "result", "close")}
    assert (used - prefixes) | built <= set(catalogue())
    assert not any(re.search(r"[\u3400-\u9fff]", text) for text in texts.values())
