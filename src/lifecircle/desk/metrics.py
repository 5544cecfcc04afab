"""The desk's figures, computed from the cases' milestones (themselves folded from events).

Nothing is stored by hand: each figure is counted here from the facts of the cases, for a
period (a month) as of a time, in any cut (grid, community, 街道, category, month). The
definitions, written next to each figure in the catalogue (``desk.metric.<name>.definition``):

- 受理 ``received``: cases received in the period (``duplicates`` of them merged).
- 应响应 ``due_response``: received in the period, not duplicates, not patrol findings (no one
  to answer), and answered or due to be answered by the report time.
- 响应率 ``response_rate``: answered by the response due time ÷ 应响应; 件件回应率
  ``answered_rate``: answered at all ÷ 应响应; ``median_response_h``: hours to the answer.
- 应办结 ``due_done``: not duplicates, first handled (办结) in the period, or not handled, not
  parked (挂账), due in the period and due by the report time. Each case counts in one period.
- 按期办结率 ``on_time_rate``: handled by the due time (延期 included, 挂账 time excluded) ÷
  应办结; 结案率 ``closed_rate``: closed now ÷ 应办结.
- 解决率 ``solved_rate`` and 满意率 ``satisfied_rate`` (满意 + 基本满意): of the 回访 answered in
  the period; 回访率 ``callback_rate``: handled in the period and asked ÷ handled in the period.
- ``median_close_h``: hours from receipt to closing, time parked excluded, of cases closed in
  the period; ``reopened``: cases of 应办结 reopened at least once.
- ``overdue`` / ``soon_overdue`` / ``on_hold``: open cases now past due / due within the
  soon window / parked — whatever their period.
- Departments: 应报到 ``due_report``: summoned in the period and reported or due by the report
  time; 报到及时率 ``report_rate``: reported by the due time ÷ 应报到; ``median_report_min``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lifecircle.desk.facts import NULL, Facts

IntArray = NDArray[np.int64]
RUNNING = ("received", "dispatched", "responded", "in_progress")
SATISFIED = ("satisfied", "basically")
CASE_FIGURES = (
    "received",
    "duplicates",
    "patrol",
    "due_response",
    "response_rate",
    "answered_rate",
    "median_response_h",
    "due_done",
    "on_time_rate",
    "closed_rate",
    "reopened",
    "callbacks",
    "solved_rate",
    "satisfied_rate",
    "callback_rate",
    "median_close_h",
    "overdue",
    "soon_overdue",
    "on_hold",
)
SUMMONS_COLUMNS = (
    "department",
    "summoned_at",
    "due_at",
    "reported_at",
    "grid",
    "community",
    "subdistrict",
    "category",
    "microgrid",
    "is_private",
)
DEPARTMENT_FIGURES = (
    "summoned",
    "due_report",
    "report_rate",
    "late",
    "missing",
    "median_report_min",
)


@dataclass(frozen=True)
class Rate:
    """A rate as its two counts (a ratio of nothing is ``None``, shown as —)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """The ratio, or ``None`` when the denominator is 0."""
        return self.numerator / self.denominator if self.denominator else None


def _within(values: IntArray, period: tuple[int, int]) -> NDArray[np.bool_]:
    inside: NDArray[np.bool_] = (values >= period[0]) & (values < period[1]) & (values != NULL)
    return inside


def group_counts(groups: IntArray, mask: NDArray[np.bool_], *, n: int) -> IntArray:
    """Count ``mask`` per group (``groups`` holds each row's group number, 0…n-1).

    >>> group_counts(np.array([0, 1, 1, 2]), np.array([True, True, False, True]), n=3).tolist()
    [1, 1, 1]
    """
    if n == 1:  # the whole area, a month of the trend: no grouping to do
        return np.array([np.count_nonzero(mask)], dtype=np.int64)
    return np.bincount(groups[mask], minlength=n).astype(np.int64)


