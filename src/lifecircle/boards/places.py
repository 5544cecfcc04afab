"""What orients a reader on a board's map besides the services: routes, street, landmarks, home.

Decided in the batch's main process, where the walk and the records are (:func:`map_extras`),
and carried to the worker that draws the board: the walking routes to the listed facilities
(:mod:`lifecircle.boards.routes`), the street the board stands on, a few named landmarks
(metro stations, malls, hospitals …) that are not in the list, and, for a gate board, its own
compound's outline. Values in WGS-84; nothing here draws.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lifecircle.boards.content import BoardContent
from lifecircle.boards.routes import RouteIndex, Routes, trace_routes
from lifecircle.boards.scenery import StreetNet
from lifecircle.engine.area import AreaData
from lifecircle.engine.rules import level_limit
from lifecircle.geo import local_metric_transformer

#: Facility types people find their way by, drawn as landmarks when not in the list.
LANDMARK_TYPES = (
    "metro_station",
    "mall",
    "community_health_centre",
    "sports_centre",
    "library",
    "culture_centre",
    "subdistrict_office",
    "police_station",
)
#: Landmarks farther than this from the board are not offered (metres).
LANDMARK_MAX_M = 1500.0
LANDMARKS_OFFERED = 8


#: A station exit's number (大行宫#2, 新街口 2号口) is not part of the place's name.
_EXIT = re.compile(r"\s*(#\s*\d+|\d+\s*号口|[A-Za-z]\d*\s*口|\(\w+口\)|（\w+口）)$")


def place_name(name: str) -> str:
    """Return a landmark's name without a station exit's number.

    >>> place_name("大行宫#3"), place_name("新街口 2号口"), place_name("新街口")
    ('大行宫', '新街口', '新街口')
    """
    return _EXIT.sub("", name).strip() or name


@dataclass(frozen=True)
class Landmark:
    """A named place to find one's way by (not a listed facility)."""

    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class MapExtras:
    """The orienting extras of one board's map."""

    routes: Routes = field(default_factory=Routes)
    street: str = ""
    landmarks: tuple[Landmark, ...] = ()
    home_wkt: str | None = None
    home_name: str = ""


def landmarks_near(data: AreaData, content: BoardContent) -> tuple[Landmark, ...]:
    """Return the nearest named landmarks of a board that its list does not hold."""
    listed = {item.facility for item in content.items}
    board = content.board
    metric = local_metric_transformer(board.lon, board.lat)
    found: list[Landmark] = []
    seen: set[str] = set()
    picks = [
        (i, f)
        for i, f in enumerate(data.facilities)
        if f.type_code in LANDMARK_TYPES and f.name and i not in listed and f.status == "open"
    ]
    if not picks:
        return ()
    x, y = metric.to_metres(
        np.array([f.lon for _, f in picks]), np.array([f.lat for _, f in picks])
    )
    distance = np.hypot(x, y)
    for k in np.argsort(distance, kind="stable").tolist():
        _, facility = picks[k]
        if distance[k] > LANDMARK_MAX_M or len(found) >= LANDMARKS_OFFERED:
            break
        name = place_name(facility.name)
        if name in seen:
            continue
        seen.add(name)
        found.append(Landmark(name, facility.lon, facility.lat))
    return tuple(found)


def map_extras(
    contents: Sequence[BoardContent],
    *,
    data: AreaData,
    net: StreetNet,
    routes: RouteIndex | None,
    starts: Sequence[int],
) -> list[MapExtras]:
    """Return the extras of each board (``starts``: each board's node on the walk)."""
    homes = {c.name: c for c in data.compounds}
    found = []
    for content, start in zip(contents, starts, strict=True):
        board = content.board
        traced = Routes()
        if routes is not None:
            limit = level_limit(routes.walk.graph.profile, 15) * 1.5
            wanted = [item.facility for item in content.items]
            traced = trace_routes(routes, start, wanted, limit=limit)
        home = homes.get(board.compound) if board.compound else None
        found.append(
            MapExtras(
                routes=traced,
                street=net.street_at(board.lon, board.lat),
                landmarks=landmarks_near(data, content),
                home_wkt=home.outline_wkt if home is not None else None,
                home_name=home.name if home is not None else "",
            )
        )
    return found
