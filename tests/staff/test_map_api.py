"""What the staff map asks of the API: audit entries with before → after and notes, a note
before closing or removing anything, barriers with their lines, dry runs naming what goes."""

from __future__ import annotations

import time
from datetime import datetime

from tests.staff.conftest import OWN, StaffClient

SAMPLE = "sheet:sample_facilities:S2"  # 【示例】居家养老服务站, in 演示社区


def _versions(app) -> int:
    with app.state.area.project.open_store() as store:
        return len(store.versions())


def _audit_count(app) -> int:
    with app.state.area.project.open_store() as store:
        return store.accounts.count_audit()


def _latest(client: StaffClient) -> dict:
    return client.get("/api/staff/audit?limit=1").json()[0]


def _facility(client: StaffClient, key: str) -> dict:
    return next(f for f in client.get("/api/staff/facilities").json() if f["key"] == key)


def _refused_for_the_note(answer) -> None:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "error.staff.note_required"
    assert error["details"] == [{"field": "note"}]


def test_an_edit_is_audited_field_by_field_before_and_after(as_user):
    own = as_user("own")
    before = _facility(own, SAMPLE)
    url = f"/api/staff/facilities/{SAMPLE}"
    assert own.send("PATCH", url, json={"phone": "13800000000"}).status_code == 200
    assert own.send("PATCH", url, json={"phone": "13900000000"}).status_code == 200
    entry = _latest(own)
    assert (entry["user"], entry["action"], entry["name"]) == (
        "own",
        "facility.update",
        before["name"],
    )
    assert entry["changes"] == [{"field": "phone", "before": "13800000000", "after": "13900000000"}]
    at = datetime.fromisoformat(entry["at"])
    assert at.utcoffset() is not None and at.utcoffset().total_seconds() == 0


def test_a_move_is_audited_with_the_old_and_new_place(as_user):
    own = as_user("own")
    before = _facility(own, SAMPLE)
    to = {"lon": round(before["lon"] + 0.0005, 7), "lat": before["lat"]}
    assert own.send("POST", f"/api/staff/facilities/{SAMPLE}/move", json=to).status_code == 200
    changes = {c["field"]: c for c in _latest(own)["changes"]}
    assert changes["lon"]["before"] == before["lon"] and changes["lon"]["after"] == to["lon"]
    assert "lat" not in changes and "outline_wkt" not in changes


def test_closing_needs_a_note_and_the_audit_keeps_it(staff_app, as_user):
    own = as_user("own")
    url = f"/api/staff/facilities/{SAMPLE}/close"
    versions, audit = _versions(staff_app), _audit_count(staff_app)
    for body in ({}, {"note": ""}, {"note": "   "}):
        _refused_for_the_note(own.send("POST", url, json=body))
    assert (_versions(staff_app), _audit_count(staff_app)) == (versions, audit)
    assert _facility(own, SAMPLE)["status"] != "closed"

    done = own.send("POST", url, json={"note": "  居委会通知：已搬迁 "})
    assert done.status_code == 200, done.text
    entry = _latest(own)
    assert (entry["action"], entry["note"]) == ("facility.close", "居委会通知：已搬迁")
    assert {"field": "status", "before": "open", "after": "closed"} in entry["changes"]
    with staff_app.state.area.project.open_store() as store:
        assert store.versions()[-1].note == "居委会通知：已搬迁"


def _near_own_gates(client: StaffClient) -> list:
    compounds = client.get("/api/staff/compounds").json()
    return next(c for c in compounds if c["community"] == OWN)["entrances"][:2]


def test_removing_a_walking_edit_needs_a_note_and_the_audit_keeps_it(staff_app, as_user):
    own = as_user("own")
    body = {"edit_kind": "link", "coords": _near_own_gates(own), "note": "小门"}
    edit_id = own.send("POST", "/api/staff/walking", json=body).json()["record"]["edit_id"]
    versions, audit = _versions(staff_app), _audit_count(staff_app)
    _refused_for_the_note(own.send("DELETE", f"/api/staff/walking/{edit_id}"))
    _refused_for_the_note(own.send("DELETE", f"/api/staff/walking/{edit_id}?note=%20"))
    assert (_versions(staff_app), _audit_count(staff_app)) == (versions, audit)
    assert edit_id in [e["edit_id"] for e in own.get("/api/staff/walking").json()]

    done = own.send("DELETE", f"/api/staff/walking/{edit_id}?note=小门已封")
    assert done.status_code == 200, done.text
    entry = _latest(own)
    assert (entry["action"], entry["target"], entry["note"]) == (
        "walking.remove",
        f"edit:{edit_id}",
        "小门已封",
    )
    assert entry["detail"]["edit_kind"] == "link" and entry["detail"]["edit_note"] == "小门"


