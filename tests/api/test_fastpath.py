"""Repeated GETs are answered from memory: same bytes, gzip when asked, 304, staff never kept."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from lifecircle.api.app import create_app
from tests.web_fixtures import test_client

URL = "/api/access/board/demo-gate-3"


def _kept(app):
    return app.state.area.current.answers


def test_a_repeated_request_is_replayed_with_the_same_bytes(demo_app, demo_client):
    first = demo_client.get(URL, params={"profile": "wheelchair"})
    keys = [k for k in _kept(demo_app) if k[0] == URL and b"wheelchair" in k[1]]
    assert len(keys) == 1
    again = demo_client.get(URL, params={"profile": "wheelchair"})
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert "Accept-Encoding" in again.headers["vary"]


def test_gzip_when_the_client_takes_it(demo_client):
    plain = demo_client.get(URL, headers={"Accept-Encoding": "identity"})
    zipped = demo_client.get(URL, headers={"Accept-Encoding": "gzip"})  # httpx unzips it
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3


def test_the_first_answer_is_gzipped_too(demo_app, demo_client):
    url = "/api/access/board/demo-gate-5"
    params = {"profile": "elderly", "lang": "en"}
    assert not [k for k in _kept(demo_app) if k[0] == url]  # nobody asked before
    first = demo_client.get(url, params=params, headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    assert int(first.headers["content-length"]) < len(first.content) / 3
    plain = demo_client.get(url, params=params, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == first.content


def test_a_replayed_answer_still_says_304_to_a_client_that_has_it(demo_client):
    tag = demo_client.get(URL).headers["etag"]
    again = demo_client.get(URL, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag


def test_errors_are_not_kept(demo_app, demo_client):
    demo_client.get("/api/boards/not-a-board")
    assert not [k for k in _kept(demo_app) if k[0] == "/api/boards/not-a-board"]


def test_staff_answers_are_never_kept(demo_project):
    app = create_app(demo_project)
    router = APIRouter()
    calls = []

    @router.get("/api/staff/probe")
    def probe() -> Response:
        calls.append(1)
        return Response(b"{}", headers={"ETag": '"x"'})

    app.include_router(router)
    client = test_client(app)
    client.get("/api/staff/probe")
    client.get("/api/staff/probe")
    assert len(calls) == 2
