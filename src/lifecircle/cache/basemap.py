"""The base map of printed boards: OSM buildings, water, green space and rail lines (a cache).

The OSM import writes it next to the store (``cache/basemap.npz``, WKB in WGS-84) because the
store keeps only what the engine needs; boards read it. It is derived data: deleting it only
leaves the boards without buildings and water until the next ``import osm``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray

from lifecircle.cache.files import read_npz, write_npz

BASEMAP_FILE = "basemap.npz"
#: The layers, drawn in this order (bottom first).
LAYERS = ("green", "water", "buildings", "rail")

WATER_TAGS: Mapping[str, tuple[str, ...]] = {
    "natural": ("water", "bay", "strait"),
    "waterway": ("riverbank", "dock", "canal"),
    "landuse": ("basin", "reservoir", "pond"),
}
GREEN_TAGS: Mapping[str, tuple[str, ...]] = {
    "leisure": ("park", "garden", "pitch", "playground", "nature_reserve"),
    "landuse": ("grass", "forest", "meadow", "recreation_ground", "cemetery", "village_green"),
    "natural": ("wood", "scrub", "heath", "grassland", "wetland"),
}
RAIL_VALUES = ("rail", "light_rail", "subway", "tram", "narrow_gauge")


def area_layer(tags: Mapping[str, str]) -> str | None:
    """Say which base-map area layer an OSM area belongs to (``water``, ``green`` or None).

    >>> area_layer({"natural": "water"}), area_layer({"leisure": "park"}), area_layer({})
    ('water', 'green', None)
    """
    for layer, table in (("water", WATER_TAGS), ("green", GREEN_TAGS)):
        if any(tags.get(key) in values for key, values in table.items()):
            return layer
    return None


def is_rail(tags: Mapping[str, str]) -> bool:
    """Say whether a way is a railway line worth drawing (not a platform or an old trackbed).

    >>> is_rail({"railway": "tram"}), is_rail({"railway": "platform"})
    (True, False)
    """
    return tags.get("railway") in RAIL_VALUES and tags.get("service") not in ("yard", "siding")


@dataclass(frozen=True, eq=False)
class Basemap:
    """Shapely geometries (WGS-84 lon/lat) of every base-map layer; see :data:`LAYERS`."""

    layers: Mapping[str, NDArray[np.object_]]

    @classmethod
    def empty(cls) -> Basemap:
        """Return a base map with nothing on it (no OSM import yet, or the cache was cleared)."""
        return cls({name: np.array([], dtype=object) for name in LAYERS})

    def layer(self, name: str) -> NDArray[np.object_]:
        """Return the geometries of one layer (an empty array when it has none)."""
        return self.layers.get(name, np.array([], dtype=object))

    def clipped(self, bbox: tuple[float, float, float, float]) -> Basemap:
        """Keep the geometries that touch ``bbox`` (lon_min, lat_min, lon_max, lat_max)."""
        box = shapely.box(*bbox)
        kept = {}
        for name in LAYERS:
            geoms = self.layer(name)
            kept[name] = geoms[shapely.intersects(geoms, box)] if len(geoms) else geoms
        return Basemap(kept)


def save_basemap(cache_dir: Path, basemap: Basemap) -> Path:
    """Write the base map atomically into ``cache_dir`` and return the file's path."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / BASEMAP_FILE
    arrays: dict[str, np.ndarray] = {}
    for name in LAYERS:
        blobs = shapely.to_wkb(basemap.layer(name)).tolist()
        # bytes plus offsets, not an object array: loading then needs no pickle
        arrays[f"{name}_wkb"] = np.frombuffer(b"".join(blobs), dtype=np.uint8)
        arrays[f"{name}_end"] = np.cumsum([len(b) for b in blobs], dtype=np.int64)
    write_npz(path, arrays, compressed=True)
    return path


def load_basemap(cache_dir: Path) -> Basemap:
    """Read the base map written at import; an empty one when there is none."""
    path = cache_dir / BASEMAP_FILE
    if not path.exists():
        return Basemap.empty()
    layers = {}
    stored = read_npz(path)
    for name in LAYERS:
        blob = stored[f"{name}_wkb"].tobytes() if f"{name}_wkb" in stored else b""
        ends = stored[f"{name}_end"].tolist() if f"{name}_end" in stored else []
        starts = [0, *ends[:-1]]
        wkb = np.array([blob[a:b] for a, b in zip(starts, ends, strict=True)], dtype=object)
        layers[name] = shapely.from_wkb(wkb) if len(wkb) else np.array([], dtype=object)
    return Basemap(layers)
