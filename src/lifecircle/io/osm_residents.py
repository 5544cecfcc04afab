"""Residents estimated from OSM buildings: which buildings are homes, their floor area, and how.

Homes are residential buildings by their tags — never a building that carries a shop, office,
school or other non-residential use —; residents are floor area ÷ m² per person, and every
estimate says so in words (Chinese, then English). Arrays in local metres; reads no files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from lifecircle.geo import LocalMetric
from lifecircle.io.osm_geom import to_metric
from lifecircle.io.osm_tags import (
    NON_HOME_NAME_WORDS,
    NON_RESIDENTIAL_KEYS,
    RESIDENTIAL_BUILDINGS,
    display_name,
)
from lifecircle.model import Building, ResidentialArea

#: A storey is taken as this tall when only ``height`` is mapped.
STOREY_HEIGHT_M = 3.0
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MAX_LEVELS = 200.0
#: ``building:use`` values of a home.
_HOME_USES = RESIDENTIAL_BUILDINGS | {"residential"}


def is_home(
    tags: Mapping[str, str], *, on_residential_land: bool, in_grounds: bool = False
) -> bool:
    """Say whether people live in a building, from its tags and where it stands.

    A building with a non-residential use (``amenity``, ``shop``, ``office``, ``tourism`` …,
    see :data:`~lifecircle.io.osm_tags.NON_RESIDENTIAL_KEYS`) is no home; ``building:use``
    decides when mapped; residential building types (apartments, dormitory …) are homes;
    ``building=yes`` is one on residential land, unless it stands in the grounds of a
    facility (a school, a market) or its name says it is an office tower, hotel or the like
    (:data:`~lifecircle.io.osm_tags.NON_HOME_NAME_WORDS`).

    >>> is_home({"building": "apartments"}, on_residential_land=False)
    True
    >>> is_home({"building": "yes"}, on_residential_land=True)
    True
    >>> is_home({"building": "yes", "amenity": "school"}, on_residential_land=True)
    False
    >>> is_home({"building": "yes", "name": "长发中心C座"}, on_residential_land=True)
    False
    >>> is_home({"building": "yes"}, on_residential_land=True, in_grounds=True)
    False
    >>> is_home({"building": "yes", "building:use": "residential"}, on_residential_land=False)
    True
    """
    if any(tags.get(key, "no") != "no" for key in NON_RESIDENTIAL_KEYS):
        return False
    use = tags.get("building:use")
    if use:
        return use in _HOME_USES
    kind = tags.get("building", "yes")
    if kind in RESIDENTIAL_BUILDINGS:
        return True
    if kind != "yes" or not on_residential_land or in_grounds:
        return False
    name = display_name(tags)
    return not any(word in name for word in NON_HOME_NAME_WORDS)


@dataclass(frozen=True)
class Homes:
    """Building outlines in local metres, their levels, and which are homes.

    ``excluded`` counts the buildings that would have passed as homes by type and land alone
    but carry a non-residential use (a shop, a school …), stand in a facility's grounds or
    have the name of an office tower, hotel or the like: they are not counted.
    """

    outlines: NDArray[np.object_]
    points: NDArray[np.object_]  # representative points: where each building stands
    levels: NDArray[np.float64]
    level_source: NDArray[np.str_]  # "levels" | "height" | "default"
    homes: NDArray[np.bool_]
    tree: shapely.STRtree
    m2_per_person: float
    default_levels: int
    excluded: int


def find_homes(
    buildings: Sequence[Building],
    land: Sequence[ResidentialArea],
    metric: LocalMetric,
    *,
    grounds: Sequence[str] = (),
    m2_per_person: float,
    default_levels: int,
) -> Homes:
    """Project the buildings and mark the homes (:func:`is_home`).

    ``land`` is the residential land, ``grounds`` the outlines (WKT) of facilities such as
    schools and markets; a building stands where its representative point is.
    """
    outlines = to_metric(
        metric, shapely.from_wkt(np.array([b.outline_wkt for b in buildings], dtype=object))
    )
    points = shapely.point_on_surface(outlines)
    on_land = _standing_in(points, [a.outline_wkt for a in land], metric)
    in_grounds = _standing_in(points, list(grounds), metric)
    rows = list(zip(buildings, on_land.tolist(), in_grounds.tolist(), strict=True))
    homes = np.array(
        [is_home(b.tags, on_residential_land=o, in_grounds=g) for b, o, g in rows], dtype=bool
    )
    kinds = [({"building": b.tags.get("building", "yes")}, o) for b, o, _ in rows]
    by_type = np.array([is_home(k, on_residential_land=o) for k, o in kinds], dtype=bool)
    chosen = [building_levels(b.tags, default_levels=default_levels) for b in buildings]
    return Homes(
        outlines=outlines,
        points=points,
        levels=np.array([c[0] for c in chosen], dtype=np.float64),
        level_source=np.array([c[1] for c in chosen], dtype=str),
        homes=homes,
        tree=shapely.STRtree(outlines),
        m2_per_person=m2_per_person,
        default_levels=default_levels,
        excluded=int(np.sum(by_type & ~homes)),
    )


def _standing_in(
    points: NDArray[np.object_], outlines_wkt: Sequence[str], metric: LocalMetric
) -> NDArray[np.bool_]:
    """Which points (local metres) lie in any of the WGS-84 outlines."""
    inside = np.zeros(len(points), dtype=bool)
    shapes = to_metric(metric, shapely.from_wkt(np.array(outlines_wkt, dtype=object)))
    found, _ = shapely.STRtree(shapes).query(points, predicate="intersects")
    inside[found] = True
    return inside


def building_levels(tags: Mapping[str, str], *, default_levels: int = 3) -> tuple[float, str]:
    """Choose a building's number of storeys and say from what.

    ``building:levels`` (first number), else ``height`` ÷ 3 m rounded to whole storeys (at
    least 1), else ``default_levels``; absurd values (≤ 0 or > 200) are ignored.

    >>> building_levels({"building:levels": "6"}), building_levels({"height": "30 m"})
    ((6.0, 'levels'), (10.0, 'height'))
    >>> building_levels({"building:levels": "many"}, default_levels=3)
    (3.0, 'default')
    """
    levels = _first_number(tags.get("building:levels"))
    if levels is not None and 0 < levels <= _MAX_LEVELS:
        return levels, "levels"
    height_m = _first_number(tags.get("height"))
    if height_m is not None and 0 < height_m <= _MAX_LEVELS * STOREY_HEIGHT_M:
        return float(max(1, round(height_m / STOREY_HEIGHT_M))), "height"
    return float(default_levels), "default"


def _first_number(text: str | None) -> float | None:
    match = _NUMBER.search(text or "")
    return float(match.group()) if match else None


@dataclass(frozen=True)
class Estimate:
    """The homes counted in one region, their floor area and the residents it houses."""

    buildings: int
    floor_m2: float
    residents: int | None
    by_source: Mapping[str, int]
    shrunk: bool  # part of the outline is counted by named areas instead


def estimate_residents(region_m: BaseGeometry, homes: Homes, *, shrunk: bool) -> Estimate:
    """Floor area of the homes inside ``region_m`` (their part in it) and the residents."""
    idx = homes.tree.query(region_m, predicate="intersects")
    idx = idx[homes.homes[idx]]
    inside_m2 = shapely.area(shapely.intersection(homes.outlines[idx], region_m))
    idx, inside_m2 = idx[inside_m2 > 0], inside_m2[inside_m2 > 0]
    floor_m2 = float(np.sum(inside_m2 * homes.levels[idx]))
    sources = {
        s: int(np.sum(homes.level_source[idx] == s)) for s in ("levels", "height", "default")
    }
    residents = round(floor_m2 / homes.m2_per_person) if len(idx) else None
    return Estimate(len(idx), floor_m2, residents, sources, shrunk)


#: Where the counted footprint lies, by (compound kind, part of the outline counted elsewhere).
_WHERE: Mapping[tuple[str, bool], tuple[str, str]] = {
    ("area", False): ("小区内", "inside the area"),
    ("area", True): ("小区内（较小具名小区除外）", "inside the area less smaller named areas"),
    ("block", False): ("街坊内", "inside the block"),
    ("block", True): ("街坊内具名小区以外", "inside the block outside named areas"),
}


def describe_estimate(estimate: Estimate, homes: Homes, *, where: str) -> str:
    """Say in plain words (Chinese, then English) how the residents were estimated."""
    per_m2, default, n = homes.m2_per_person, homes.default_levels, estimate.buildings
    zh_where, en_where = _WHERE[(where, estimate.shrunk)]
    if estimate.residents is None:
        return (
            f"{zh_where}未标注住宅建筑，无法估算人口（非普查数据）。 "
            f"No residential buildings are mapped {en_where} in OpenStreetMap, so residents are "
            "unknown (not a census figure)."
        )
    src, floor_m2, residents = estimate.by_source, f"{estimate.floor_m2:,.0f}", estimate.residents
    return (
        f"按OpenStreetMap建筑估算，非普查数据：{zh_where}（含部分在内）住宅建筑 {n} 栋（住宅类建筑"
        f"及住宅用地上的 building=yes，不含标有商店、办公、学校等非住宅用途的建筑），建筑面积约 "
        f"{floor_m2} m²（{zh_where}占地面积 × 层数；层数取自 building:levels {src['levels']} 栋、"
        f"height÷3 m {src['height']} 栋、缺省 {default} 层 {src['default']} 栋），按每人 "
        f"{per_m2:g} m² 计约 {residents} 人。 "
        f"Estimated from OpenStreetMap buildings, not a census figure: {n} residential "
        f"building{'' if n == 1 else 's'} wholly or partly {en_where} (residential building "
        f"types, and building=yes on residential land; none tagged with a shop, office, school "
        f"or other non-residential use), about {floor_m2} m² of floor area "
        f"(footprint {en_where} × levels; levels from building:levels for {src['levels']}, "
        f"height ÷ 3 m for {src['height']}, the default {default} for {src['default']}) ÷ "
        f"{per_m2:g} m² per person ≈ {residents} residents."
    )
