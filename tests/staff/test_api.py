"""Staff API: login, CSRF, rate limit, roles (403, nothing written), bad input (422), audit."""

from __future__ import annotations

import dataclasses
import time

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


def _forget_failures(app) -> None:
    """Clear the stored failed-login counts so one test's failures do not slow the next."""
    from lifecircle.store.schema import login_failures

    with app.state.area.project.open_store() as store, store._engine.begin() as conn:
        conn.execute(login_failures.delete())


def test_a_wrong_password_is_401_and_audited(staff_app):
    before = _audit_count(staff_app)
    client = StaffClient(staff_app)
    _error(client.login("own", "wrong password"), 401, "error.staff.login_failed")
    _error(client.login("nobody", "wrong password"), 401, "error.staff.login_failed")
    assert _audit_count(staff_app) == before + 2
    _forget_failures(staff_app)


def test_login_without_the_csrf_token_is_refused(staff_app):
    client = StaffClient(staff_app)
    answer = client.http.post("/api/staff/login", json={"name": "own", "password": PASSWORD})
    _error(answer, 403, "error.staff.csrf")


def test_five_failures_slow_that_address_for_that_name_but_not_others(staff_app):
    attacker = StaffClient(staff_app, client=("203.0.113.9", 5000))
    try:
        for _ in range(5):
            _error(attacker.login("street", "wrong password"), 401, "error.staff.login_failed")
        blocked = attacker.login("street")  # even the right password waits now
        error = _error(blocked, 429, "error.staff.too_many_logins")
        assert 0 < int(blocked.headers["retry-after"]) <= 30 and "秒" in error["message"]
        # the same address may still log in as someone else, and the user from elsewhere
        assert attacker.login("district").status_code == 200
        office = StaffClient(staff_app, client=("10.20.30.40", 5000))
        assert office.login("street").status_code == 200
    finally:
        _forget_failures(staff_app)


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(staff_app, monkeypatch):
    area = staff_app.state.area
    proxy = StaffClient(staff_app, client=("127.0.0.1", 5000))
    try:
        for n in range(6):  # rotating the header does not make new addresses
            forged = {"X-Forwarded-For": f"198.51.100.{n}"}
            answer = proxy.login("street", "wrong password", headers=forged)
        _error(answer, 429, "error.staff.too_many_logins")
        _forget_failures(staff_app)
        settings = dataclasses.replace(area.project.settings, trusted_proxies="127.0.0.1")
        monkeypatch.setattr(area, "project", dataclasses.replace(area.project, settings=settings))
        for n in range(6):  # behind the configured proxy each forwarded address counts alone
            forwarded = {"X-Forwarded-For": f"198.51.100.{n}, 127.0.0.1"}
            answer = proxy.login("street", "wrong password", headers=forwarded)
            _error(answer, 401, "error.staff.login_failed")
        with area.project.open_store() as store:
            entry = store.accounts.audit(limit=1)[0]
        assert entry.action == "login.failed" and entry.detail["ip"] == "198.51.100.5"
    finally:
        _forget_failures(staff_app)


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
        client.send("PATCH", f"/api/staff/facilities/{SAMPLE}", json={"phone": "110"}),
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


def _job(client: StaffClient, url: str, files: dict) -> dict:
    """Upload a sheet (202 with a job) and poll the job until it ends."""
    started = client.send("POST", url, files=files)
    assert started.status_code == 202, started.text
    job = started.json()["job"]
    assert started.headers["location"] == f"/api/staff/jobs/{job['id']}"
    deadline = time.monotonic() + 120
    while job["state"] == "running":
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
        answer = client.get(f"/api/staff/jobs/{job['id']}")
        assert answer.status_code == 200, answer.text
        job = answer.json()["job"]
    return job


