"""The desk's staff routes: lists by grid, filing, steps, 403 with nothing written for another
grid's case, 409 for a step the state forbids, masked phones, logged reveals, photos, CSRF."""

from __future__ import annotations

import io
import typing

from lifecircle.api.desk.cases import StepAction
from lifecircle.desk.machine import ACTIONS
from tests.desk.test_photos import jpeg
from tests.desk_web import login, neighbour_compound, own_compound
from tests.web_fixtures import test_client


def _new(client, compound, **values):
    body = {
        "category": "sanitation",
        "source": "phone",
        "details": "门口垃圾堆放",
        "compound": compound.key,
        "reporter_phone": "13611112222",
        "not_duplicate": True,
    }
    body.update(values)
    answer = client.send("POST", "/api/desk/cases", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _written(app, case_id) -> tuple[int, int]:
    desk = app.state.desk
    return len(desk.store.cases.events(case_id)), desk.store.accounts.count_audit()


def test_the_step_list_of_the_api_is_the_machine_s():
    assert set(typing.get_args(StepAction)) == set(ACTIONS) - {"link_walking", "lift_walking"}


def test_a_grid_worker_lists_only_their_grid_with_phones_masked(desk_app):
    own, other = login(desk_app, "gw1"), login(desk_app, "gw2")
    mine = _new(own, own_compound(desk_app))
    theirs = _new(other, neighbour_compound(desk_app))
    listed = own.get("/api/desk/cases").json()
    ids = {c["id"] for c in listed}
    assert mine["case_id"] in ids and theirs["case_id"] not in ids
    assert {c["grid"] for c in listed} == {"D1"}
    assert all(
        c["reporter_phone"] in (None, "136****2222") or c["reporter_phone"].count("*") == 4
        for c in listed
    )
    district = login(desk_app, "district").get("/api/desk/cases").json()
    assert {mine["case_id"], theirs["case_id"]} <= {c["id"] for c in district}


def test_another_grid_s_case_is_403_and_nothing_is_written(desk_app):
    mine = _new(login(desk_app, "gw1"), own_compound(desk_app))
    intruder = login(desk_app, "gw2")
    before = _written(desk_app, mine["case_id"])
    read = intruder.get(f"/api/desk/cases/{mine['case_id']}")
    assert read.status_code == 403 and read.json()["error"]["code"] == "error.desk.not_your_case"
    act = intruder.send(
        "POST", f"/api/desk/cases/{mine['case_id']}/events", json={"action": "visit"}
    )
    assert act.status_code == 403
    reveal = intruder.send(
        "POST", f"/api/desk/cases/{mine['case_id']}/contact", json={"reason": "看看"}
    )
    assert reveal.status_code == 403
    assert _written(desk_app, mine["case_id"]) == before
    community = login(desk_app, "neighbour")  # another community's head
    assert community.get(f"/api/desk/cases/{mine['case_id']}").status_code == 403


def test_steps_and_a_forbidden_one(desk_app):
    worker = login(desk_app, "gw1")
    case = _new(worker, own_compound(desk_app))
    url = f"/api/desk/cases/{case['case_id']}/events"
    visited = worker.send(
        "POST",
        url,
        json={"action": "visit", "note": "<img src=x onerror=alert(1)>", "people_met": "住户"},
    )
    assert visited.status_code == 200
    shown = visited.json()
    assert (
        shown["state"] == "in_progress"
        and shown["events"][-1]["note"] == "<img src=x onerror=alert(1)>"
    )
    assert shown["reporter_phone"] == "136****2222" and "13611112222" not in visited.text
    assert "finish" in shown["actions"] and "close" not in shown["actions"]  # close needs a head
    before = _written(desk_app, case["case_id"])
    wrong = worker.send(
        "POST", url, json={"action": "callback", "solved": True, "satisfaction": "satisfied"}
    )
    assert wrong.status_code == 409
    assert wrong.json()["error"]["code"] == "error.desk.illegal_step"
    assert "处置中" in wrong.json()["error"]["message"]
    assert worker.send("POST", url, json={"action": "close", "note": "x"}).status_code == 403
    assert worker.send("POST", url, json={"action": "resume"}).status_code == 403  # a head's step
    assert worker.send("POST", url, json={"action": "fly"}).status_code == 422
    assert worker.send("POST", url, json={"action": "note"}).status_code == 422  # a note needs text
    assert _written(desk_app, case["case_id"]) == before


def test_a_write_without_the_csrf_token_is_refused(desk_app):
    worker = login(desk_app, "gw1")
    answer = worker.send("POST", "/api/desk/cases", csrf=False, json={"category": "sanitation"})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "error.staff.csrf"
    assert test_client(desk_app).get("/api/desk/cases").status_code == 401  # no login


def test_reveal_gives_the_number_and_logs_why(desk_app):
    worker = login(desk_app, "gw1")
    case = _new(worker, own_compound(desk_app))
    answer = worker.send(
        "POST", f"/api/desk/cases/{case['case_id']}/contact", json={"reason": "上门前确认"}
    )
    assert answer.json() == {"phone": "13611112222", "email": None}
    with desk_app.state.area.project.open_store() as store:
        logged = store.accounts.audit(limit=1)[0]
    assert (logged.user, logged.action, logged.detail["reason"]) == (
        "gw1",
        "desk.contact.reveal",
        "上门前确认",
    )


def test_photos_are_uploaded_then_named_and_served_to_those_who_see_the_case(desk_app):
    worker = login(desk_app, "gw1")
    up = worker.send(
        "POST", "/api/desk/photos", files={"photo": ("a.jpg", io.BytesIO(jpeg()), "image/jpeg")}
    )
    assert up.status_code == 201
    name = up.json()["photo"]
    case = _new(worker, own_compound(desk_app), photos=[name])
    got = worker.get(f"/api/desk/cases/{case['case_id']}/photos/{name}")
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert (
        login(desk_app, "gw2").get(f"/api/desk/cases/{case['case_id']}/photos/{name}").status_code
        == 403
    )
    assert worker.get(f"/api/desk/cases/{case['case_id']}/photos/{'0' * 32}.jpg").status_code == 404
    bad = worker.send(
        "POST", "/api/desk/photos", files={"photo": ("x.jpg", io.BytesIO(b"<html>"), "image/jpeg")}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "error.desk.photo_unreadable"


def test_staff_duplicates_are_409_too(desk_app):
    worker = login(desk_app, "gw1")
    compound = own_compound(desk_app)
    first = _new(worker, compound, category="noise", lon=compound.lon, lat=compound.lat)
    body = {
        "category": "noise",
        "source": "walk_in",
        "details": "夜间施工",
        "lon": compound.lon,
        "lat": compound.lat,
    }
    again = worker.send("POST", "/api/desk/cases", json=body)
    assert again.status_code == 409
    assert again.json()["error"]["details"][0]["case_id"] == first["case_id"]


def test_me_and_grids(desk_app):
    worker = login(desk_app, "gw1")
    me = worker.get("/api/desk/me").json()
    assert me["user"]["role"] == "网格员（D1）" and me["scope"] == {
        "column": "grid",
        "values": ["D1"],
    }
    assert {"family_contact", "water_leak"} <= {c["code"] for c in me["categories"]}
    grids = {g["code"]: g for g in worker.get("/api/desk/grids").json()}
    assert set(grids) == {"D1", "D2"} and grids["D1"]["compounds"]


def test_the_openapi_document_lists_the_desk_and_open311(desk_app):
    paths = worker_paths = login(desk_app, "gw1").get("/openapi.json").json()["paths"]
    del worker_paths
    for path in (
        "/api/desk/requests",
        "/api/desk/cases",
        "/api/desk/cases/{case_id}/events",
        "/api/c/{token}",
        "/api/desk/metrics",
        "/open311/v2/requests.{fmt}",
    ):
        assert path in paths, path


def test_a_case_number_beyond_the_store_s_integers_is_422_not_500(desk_app):
    worker = login(desk_app, "gw1")
    huge = 2**63  # SQLite and PostgreSQL integers end at 2**63 - 1 (an OverflowError before)
    assert worker.get(f"/api/desk/cases/{huge}").status_code == 422
    reveal = worker.send("POST", f"/api/desk/cases/{huge}/contact", json={"reason": "看看"})
    assert reveal.status_code == 422 and reveal.json()["error"]["code"] == "error.api.invalid"
