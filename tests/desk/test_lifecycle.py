"""The lifecycle through the store, on the brief's real cases: a leaking standpipe from the flat
above, tree roots lifting a path, cars blocking a gate, a daughter who cannot reach her parents.
Every step is an event; the case's milestones always equal the replay of its events."""

from __future__ import annotations

import pytest

from lifecircle.desk.lifecycle import fold, milestones_of
from lifecircle.desk.views import is_overdue
from lifecircle.errors import AccessDenied, DeskError
from tests.desk.conftest import at, file, step


def assert_folds(desk, case) -> None:
    """The stored milestones are exactly the replay of the stored events."""
    stored = desk.store.cases.get(case.id)
    assert milestones_of(stored) == fold(desk.store.cases.events(case.id))


def test_a_leaking_standpipe_from_the_flat_above(desk, user, clock):
    wang, sun = user("wang"), user("sun")
    case = file(desk, who="sun", role="head", summary="3号楼楼上漏水")
    clock.set("2026-11-02 10:00")
    case = step(desk, wang, case, "visit", note="查看：楼上301立管渗漏", people_met="301住户")
    clock.set("2026-11-02 10:30")
    case = step(
        desk,
        wang,
        case,
        "whistle",
        departments=("water", "property"),
        note="联系供水和物业联合查看",
    )
    summons = desk.store.cases.summons(case.id)
    # utilities tier is not an emergency: water reports in within 24 h, property within 24 h
    assert [(s.department, s.due_at) for s in summons] == [
        ("water", at("2026-11-03 10:30")),
        ("property", at("2026-11-03 10:30")),
    ]
    clock.set("2026-11-02 14:00")
    case = step(desk, wang, case, "report_in", department="property", note="物业维修工到场")
    clock.set("2026-11-02 15:00")
    case = step(
        desk,
        wang,
        case,
        "mediate",
        note="矛盾调解小组：维修费由楼上承担",
        parties="301、201住户",
        agreement="楼上承担维修费",
    )
    case = step(desk, wang, case, "request_extension", days=2, note="需等配件")
    assert case.pending_extension == {"days": 2}
    case = step(desk, sun, case, "decide_extension", approve=True, note="同意延期两天")
    # due was 2026-11-03 09:00 (24 h after receipt); +2 natural days
    assert case.due_resolution_at == at("2026-11-05 09:00") and case.extended_s == 2 * 86400
    assert case.pending_extension is None
    clock.set("2026-11-04 16:00")
    case = step(desk, wang, case, "finish", note="立管已更换，不再渗漏")
    assert (case.state, case.first_done_at, case.done_due_at) == (
        "done",
        at("2026-11-04 16:00"),
        at("2026-11-05 09:00"),
    )
    clock.set("2026-11-05 09:30")
    case = step(
        desk,
        None,
        case,
        "callback",
        solved=True,
        satisfaction="satisfied",
        token=case.token,
        note="谢谢",
    )
    assert (case.state, case.solved, case.satisfaction, case.closed_at) == (
        "closed",
        True,
        "satisfied",
        at("2026-11-05 09:30"),
    )
    assert case.callback_comment == "谢谢"
    actions = [e.action for e in desk.store.cases.events(case.id)]
    assert actions == [
        "intake",
        "dispatch",
        "respond",
        "visit",
        "whistle",
        "report_in",
        "mediate",
        "request_extension",
        "decide_extension",
        "finish",
        "callback",
        "close",
    ]
    assert_folds(desk, case)
    # every step is audited as who did what to which case
    audited = [
        a.action for a in desk.store.accounts.audit(limit=50) if a.target == f"case:{case.id}"
    ]
    assert {"desk.visit", "desk.whistle", "desk.mediate", "desk.finish", "desk.callback"} <= set(
        audited
    )


def test_tree_roots_parked_until_spring_are_never_overdue(desk, user, clock):
    wang, sun = user("wang"), user("sun")
    case = file(
        desk,
        source="patrol",
        category="path_damage",
        compound="",
        reporter_phone="",
        lon=117.1910,
        lat=39.1095,
    )
    assert case.due_resolution_at == at("2026-11-09 09:00")  # general: 7 natural days
    case = step(desk, wang, case, "visit", note="树根拱起，老人易绊倒")
    clock.set("2026-11-03 10:00")
    case = step(desk, sun, case, "hold", note="需园林部门春季处理，先设警示")
    clock.set("2026-11-20 10:00")  # long past the due time, but parked
    assert not is_overdue(case, desk.now())
    case = step(desk, sun, case, "resume", note="开始施工")
    # parked 17 days: the due time moves from 11-09 09:00 to 11-26 09:00
    assert case.held_s == 17 * 86400 and case.due_resolution_at == at("2026-11-26 09:00")
    assert not is_overdue(case, desk.now())
    clock.set("2026-11-27 09:00")
    assert is_overdue(desk.store.cases.get(case.id), desk.now())
    assert_folds(desk, case)


def test_a_refused_extension_leaves_the_due_time(desk, user):
    case = file(desk, category="sanitation")
    case = step(desk, user("wang"), case, "request_extension", days=3, note="等清运车")
    case = step(desk, user("sun"), case, "decide_extension", approve=False, note="不同意")
    assert case.due_resolution_at == at("2026-11-09 09:00") and case.extended_s == 0
    with pytest.raises(DeskError) as info:
        step(desk, user("sun"), case, "decide_extension", approve=True, note="again")
    assert info.value.msg.key == "error.desk.no_extension"