def test_barriers_come_with_the_line_to_draw_and_a_picked_road_with_its_own(staff_app, as_user):
    own = as_user("own")
    lon, lat = _near_own_gates(own)[0]
    way = own.get(f"/api/staff/walking/nearest?lon={lon}&lat={lat}").json()
    with staff_app.state.area.project.open_store() as store:
        stored = store.get_record("walk_way", f"osm:way/{way['osm_id']}")
    assert [tuple(p) for p in way["coords"]] == list(stored.coords)

    body = {"edit_kind": "impassable_way", "osm_id": way["osm_id"], "note": "施工围挡"}
    made = own.send("POST", "/api/staff/walking", json=body)
    assert made.status_code == 201, made.text
    listed = {e["edit_id"]: e for e in own.get("/api/staff/walking").json()}
    geometry = listed[made.json()["record"]["edit_id"]]["geometry"]
    assert geometry == {"type": "LineString", "coordinates": [list(p) for p in stored.coords]}
    link = own.send(
        "POST", "/api/staff/walking", json={"edit_kind": "link", "coords": _near_own_gates(own)}
    ).json()["record"]
    drawn = own.get("/api/staff/walking").json()
    [mine] = [e for e in drawn if e["edit_id"] == link["edit_id"]]
    assert mine["geometry"]["coordinates"] == [list(p) for p in link["coords"]]


def _job(client: StaffClient, url: str, files: dict) -> dict:
    job = client.send("POST", url, files=files).json()["job"]
    deadline = time.monotonic() + 120
    while job["state"] == "running":
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
        job = client.get(f"/api/staff/jobs/{job['id']}").json()["job"]
    assert job["state"] == "done", job
    return job["result"]


def test_a_compound_sheet_dry_run_names_the_compounds_it_would_delete(staff_app, as_user):
    district = as_user("district")
    stored = district.get("/api/staff/compounds").json()
    lon, lat = stored[0]["lon"], stored[0]["lat"]
    sheet = f"名称,经度,纬度\n新小区（测试数据）,{lon},{lat}\n".encode()
    files = {"file": ("小区.csv", sheet, "text/csv")}
    versions = _versions(staff_app)

    report = _job(district, "/api/staff/sheets/compounds", files)

    [named] = report["named"]
    assert named["kind"] == "compound" and named["added"]["names"] == ["新小区（测试数据）"]
    assert named["removed"]["total"] == len(stored) == named["derived_removed"]
    in_key_order = [c["name"] for c in sorted(stored, key=lambda c: c["key"])]
    assert named["removed"]["names"] == in_key_order[: len(named["removed"]["names"])]
    assert "街坊 1" in named["removed"]["names"]
    assert _versions(staff_app) == versions
    assert len(district.get("/api/staff/compounds").json()) == len(stored)


def test_a_move_entry_says_from_where_to_where_and_how_far(as_user):
    own = as_user("own")
    before = _facility(own, SAMPLE)
    to = {"lon": before["lon"], "lat": round(before["lat"] + 0.0009, 7)}  # ~100 m north
    assert own.send("POST", f"/api/staff/facilities/{SAMPLE}/move", json=to).status_code == 200
    detail = _latest(own)["detail"]
    assert detail["from"] == [before["lon"], before["lat"]]
    assert detail["to"] == [to["lon"], to["lat"]]
    assert 95 < detail["moved_m"] < 105


def test_an_edit_may_not_close_a_facility_without_the_note(staff_app, as_user):
    own = as_user("own")
    url = f"/api/staff/facilities/{SAMPLE}"
    assert own.send("PATCH", url, json={"status": "open"}).status_code == 200  # reopening is fine
    versions = _versions(staff_app)
    refused = own.send("PATCH", url, json={"status": "closed", "phone": "13700000000"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "error.staff.use_close"
    assert _versions(staff_app) == versions
    assert _facility(own, SAMPLE)["status"] == "open"
    assert own.send("PATCH", url, json={"status": "planned"}).status_code == 200
