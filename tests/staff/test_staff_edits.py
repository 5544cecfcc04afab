"""Staff edits: each is one data version by its author plus one audit row; roles are enforced."""

from __future__ import annotations

import pytest

from lifecircle.errors import AccessDenied, EditError, LocationError, StaffEditError
from lifecircle.model import Compound, Facility
from lifecircle.staff.permissions import dist_m
from lifecircle.staff.records import (
    add_facility,
    close_facility,
    move_facility,
    set_entrances,
    update_facility,
)
from lifecircle.staff.walking import add_walking_edit, remove_walking_edit
from tests.staff.conftest import NEIGHBOUR, OWN, SUBDISTRICT

SAMPLE = "sheet:sample_facilities:S1"


def _written(project) -> tuple[int, int]:
    with project.open_store() as store:
        return len(store.versions()), store.accounts.count_audit()


def _get(project, kind, key):
    with project.open_store() as store:
        return store.get_record(kind, key)


def _first(project, kind, community):
    with project.open_store() as store:
        return next(r for r in store.records(kind) if r.community == community)


def _east(record, metres: float) -> tuple[float, float]:
    return (record.lon + metres / 55_600.0, record.lat)  # ~55.6 km per degree at 60°N


def test_a_move_is_one_version_by_its_author_with_an_audit_row(staff_project, user_of):
    before = _get(staff_project, "facility", SAMPLE)
    lon, lat = _east(before, 100)
    moved, version = move_facility(staff_project, user_of("own"), SAMPLE, lon=lon, lat=lat)

    assert (moved.lon, moved.lat) == (pytest.approx(lon), pytest.approx(lat))
    assert _get(staff_project, "facility", SAMPLE) == moved
    assert version is not None and version.author == "own"
    assert version.action == "staff facility.move"
    with staff_project.open_store() as store:
        [change] = store.changes(version.id)
        entry = store.accounts.audit(limit=1)[0]
    assert (change.key, change.before["lon"], change.after["lon"]) == (
        SAMPLE,
        before.lon,
        moved.lon,
    )
    assert (entry.user, entry.action, entry.target, entry.data_version) == (
        "own",
        "facility.move",
        SAMPLE,
        version.id,
    )
    assert entry.detail["changed"]["lon"] == [before.lon, moved.lon]
    assert 95 < dist_m((before.lon, before.lat), (moved.lon, moved.lat)) < 105


def test_a_neighbour_cannot_touch_the_facility_and_nothing_is_written(staff_project, user_of):
    written = _written(staff_project)
    before = _get(staff_project, "facility", SAMPLE)
    lon, lat = _east(before, 50)
    with pytest.raises(AccessDenied, match=OWN):
        move_facility(staff_project, user_of("neighbour"), SAMPLE, lon=lon, lat=lat)
    with pytest.raises(AccessDenied):
        update_facility(staff_project, user_of("neighbour"), SAMPLE, {"phone": "123"})
    with pytest.raises(AccessDenied):
        close_facility(staff_project, user_of("neighbour"), SAMPLE, note="搬走了")
    assert _written(staff_project) == written
    assert _get(staff_project, "facility", SAMPLE) == before


def test_a_community_editor_moves_at_most_the_setting_the_district_farther(staff_project, user_of):
    before = _get(staff_project, "facility", SAMPLE)
    lon, lat = _east(before, 800)
    with pytest.raises(AccessDenied, match="more than the 500 m"):
        move_facility(staff_project, user_of("own"), SAMPLE, lon=lon, lat=lat)
    moved, version = move_facility(staff_project, user_of("district"), SAMPLE, lon=lon, lat=lat)
    assert version is not None and moved.lon == pytest.approx(lon)


def test_a_move_out_of_the_area_is_refused(staff_project, user_of):
    with pytest.raises(LocationError, match="swapped"):
        move_facility(staff_project, user_of("district"), SAMPLE, lon=60.17, lat=24.94)
    with pytest.raises(StaffEditError) as caught:
        move_facility(staff_project, user_of("district"), SAMPLE, lon="east", lat=60.1)
    assert caught.value.field == "location"


