"""``GET /api/basemap/{layer}``: the area's own streets, buildings, water, green as light GeoJSON.

The offline base map of the pages. :func:`basemap_layer` is the one place that reads what
the project offers for the map; answers are simplified, rounded and cached by data version.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import shapely
from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifecircle.api.common import Crs, CrsParam, SnapshotDep, cached_json
from lifecircle.api.schemas import FeatureCollectionOut
from lifecircle.api.state import Snapshot
from lifecircle.cache.basemap import Basemap, load_basemap

router = APIRouter(tags=["basemap"])
#: About 1 m: invisible at street zoom, and a third of the vertices.
SIMPLIFY_DEG = 0.00001
DECIMALS = 6
MAJOR = {"motorway", "trunk", "primary", "secondary", "tertiary"}
MINOR = {"residential", "unclassified", "living_street", "service", "pedestrian"}


class Layer(StrEnum):
    """Base-map layers."""

    streets = "streets"
    buildings = "buildings"
    water = "water"
    green = "green"


def street_class(tags: dict[str, str]) -> str:
    """``major``, ``minor`` or ``path`` for a walkable way's highway tag.

    >>> street_class({"highway": "primary_link"}), street_class({"highway": "footway"})
    ('major', 'path')
    """
    highway = tags.get("highway", "").removesuffix("_link")
    if highway in MAJOR:
        return "major"
    return "minor" if highway in MINOR else "path"


def street_properties(tags: dict[str, str]) -> dict[str, str]:
    """Return a street's class and name (and English name, where OSM has one) for the labels.

    >>> street_properties({"highway": "primary", "name": "中山路", "name:en": "Zhongshan Road"})
    {'class': 'major', 'name': '中山路', 'name_en': 'Zhongshan Road'}
    """
    found = {"class": street_class(tags), "name": tags.get("name", "")}
    if tags.get("name:en"):
        found["name_en"] = tags["name:en"]
    return found


def _feature(geom: Any, properties: dict[str, Any]) -> dict[str, Any]:
    simple = shapely.set_precision(geom.simplify(SIMPLIFY_DEG), 10**-DECIMALS)
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": shapely.geometry.mapping(simple),
    }


def basemap_layer(snapshot: Snapshot, layer: Layer) -> list[dict[str, Any]]:
    """One base-map layer as GeoJSON features (only that layer is read and converted).

    Streets (with their names) come from the stored walkable ways; buildings, water and green
    space from the base map the OSM import writes next to the store
    (:mod:`lifecircle.cache.basemap`; empty when it is missing).
    """
    if layer is Layer.streets:
        return [
            _feature(shapely.LineString(way.coords), street_properties(dict(way.tags)))
            for way in snapshot.data.ways
            if len(way.coords) >= 2
        ]
    scenery = load_basemap(snapshot.project.cache_dir) if snapshot.project else Basemap.empty()
    return [_feature(g, {}) for g in scenery.layer(layer.value)]


@router.get("/basemap/{layer}", response_model=FeatureCollectionOut)
def get_layer(
    request: Request, layer: Layer, snapshot: SnapshotDep, crs: CrsParam = Crs.wgs84
) -> Response:
    """One base-map layer as a GeoJSON FeatureCollection."""

    def render() -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": basemap_layer(snapshot, layer)}

    return cached_json(request, snapshot, render, crs=crs)
