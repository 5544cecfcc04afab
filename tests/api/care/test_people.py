"""The register's staff routes: scope by grid, 403 with nothing read or written, masks, reasons."""

from __future__ import annotations

from tests.care_web import login


def ids_of(client) -> dict[str, int]:
    return {r["name"]: r["id"] for r in client.get("/api/care/visits").json()}


def test_a_micro_grid_head_lists_only_its_people_with_phones_masked(care_app) -> None:
    mg1 = login(care_app, "mg1")
    rows = mg1.get("/api/care/visits").json()
    assert sorted(r["name"] for r in rows) == ["李秀英", "王桂兰"]
    assert {r["phones"][0] for r in rows} == {"138****1234", "137****1111"}
    assert all("health" not in r and "contacts" not in r for r in rows)
    assert [r["name"] for r in login(care_app, "gw2").get("/api/care/visits").json()] == ["张淑珍"]


def test_another_grid_s_person_is_403_and_nothing_is_read_or_written(care_app) -> None:
    care = care_app.state.care
    theirs = ids_of(login(care_app, "gw2"))["张淑珍"]
    mg1 = login(care_app, "mg1")
    before = (len(care.tables.access_log()), len(care.tables.visits()))
    assert mg1.get(f"/api/care/people/{theirs}?reason=visit").status_code == 403
    visit = {"mode": "phone", "outcome": "well"}
    assert mg1.send("POST", f"/api/care/people/{theirs}/visits", json=visit).status_code == 403
    reveal = mg1.send("POST", f"/api/care/people/{theirs}/reveal", json={"reason": "visit"})
    assert reveal.status_code == 403
    assert (len(care.tables.access_log()), len(care.tables.visits())) == before


def test_a_read_needs_a_reason_and_a_reveal_is_logged(care_app) -> None:
    gw1 = login(care_app, "gw1")
    pid = ids_of(gw1)["王桂兰"]
    assert gw1.get(f"/api/care/people/{pid}").status_code == 422
    read = gw1.get(f"/api/care/people/{pid}?reason=visit").json()
    assert read["health"] == "高血压" and read["phones"] == ["138****1234"]
    shown = gw1.send("POST", f"/api/care/people/{pid}/reveal", json={"reason": "visit"}).json()
    assert shown["phones"] == ["13812341234"]
    log = care_app.state.care.tables.access_log(person_id=pid)
    assert [(a["user_name"], a["action"]) for a in log[-2:]] == [("gw1", "read"), ("gw1", "reveal")]


def test_a_change_without_the_csrf_header_is_refused(care_app) -> None:
    mg1 = login(care_app, "mg1")
    pid = ids_of(mg1)["王桂兰"]
    sent = mg1.send(
        "POST",
        f"/api/care/people/{pid}/visits",
        csrf=False,
        json={"mode": "phone", "outcome": "well"},
    )
    assert sent.status_code == 403


def test_the_access_log_is_for_the_district_only(care_app) -> None:
    query = "/api/care/access-log?since=2026-01-01&until=2027-01-01"
    assert login(care_app, "gw1").get(query).status_code == 403
    rows = login(care_app, "district").get(query).json()
    assert rows and "王桂兰" not in repr(rows)


def test_the_public_urgent_check_answers_status_only(care_app) -> None:
    from tests.web_fixtures import test_client

    client = test_client(care_app)
    own = care_app.state.care.tables.people()[0]["compound_key"]
    raised = client.post(
        "/api/care/urgent", json={"compound": own, "name": "王桂兰", "raiser_phone": "13900001111"}
    )
    assert raised.status_code == 201, raised.text
    token = raised.json()["token"]
    seen = client.get(f"/api/care/urgent/{token}").json()
    assert set(seen) == {"token", "state", "outcome", "raised_at", "closed_at"}
    assert seen["state"] == "received"
    gw1 = login(care_app, "gw1")
    [check] = [c for c in gw1.get("/api/care/checks").json() if c["raised_by"] == "family"]
    assert check["grid"] == "D1" and check["microgrid"] == "D1-1"
    assert login(care_app, "gw2").get("/api/care/checks").json() == []


def test_a_correction_of_the_wrong_type_is_a_422_naming_the_field(care_app) -> None:
    gw1 = login(care_app, "gw1")
    pid = ids_of(gw1)["李秀英"]
    wrong = [
        ({"name": 5}, "name"),
        ({"phones": "138"}, "phones"),
        ({"contacts": [{"name": 1}]}, "contacts"),
        ({"age": "80"}, "age"),
    ]
    for changes, field in wrong:
        sent = gw1.send(
            "PATCH", f"/api/care/people/{pid}", json={"changes": changes, "reason": "correct"}
        )
        assert sent.status_code == 422, sent.text
        assert sent.json()["error"]["details"] == [{"field": field}]
    fixed = gw1.send(
        "PATCH", f"/api/care/people/{pid}",
        json={"changes": {"note": "女儿每周来"}, "reason": "correct", "major_change": True},
    )  # fmt: skip
    assert fixed.status_code == 200 and fixed.json()["note"] == "女儿每周来"