def test_added_facility_gets_the_editors_community_and_a_staff_key(staff_project, user_of):
    values = {
        "name": "社区卫生服务站（测试）",
        "type_code": "卫生服务站",
        "lon": 24.9405,
        "lat": 60.1700,
    }
    made, version = add_facility(staff_project, user_of("own"), values)
    assert made.key.startswith("staff:") and made.community == OWN
    assert made.subdistrict == SUBDISTRICT  # the community's, so its sub-district can edit it
    assert made.type_code != "卫生服务站"  # resolved to the taxonomy code
    assert _get(staff_project, "facility", made.key) == made
    with staff_project.open_store() as store:
        entry = store.accounts.audit(limit=1)[0]
    assert (entry.action, entry.target, entry.data_version) == (
        "facility.add",
        made.key,
        version.id,
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "x", "type_code": "no such type", "lon": 24.94, "lat": 60.17}, "type_code"),
        ({"name": "x", "type_code": "卫生服务站", "lon": 24.94}, "lat"),
        ({"name": "x" * 101, "type_code": "卫生服务站", "lon": 24.94, "lat": 60.17}, "name"),
        (
            {"name": "x", "type_code": "卫生服务站", "lon": 24.94, "lat": 60.17, "capacity": -1},
            "capacity",
        ),
        (
            {"name": "x", "type_code": "卫生服务站", "lon": 24.94, "lat": 60.17, "colour": "red"},
            "colour",
        ),
        (
            {
                "name": "x",
                "type_code": "卫生服务站",
                "lon": 24.94,
                "lat": 60.17,
                "phone": "找王主任",
            },
            "phone",
        ),
        (
            {
                "name": "x",
                "type_code": "卫生服务站",
                "lon": 24.94,
                "lat": 60.17,
                "opening_hours": "8:00-25:00",
            },
            "opening_hours",
        ),
    ],
)
def test_bad_values_name_their_field_and_write_nothing(staff_project, user_of, values, field):
    written = _written(staff_project)
    with pytest.raises(StaffEditError) as caught:
        add_facility(staff_project, user_of("own"), values)
    assert caught.value.field == field
    assert _written(staff_project) == written


def test_a_community_editor_cannot_put_a_facility_in_another_community(staff_project, user_of):
    values = {
        "name": "x",
        "type_code": "卫生服务站",
        "lon": 24.94,
        "lat": 60.17,
        "community": NEIGHBOUR,
    }
    with pytest.raises(AccessDenied):
        add_facility(staff_project, user_of("own"), values)
    with pytest.raises(AccessDenied):
        update_facility(staff_project, user_of("own"), SAMPLE, {"community": NEIGHBOUR})
    with pytest.raises(AccessDenied, match="subdistrict"):
        update_facility(staff_project, user_of("own"), SAMPLE, {"subdistrict": "别的街道"})
    with pytest.raises(AccessDenied):
        update_facility(staff_project, user_of("street"), SAMPLE, {"subdistrict": ""})
    same, _ = update_facility(
        staff_project, user_of("own"), SAMPLE, {"subdistrict": SUBDISTRICT, "community": OWN}
    )
    assert (same.community, same.subdistrict) == (OWN, SUBDISTRICT)


def test_update_and_close_change_only_what_was_asked(staff_project, user_of):
    before = _get(staff_project, "facility", SAMPLE)
    updated, _ = update_facility(
        staff_project, user_of("own"), SAMPLE, {"phone": "022-12345678", "opening_hours": "24/7"}
    )
    assert (updated.phone, updated.opening_hours, updated.name) == (
        "022-12345678",
        "24/7",
        before.name,
    )
    same, version = update_facility(
        staff_project, user_of("own"), SAMPLE, {"phone": "022-12345678"}
    )
    assert version is None and same == updated
    closed, version = close_facility(staff_project, user_of("street"), SAMPLE, note="搬走了")
    assert closed.status == "closed" and version is not None
    with staff_project.open_store() as store:
        entry = store.accounts.audit(limit=1)[0]
    assert (entry.user, entry.action, entry.detail["note"]) == (
        "street",
        "facility.close",
        "搬走了",
    )


