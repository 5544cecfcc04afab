"""Intake from every channel: routing and dispatch, first response, due times, duplicates and
joining, and bad input refused with the field named and nothing written."""

from __future__ import annotations

import pytest

from lifecircle.desk.intake import file_case, nearby
from lifecircle.desk.lifecycle import Actor
from lifecircle.errors import DeskError, LocationError
from lifecircle.store.case_queries import CaseQuery
from tests.desk.conftest import at, file, intake


def _count(desk) -> int:
    return len(desk.store.cases.find(CaseQuery(limit=1000)))


def test_a_phone_call_is_received_dispatched_and_answered_at_once(desk):
    case = file(desk, who="sun", role="head")
    assert case.state == "responded"
    assert (case.grid, case.microgrid, case.community, case.subdistrict) == (
        "G1",
        "G1-1",
        "桃园社区",
        "桃园街道",
    )
    assert case.assignee == "wang"  # the only 网格员 of G1
    assert (
        case.received_at == case.dispatched_at == case.first_response_at == at("2026-11-02 09:00")
    )
    # water leak: utilities tier — answer within 2 working hours, handle within 24 h
    assert case.due_response_at == at("2026-11-02 11:00")
    assert case.due_resolution_at == at("2026-11-03 09:00")
    events = desk.store.cases.events(case.id)
    assert [(e.action, e.actor, e.from_state, e.to_state) for e in events] == [
        ("intake", "sun", None, "received"),
        ("dispatch", "system", "received", "dispatched"),
        ("respond", "sun", "dispatched", "responded"),
    ]
    audit = desk.store.accounts.audit(limit=1)[0]
    assert (audit.action, audit.target, audit.user) == ("desk.intake", f"case:{case.id}", "sun")
    assert "13812341234" not in str(audit.detail)  # no personal data in the audit detail


def test_a_resident_form_waits_for_the_grid_worker_and_shows_no_summary(desk):
    filed = file_case(
        desk,
        intake(
            source="resident_form",
            summary="居民写的摘要",
            reporter_name="",
            compound="",
            lon=117.1910,
            lat=39.1095,
        ),
        actor=Actor("resident", "resident"),
    )
    case = filed.case
    assert case.state == "dispatched" and case.first_response_at is None
    assert case.grid == "G1" and case.microgrid is None and case.outside_grid_m is None
    assert case.summary == ""  # residents' words are never published; staff write the summary
    assert len(case.token) >= 16


def test_a_group_chat_message_counts_from_its_own_time(desk, clock):
    clock.set("2026-11-02 10:00")
    case = file(
        desk,
        source="group_chat",
        channel_at=at("2026-11-02 08:40"),
        channel_ref="网格群 08:40 王阿姨",
        replied=True,
    )
    assert case.received_at == at("2026-11-02 08:40")
    assert case.first_response_at == at("2026-11-02 10:00")
    # 2 working hours from 08:40 end at 10:40: answered in time
    assert case.due_response_at == at("2026-11-02 10:40")
    with pytest.raises(DeskError) as info:
        file(desk, source="group_chat", channel_at=at("2026-10-01 08:00"))
    assert info.value.field == "channel_at"


def test_a_patrol_finding_needs_a_point_and_expects_no_answer(desk):
    case = file(
        desk,
        source="patrol",
        category="path_damage",
        compound="",
        reporter_phone="",
        lon=117.1910,
        lat=39.1095,
    )
    assert case.state == "dispatched" and case.due_response_at is None
    with pytest.raises(DeskError) as info:
        file(desk, source="patrol", category="path_damage", lon=None, lat=None)
    assert info.value.field == "lon"


def test_outside_every_grid_goes_to_the_nearest_and_says_so(desk):
    case = file(desk, category="sanitation", compound="", lon=117.2000, lat=39.1100)
    assert case.grid == "G2" and case.outside_grid_m == pytest.approx(392, abs=5)
    with pytest.raises(LocationError):
        file(desk, category="sanitation", compound="", lon=117.3000, lat=39.1100)


def test_gcj02_points_are_stored_as_wgs84(desk):
    from lifecircle.geo import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(117.1910, 39.1095)
    case = file(
        desk, category="sanitation", compound="", lon=float(lon), lat=float(lat), crs="gcj02"
    )
    assert (case.lon, case.lat) == pytest.approx((117.1910, 39.1095), abs=1e-6)


def test_open_cases_nearby_are_offered_before_filing_and_can_be_joined(desk):
    first = file(
        desk, category="blocked_access", compound="", lon=117.1910, lat=39.1095, not_duplicate=False
    )
    # 20 m north: within the category's 50 m radius
    again = intake(
        category="blocked_access",
        compound="",
        lon=117.1910,
        lat=39.1095 + 20 / 111_000,
        not_duplicate=False,
    )
    filed = file_case(desk, again, actor=Actor("wang", "worker"))
    assert filed.case is None
    (offer,) = filed.duplicates
    assert offer.case_id == first.id and offer.distance_m == pytest.approx(20, abs=0.5)
    assert _count(desk) == 1  # nothing was written
    joined = file_case(
        desk, intake(**{**again.__dict__, "join": first.id}), actor=Actor("wang", "worker")
    ).case
    assert joined.state == "duplicate" and joined.duplicate_of == first.id
    # 80 m away is another problem; another category is another problem
    far = intake(
        category="blocked_access",
        compound="",
        lon=117.1910,
        lat=39.1095 + 80 / 111_000,
        not_duplicate=False,
    )
    assert file_case(desk, far, actor=Actor("wang", "worker")).case is not None
    other = nearby(desk, desk.config.category("streetlight"), 117.1910, 39.1095)
    assert other == []


def test_private_categories_are_never_offered_as_duplicates(desk):
    file(desk, category="neighbour_dispute")
    dispute = desk.config.category("neighbour_dispute")
    assert nearby(desk, dispute, 117.1899, 39.1090) == []


def test_html_is_kept_as_text(desk):
    case = file(desk, details='<script>alert("x")</script> 三楼 & 四楼', summary="<b>漏水</b>")
    stored = desk.store.cases.get(case.id)
    assert stored.details == '<script>alert("x")</script> 三楼 & 四楼'
    assert stored.summary == "<b>漏水</b>"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"category": "no_such"}, "category"),
        ({"details": ""}, "details"),
        ({"details": "x" * 4001}, "details"),
        ({"details": "bad\x00byte"}, "details"),
        ({"reporter_phone": "call me"}, "reporter_phone"),
        ({"reporter_email": "not-an-address"}, "reporter_email"),
        ({"compound": "没有这个小区"}, "compound"),
        ({"compound": "", "lon": 117.19}, "lat"),
        ({"compound": "", "lon": 39.1, "lat": 117.19}, "lon"),
        ({"compound": "", "place": ""}, "lon"),
        ({"photos": ("0" * 32 + ".jpg",)}, "photos"),
        ({"photos": ("../../etc/passwd",)}, "photos"),
        ({"source": "resident_form"}, "source"),
        ({"join": 999}, "join"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(desk, values, field):
    with pytest.raises(DeskError) as info:
        file(desk, **values)
    assert info.value.field == field
    assert _count(desk) == 0
    assert all(a.action != "desk.intake" for a in desk.store.accounts.audit(limit=50))


def test_swapped_coordinates_are_pointed_out(desk):
    with pytest.raises(DeskError) as info:
        file(desk, compound="", lon=39.1095, lat=117.1910)
    assert "swapped" in str(info.value) and "写反了" in info.value.message("zh")
