"""The desk's public routes: the resident form (with its photo), duplicates (409), the token
page with nothing personal, the 回访, the compound summary, and the form's limits."""

from __future__ import annotations

import io
import json

from lifecircle.api.desk.common import SubmissionLimiter
from tests.desk.test_photos import jpeg
from tests.desk_web import login, neighbour_compound, own_compound
from tests.web_fixtures import test_client


def _count(app) -> int:
    from lifecircle.store.case_queries import CaseQuery

    return len(app.state.desk.store.cases.find(CaseQuery(limit=10_000)))


def _post(client, **fields):
    files = {}
    photo = fields.pop("photo", None)
    if photo is not None:
        files["photo"] = ("IMG_0001.jpg", io.BytesIO(photo), "image/jpeg")
    data = {"category": "sanitation", "details": "楼下垃圾三天没清运", **fields}
    return client.post("/api/desk/requests", data=data, files=files or None)


def test_the_categories_leave_out_the_private_ones(desk_app):
    codes = {c["code"] for c in test_client(desk_app).get("/api/desk/categories").json()}
    assert "water_leak" in codes and not codes & {"neighbour_dispute", "family_contact", "welfare"}


def test_the_form_says_its_categories_and_photo_limits(desk_app):
    answer = test_client(desk_app).get("/api/desk/form?lang=en").json()
    codes = {c["code"] for c in answer["categories"]}
    assert "blocked_access" in codes and "welfare" not in codes
    assert answer["photo_max_bytes"] == desk_app.state.desk.settings.desk_photo_max_mb * 1_000_000
    assert answer["photo_types"] == ["image/jpeg", "image/png", "image/webp"]
    leak = next(c for c in answer["categories"] if c["code"] == "water_leak")
    assert leak["name"] == "water leak"


