"""One error shape everywhere — ours, validation, 404/405 and crashes — in the asked language."""

from __future__ import annotations

import warnings

import pytest
from fastapi import FastAPI
from starlette.requests import Request

from lifecircle.api.errors import ApiError, install_error_handlers, request_lang
from lifecircle.errors import ConfigError, LocationError
from tests.web_fixtures import test_client


def _shape(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"] and body["error"]["message"] != code
    return body["error"]


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/nothing-here", 404, "error.api.not_found"),
        ("/api/compounds/osm-block:0,0", 404, "error.api.no_compound"),
        ("/api/facilities/osm:node/1", 404, "error.api.no_facility"),
        ("/api/boards/no-such-board", 404, "error.api.no_board"),
        ("/api/access/board/no-such-board", 404, "error.api.no_board"),
        ("/api/access/point?lon=east&lat=60.17", 422, "error.api.invalid"),
        ("/api/access/point?lon=24.94", 422, "error.api.invalid"),
        ("/api/access/point?lon=240&lat=60", 422, "error.api.invalid"),
        ("/api/access/board/demo-gate-1?profile=runner", 422, "error.api.invalid"),
        ("/api/boards?crs=mars", 422, "error.api.invalid"),
        ("/api/basemap/roads", 422, "error.api.invalid"),
        ("/api/facilities?bbox=1,2,3", 422, "error.api.bbox"),
        ("/api/facilities?area=nightlife", 422, "error.api.unknown_area"),
        ("/api/gaps?level=7", 400, "error.gaps.level"),
        ("/api/route?facility=sheet:sample_facilities:S1", 422, "error.api.route_from"),
        ("/api/route?board=demo-gate-1", 422, "error.api.route_to"),
        ("/api/access/point?lon=24.0&lat=60.0", 422, "error.point.too_far"),
    ],
)
def test_bad_requests_answer_the_one_shape(demo_client, url, status, code):
    _shape(demo_client.get(url), status, code)


def test_validation_details_name_the_fields(demo_client):
    error = _shape(demo_client.get("/api/access/point?lon=east"), 422, "error.api.invalid")
    assert {d["field"] for d in error["details"]} == {"query.lon", "query.lat"}
    assert "query.lon" in error["message"]


def test_wrong_method_is_405_in_the_shape(demo_client):
    _shape(demo_client.post("/api/boards"), 405, "error.api.method_not_allowed")


def test_message_language_follows_query_cookie_then_header(demo_client):
    url = "/api/boards/nope"
    assert "展板" in demo_client.get(url).json()["error"]["message"]  # zh by default
    assert "board" in demo_client.get(url + "?lang=en").json()["error"]["message"]
    english = demo_client.get(url, headers={"Accept-Language": "en-US,en;q=0.8"})
    assert "board" in english.json()["error"]["message"]
    demo_client.cookies.set("lang", "en")
    try:
        assert "board" in demo_client.get(url).json()["error"]["message"]
        assert "展板" in demo_client.get(url + "?lang=zh").json()["error"]["message"]
    finally:
        demo_client.cookies.clear()


def test_bad_requests_write_nothing(demo_client, demo_project):
    with demo_project.open_store() as store:
        before = [v.id for v in store.versions()]
    demo_client.get("/api/access/point?lon=east&lat=1")
    demo_client.post("/api/facilities", json={"name": "x"})
    demo_client.delete("/api/boards/demo-gate-1")
    with demo_project.open_store() as store:
        assert [v.id for v in store.versions()] == before
    assert demo_client.get("/api/boards/demo-gate-1").status_code == 200


def _crashing_app():
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("secret internals")

    @app.get("/teapot")
    def teapot() -> None:
        raise ApiError(429, "error.api.too_many")

    @app.get("/config")
    def config() -> None:
        raise ConfigError("error.compound.unknown", query="x", names=("a",))

    @app.get("/where")
    def where() -> None:
        raise LocationError("error.point.no_route")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, raise_server_exceptions=False)


def test_unexpected_errors_are_500_in_the_shape_without_internals(caplog):
    client = _crashing_app()
    with caplog.at_level("ERROR", logger="lifecircle.api"):
        error = _shape(client.get("/crash"), 500, "error.api.internal")
    assert "secret" not in error["message"]
    assert "secret internals" in caplog.text  # but the log keeps them


def test_library_errors_map_to_400_and_422_and_429_asks_to_retry_later():
    client = _crashing_app()
    _shape(client.get("/config"), 400, "error.compound.unknown")
    _shape(client.get("/where"), 422, "error.point.no_route")
    response = client.get("/teapot")
    _shape(response, 429, "error.api.too_many")
    assert response.headers["retry-after"]


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "lang"),
    [
        ("", "", "", "zh"),
        ("lang=en", "", "", "en"),
        ("lang=fr", "", "en", "en"),
        ("", "lang=en", "zh-CN", "en"),
        ("", "", "fr-FR, en;q=0.5", "en"),
        ("", "", "zh-TW,en", "zh"),
        ("lang=zh-CN", "", "en", "zh"),
        ("lang=en-GB", "lang=zh", "", "en"),
        ("", "lang=fr", "de", "zh"),
        ("lang=zh_Hant_TW", "", "", "zh"),
    ],
)
def test_request_lang(query, cookie, accept, lang):
    headers = [(b"cookie", cookie.encode()), (b"accept-language", accept.encode())]
    scope = {"type": "http", "query_string": query.encode(), "headers": headers}
    assert request_lang(Request(scope)) == lang


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh-CN", "zh"),
        ("zh-Hans", "zh"),
        ("zh_TW", "zh"),
        ("en-GB", "en"),
        ("EN", "en"),
        ("fr", "zh"),
        ("x" * 30, "zh"),
    ],
)
def test_any_language_tag_gets_the_nearest_supported_language(demo_client, lang, expected):
    answer = demo_client.get("/api/i18n", params={"lang": lang})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["lang"] == expected and body["messages"]["web.error"] != "web.error"
    missing = demo_client.get("/api/facilities/no-such-id", params={"lang": lang})
    error = missing.json()["error"]
    assert missing.status_code == 404 and error["message"] != error["code"]
    assert ("没有" in error["message"]) == (expected == "zh")


def test_the_lang_cookie_and_accept_language_map_the_same_way(demo_client):
    by_cookie = test_client(demo_client.app)
    by_cookie.cookies.set("lang", "en-US")
    assert by_cookie.get("/api/i18n").json()["lang"] == "en"
    french_first = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}
    assert demo_client.get("/api/i18n", headers=french_first).json()["lang"] == "en"
    assert demo_client.get("/api/i18n", headers={"Accept-Language": "de"}).json()["lang"] == "zh"