def test_cars_blocking_the_gate_call_in_departments_assessed_on_reporting_in(desk, user, clock):
    wang = user("wang")
    case = file(desk, category="blocked_access", summary="小区唯一出入口被车辆堵塞")
    case = step(
        desk, wang, case, "whistle", departments=("urban_management", "traffic"), note="吹哨"
    )
    with pytest.raises(DeskError) as info:  # called already, not yet reported in
        step(desk, wang, case, "whistle", departments=("traffic",), note="again")
    assert info.value.msg.key == "error.desk.already_summoned"
    clock.set("2026-11-04 09:00")  # 48 h later: both were due within 24 h
    case = step(desk, wang, case, "report_in", department="traffic")
    events = desk.store.cases.events(case.id)
    assert events[-1].data["late_s"] == 24 * 3600
    with pytest.raises(DeskError) as info:
        step(desk, wang, case, "report_in", department="traffic")
    assert info.value.msg.key == "error.desk.not_summoned"


def test_a_daughter_who_cannot_reach_her_parents(desk, user, clock):
    wang, zhao = user("wang"), user("zhao")
    case = file(
        desk,
        who="sun",
        role="head",
        category="family_contact",
        details="女儿联系不上父母，登记电话无人接",
    )
    assert case.is_private
    assert case.due_resolution_at == at("2026-11-02 11:00")  # emergency: 2 natural hours
    with pytest.raises(AccessDenied):  # a volunteer 微网格长 does not see private cases
        step(desk, zhao, case, "visit")
    clock.set("2026-11-02 09:20")
    case = step(desk, wang, case, "visit", note="拨打登记电话后上门敲门，老人在家，电话欠费")
    case = step(desk, wang, case, "finish", note="已告知女儿，老人平安")
    assert case.first_done_at <= case.done_due_at
    assert_folds(desk, case)


def test_a_step_the_state_forbids_writes_nothing(desk, user):
    case = file(desk, source="resident_form", who="resident", role="resident", reporter_name="")
    before = (len(desk.store.cases.events(case.id)), desk.store.accounts.count_audit())
    with pytest.raises(DeskError) as info:
        step(desk, user("wang"), case, "finish", note="done")
    assert info.value.msg.key == "error.desk.illegal_step"
    assert "dispatched" in str(info.value) and "已分派" in info.value.message("zh")
    assert (len(desk.store.cases.events(case.id)), desk.store.accounts.count_audit()) == before
    assert desk.store.cases.get(case.id).state == "dispatched"


def test_another_grid_s_worker_can_neither_read_nor_act(desk, user):
    case = file(desk)
    before = len(desk.store.cases.events(case.id))
    with pytest.raises(AccessDenied) as info:
        step(desk, user("li"), case, "visit")
    assert info.value.msg.key == "error.desk.not_your_case"
    with pytest.raises(AccessDenied) as info:
        step(desk, user("zhao"), case, "finish", note="x")  # own micro-grid, but a volunteer
    assert info.value.msg.key == "error.desk.role_too_weak"
    assert len(desk.store.cases.events(case.id)) == before


def test_return_to_the_right_grid_and_merge_and_reopen(desk, user):
    wang, sun = user("wang"), user("sun")
    case = file(desk, category="sanitation", compound="华苑")
    assert case.grid == "G2"
    case = step(desk, user("li"), case, "return", grid="G1", note="属一网格")
    assert (case.grid, case.assignee, case.return_count, case.state) == (
        "G1",
        "wang",
        1,
        "dispatched",
    )
    other = file(desk, category="sanitation")
    merged = step(desk, wang, other, "merge", into=case.id, note="同一堆垃圾")
    assert (merged.state, merged.duplicate_of) == ("duplicate", case.id)
    with pytest.raises(DeskError):
        step(desk, wang, merged, "reply", note="x")
    case = step(desk, wang, case, "visit")
    case = step(desk, wang, case, "finish", note="已清运")
    case = step(
        desk, None, case, "callback", solved=False, satisfaction="dissatisfied", token=case.token
    )
    assert (case.state, case.reopen_count) == ("in_progress", 1)
    case = step(desk, wang, case, "finish", note="再次清运")
    case = step(desk, sun, case, "close", note="回访无人接听，按规定结案")
    assert case.state == "closed"
    case = step(desk, sun, case, "reopen", note="又堆了")
    assert case.reopen_count == 2
    for made in (case, merged):
        assert_folds(desk, made)


def test_the_token_holder_may_only_answer_the_callback(desk, user):
    case = file(desk)
    with pytest.raises(DeskError):
        step(desk, None, case, "visit", token=case.token)
    with pytest.raises(DeskError) as info:
        step(
            desk,
            None,
            case,
            "callback",
            solved=True,
            satisfaction="satisfied",
            token="wrong-token-000",
        )
    assert info.value.msg.key == "error.desk.no_case"
    with pytest.raises(DeskError) as info:  # not handled yet
        step(desk, None, case, "callback", solved=True, satisfaction="satisfied", token=case.token)
    assert info.value.msg.key == "error.desk.illegal_step"


def test_restricted_notes_need_a_worker(desk, user):
    case = file(desk)
    case = step(
        desk, user("wang"), case, "note", note="住户家中有精神障碍患者", visibility="restricted"
    )
    event = desk.store.cases.events(case.id)[-1]
    assert event.visibility == "restricted"
    with pytest.raises(DeskError) as info:
        step(desk, user("wang"), case, "reply", note="x", visibility="restricted")
    assert info.value.field == "visibility"