def test_the_case_address_is_a_page_for_browsers_and_json_for_programs(desk_app):
    client = test_client(desk_app)
    body = _post(client, compound=own_compound(desk_app).key, not_duplicate="true").json()
    page = client.get(f"/c/{body['token']}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<script type="module" src="/static/' in page.text and "/case.js" in page.text
    assert body["token"] not in page.text  # the page reads its token from its own address
    program = client.get(f"/c/{body['token']}", follow_redirects=False)
    assert program.status_code == 307 and program.headers["location"] == f"/api/c/{body['token']}"


def test_a_resident_files_with_a_photo_and_follows_the_token(desk_app):
    client = test_client(desk_app)
    compound = own_compound(desk_app)
    answer = _post(
        client,
        compound=compound.key,
        phone="13900001111",
        name="李大爷",
        photo=jpeg(),
        not_duplicate="true",
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["grid"] == "D1" and body["state"] == "dispatched"
    assert body["link"].endswith(f"/c/{body['token']}")
    case = desk_app.state.desk.store.cases.get(body["case_id"])
    assert case.reporter_phone == "13900001111" and len(case.photos) == 1
    page = client.get(f"/api/c/{body['token']}")
    assert page.status_code == 200
    text = json.dumps(page.json(), ensure_ascii=False)
    for secret in ("13900001111", "李大爷", "楼下垃圾三天没清运", case.photos[0]):
        assert secret not in text
    assert page.json()["state_name"] == "已分派" and page.json()["place"] == compound.name
    assert client.get("/api/c/nosuchtoken00000").status_code == 404
    followed = client.get(f"/c/{body['token']}")  # the address given to the resident
    assert followed.status_code == 200 and followed.json()["case_id"] == body["case_id"]


def test_a_photo_over_the_cap_is_413_and_nothing_is_filed(desk_app):
    before = _count(desk_app)
    answer = _post(
        test_client(desk_app),
        compound=own_compound(desk_app).key,
        photo=jpeg() + b"\0" * 9_000_000,
        not_duplicate="true",
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "error.desk.photo_too_large"
    assert _count(desk_app) == before


def test_bad_fields_are_422_naming_them(desk_app):
    client = test_client(desk_app)
    answer = _post(client, category="no_such", compound=own_compound(desk_app).key)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "error.desk.unknown_category" and error["details"] == [
        {"field": "category"}
    ]
    assert "没有类别「no_such」" in error["message"]
    answer = _post(client, lon="abc", lat="39.1")
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "error.api.invalid"
    far = _post(client, lon="24.5", lat="60.0", not_duplicate="true")
    assert far.status_code == 422 and far.json()["error"]["code"] == "error.desk.outside_grids"


def test_nearby_open_cases_come_back_as_409_and_can_be_joined(desk_app):
    client = test_client(desk_app)
    compound = neighbour_compound(desk_app)
    point = {"lon": str(compound.lon), "lat": str(compound.lat)}
    first = _post(client, category="streetlight", details="路灯不亮", not_duplicate="true", **point)
    assert first.status_code == 201
    nearby = client.get("/api/desk/nearby", params={"category": "streetlight", **point}).json()
    assert [n["case_id"] for n in nearby] == [first.json()["case_id"]]
    before = _count(desk_app)
    again = _post(client, category="streetlight", details="路灯坏了", **point)
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "error.desk.maybe_duplicate"
    assert (
        error["details"][0]["case_id"] == first.json()["case_id"]
        and "token" not in error["details"][0]
    )
    assert _count(desk_app) == before
    joined = _post(
        client,
        category="streetlight",
        details="路灯坏了",
        join=str(first.json()["case_id"]),
        **point,
    )
    assert joined.status_code == 201 and joined.json()["duplicate_of"] == first.json()["case_id"]
    # the joiner follows the original's progress on their own page
    page = client.get(f"/api/c/{joined.json()['token']}").json()
    assert page["merged_into"] == first.json()["case_id"] and not page["can_give_feedback"]


def test_the_requester_answers_the_follow_up_once_handled(desk_app):
    client = test_client(desk_app)
    body = _post(client, compound=own_compound(desk_app).key, not_duplicate="true").json()
    feedback = {"solved": True, "satisfaction": "satisfied", "comment": "<b>谢谢</b>"}
    early = client.post(f"/api/c/{body['token']}/feedback", json=feedback)
    assert early.status_code == 409 and early.json()["error"]["code"] == "error.desk.illegal_step"
    worker = login(desk_app, "gw1")
    for step in ({"action": "visit"}, {"action": "finish", "note": "已清运，请查看"}):
        assert (
            worker.send("POST", f"/api/desk/cases/{body['case_id']}/events", json=step).status_code
            == 200
        )
    page = client.get(f"/api/c/{body['token']}").json()
    assert page["timeline"][-1]["note"] == "已清运，请查看" and page["can_give_feedback"]
    done = client.post(f"/api/c/{body['token']}/feedback", json=feedback)
    assert done.status_code == 200 and done.json()["state"] == "closed"
    assert done.json()["feedback"] == {"solved": True, "satisfaction": "satisfied"}
    bad = client.post(
        f"/api/c/{body['token']}/feedback", json={"solved": True, "satisfaction": "meh"}
    )
    assert bad.status_code == 422


def test_the_compound_summary_counts_only(desk_app):
    compound = own_compound(desk_app)
    body = test_client(desk_app).get(f"/api/desk/summary/compound/{compound.key}").json()
    assert body["scope"] == "compound" and body["cases"] >= 1
    assert body["text"] == f"近30天本小区反映的问题 {body['cases']} 件，已办结 {body['done']} 件"
    assert test_client(desk_app).get("/api/desk/summary/compound/nope").status_code == 404


def test_a_gate_board_naming_its_compound_by_name_has_the_compounds_summary(desk_app):
    """Boards sheets name the compound (所属小区) by name: the resident page's line must work."""
    store = desk_app.state.desk.store
    board = next(b for b in store.records("board") if b.compound)
    compound = next(c for c in store.records("compound") if board.compound in (c.key, c.name))
    client = test_client(desk_app)
    by_board = client.get(f"/api/desk/summary/board/{board.board_id}")
    assert by_board.status_code == 200, by_board.text
    by_compound = client.get(f"/api/desk/summary/compound/{compound.key}").json()
    assert by_board.json() == by_compound and by_compound["name"] == compound.name
    assert client.get("/api/desk/summary/board/no-such-board").status_code == 404


def test_the_form_is_limited_per_address(desk_app):
    desk_app.state.desk_form_limiter = SubmissionLimiter(max_per_window=2, window_s=600)
    try:
        client = test_client(desk_app)
        codes = [_post(client, category="no_such").status_code for _ in range(3)]
        assert codes == [422, 422, 429]
    finally:
        desk_app.state.desk_form_limiter = None


def test_the_group_hears_of_a_new_case_right_after_the_answer(desk_app, monkeypatch):
    from dataclasses import replace

    from lifecircle.desk.config import NotifyChannel
    from tests.desk.test_notify import robot

    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    desk = desk_app.state.desk
    before = desk.config
    with robot({"errcode": 0}) as (url, received):
        desk.config = replace(
            before,
            notify=(
                NotifyChannel("群", "wecom", frozenset({"intake"}), frozenset(), {"url": url}),
            ),
        )
        try:
            answer = _post(
                test_client(desk_app), compound=own_compound(desk_app).key, not_duplicate="true"
            )
        finally:
            desk.config = before
    assert answer.status_code == 201
    assert [r["json"]["text"]["content"].split("】")[0] for r in received] == [
        f"【新事项 #{answer.json()['case_id']}"
    ]
