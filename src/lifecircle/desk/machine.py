"""The case lifecycle as data: states, actions, which action moves which state where, and who.

受理 → 分派 → 响应 → 处置中 (visits, 吹哨 → 报到, 调解) → 办结 → 回访 → 关闭, plus 退回, 延期,
挂账, 重复 and 重开. :data:`ACTIONS` is the whole machine: an action not listed for a state is
refused with a catalogue message (:func:`next_state`). Nothing here reads the store or a clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from lifecircle.errors import DeskError, Msg

State = Literal[
    "received", "dispatched", "responded", "in_progress", "on_hold", "done", "closed", "duplicate"
]
STATES: tuple[State, ...] = (
    "received",
    "dispatched",
    "responded",
    "in_progress",
    "on_hold",
    "done",
    "closed",
    "duplicate",
)
#: States in which the case still waits for handling (Open311 ``open``).
OPEN_STATES: frozenset[str] = frozenset(
    {"received", "dispatched", "responded", "in_progress", "on_hold"}
)
#: Open states whose clock runs (挂账 stops it, so a parked case is never overdue).
RUNNING_STATES: frozenset[str] = OPEN_STATES - {"on_hold"}

#: Who acts, weakest first. ``helper`` is a 微网格长 (a volunteer), ``worker`` the grid's
#: 网格员, ``head`` a community (网格长/社区书记), sub-district or district account covering
#: the case. ``resident`` holds the case's public token; ``system`` is the desk itself.
Role = Literal["resident", "helper", "worker", "head", "system"]
RANKS: Mapping[str, int] = {"helper": 1, "worker": 2, "head": 3, "system": 4}

#: Who may read an event: everyone with the case's token, all staff who see the case, or only
#: workers and heads (mediation records and other restricted notes; reads are audited).
Visibility = Literal["public", "staff", "restricted"]

_ACTIVE = ("dispatched", "responded", "in_progress")
_WORKING = ("responded", "in_progress")


@dataclass(frozen=True)
class Action:
    """One thing that can happen to a case.

    ``moves`` maps each state the action is allowed in to the state it leaves the case in.
    ``role`` is the weakest staff role allowed (``resident`` actions are also open to the
    token holder). ``visibility`` is the default of its event; ``note`` says whether a note is
    ``required``, ``optional`` or ``public`` (required and shown to the requester).
    """

    name: str
    moves: Mapping[str, str]
    role: Role
    visibility: Visibility = "staff"
    note: Literal["required", "optional", "public"] = "optional"
    counts_as_response: bool = False


def _same(*states: str) -> dict[str, str]:
    return {s: s for s in states}


def _to(target: str, *states: str) -> dict[str, str]:
    return {s: target for s in states}


#: The whole machine. Keep the README's lifecycle table in step (a test checks the names).
ACTIONS: Mapping[str, Action] = {
    a.name: a
    for a in (
        Action("dispatch", _to("dispatched", "received"), "head"),
        Action("return", _to("dispatched", *_ACTIVE), "worker", note="required"),
        Action(
            "respond",
            {**_same("received"), **_to("responded", "dispatched")},
            "helper",
            "public",
            "public",
            True,
        ),
        Action(
            "reply",
            {
                **_same("received"),
                **_to("responded", "dispatched"),
                **_same(*_WORKING, "on_hold", "done", "closed"),
            },
            "helper",
            "public",
            "public",
            True,
        ),
        Action("note", _same(*STATES[:-1]), "helper", note="required"),
        Action("summarise", _same(*STATES[:-1]), "worker"),
        Action("visit", _to("in_progress", *_ACTIVE), "helper", counts_as_response=True),
        Action("whistle", _to("in_progress", *_WORKING), "worker", note="required"),
        Action("report_in", _same("in_progress", "on_hold"), "worker"),
        Action("mediate", _to("in_progress", *_WORKING), "worker", "restricted", "required"),
        Action("request_extension", _same(*_WORKING), "worker", note="required"),
        Action("decide_extension", _same(*_WORKING, "on_hold"), "head", note="required"),
        Action("hold", _to("on_hold", *_WORKING), "head", note="required"),
        Action("resume", _to("in_progress", "on_hold"), "head"),
        Action("finish", _to("done", *_WORKING), "worker", "public", "public", True),
        Action("callback", _same("done", "closed"), "resident"),
        Action("close", _to("closed", "done"), "head", note="required"),
        Action("reopen", _to("in_progress", "done", "closed"), "head", note="required"),
        Action("merge", _to("duplicate", "received", *_ACTIVE), "worker", note="required"),
        # verified: someone has been there (a visit moves the case to in_progress)
        Action("link_walking", _same("in_progress", "done"), "head"),
        Action("lift_walking", _same(*_WORKING, "on_hold", "done", "closed"), "head"),
    )
}


def next_state(action: str, state: str) -> str:
    """Return the state ``action`` leaves a case in when it is in ``state``.

    >>> next_state("finish", "in_progress")
    'done'
    >>> try:
    ...     next_state("finish", "received")
    ... except DeskError as exc:
    ...     exc.msg.key
    'error.desk.illegal_step'

    Raises
    ------
    DeskError
        The action is unknown, or not allowed in ``state`` (the message lists the actions
        that are).
    """
    spec = ACTIONS.get(action)
    if spec is None:
        known = tuple(ACTIONS)
        raise DeskError("error.desk.unknown_action", field="action", value=action, known=known)
    target = spec.moves.get(state)
    if target is None:
        raise DeskError(
            "error.desk.illegal_step",
            action=action,
            action_name=Msg(f"desk.action.{action}"),
            state=Msg(f"desk.state.{state}"),
            allowed=allowed_actions(state) or ("—",),
        )
    return target


def allowed_actions(state: str) -> tuple[str, ...]:
    """Return the actions allowed in ``state``, in the machine's order.

    >>> allowed_actions("on_hold")
    ('reply', 'note', 'summarise', 'report_in', 'decide_extension', 'resume', 'lift_walking')
    """
    return tuple(name for name, spec in ACTIONS.items() if state in spec.moves)


def role_allows(role: str, action: str) -> bool:
    """Tell whether ``role`` may take ``action`` (stronger roles may take weaker ones' actions).

    >>> role_allows("helper", "visit"), role_allows("helper", "finish")
    (True, False)
    >>> role_allows("resident", "callback"), role_allows("resident", "visit")
    (True, False)
    """
    need = ACTIONS[action].role
    if role == "resident":
        return need == "resident"
    if need == "resident":
        return role in RANKS
    return RANKS.get(role, 0) >= RANKS[need]
