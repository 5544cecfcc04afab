"""The state machine: every (action, state) pair is either the one move the table says or a
refusal with the catalogue message; roles rank helper < worker < head."""

from __future__ import annotations

import pytest

from lifecircle.desk.machine import (
    ACTIONS,
    OPEN_STATES,
    STATES,
    allowed_actions,
    next_state,
    role_allows,
)
from lifecircle.errors import DeskError

#: The legal moves, written out by hand from the brief's lifecycle (受理 → 分派 → 响应 →
#: 处置中 → 办结 → 回访 → 关闭, with 吹哨, 调解, 退回, 延期, 挂账, 重复, 重开). Any pair not
#: listed is illegal.
LEGAL = {
    ("dispatch", "received"): "dispatched",
    **{("return", s): "dispatched" for s in ("dispatched", "responded", "in_progress")},
    ("respond", "received"): "received",
    ("respond", "dispatched"): "responded",
    ("reply", "received"): "received",
    ("reply", "dispatched"): "responded",
    **{("reply", s): s for s in ("responded", "in_progress", "on_hold", "done", "closed")},
    **{("note", s): s for s in STATES if s != "duplicate"},
    **{("summarise", s): s for s in STATES if s != "duplicate"},
    **{("visit", s): "in_progress" for s in ("dispatched", "responded", "in_progress")},
    **{("whistle", s): "in_progress" for s in ("responded", "in_progress")},
    **{("report_in", s): s for s in ("in_progress", "on_hold")},
    **{("mediate", s): "in_progress" for s in ("responded", "in_progress")},
    **{("request_extension", s): s for s in ("responded", "in_progress")},
    **{("decide_extension", s): s for s in ("responded", "in_progress", "on_hold")},
    **{("hold", s): "on_hold" for s in ("responded", "in_progress")},
    ("resume", "on_hold"): "in_progress",
    **{("finish", s): "done" for s in ("responded", "in_progress")},
    **{("callback", s): s for s in ("done", "closed")},
    ("close", "done"): "closed",
    **{("reopen", s): "in_progress" for s in ("done", "closed")},
    **{("merge", s): "duplicate" for s in ("received", "dispatched", "responded", "in_progress")},
    **{("link_walking", s): s for s in ("in_progress", "done")},
    **{("lift_walking", s): s for s in ("responded", "in_progress", "on_hold", "done", "closed")},
}
ALL_PAIRS = [(a, s) for a in ACTIONS for s in STATES]


def test_the_hand_written_table_names_only_real_actions_and_states():
    assert {a for a, _ in LEGAL} == set(ACTIONS)
    assert {s for _, s in LEGAL} <= set(STATES)
    assert len(ALL_PAIRS) == len(ACTIONS) * len(STATES) == 21 * 8


@pytest.mark.parametrize(("action", "state"), ALL_PAIRS)
def test_every_pair_is_the_legal_move_or_a_clear_refusal(action: str, state: str):
    if (action, state) in LEGAL:
        assert next_state(action, state) == LEGAL[action, state]
        assert action in allowed_actions(state)
        return
    with pytest.raises(DeskError) as info:
        next_state(action, state)
    err = info.value
    assert err.msg.key == "error.desk.illegal_step"
    assert action not in allowed_actions(state)
    params = dict(err.msg.params)
    assert params["allowed"] == (allowed_actions(state) or ("—",))
    # the message names the step and the state in both languages
    assert f"'{action}'" in str(err)
    assert "不能" in err.message("zh")


def test_a_duplicate_is_final_and_a_closed_case_can_only_be_reopened_answered_or_lifted():
    assert allowed_actions("duplicate") == ()
    assert set(allowed_actions("closed")) == {
        "reply",
        "note",
        "summarise",
        "callback",
        "reopen",
        "lift_walking",
    }


def test_an_unknown_action_names_the_known_ones():
    with pytest.raises(DeskError) as info:
        next_state("teleport", "received")
    assert info.value.msg.key == "error.desk.unknown_action"
    assert info.value.field == "action"


def test_open_states_are_those_before_handling():
    assert {"received", "dispatched", "responded", "in_progress", "on_hold"} == OPEN_STATES


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("helper", {"respond", "reply", "note", "visit", "callback"}),
        (
            "worker",
            {
                "respond",
                "reply",
                "note",
                "visit",
                "callback",
                "return",
                "summarise",
                "whistle",
                "report_in",
                "mediate",
                "request_extension",
                "finish",
                "merge",
            },
        ),
        ("head", set(ACTIONS)),
        ("resident", {"callback"}),
    ],
)
def test_roles_rank_helper_below_worker_below_head(role: str, allowed: set[str]):
    assert {a for a in ACTIONS if role_allows(role, a)} == allowed


def test_the_readme_s_lifecycle_table_names_every_step():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("* **Lifecycle**", 1)[1].split("* **Time limits**", 1)[0]
    missing = [a for a in ACTIONS if f"`{a}`" not in table]
    assert not missing, f"add to the README's lifecycle table: {missing}"