def medians_of(groups: IntArray, values: NDArray[np.float64], n: int) -> list[float | None]:
    """Median of ``values`` per group (``None`` for an empty group); both already chosen.

    >>> medians_of(np.array([0, 0, 0, 1]), np.array([3.0, 1.0, 2.0, 5.0]), 3)
    [2.0, 5.0, None]
    """
    if n == 0:
        return []
    if n == 1:
        return [float(np.median(values)) if len(values) else None]
    order = np.lexsort((values, groups))
    g, v = groups[order], values[order]
    counts = np.bincount(g, minlength=n)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out: list[float | None] = []
    for start, count in zip(starts, counts, strict=True):
        if count == 0:
            out.append(None)
            continue
        middle = v[start + (count - 1) // 2 : start + count // 2 + 1]
        out.append(float(middle.mean()))
    return out


def _masks(f: Facts, period: tuple[int, int], as_of: int) -> dict[str, NDArray[np.bool_]]:
    """Which cases count where, for one period (the definitions in the module docstring)."""
    received, responded, due_resp = f["received_at"], f["first_response_at"], f["due_response_at"]
    done, due_res = f["first_done_at"], f["due_resolution_at"]
    dup, on_hold = f.eq("state", "duplicate"), f.eq("state", "on_hold")
    in_p = _within(received, period)
    answered = responded != NULL
    due_response = in_p & ~dup & ~f.eq("source", "patrol")
    due_response &= answered | ((due_resp != NULL) & (due_resp <= as_of))
    done_in_p = _within(done, period)
    waiting = (done == NULL) & ~on_hold & _within(due_res, period) & (due_res <= as_of)
    callbacks = _within(f["callback_at"], period) & (f["solved"] != NULL)
    return {
        "in_p": in_p,
        "dup": dup,
        "patrol": in_p & f.eq("source", "patrol"),
        "due_response": due_response,
        "answered": due_response & answered,
        "on_time_response": due_response & answered & (responded <= due_resp),
        "done_in_p": done_in_p,
        "due_done": ~dup & (done_in_p | waiting),
        "callbacks": callbacks,
        "rated": callbacks & ~f.eq("satisfaction", ""),
        "closed_in_p": _within(f["closed_at"], period),
        "running": f.one_of("state", RUNNING),
        "on_hold": on_hold,
    }


def _hours(
    f: Facts, later: str, mask: NDArray[np.bool_], *, held: bool = False
) -> NDArray[np.float64]:
    """Hours from receipt to ``later`` of the cases in ``mask`` (time on hold taken off)."""
    seconds = f[later][mask] - f["received_at"][mask] - (f["held_s"][mask] if held else 0)
    hours: NDArray[np.float64] = seconds / 3600.0
    return hours


def case_figures(
    f: Facts, groups: IntArray, n: int, *, period: tuple[int, int], as_of: int, soon_s: int
) -> list[dict[str, Any]]:
    """Return every case figure per group (see the module docstring for the definitions)."""
    m = _masks(f, period, as_of)
    done, due_res = f["first_done_at"], f["due_resolution_at"]
    due_done, callbacks, running = m["due_done"], m["callbacks"], m["running"]
    count = partial(group_counts, groups, n=n)

    def median(values: NDArray[np.float64], mask: NDArray[np.bool_]) -> list[float | None]:
        return medians_of(groups[mask], values, n)

    columns: dict[str, Any] = {
        "received": count(m["in_p"]),
        "duplicates": count(m["in_p"] & m["dup"]),
        "patrol": _rates(count(m["patrol"]), count(m["in_p"])),
        "due_response": count(m["due_response"]),
        "response_rate": _rates(count(m["on_time_response"]), count(m["due_response"])),
        "answered_rate": _rates(count(m["answered"]), count(m["due_response"])),
        "median_response_h": median(_hours(f, "first_response_at", m["answered"]), m["answered"]),
        "due_done": count(due_done),
        "on_time_rate": _rates(
            count(due_done & (done != NULL) & (done <= f["done_due_at"])), count(due_done)
        ),
        "closed_rate": _rates(count(due_done & f.eq("state", "closed")), count(due_done)),
        "reopened": count(due_done & (f["reopen_count"] > 0)),
        "callbacks": count(callbacks),
        "solved_rate": _rates(count(callbacks & (f["solved"] == 1)), count(callbacks)),
        "satisfied_rate": _rates(
            count(m["rated"] & f.one_of("satisfaction", SATISFIED)), count(m["rated"])
        ),
        "callback_rate": _rates(
            count(m["done_in_p"] & (f["callback_at"] != NULL)), count(m["done_in_p"])
        ),
        "median_close_h": median(
            _hours(f, "closed_at", m["closed_in_p"], held=True), m["closed_in_p"]
        ),
        "overdue": count(running & (due_res != NULL) & (due_res < as_of)),
        "soon_overdue": count(running & (due_res >= as_of) & (due_res < as_of + soon_s)),
        "on_hold": count(m["on_hold"]),
    }
    return [{name: columns[name][i] for name in CASE_FIGURES} for i in range(n)]


def _rates(numerators: IntArray, denominators: IntArray) -> list[Rate]:
    return [Rate(int(a), int(b)) for a, b in zip(numerators, denominators, strict=True)]


def department_figures(
    f: Facts, groups: IntArray, n: int, *, period: tuple[int, int], as_of: int
) -> list[dict[str, Any]]:
    """Return the 报到 figures per group of summons (see the module docstring)."""
    summoned, due, reported = f["summoned_at"], f["due_at"], f["reported_at"]
    in_p = _within(summoned, period)
    came = reported != NULL
    due_report = in_p & (came | (due <= as_of))
    on_time = due_report & came & (reported <= due)
    count = partial(group_counts, groups, n=n)
    minutes = (reported - summoned).astype(np.float64) / 60.0
    columns: dict[str, Any] = {
        "summoned": count(in_p),
        "due_report": count(due_report),
        "report_rate": _rates(count(on_time), count(due_report)),
        "late": count(due_report & came & (reported > due)),
        "missing": count(due_report & ~came),
        "median_report_min": medians_of(groups[in_p & came], minutes[in_p & came], n),
    }
    return [{name: columns[name][i] for name in DEPARTMENT_FIGURES} for i in range(n)]


def one_group(size: int) -> IntArray:
    """Put every row in group 0 (the whole area)."""
    return np.zeros(size, dtype=np.int64)
