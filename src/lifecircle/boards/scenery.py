"""The board map's scenery in map millimetres: streets by class, named streets, base-map layers.

Prepared once per batch (:class:`StreetNet` indexes the walk ways) and cut per board to its
frame, projected with the board's local metric and simplified to what print can show. It
writes no SVG; :mod:`lifecircle.boards.mapsvg` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from lifecircle.boards.layout import Frame
from lifecircle.cache.basemap import LAYERS, Basemap
from lifecircle.geo import local_metric_transformer
from lifecircle.model import WalkWay

MAJOR = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "motorway_link",
        "trunk_link",
        "primary_link",
        "secondary_link",
    }
)
MEDIUM = frozenset(
    {
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "road",
        "pedestrian",
    }
)
#: Street classes, drawn bottom first; everything else walkable is a path.
CLASSES = ("path", "minor", "medium", "major")
#: Details smaller than this on paper are dropped (mm).
SIMPLIFY_MM = 0.25


def street_class(tags: Mapping[str, str]) -> str:
    """Return the drawing class of a walk way.

    >>> street_class({"highway": "primary"}), street_class({"highway": "footway"})
    ('major', 'path')
    """
    highway = tags.get("highway", "")
    if highway in MAJOR:
        return "major"
    if highway in MEDIUM:
        return "medium"
    if highway == "service":
        return "minor"
    return "path"


@dataclass(frozen=True, eq=False)
class StreetNet:
    """Every walk way as a WGS-84 line with its class and name, with a spatial index.

    ``hull`` outlines where the map data is (the convex hull of the ways): beyond it a map
    frame shows nothing, and says so.
    """

    lines: NDArray[np.object_]
    classes: NDArray[np.str_]
    names: NDArray[np.object_]
    hull: BaseGeometry

    @classmethod
    def from_ways(cls, ways: Sequence[WalkWay]) -> StreetNet:
        """Index the ways (done once per batch)."""
        lines = np.array([shapely.linestrings(w.coords) for w in ways], dtype=object)
        classes = np.array([street_class(w.tags) for w in ways], dtype=str)
        names = np.array([w.tags.get("name", "") for w in ways], dtype=object)
        hull = shapely.convex_hull(shapely.multipoints([xy for w in ways for xy in w.coords]))
        return cls(lines, classes, names, hull)

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index of :attr:`lines`, built where it is used (an STRtree does not pickle)."""
        return shapely.STRtree(self.lines)

    def street_at(self, lon: float, lat: float, *, max_m: float = 60.0) -> str:
        """Name of the nearest named street (not a path) within ``max_m`` of a point, or ""."""
        metric = local_metric_transformer(lon, lat)
        box = shapely.box(lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002)
        hits = [i for i in self.tree.query(box) if self.names[i] and self.classes[i] != "path"]
        if not hits:
            return ""
        lines = shapely.transform(
            np.array([self.lines[i] for i in hits], dtype=object),
            lambda xy: np.column_stack(metric.to_metres(xy[:, 0], xy[:, 1])),
        )
        distance = shapely.distance(lines, shapely.Point(0.0, 0.0))
        best = int(np.argmin(distance))
        return str(self.names[hits[best]]) if distance[best] <= max_m else ""

    def __getstate__(self) -> dict[str, object]:
        """Pickle the lines, not the index."""
        return {k: v for k, v in self.__dict__.items() if k != "tree"}

    def __setstate__(self, state: dict[str, object]) -> None:
        """Restore the lines; the index is rebuilt on first use."""
        self.__dict__.update(state)


@dataclass(frozen=True, eq=False)
class MapScenery:
    """One board's scenery in map millimetres: geometries per street class and layer.

    ``outside`` is the part of the frame beyond the map data (empty when there is none).
    """

    streets: Mapping[str, NDArray[np.object_]]
    #: Named streets, most important first (main roads, then the longest).
    named: Mapping[str, BaseGeometry]
    layers: Mapping[str, NDArray[np.object_]]
    walk_areas: tuple[BaseGeometry, ...]
    outside: BaseGeometry = field(default_factory=shapely.Polygon)


def to_map(geoms: NDArray[np.object_], frame: Frame) -> NDArray[np.object_]:
    """Project WGS-84 geometries to map millimetres."""
    if not len(geoms):
        return geoms

    def project(xy: np.ndarray) -> np.ndarray:
        x_m, y_m = frame.metric.to_metres(xy[:, 0], xy[:, 1])
        return np.column_stack(frame.project(np.asarray(x_m), np.asarray(y_m)))

    projected: NDArray[np.object_] = shapely.transform(geoms, project)
    return projected


def _cut(
    geoms: NDArray[np.object_], frame: Frame, *, margin_mm: float
) -> tuple[NDArray[np.object_], NDArray[np.bool_]]:
    """Project, clip to the frame (grown by ``margin_mm``) and simplify; with the kept mask."""
    mapped = to_map(geoms, frame)
    if not len(mapped):
        return mapped, np.zeros(0, dtype=bool)
    cut = shapely.clip_by_rect(
        mapped, -margin_mm, -margin_mm, frame.width_mm + margin_mm, frame.height_mm + margin_mm
    )
    cut = shapely.simplify(cut, SIMPLIFY_MM)
    keep = ~shapely.is_empty(cut)
    kept: NDArray[np.object_] = cut[keep]
    return kept, keep


def map_scenery(
    frame: Frame, *, net: StreetNet, basemap: Basemap, walk_areas: Sequence[BaseGeometry]
) -> MapScenery:
    """Cut, project and simplify the scenery of one board's frame."""
    bbox = shapely.box(*frame.bbox_lonlat(margin_mm=5.0))
    hits = net.tree.query(bbox)
    lines, keep = _cut(net.lines[hits], frame, margin_mm=3.0)
    classes, names = net.classes[hits][keep], net.names[hits][keep]
    streets = {c: lines[classes == c] for c in CLASSES}
    named: dict[str, BaseGeometry] = {}
    ranks: dict[str, int] = {}
    for name, cls in zip(names, classes, strict=True):
        if name and cls != "path":
            ranks[name] = max(ranks.get(name, 0), CLASSES.index(cls))
    # the main roads first, then the longest: the labels a reader orients by
    for name in sorted(ranks, key=lambda n: -ranks[n]):
        named[name] = shapely.line_merge(shapely.union_all(lines[names == name]))
    named = dict(sorted(named.items(), key=lambda kv: (-ranks[kv[0]], -kv[1].length)))
    local = basemap.clipped(frame.bbox_lonlat(margin_mm=5.0))
    layers = {name: _cut(local.layer(name), frame, margin_mm=1.0)[0] for name in LAYERS}
    areas = tuple(
        shapely.union_all(_cut(np.array([g], dtype=object), frame, margin_mm=2.0)[0])
        for g in walk_areas
    )
    box = shapely.box(0.0, 0.0, frame.width_mm, frame.height_mm)
    inside = to_map(np.array([net.hull], dtype=object), frame)[0]
    outside = shapely.difference(box, inside) if inside.area > 0 else box
    if outside.area < 0.01 * box.area:  # a sliver beyond the data is not worth a word
        outside = shapely.Polygon()
    return MapScenery(streets, named, layers, areas, outside)
