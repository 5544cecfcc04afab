"""Walking profiles: who walks (speed, steps, crossings) and which OSM ways and nodes they can use.

Pure functions of OSM tags; building the graph from them is :mod:`lifecircle.engine.network`'s
job. :data:`PROFILES` is the one list of profiles; every result records its profile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from lifecircle.errors import ConfigError
from lifecircle.i18n import t

Convention = Literal["time", "distance"]

#: Roads whose crossing costs a wait (at signals) or a gap in traffic (without).
MAJOR_ROADS = frozenset(
    {"trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link"}
)
_NO = frozenset({"no", "private", "use_sidepath", "discouraged_no"})
_FOOT_OK = frozenset({"yes", "designated", "permissive", "official"})
#: Node barriers nobody walks through.
_SOLID_BARRIERS = frozenset({"wall", "fence", "hedge", "retaining_wall", "city_wall", "ditch"})
#: Node barriers a wheelchair cannot pass.
_WHEELCHAIR_BARRIERS = frozenset(
    {
        "stile",
        "turnstile",
        "full-height_turnstile",
        "kissing_gate",
        "step",
        "log",
        "motorcycle_barrier",
    }
)
#: Steps this many counted steps long make one "flight" for the penalty.
STEPS_PER_FLIGHT = 20
#: Distance-convention thresholds of GB 50180-2018 for the 5/10/15-minute levels (metres).
PLANNING_DISTANCE_M: Mapping[int, float] = {5: 300.0, 10: 500.0, 15: 1000.0}


@dataclass(frozen=True)
class WalkProfile:
    """How one kind of walker moves.

    Attributes
    ----------
    name
        ``standard``, ``elderly``, ``wheelchair`` or a user's own.
    speed_mps
        Walking speed on the flat.
    step_penalty_s
        Extra seconds per flight of steps (``None``: steps are impassable). Steps with an
        escalator (``conveying``) or a ramp avoid it.
    signal_wait_s
        Mean wait to cross a major road at traffic signals.
    unsignalised_wait_s
        Mean wait for a gap to cross a major road without signals.
    wheelchair
        Whether wheelchair rules apply (``wheelchair=no``, stiles, raised kerbs are impassable).
    convention
        ``time`` (minutes at ``speed_mps``) or ``distance`` (the standard's 300/500/1000 m).
    """

    name: str
    speed_mps: float
    step_penalty_s: float | None
    signal_wait_s: float
    unsignalised_wait_s: float
    wheelchair: bool = False
    convention: Convention = "time"

    def describe(self) -> str:
        """One line for outputs: which profile and convention produced a result.

        >>> STANDARD.describe()
        'standard: 1.2 m/s, steps +0 s/flight, signals 30 s'
        >>> PLANNING.describe()
        'planning: network distance (GB 50180-2018: 300/500/1000 m)'
        """
        if self.convention == "distance":
            return f"{self.name}: network distance (GB 50180-2018: 300/500/1000 m)"
        steps = (
            "steps impassable"
            if self.step_penalty_s is None
            else f"steps +{self.step_penalty_s:g} s/flight"
        )
        return f"{self.name}: {self.speed_mps:g} m/s, {steps}, signals {self.signal_wait_s:g} s"

    @property
    def metres_per_unit(self) -> float:
        """Metres walked per unit of cost: the speed (m/s), or 1 in the distance convention.

        >>> STANDARD.metres_per_unit, PLANNING.metres_per_unit
        (1.2, 1.0)
        """
        return 1.0 if self.convention == "distance" else self.speed_mps

    def threshold(self, level_min: int) -> float:
        """Return the cost limit of a level: seconds, or metres in the distance convention.

        >>> STANDARD.threshold(15), PLANNING.threshold(15)
        (900.0, 1000.0)
        """
        if self.convention == "distance":
            return PLANNING_DISTANCE_M[level_min]
        return level_min * 60.0


STANDARD = WalkProfile(
    "standard", 1.2, step_penalty_s=0.0, signal_wait_s=30.0, unsignalised_wait_s=10.0
)
ELDERLY = WalkProfile(
    "elderly", 0.9, step_penalty_s=120.0, signal_wait_s=40.0, unsignalised_wait_s=20.0
)
WHEELCHAIR = WalkProfile(
    "wheelchair",
    0.9,
    step_penalty_s=None,
    signal_wait_s=40.0,
    unsignalised_wait_s=20.0,
    wheelchair=True,
)
PLANNING = WalkProfile(
    "planning",
    1.0,
    step_penalty_s=0.0,
    signal_wait_s=0.0,
    unsignalised_wait_s=0.0,
    convention="distance",
)
#: The one registry of walking profiles: the CLI's choices, the API's enum and the docs read it.
PROFILES: Mapping[str, WalkProfile] = {p.name: p for p in (STANDARD, ELDERLY, WHEELCHAIR, PLANNING)}
#: Profiles ``lifecircle build`` computes unless asked for others (planning is on request).
DEFAULT_PROFILES: tuple[str, ...] = ("standard", "elderly", "wheelchair")


#: Metres per minute are said rounded to this step ("约 70 米"): speeds are averages, not promises.
SAY_METRES_STEP = 5


def metres_per_minute(profile: WalkProfile) -> int:
    """Return the walking speed in metres per minute, rounded to 5 m as residents are told.

    >>> metres_per_minute(STANDARD), metres_per_minute(ELDERLY)
    (70, 55)
    """
    return int(SAY_METRES_STEP * round(profile.speed_mps * 60 / SAY_METRES_STEP))


def profile_label(name: str, lang: str) -> str:
    """Say who a profile is: 一般步行, 老年人, 轮椅, 规划距离口径 (a user's own: its name).

    >>> profile_label("elderly", "zh"), profile_label("standard", "en"), profile_label("x", "zh")
    ('老年人', 'Most people', 'x')
    """
    return t(f"profile.{name}", lang) if name in PROFILES else name


def plain_rule(profile: WalkProfile, lang: str, *, elderly: WalkProfile | None = None) -> str:
    """Say the walking rule in plain words, for residents and officers (no codes, no m/s).

    ``elderly``: a second profile whose speed is named in brackets (the boards show both).

    >>> plain_rule(STANDARD, "zh", elderly=ELDERLY)
    '按每分钟约 70 米（老年人约 55 米）计'
    >>> plain_rule(ELDERLY, "zh"), plain_rule(PLANNING, "zh")
    ('按老年人每分钟约 55 米计', '按路网距离计：5、10、15 分钟对应 300、500、1000 米')
    >>> plain_rule(WHEELCHAIR, "en")
    'At about 55 m a minute in a wheelchair, avoiding steps'
    """
    if profile.convention == "distance":
        return t("rule.distance", lang)
    speed = metres_per_minute(profile)
    if profile.name in ("elderly", "wheelchair"):
        return t(f"rule.{profile.name}", lang, m=speed)
    if elderly is not None and elderly.convention == "time":
        return t("rule.with_elderly", lang, m=speed, elderly=metres_per_minute(elderly))
    return t("rule.plain", lang, m=speed)


def rule_details(profile: WalkProfile, lang: str) -> str:
    """Say every setting of a profile in words, for staff (a report's notes, not a board).

    >>> rule_details(ELDERLY, "zh").split("；")[:2]
    ['老年人：步行速度 0.9 米/秒（约 55 米/分钟）', '每段台阶另加 120 秒']
    """
    who = profile_label(profile.name, lang)
    if profile.convention == "distance":
        return t("rule.details_distance", lang, who=who)
    if profile.step_penalty_s is None:
        steps = t("rule.steps_impassable", lang)
    elif profile.step_penalty_s == 0:
        steps = t("rule.steps_free", lang)
    else:
        steps = t("rule.steps_penalty", lang, s=f"{profile.step_penalty_s:g}")
    return t(
        "rule.details",
        lang,
        who=who,
        speed=f"{profile.speed_mps:g}",
        m=metres_per_minute(profile),
        steps=steps,
        signal=f"{profile.signal_wait_s:g}",
        unsignalised=f"{profile.unsignalised_wait_s:g}",
    )


def get_profile(name: str, overrides: Mapping[str, Any] | None = None) -> WalkProfile:
    """Return a built-in profile by name, with optional field overrides (from settings).

    >>> get_profile("elderly", {"speed_mps": 0.8}).speed_mps
    0.8
    """
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ConfigError("error.profile.unknown", name=name, choices=tuple(PROFILES)) from None
    if not overrides:
        return profile
    known = set(WalkProfile.__dataclass_fields__) - {"name"}
    unknown = set(overrides) - known
    if unknown:
        raise ConfigError(
            "error.profile.unknown_fields",
            name=name,
            fields=tuple(sorted(unknown)),
            known=tuple(sorted(known)),
        )
    profile = replace(profile, **overrides)
    if profile.speed_mps <= 0:
        raise ConfigError("error.config.not_positive", name="speed_mps", value=profile.speed_mps)
    return profile


#: Every way tag the rules below read (:func:`way_is_walkable`, :func:`steps_penalty_s`,
#: :func:`is_major_road`, :func:`is_signalised`, and a crossing's ``footway``): two ways alike
#: in these are priced alike for every profile, so their rules run once for both. A rule
#: reading another tag must add it here (tests/engine/test_costs.py checks).
WAY_KEYS = (
    "access", "conveying", "crossing", "foot", "footway", "highway", "ramp", "ramp:stroller",
    "ramp:wheelchair", "step_count", "wheelchair",
)  # fmt: skip
#: Every node tag :func:`node_is_passable` and :func:`is_signalised` read (as ``WAY_KEYS``).
NODE_KEYS = ("access", "barrier", "crossing", "foot", "highway", "kerb", "wheelchair")


def way_is_walkable(tags: Mapping[str, str], profile: WalkProfile) -> bool:
    """Whether this walker may use the way at all.

    >>> way_is_walkable({"highway": "footway", "access": "private", "foot": "yes"}, STANDARD)
    True
    >>> way_is_walkable({"highway": "steps"}, WHEELCHAIR)
    False
    """
    foot = tags.get("foot", "")
    if foot in _NO:
        return False
    if tags.get("access", "") in _NO and foot not in _FOOT_OK:
        return False
    if tags.get("highway") in ("motorway", "motorway_link"):
        return False
    if profile.wheelchair:
        if tags.get("wheelchair") == "no":
            return False
        if tags.get("highway") == "steps" and not _has_ramp(tags, wheelchair=True):
            return False
    elif tags.get("highway") == "steps" and profile.step_penalty_s is None:
        return False
    return True


def _has_ramp(tags: Mapping[str, str], *, wheelchair: bool) -> bool:
    if tags.get("ramp:wheelchair") == "yes":
        return True
    if wheelchair:
        return False
    return tags.get("ramp") == "yes" or tags.get("ramp:stroller") == "yes"


def steps_penalty_s(tags: Mapping[str, str], profile: WalkProfile) -> float:
    """Extra seconds for walking this way's steps (0 for other ways).

    A flight is one ``highway=steps`` way, or each started 20 counted steps of it; an escalator
    (``conveying``) or a ramp takes the penalty away.

    >>> steps_penalty_s({"highway": "steps", "step_count": "44"}, ELDERLY)
    360.0
    >>> steps_penalty_s({"highway": "steps", "conveying": "yes"}, ELDERLY)
    0.0
    """
    if tags.get("highway") != "steps" or not profile.step_penalty_s:
        return 0.0
    if tags.get("conveying", "no") != "no" or _has_ramp(tags, wheelchair=profile.wheelchair):
        return 0.0
    flights = 1
    count = tags.get("step_count", "").strip()
    if count.isdigit() and int(count) > 0:
        flights = math.ceil(int(count) / STEPS_PER_FLIGHT)
    return profile.step_penalty_s * flights


def node_is_passable(tags: Mapping[str, str], profile: WalkProfile) -> bool:
    """Whether this walker can pass a tagged node (barrier, kerb, access).

    >>> node_is_passable({"barrier": "gate"}, STANDARD)
    True
    >>> node_is_passable({"barrier": "wall"}, STANDARD)
    False
    >>> node_is_passable({"barrier": "kerb", "kerb": "raised"}, WHEELCHAIR)
    False
    """
    barrier = tags.get("barrier", "")
    foot = tags.get("foot", "")
    if barrier in _SOLID_BARRIERS or foot in _NO:
        return False
    if tags.get("access", "") in _NO and foot not in _FOOT_OK:
        return False
    if profile.wheelchair:
        if barrier in _WHEELCHAIR_BARRIERS or tags.get("wheelchair") == "no":
            return False
        if (barrier == "kerb" or "kerb" in tags) and tags.get("kerb") == "raised":
            return False
    return True


def is_major_road(tags: Mapping[str, str]) -> bool:
    """Whether crossing this way costs a wait (trunk, primary, secondary and their links)."""
    return tags.get("highway", "") in MAJOR_ROADS


def is_signalised(tags: Mapping[str, str]) -> bool:
    """Whether a node or crossing way is controlled by traffic signals."""
    return tags.get("highway") == "traffic_signals" or tags.get("crossing") in (
        "traffic_signals",
        "pelican",
        "toucan",
    )
