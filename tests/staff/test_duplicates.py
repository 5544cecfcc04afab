"""Staff decide on facilities OSM and their sheets both hold: by role, audited, one version each."""

from __future__ import annotations

from tests.staff.test_api import _audit_count, _error, _versions


def _osm_pharmacy(app) -> dict:
    with app.state.area.project.open_store() as store:
        found = next(
            f for f in store.records("facility")
            if f.source_id.startswith("osm:node/") and f.type_code == "pharmacy" and f.name
        )  # fmt: skip
    return {"id": found.source_id, "name": found.name, "lon": found.lon, "lat": found.lat}


def test_a_staff_copy_of_an_osm_facility_is_paired_and_decided_by_its_editor(staff_app, as_user):
    own, neighbour = as_user("own"), as_user("neighbour")
    osm = _osm_pharmacy(staff_app)
    added = own.send(
        "POST",
        "/api/staff/facilities",
        json={"name": osm["name"], "type_code": "pharmacy", "lon": osm["lon"],
              "lat": osm["lat"] + 0.0002},  # 22 m north: the same pharmacy, from staff
    )  # fmt: skip
    assert added.status_code == 201, added.text
    mine = added.json()["record"]["key"]
    pairs = own.get("/api/staff/duplicates").json()
    (pair,) = [p for p in pairs if p["sheet_id"] == mine]
    assert pair["osm_id"] == osm["id"] and pair["status"] == "auto" and pair["counts_once"]
    body = {"osm_id": osm["id"], "sheet_id": mine, "decision": "different", "note": "两家店"}
    versions, audits = _versions(staff_app), _audit_count(staff_app)
    _error(neighbour.send("POST", "/api/staff/duplicates", json=body), 403,
           "error.user.not_your_area")  # fmt: skip
    assert _versions(staff_app) == versions
    done = own.send("POST", "/api/staff/duplicates", json=body)
    assert done.status_code == 200 and done.json()["data_version"] == versions + 1
    assert _audit_count(staff_app) > audits
    (pair,) = [p for p in own.get("/api/staff/duplicates").json() if p["sheet_id"] == mine]
    assert pair["status"] == "different" and not pair["counts_once"] and pair["note"] == "两家店"
    bad = own.send("POST", "/api/staff/duplicates", json={**body, "osm_id": mine})
    _error(bad, 422, "error.duplicates.not_osm")


def test_duplicates_need_a_login(staff_app):
    from tests.staff.conftest import StaffClient

    _error(StaffClient(staff_app).get("/api/staff/duplicates"), 401, "error.staff.login_required")
