"""Shared web-test fixtures: one demo project per session, its app, a client and a live server.

Import the fixtures you need into a conftest.py (``from tests.web_fixtures import demo_app,
demo_client, demo_project, ...``). For W2 (staff) and anyone else:

- ``demo_project`` (session): the packaged demo, built once, results cached; read-only.
- ``demo_app`` (session): ``create_app(demo_project)``; ``demo_client`` (session): a TestClient.
- ``test_client(app)``: a TestClient for your own app (quiet about Starlette's httpx warning).
- ``serve(app)``: context manager running uvicorn in a thread on a free port; yields the URL.
- ``live_url`` (session): the demo app served that way.
- ``chromium_path()``: the Chromium for playwright, or skip/fail by LIFECIRCLE_REQUIRE_BROWSER.
- ``guarded_page(browser, base_url, **context_options)``: a page that may only reach
  ``base_url``; it records refused requests in ``page.outside`` and script errors in
  ``page.errors``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from lifecircle.jobs.build import build
from lifecircle.jobs.demo import build_demo
from lifecircle.project import Project

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def test_client(app: Any, **options: Any) -> Any:
    """A Starlette TestClient for ``app`` (its import warns about httpx; not our concern).

    ``options`` go to TestClient, e.g. ``client=("203.0.113.9", 5000)`` for the peer address.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, **options)


test_client.__test__ = False  # type: ignore[attr-defined]  # not a test, despite the name


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The packaged demo project with its results built (once per session; do not write)."""
    project, _ = build_demo(tmp_path_factory.mktemp("web") / "demo")
    build(project)
    return project


@pytest.fixture(scope="session")
def demo_app(demo_project: Project) -> Any:
    """The web app serving the demo."""
    from lifecircle.api.app import create_app

    return create_app(demo_project)


@pytest.fixture(scope="session")
def demo_client(demo_app: Any) -> Any:
    """A TestClient of the demo app."""
    return test_client(demo_app)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free port; yield its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def live_url(demo_app: Any) -> Iterator[str]:
    """The demo app served on a free loopback port for the session."""
    with serve(demo_app) as url:
        yield url


def chromium_path() -> str:
    """Chromium for playwright; missing → fail if LIFECIRCLE_REQUIRE_BROWSER=1, else skip."""
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:
        found = None
    if not found:
        message = "Chromium or playwright missing (scripts/system-deps.sh test installs it)"
        if os.environ.get("LIFECIRCLE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


@contextmanager
def guarded_page(browser: Any, base_url: str, **context_options: Any) -> Iterator[Any]:
    """A page in a new browser context whose every request outside ``base_url`` is refused."""
    context = browser.new_context(**context_options)
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.outside, page.errors = outside, errors
    try:
        yield page
    finally:
        context.close()


def wait_true(page: Any, script: str, arg: Any = None, *, timeout_s: float = 20.0) -> None:
    """Poll ``page.evaluate(script, arg)`` until it is truthy.

    Playwright's ``wait_for_function`` compiles its polling function inside the page, which
    the pages' Content-Security-Policy (no ``unsafe-eval``) refuses whenever the condition is
    not already true at the first check; ``evaluate`` is not affected.
    """
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s:g} s: {script}")
        page.wait_for_timeout(100)


def artifacts_dir() -> Path:
    """Where browser tests save screenshots (gitignored)."""
    path = Path(__file__).parents[1] / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
