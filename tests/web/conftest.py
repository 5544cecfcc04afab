"""Fixtures of the browser tests: the session's demo app on a free loopback port, Chromium."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web_fixtures import (
    CHROMIUM_ARGS,
    chromium_path,
    demo_app,
    demo_client,
    demo_project,
    guarded_page,
    live_url,
)

__all__ = ["chromium", "demo_app", "demo_client", "demo_project", "live_url", "phone"]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Chromium (Debian's) driven by playwright, one per test module.

    Per module, not per session: playwright's sync API cannot run twice at once, and other
    modules (the staff pages') start their own.
    """
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium: Any, live_url: str) -> Iterator[Any]:
    """A 360×640 phone page (new context: a cold cache) that may only reach the test server."""
    with guarded_page(
        chromium,
        live_url,
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        locale="zh-CN",
    ) as page:
        yield page
