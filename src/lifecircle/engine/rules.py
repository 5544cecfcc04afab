"""The one set of rules every face shows: levels, cost → shown minutes (or metres), "missing".

A cost is seconds (time convention) or metres (``planning``, the distance convention). It is
shown rounded *up* — whole minutes, or metres to the next 10 m — so a walk shown as "15分钟"
takes at most 15 minutes, and a facility is within a level exactly when its shown value is at
most the level's: 900.0 s is "15分钟" and within 15; 902.4 s (15.04 min) is "16分钟" and not.
The same inclusive limit (up to float rounding, :data:`LIMIT_RTOL`) counts facilities and
traces the walking areas, so the board, the phone page, the gap report and the CLI can never
disagree. A type the area's data does not hold at all (no facility, and no sheet declared
complete for it) is *not collected* (未采集), never "missing": nobody looked. Pure functions:
nothing here reads data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from lifecircle.engine.profiles import WalkProfile
from lifecircle.errors import ConfigError
from lifecircle.i18n import t
from lifecircle.taxonomy.catalogue import LEVELS_MIN

__all__ = [
    "LEVELS_MIN",
    "LIMIT_RTOL",
    "CostUnit",
    "Reach",
    "ShownUnit",
    "Verdict",
    "cost_unit",
    "inclusive",
    "is_missing",
    "level_limit",
    "level_limits",
    "level_text",
    "minutes_limit",
    "shown_text",
    "shown_unit",
    "shown_value",
    "verdict",
    "within",
]

#: Relative tolerance of every limit: a cost equal to a limit up to float rounding is within.
LIMIT_RTOL = 1e-9
#: Metres are shown rounded up to this step in the distance convention.
METRES_STEP = 10

CostUnit = Literal["s", "m"]
ShownUnit = Literal["min", "m"]


def cost_unit(profile: WalkProfile) -> CostUnit:
    """``"s"`` for a time-convention profile, ``"m"`` for a distance one.

    >>> from lifecircle.engine.profiles import PLANNING, STANDARD
    >>> cost_unit(STANDARD), cost_unit(PLANNING)
    ('s', 'm')
    """
    return "m" if profile.convention == "distance" else "s"


def shown_unit(profile: WalkProfile) -> ShownUnit:
    """``"min"`` (whole minutes) or ``"m"`` (metres, distance convention)."""
    return "m" if profile.convention == "distance" else "min"


def level_limit(profile: WalkProfile, level_min: int) -> float:
    """Return the cost limit of a life-circle level: seconds, or the standard's metres.

    >>> from lifecircle.engine.profiles import PLANNING, STANDARD
    >>> level_limit(STANDARD, 15), level_limit(PLANNING, 5)
    (900.0, 300.0)
    """
    return profile.threshold(level_min)


def minutes_limit(profile: WalkProfile, minutes: int) -> float:
    """Return the cost limit of any whole number of minutes (site planning, circles).

    A life-circle level uses :func:`level_limit`; other minutes exist only in the time
    convention (the planning distances are defined for the three levels alone).

    >>> from lifecircle.engine.profiles import PLANNING, STANDARD
    >>> minutes_limit(STANDARD, 20), minutes_limit(PLANNING, 10)
    (1200.0, 500.0)
    """
    if minutes in LEVELS_MIN:
        return level_limit(profile, minutes)
    if profile.convention == "distance":
        levels = tuple(str(level) for level in LEVELS_MIN)
        raise ConfigError("error.plan.minutes_distance", minutes=minutes, levels=levels)
    return minutes * 60.0


def level_limits(profile: WalkProfile) -> tuple[float, ...]:
    """Return the 5/10/15-minute levels as cost limits in the profile's unit."""
    return tuple(level_limit(profile, level) for level in LEVELS_MIN)


def inclusive(limit: float) -> float:
    """Return the limit to hand a search so that a cost equal to ``limit`` counts.

    >>> inclusive(300.0) > 300.0, inclusive(math.inf)
    (True, inf)
    """
    return limit * (1.0 + LIMIT_RTOL) if math.isfinite(limit) else math.inf


def within(cost: float, limit: float) -> bool:
    """Whether a cost lies within a limit (inclusive, up to float rounding).

    >>> within(900.0000000001, 900.0), within(900.1, 900.0), within(math.inf, 900.0)
    (True, False, False)
    """
    return math.isfinite(cost) and cost <= inclusive(limit)


def count_within(costs: NDArray[np.float64], limit: float) -> int:
    """Count the ``costs`` within ``limit``: :func:`within` over an array, at once.

    >>> count_within(np.array([0.0, 900.0000000001, 900.1, np.inf]), 900.0)
    2
    """
    return int(np.count_nonzero(np.isfinite(costs) & (costs <= inclusive(limit))))