def test_sheet_upload_runs_as_a_job_dry_run_then_commit(staff_app, as_user):
    client = as_user("own")
    row = f"A1,测试点（测试数据）,卫生服务站,24.9405,60.1700,{OWN}\n"
    sheet = "编号,名称,类型,经度,纬度,所属社区\n" + row
    files = {"file": ("上传.csv", sheet.encode("utf-8"), "text/csv")}
    versions = _versions(staff_app)
    dry = _job(client, "/api/staff/sheets/facilities", files)
    assert dry["state"] == "done" and dry["error"] is None, dry
    assert dry["result"]["dry_run"] and dry["result"]["counts"]["facility"]["added"] == 1
    assert _versions(staff_app) == versions
    done = _job(client, "/api/staff/sheets/facilities?dry_run=false", files)
    assert done["result"]["data_version"] == versions + 1
    bad = {"file": ("x.txt", b"hello", "text/plain")}
    _error(
        client.send("POST", "/api/staff/sheets/facilities", files=bad),
        422,
        "error.staff.upload_kind",
    )
    theirs = sheet.replace(OWN, NEIGHBOUR)
    outside = {"file": ("邻居.csv", theirs.encode("utf-8"), "text/csv")}
    refused = _job(client, "/api/staff/sheets/facilities", outside)
    assert refused["state"] == "failed" and refused["error"]["code"] == "error.staff.sheet_outside"
    assert "社区级（演示社区）" in refused["error"]["message"]
    # a job is its owner's (and the district's) to see
    _error(as_user("neighbour").get(f"/api/staff/jobs/{done['id']}"), 404, "error.job.not_found")
    assert as_user("district").get(f"/api/staff/jobs/{done['id']}").status_code == 200
    _error(client.get("/api/staff/jobs/0123abcd"), 404, "error.job.not_found")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        (
            "深.geojson",
            '{"type": "FeatureCollection", "features": ' + "[" * 50_000 + "]" * 50_000 + "}",
            "error.sheet.json_too_deep",
        ),
        (
            "长.csv",
            "名称,经度,纬度\n卫生站," + "1" * 200_000 + ",39\n",
            "error.sheet.cell_too_long",
        ),
        ("坏.xlsx", "PK\x03\x04 not really a zip", "error.sheet.xlsx_unreadable"),
    ],
)
def test_hostile_sheets_end_as_failed_jobs_with_the_error_shape(as_user, name, content, code):
    client = as_user("own")
    job = _job(
        client, "/api/staff/sheets/facilities", {"file": (name, content.encode(), "text/plain")}
    )
    assert job["state"] == "failed" and job["error"]["code"] == code, job
    assert job["error"]["message"] and isinstance(job["error"]["details"], list)


def test_an_upload_while_imports_run_is_asked_to_retry(staff_app, as_user, monkeypatch):
    area = staff_app.state.area
    settings = dataclasses.replace(area.project.settings, import_max_running=1)
    monkeypatch.setattr(area, "project", dataclasses.replace(area.project, settings=settings))
    with area.project.open_store() as store:  # one import already running elsewhere
        store.jobs.start(
            "feedbeef", owner="x", kind="t", now_s=time.time(), deadline_s=time.time() + 60, limit=1
        )
    try:
        files = {"file": ("a.csv", "名称,经度,纬度\n".encode(), "text/csv")}
        answer = as_user("own").send("POST", "/api/staff/sheets/facilities", files=files)
        _error(answer, 429, "error.job.busy")
        assert answer.headers["retry-after"] == "30"
    finally:
        with area.project.open_store() as store:
            store.jobs.finish("feedbeef", now_s=time.time(), result={})


def test_a_too_large_upload_is_refused_while_it_streams(staff_app, as_user, monkeypatch):
    area = staff_app.state.area
    settings = dataclasses.replace(area.project.settings, upload_max_mb=1)
    monkeypatch.setattr(area, "project", dataclasses.replace(area.project, settings=settings))
    files = {"file": ("big.csv", b"x" * (2 * 2**20), "text/csv")}
    answer = as_user("own").send("POST", "/api/staff/sheets/facilities", files=files)
    _error(answer, 413, "error.staff.upload_too_big")


def test_audit_district_sees_all_others_their_own(staff_app, as_user):
    own, district = as_user("own"), as_user("district")
    assert {a["user"] for a in own.get("/api/staff/audit").json()} == {"own"}
    users = {a["user"] for a in district.get("/api/staff/audit?limit=500").json()}
    assert {"own", "district"} <= users
    _error(own.get("/api/staff/audit?limit=0"), 422, "error.api.invalid")


