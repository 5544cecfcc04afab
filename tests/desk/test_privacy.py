"""Personal data: masked in every staff answer, revealed only with a logged reason, every read
of private details logged, nothing personal on the public page, retention anonymises."""

from __future__ import annotations

import json

import pytest

from lifecircle.desk import photos, privacy
from lifecircle.desk.views import public_case
from lifecircle.errors import AccessDenied, DeskError
from tests.desk.conftest import file, step
from tests.desk.test_photos import jpeg


def test_staff_answers_mask_the_phone_and_log_the_read(desk, user):
    case = file(desk, reporter_email="wangayi@example.cn")
    shown = privacy.read_case(desk, user("wang"), case.id, "zh")
    assert shown["reporter_phone"] == "138****1234" and shown["reporter_email"] == "w***@example.cn"
    assert "13812341234" not in json.dumps(shown, ensure_ascii=False)
    assert shown["details"] == "楼上水管漏水，顺着墙往下流"
    read = desk.store.accounts.audit(limit=1)[0]
    assert (read.user, read.action, read.target) == ("wang", "desk.case.read", f"case:{case.id}")


def test_a_reveal_needs_a_reason_and_a_grid_worker_and_is_logged(desk, user):
    case = file(desk)
    with pytest.raises(DeskError) as info:
        privacy.reveal_contact(desk, user("wang"), case.id, "  ")
    assert info.value.field == "reason"
    with pytest.raises(AccessDenied):  # the volunteer 微网格长 of the case's own micro-grid
        privacy.reveal_contact(desk, user("zhao"), case.id, "回电")
    with pytest.raises(AccessDenied):  # another grid's worker
        privacy.reveal_contact(desk, user("li"), case.id, "回电")
    assert privacy.reveal_contact(desk, user("wang"), case.id, "上门前电话确认") == {
        "phone": "13812341234",
        "email": None,
    }
    logged = desk.store.accounts.audit(limit=1)[0]
    assert (logged.user, logged.action, logged.detail["reason"]) == (
        "wang",
        "desk.contact.reveal",
        "上门前电话确认",
    )


def test_restricted_records_are_blank_for_a_volunteer(desk, user):
    case = file(desk)
    case = step(desk, user("wang"), case, "visit", note="上门")
    case = step(
        desk,
        user("wang"),
        case,
        "mediate",
        note="调解：楼上承担",
        parties="201、301",
        agreement="协议",
    )
    helper = privacy.read_case(desk, user("zhao"), case.id, "zh")
    mediation = helper["events"][-1]
    assert mediation["hidden"] and mediation["note"] == "" and mediation["data"] == {}
    worker = privacy.read_case(desk, user("wang"), case.id, "zh")
    assert worker["events"][-1]["data"]["agreement"] == "协议"


def test_the_public_page_holds_nothing_personal(desk, user):
    case = file(desk, summary="3号楼漏水")
    case = step(
        desk, user("wang"), case, "visit", note="301住户王某某家中查看", people_met="王某某"
    )
    case = step(desk, user("wang"), case, "mediate", note="调解记录", parties="王某某、李某某")
    case = step(desk, user("wang"), case, "finish", note="已修复，感谢您的反映")
    page = public_case(desk, case, desk.store.cases.events(case.id), "zh")
    text = json.dumps(page, ensure_ascii=False)
    for secret in (
        "13812341234",
        "王阿姨",
        "2单元301",
        "3号楼楼上",
        "王某某",
        "李某某",
        "调解记录",
        "楼上水管漏水",
    ):
        assert secret not in text
    assert page["summary"] == "3号楼漏水" and page["place"] == "桃园里"
    assert [(e["action"], e["note"]) for e in page["timeline"]][-2:] == [
        ("visit", ""),
        ("finish", "已修复，感谢您的反映"),
    ]
    assert page["can_give_feedback"]


def test_retention_anonymises_old_closed_cases_and_keeps_the_statistics(desk, user, clock):
    name = photos.save_photo(desk.photo_dir, jpeg(), max_bytes=10**7)
    old = file(desk, photos=(name,), summary="漏水")
    old = step(desk, user("wang"), old, "visit", note="301王阿姨家", people_met="王阿姨")
    old = step(desk, user("wang"), old, "finish", note="已修复")
    old = step(
        desk,
        None,
        old,
        "callback",
        solved=True,
        satisfaction="satisfied",
        token=old.token,
        note="谢谢王师傅",
    )
    fresh = file(desk, category="sanitation")
    clock.advance(hours=24 * 800)
    assert privacy.anonymise_old_cases(desk, by="cli", dry_run=True).cases == (old.id,)
    done = privacy.anonymise_old_cases(desk, by="cli")
    assert done.cases == (old.id,) and done.photos_removed == 1
    after = desk.store.cases.get(old.id)
    assert (
        after.details,
        after.reporter_phone,
        after.reporter_name,
        after.building,
        after.unit,
    ) == ("", None, None, "", "")
    assert (
        after.photos == () and after.callback_comment is None and after.anonymised_at == desk.now()
    )
    assert (after.lon, after.lat) == (round(old.lon, 3), round(old.lat, 3))
    # what the statistics read is untouched
    for field in (
        "category",
        "grid",
        "received_at",
        "first_response_at",
        "first_done_at",
        "closed_at",
        "solved",
        "satisfaction",
        "summary",
    ):
        assert getattr(after, field) == getattr(old, field), field
    events = desk.store.cases.events(old.id)
    assert all(
        e.note in ("", "［已按保存期限匿名化］") and "people_met" not in e.data for e in events
    )
    assert desk.store.cases.get(fresh.id).details  # not closed: kept
    assert not photos.photo_path(desk.photo_dir, name).exists()
    assert privacy.anonymise_old_cases(desk, by="cli").cases == ()  # nothing twice