def shown_value(cost: float, profile: WalkProfile) -> int | None:
    """Return the number shown for a cost: whole minutes rounded up, or metres to 10 m.

    ``None`` when nothing is reached (an infinite cost). A reached facility shows at least 1
    minute (or 10 m). ``shown_value(c) <= level`` exactly when ``within(c, level_limit)``.

    >>> from lifecircle.engine.profiles import PLANNING, STANDARD
    >>> [shown_value(s, STANDARD) for s in (0.0, 300.0, 897.6, 900.0, 902.4)]
    [1, 5, 15, 15, 16]
    >>> shown_value(444.0, PLANNING), shown_value(math.inf, STANDARD)
    (450, None)
    """
    if not math.isfinite(cost):
        return None
    step = METRES_STEP if profile.convention == "distance" else 60
    # dividing by the tolerance first makes the rounding agree with within()
    steps = max(1, math.ceil(cost / (1.0 + LIMIT_RTOL) / step))
    return steps * step if profile.convention == "distance" else steps


def _level_shown(profile: WalkProfile, level_min: int) -> int:
    limit = level_limit(profile, level_min)
    return round(limit) if profile.convention == "distance" else round(limit / 60.0)


def shown_text(cost: float, profile: WalkProfile, lang: str) -> str:
    """Return the shown value as text: "6分钟" / "6 min", "450米" / "450 m", or "—".

    >>> from lifecircle.engine.profiles import PLANNING, STANDARD
    >>> shown_text(301.0, STANDARD, "zh"), shown_text(444.0, PLANNING, "en")
    ('6分钟', '450 m')
    """
    value = shown_value(cost, profile)
    if value is None:
        return "—"
    key = "walk.metres" if profile.convention == "distance" else "walk.minutes"
    return t(key, lang, n=value)


def level_text(profile: WalkProfile, level_min: int, lang: str) -> str:
    """Return a level as shown: "15分钟", or "1000米" in the distance convention."""
    key = "walk.metres" if profile.convention == "distance" else "walk.minutes"
    return t(key, lang, n=_level_shown(profile, level_min))


class Reach(StrEnum):
    """What a face says about one facility type from one place."""

    within = "within"  # a facility of the type within the type's level
    beyond = "beyond"  # none within the level, the type is as-needed (△): not a gap
    missing = "missing"  # none within the level and the type is required (▲): a gap
    not_collected = "not_collected"  # no data on the type at all (未采集): unknown, not a gap


@dataclass(frozen=True)
class Verdict:
    """A cost as every face shows it: the shown value, its unit and the verdict.

    ``value`` is whole minutes (or metres in the distance convention), ``None`` when nothing
    is reached; ``reach`` says whether the level is met and ``missing`` is ``reach == missing``.
    """

    value: int | None
    unit: ShownUnit
    reach: Reach

    @property
    def missing(self) -> bool:
        """Whether this is a gap (a required type beyond its level, in collected data)."""
        return self.reach is Reach.missing

    @property
    def collected(self) -> bool:
        """Whether the data holds the type (``False``: 未采集, neither within nor missing)."""
        return self.reach is not Reach.not_collected


def verdict(
    cost: float, profile: WalkProfile, *, level_min: int, required: bool, collected: bool
) -> Verdict:
    """Show a cost and judge it against a type's level.

    ``collected`` says whether the area's data holds the type at all: some facility of it
    (from OSM or a sheet), or a sheet whose import declared the type complete. When it does
    not and nothing is reached, the verdict is :attr:`Reach.not_collected` — for a required
    type too, because an absence nobody surveyed is not a gap. A reached facility is judged
    as usual whatever ``collected`` says.

    >>> from lifecircle.engine.profiles import STANDARD
    >>> verdict(897.6, STANDARD, level_min=15, required=True, collected=True)
    Verdict(value=15, unit='min', reach=<Reach.within: 'within'>)
    >>> verdict(902.4, STANDARD, level_min=15, required=True, collected=True).missing
    True
    >>> got = verdict(math.inf, STANDARD, level_min=10, required=True, collected=False)
    >>> got.reach.value, got.missing, got.collected
    ('not_collected', False, False)
    """
    value = shown_value(cost, profile)
    if value is not None and value <= _level_shown(profile, level_min):
        reach = Reach.within
    elif value is None and not collected:
        reach = Reach.not_collected
    else:
        reach = Reach.missing if required else Reach.beyond
    return Verdict(value, shown_unit(profile), reach)


def is_missing(
    cost: float, level_min: int, profile: WalkProfile, *, required: bool, collected: bool
) -> bool:
    """Whether a type is missing: required (▲), collected, and its nearest beyond its level.

    Decided on the shown value, so a shown "15分钟" is never missing at the 15-minute level.

    >>> from lifecircle.engine.profiles import STANDARD
    >>> is_missing(900.0, 15, STANDARD, required=True, collected=True)
    False
    >>> is_missing(902.4, 15, STANDARD, required=True, collected=True)
    True
    >>> is_missing(902.4, 15, STANDARD, required=False, collected=True)
    False
    >>> is_missing(math.inf, 15, STANDARD, required=True, collected=False)
    False
    """
    return verdict(
        cost, profile, level_min=level_min, required=required, collected=collected
    ).missing
