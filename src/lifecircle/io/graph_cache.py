"""Cache files of walk graphs: one uncompressed ``.npz`` per profile, next to the store.

Derived data, never the source of truth: a missing, stale or unreadable file is rebuilt from
the store's ways. Written to a temporary name and renamed, so a killed build never leaves half
a file; older graphs of the same profile are removed when a new one is written.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from lifecircle.io.crs import local_metric_transformer
from lifecircle.io.files import read_npz, write_npz
from lifecircle.network import WalkGraph
from lifecircle.profiles import WalkProfile

_ARRAYS = (
    "node_xy",
    "node_osm",
    "edge_u",
    "edge_v",
    "edge_cost",
    "edge_length_m",
    "edge_way",
    "coord_start",
    "coords_xy",
)


def _path(cache_dir: Path, key: str, profile: str) -> Path:
    return cache_dir / "graphs" / f"{profile}-{key}.npz"


def save_graph(cache_dir: Path, key: str, graph: WalkGraph) -> Path:
    """Write a profile's walk graph under ``key`` and drop that profile's older graphs."""
    path = _path(cache_dir, key, graph.profile.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_graph(path, graph)
    for old in path.parent.glob(f"{graph.profile.name}-*.npz"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def write_graph(path: Path, graph: WalkGraph) -> None:
    """Write a walk graph to one ``.npz`` file (atomically: temporary name, then rename)."""
    info = {
        "lon0": graph.metric.lon0,
        "lat0": graph.metric.lat0,
        "notes": list(graph.notes),
    }
    arrays = {name: getattr(graph, name) for name in _ARRAYS}
    # uncompressed: loading must be faster than building
    write_npz(path, {"info": np.array(json.dumps(info)), **arrays})


def load_graph(cache_dir: Path, key: str, profile: WalkProfile) -> WalkGraph | None:
    """Read a cached walk graph, or ``None`` when absent or unreadable."""
    path = _path(cache_dir, key, profile.name)
    return read_graph(path, profile) if path.exists() else None


def read_graph(path: Path, profile: WalkProfile) -> WalkGraph | None:
    """Read a walk graph written by :func:`write_graph`, or ``None`` when unreadable."""
    try:
        stored = read_npz(path)
        arrays = {name: stored[name] for name in _ARRAYS}
        info = json.loads(str(stored["info"]))
        metric = local_metric_transformer(float(info["lon0"]), float(info["lat0"]))
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        return None
    return WalkGraph(profile=profile, metric=metric, notes=tuple(info["notes"]), **arrays)