def _copy(client: StaffClient) -> StaffClient:
    """Another client holding the same cookie and CSRF token (a copied cookie)."""
    thief = StaffClient.__new__(StaffClient)
    thief.http = test_client(client.http.app)
    thief.http.cookies.update(client.http.cookies)
    thief.csrf = client.csrf
    return thief


def _patch_phone(client: StaffClient):
    return client.send("PATCH", f"/api/staff/facilities/{SAMPLE}", json={"phone": "022-12345678"})


def test_logout_ends_the_session_for_every_copy_of_the_cookie(staff_app, as_user):
    client = as_user("own")
    thief = _copy(client)
    assert _patch_phone(thief).status_code == 200
    assert client.send("POST", "/api/staff/logout").status_code == 200
    _error(client.get("/api/staff/facilities"), 401, "error.staff.login_required")
    _error(_patch_phone(thief), 401, "error.staff.login_required")
    _error(thief.get("/api/staff/facilities"), 401, "error.staff.login_required")
    assert thief.get("/api/staff/session").json()["user"] is None


@pytest.mark.parametrize("change", ["passwd", "disable", "remove"])
def test_account_changes_end_every_session_of_the_account(staff_app, as_user, change):
    from lifecircle.staff.accounts import add_user, remove_user, set_disabled, set_password

    with staff_app.state.area.project.open_store() as store:
        add_user(store, "temp", PASSWORD, level="community", area=OWN)
    try:
        first, second, bystander = as_user("temp"), as_user("temp"), as_user("own")
        with staff_app.state.area.project.open_store() as store:
            if change == "passwd":
                set_password(store, "temp", "a brand new password")
            elif change == "disable":
                set_disabled(store, "temp", True)
            else:
                remove_user(store, "temp")
        for client in (first, second):
            _error(client.get("/api/staff/facilities"), 401, "error.staff.login_required")
            _error(_patch_phone(client), 401, "error.staff.login_required")
        assert bystander.get("/api/staff/facilities").status_code == 200
        if change == "disable":
            _error(StaffClient(staff_app).login("temp"), 401, "error.staff.login_failed")
    finally:
        with staff_app.state.area.project.open_store() as store:
            if store.accounts.get_user("temp") is not None:
                remove_user(store, "temp")
        _forget_failures(staff_app)


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


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/staff/audit?before_id=9223372036854775808", None),
        ("DELETE", "/api/staff/walking/9223372036854775808", None),
        ("POST", "/api/staff/walking", {"edit_kind": "impassable_way", "osm_id": 2**64}),
        ("PATCH", f"/api/staff/facilities/{SAMPLE}", {"capacity": 10**30}),
    ],
)
def test_numbers_past_64_bits_are_422_not_500(as_user, method, url, body):
    client = as_user("district")
    answer = client.send(method, url, json=body) if body is not None else client.send(method, url)
    _error(answer, 422, "error.api.invalid")


def test_a_json_body_nested_too_deep_is_a_4xx_in_the_one_shape(as_user):
    client = as_user("own")
    deep = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    answer = client.http.post(
        "/api/staff/facilities",
        content=deep.encode(),
        headers={"X-CSRF-Token": client.csrf, "Content-Type": "application/json"},
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert set(answer.json()) == {"error"}


def test_a_session_ended_in_one_worker_process_is_ended_in_the_other(staff_app, as_user):
    """Two apps on one store stand for two uvicorn workers: they share the stored sessions."""
    from lifecircle.api.app import create_app

    other = create_app(staff_app.state.area.project)
    other.state.area.refresh = lambda wait=False: None
    client = as_user("own")
    elsewhere = _copy(client)
    elsewhere.http = test_client(other)
    elsewhere.http.cookies.update(client.http.cookies)
    assert elsewhere.get("/api/staff/session").json()["user"]["name"] == "own"
    assert _patch_phone(elsewhere).status_code == 200
    assert client.send("POST", "/api/staff/logout").status_code == 200
    _error(_patch_phone(elsewhere), 401, "error.staff.login_required")