def test_compound_entrances_are_set_near_the_compound_only(staff_project, user_of):
    compound = _first(staff_project, "compound", OWN)
    assert isinstance(compound, Compound)
    gate = compound.entrances[0]
    made, version = set_entrances(staff_project, user_of("own"), compound.key, [list(gate)])
    assert made.entrances == (gate,) and version is not None
    far = _east(compound, 2000)
    with pytest.raises(StaffEditError, match="from compound") as caught:
        set_entrances(staff_project, user_of("own"), compound.key, [gate, far])
    assert caught.value.field == "entrances[1]"
    with pytest.raises(AccessDenied):
        set_entrances(staff_project, user_of("neighbour"), compound.key, [gate])


def test_walking_edits_only_near_the_editors_compounds(staff_project, user_of):
    own = _first(staff_project, "compound", OWN)
    with staff_project.open_store() as store:
        north = next(c for c in store.records("compound") if c.name == "街坊 1")
    assert isinstance(own, Compound) and isinstance(north, Compound)
    link = [own.entrances[0], own.entrances[1]]
    edit, version = add_walking_edit(
        staff_project, user_of("own"), edit_kind="link", coords=link, note="门"
    )
    with staff_project.open_store() as store:
        entry = store.accounts.audit(limit=1)[0]
    assert (entry.action, entry.target, entry.data_version) == ("walking.add", edit.key, version.id)

    written = _written(staff_project)
    far_link = [north.entrances[0], north.entrances[1]]
    with pytest.raises(AccessDenied, match="more than 300 m"):
        add_walking_edit(staff_project, user_of("own"), edit_kind="link", coords=far_link)
    assert _written(staff_project) == written
    far_edit, _ = add_walking_edit(
        staff_project, user_of("district"), edit_kind="link", coords=far_link
    )
    with pytest.raises(AccessDenied):
        remove_walking_edit(staff_project, user_of("own"), far_edit.edit_id, note="误标")
    remove_walking_edit(staff_project, user_of("own"), edit.edit_id, note="门已拆除")
    with pytest.raises(EditError):
        remove_walking_edit(staff_project, user_of("district"), edit.edit_id, note="再删一次")


def test_facility_type_check_uses_a_real_type(staff_project, user_of):
    facility = _get(staff_project, "facility", SAMPLE)
    assert isinstance(facility, Facility)
    made, _ = update_facility(
        staff_project, user_of("own"), SAMPLE, {"type_code": facility.type_code}
    )
    assert made.type_code == facility.type_code


def test_phones_are_tidied_and_hours_flagged_when_not_machine_readable(staff_project, user_of):
    from lifecircle.api.staff.records import facility_json

    base = {"name": "测试站（测试数据）", "type_code": "卫生服务站", "lon": 24.9405, "lat": 60.17}
    made, _ = add_facility(
        staff_project,
        user_of("own"),
        {**base, "phone": "０２２－１２３４５６７８", "opening_hours": "夏季 8:30-17:00"},
    )
    assert made.phone == "022-12345678" and made.opening_hours == "夏季 8:30-17:00"
    assert facility_json(made, editable=True)["hours_machine_readable"] is False
    changed, _ = update_facility(
        staff_project, user_of("own"), made.key, {"opening_hours": "周一至周五 8:30-17:00"}
    )
    assert changed.opening_hours == "周一至周五 8:30-17:00"  # kept as written, and understood
    assert facility_json(changed, editable=True)["hours_machine_readable"] is True
    with pytest.raises(StaffEditError) as caught:
        update_facility(
            staff_project, user_of("own"), made.key, {"opening_hours": "Mo-Fr 08:30-24:30"}
        )
    assert caught.value.field == "opening_hours" and "24:30" in str(caught.value)
