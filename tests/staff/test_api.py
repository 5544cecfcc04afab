"""Staff API: login, CSRF, rate limit, roles (403, nothing written), bad input (422), audit."""

from __future__ import annotations

import pytest

from tests.staff.conftest import NEIGHBOUR, OWN, PASSWORD, StaffClient
from tests.web_fixtures import test_client

SAMPLE = "sheet:sample_facilities:S2"
MOVE = f"/api/staff/facilities/{SAMPLE}/move"


def _versions(app) -> int:
    with app.state.area.project.open_store() as store:
        return len(store.versions())


def _audit_count(app) -> int:
    with app.state.area.project.open_store() as store:
        return store.accounts.count_audit()


def _error(answer, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def _facility(client: StaffClient, key: str) -> dict:
    return next(f for f in client.get("/api/staff/facilities").json() if f["key"] == key)


def test_session_cookie_is_httponly_and_login_answers_the_user(staff_app):
    first = test_client(staff_app).get("/api/staff/session")
    assert first.json()["user"] is None and first.json()["csrf_token"]
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    client = StaffClient(staff_app)
    answer = client.login("own")
    assert answer.status_code == 200
    assert answer.json()["user"] == {
        "name": "own",
        "level": "community",
        "area": OWN,
        "role": "社区级（演示社区）",
    }
    assert client.get("/api/staff/session").json()["user"]["name"] == "own"


def test_a_wrong_password_is_401_and_audited(staff_app):
    before = _audit_count(staff_app)
    client = StaffClient(staff_app)
    _error(client.login("own", "wrong password"), 401, "error.staff.login_failed")
    _error(client.login("nobody", "wrong password"), 401, "error.staff.login_failed")
    assert _audit_count(staff_app) == before + 2
    staff_app.state.staff_limiter = None  # these failures should not count against others


def test_login_without_the_csrf_token_is_refused(staff_app):
    client = StaffClient(staff_app)
    answer = client.http.post("/api/staff/login", json={"name": "own", "password": PASSWORD})
    _error(answer, 403, "error.staff.csrf")


def test_five_failed_logins_then_429_even_with_the_right_password(staff_app):
    client = StaffClient(staff_app)
    try:
        for _ in range(5):
            _error(client.login("street", "wrong password"), 401, "error.staff.login_failed")
        blocked = client.login("street")
        error = _error(blocked, 429, "error.staff.too_many_logins")
        assert "15" in error["message"] and blocked.headers["retry-after"]
        _error(client.login("district"), 429, "error.staff.too_many_logins")  # same IP
    finally:
        staff_app.state.staff_limiter = None


def test_every_staff_route_needs_a_login(staff_app):
    client = StaffClient(staff_app)
    for method, url in [
        ("GET", "/api/staff/facilities"),
        ("GET", "/api/staff/compounds"),
        ("GET", "/api/staff/audit"),
        ("GET", "/api/staff/walking"),
        ("POST", MOVE),
        ("POST", "/api/staff/facilities"),
    ]:
        _error(client.send(method, url, json={}), 401, "error.staff.login_required")


def test_a_write_without_the_csrf_header_is_403_and_writes_nothing(staff_app, as_user):
    client = as_user("own")
    versions = _versions(staff_app)
    before = _facility(client, SAMPLE)
    answer = client.send(
        "POST", MOVE, csrf=False, json={"lon": before["lon"] + 0.001, "lat": before["lat"]}
    )
    _error(answer, 403, "error.staff.csrf")
    answer = client.http.post(
        MOVE, headers={"X-CSRF-Token": "forged"}, json={"lon": 24.9, "lat": 60.1}
    )
    _error(answer, 403, "error.staff.csrf")
    assert _versions(staff_app) == versions and _facility(client, SAMPLE) == before


def test_a_move_writes_a_version_an_audit_row_and_rebuilds_the_results(staff_app, as_user):
    client = as_user("own")
    before = _facility(client, SAMPLE)
    answer = client.send("POST", MOVE, json={"lon": before["lon"] + 0.001, "lat": before["lat"]})
    assert answer.status_code == 200, answer.text
    version = answer.json()["data_version"]
    assert answer.json()["record"]["lon"] == pytest.approx(before["lon"] + 0.001)
    [entry] = [a for a in client.get("/api/staff/audit").json() if a["data_version"] == version]
    assert (entry["user"], entry["action"], entry["target"]) == ("own", "facility.move", SAMPLE)
    assert staff_app.state.refresh_calls, "the edit did not ask for a rebuild"
    area = staff_app.state.area
    type(area).refresh(area, wait=True)
    assert area.data_version >= version
    assert area.current.data.facilities[area.current.facility_index[SAMPLE]].lon == pytest.approx(
        before["lon"] + 0.001
    )


def test_a_neighbour_gets_403_and_nothing_is_written(staff_app, as_user):
    client = as_user("neighbour")
    versions, audit = _versions(staff_app), _audit_count(staff_app)
    before = _facility(client, SAMPLE)
    assert before["editable"] is False
    error = _error(
        client.send("POST", MOVE, json={"lon": before["lon"], "lat": before["lat"] + 0.001}),
        403,
        "error.user.not_your_area",
    )
    assert OWN in error["message"]
    _error(
        client.send("PATCH", f"/api/staff/facilities/{SAMPLE}", json={"phone": "1"}),
        403,
        "error.user.not_your_area",
    )
    _error(
        client.send("POST", f"/api/staff/facilities/{SAMPLE}/close", json={}),
        403,
        "error.user.not_your_area",
    )
    assert (_versions(staff_app), _audit_count(staff_app)) == (versions, audit)
    assert _facility(client, SAMPLE) == before


@pytest.mark.parametrize(
    ("method", "url", "body", "code", "field"),
    [
        ("POST", MOVE, {"lon": "east", "lat": 60.1}, "error.api.invalid", "body.lon"),
        ("POST", MOVE, {"lon": 24.9}, "error.api.invalid", "body.lat"),
        (
            "POST",
            "/api/staff/facilities",
            {"name": "x", "type_code": "no such type", "lon": 24.94, "lat": 60.17},
            "error.staff.type",
            "type_code",
        ),
        (
            "POST",
            "/api/staff/facilities",
            {"name": "x", "type_code": "卫生服务站", "lon": 24.94, "lat": 60.17, "colour": "red"},
            "error.api.invalid",
            "body.colour",
        ),
        (
            "PATCH",
            f"/api/staff/facilities/{SAMPLE}",
            {"status": "gone"},
            "error.staff.status",
            "status",
        ),
        (
            "PUT",
            "/api/staff/compounds/x/entrances",
            {"entrances": []},
            "error.api.invalid",
            "body.entrances",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    staff_app, as_user, method, url, body, code, field
):
    client = as_user("own")
    versions = _versions(staff_app)
    error = _error(client.send(method, url, json=body), 422, code)
    assert field in [d["field"] for d in error["details"]]
    assert _versions(staff_app) == versions


def test_an_unknown_facility_is_404(as_user):
    client = as_user("district")
    answer = client.send(
        "POST", "/api/staff/facilities/osm:node/1/move", json={"lon": 24.944, "lat": 60.171}
    )
    _error(answer, 404, "error.staff.not_found")


def test_add_update_close_a_facility(staff_app, as_user):
    client = as_user("own")
    added = client.send(
        "POST",
        "/api/staff/facilities",
        json={"name": "<b>测试站</b>", "type_code": "卫生服务站", "lon": 24.9405, "lat": 60.1700},
    )
    assert added.status_code == 201, added.text
    record = added.json()["record"]
    assert record["community"] == OWN and record["name"] == "<b>测试站</b>"  # stored as typed
    url = f"/api/staff/facilities/{record['key']}"
    changed = client.send("PATCH", url, json={"opening_hours": "Mo-Fr 08:00-17:00"}).json()
    assert changed["record"]["opening_hours"] == "Mo-Fr 08:00-17:00"
    closed = client.send("POST", f"{url}/close", json={"note": "装修"}).json()
    assert (
        closed["record"]["status"] == "closed" and closed["data_version"] > changed["data_version"]
    )


def test_compound_entrances_by_role(staff_app, as_user):
    own, neighbour = as_user("own"), as_user("neighbour")
    compound = next(c for c in own.get("/api/staff/compounds").json() if c["community"] == OWN)
    url = f"/api/staff/compounds/{compound['key']}/entrances"
    body = {"entrances": compound["entrances"][:2]}
    _error(neighbour.send("PUT", url, json=body), 403, "error.user.not_your_area")
    done = own.send("PUT", url, json=body)
    assert done.status_code == 200, done.text
    assert done.json()["record"]["entrances"] == compound["entrances"][:2]


def test_walking_edits_by_role(staff_app, as_user):
    own, district = as_user("own"), as_user("district")
    compounds = own.get("/api/staff/compounds").json()
    near = next(c for c in compounds if c["community"] == OWN)["entrances"][:2]
    north = next(c for c in compounds if c["name"] == "街坊 1")["entrances"][:2]
    _error(
        own.send("POST", "/api/staff/walking", json={"edit_kind": "link", "coords": north}),
        403,
        "error.staff.not_near_own",
    )
    made = own.send(
        "POST", "/api/staff/walking", json={"edit_kind": "link", "coords": near, "note": "小门"}
    )
    assert made.status_code == 201, made.text
    edit_id = made.json()["record"]["edit_id"]
    assert edit_id in [e["edit_id"] for e in district.get("/api/staff/walking").json()]
    _error(
        own.send("POST", "/api/staff/walking", json={"edit_kind": "link", "coords": near}),
        422,
        "error.edit.duplicate",
    )
    assert district.send("DELETE", f"/api/staff/walking/{edit_id}").status_code == 200


def test_sheet_upload_dry_run_then_commit(staff_app, as_user):
    client = as_user("own")
    row = f"A1,测试点（测试数据）,卫生服务站,24.9405,60.1700,{OWN}\n"
    sheet = "编号,名称,类型,经度,纬度,所属社区\n" + row
    files = {"file": ("上传.csv", sheet.encode("utf-8"), "text/csv")}
    versions = _versions(staff_app)
    dry = client.send("POST", "/api/staff/sheets/facilities", files=files)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] and dry.json()["counts"]["facility"]["added"] == 1
    assert _versions(staff_app) == versions
    done = client.send("POST", "/api/staff/sheets/facilities?dry_run=false", files=files)
    assert done.json()["data_version"] == versions + 1
    bad = {"file": ("x.txt", b"hello", "text/plain")}
    _error(
        client.send("POST", "/api/staff/sheets/facilities", files=bad),
        422,
        "error.staff.upload_kind",
    )
    theirs = sheet.replace(OWN, NEIGHBOUR)
    outside = {"file": ("邻居.csv", theirs.encode("utf-8"), "text/csv")}
    _error(
        client.send("POST", "/api/staff/sheets/facilities", files=outside),
        403,
        "error.staff.sheet_outside",
    )


def test_audit_district_sees_all_others_their_own(staff_app, as_user):
    own, district = as_user("own"), as_user("district")
    assert {a["user"] for a in own.get("/api/staff/audit").json()} == {"own"}
    users = {a["user"] for a in district.get("/api/staff/audit?limit=500").json()}
    assert {"own", "district"} <= users
    _error(own.get("/api/staff/audit?limit=0"), 422, "error.api.invalid")


def test_logout_and_a_new_password_end_the_session(staff_app, as_user):
    client = as_user("street")
    assert client.send("POST", "/api/staff/logout").status_code == 200
    _error(client.get("/api/staff/facilities"), 401, "error.staff.login_required")
    other = as_user("street")
    from lifecircle.staff.accounts import set_password

    with staff_app.state.area.project.open_store() as store:
        set_password(store, "street", "a brand new password")
    _error(other.get("/api/staff/facilities"), 401, "error.staff.login_required")
    with staff_app.state.area.project.open_store() as store:
        set_password(store, "street", PASSWORD)


def test_a_map_click_finds_the_nearest_way_to_mark_as_a_barrier(staff_app, as_user):
    own = as_user("own")
    compound = next(c for c in own.get("/api/staff/compounds").json() if c["community"] == OWN)
    lon, lat = compound["entrances"][0]
    way = own.get(f"/api/staff/walking/nearest?lon={lon}&lat={lat}").json()
    assert way["dist_m"] < 60 and way["node_dist_m"] >= way["dist_m"] - 1e-6
    with staff_app.state.area.project.open_store() as store:
        stored = store.get_record("walk_way", f"osm:way/{way['osm_id']}")
    assert stored is not None and way["node_id"] in stored.node_ids
    body = {"edit_kind": "uncrossable_way", "osm_id": way["osm_id"], "note": "护栏"}
    made = own.send("POST", "/api/staff/walking", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["record"]["osm_id"] == way["osm_id"]
    _error(own.get("/api/staff/walking/nearest?lon=500&lat=60"), 422, "error.api.invalid")
