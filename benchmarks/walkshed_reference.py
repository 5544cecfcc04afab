"""Write the walking areas' figures (area, holes) on real extracts, to hold a new method to.

``PYTHONPATH=<tree>/src python -m benchmarks.walkshed_reference OUT.json`` traces walksheds
from seeded random street nodes of the Helsinki demo extract, the Nanjing demo extract and the
Beijing test extract, for two profiles, at 8 m (compounds) and 4 m (boards) cells, with
whichever ``lifecircle`` is on the path, and writes each area's size and a point inside each
of its holes, in the graph's local metres. ``tests/engine/test_walkshed_reference.py`` checks
today's areas against the file written with the method before issue 17 (commit d84f7c3):
area within 1 %, the same holes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import shapely

#: (extract, cell metres, origins) traced for each profile.
CASES = (
    ("helsinki.osm.pbf", 8.0, 30),
    ("helsinki.osm.pbf", 4.0, 8),
    ("nanjing_xinjiekou.osm.pbf", 8.0, 20),
    ("beijing_wudaokou.osm.pbf", 8.0, 20),
)
MINUTES = (5, 10, 15)
PROFILES = ("standard", "elderly")


def extract_path(name: str) -> Path:
    """The demo extracts ship with the package; the Beijing one is test data."""
    from lifecircle.jobs.demo import demo_file

    test_data = Path(__file__).resolve().parents[1] / "tests" / "data" / "osm" / name
    return test_data if test_data.exists() else Path(demo_file(name))


def figures(area: Any) -> dict[str, Any]:
    """Area (m²) and one point inside each hole of a polygon in local metres."""
    holes = [
        shapely.Polygon(ring).point_on_surface()
        for part in shapely.get_parts(area)
        for ring in part.interiors
    ]
    return {
        "area_m2": round(float(area.area), 1),
        "holes": sorted([round(p.x, 2), round(p.y, 2)] for p in holes),
    }


def trace_case(name: str, cell_m: float, n: int) -> list[dict[str, Any]]:
    """Every walkshed's figures for one extract and cell size, both profiles."""
    from lifecircle.engine.network import build_walk_graph
    from lifecircle.engine.profiles import get_profile
    from lifecircle.engine.walksheds import walksheds
    from lifecircle.io.osm import read_osm

    extract = read_osm(extract_path(name), match_type=lambda tags: None)
    rows = []
    for profile_name in PROFILES:
        profile = get_profile(profile_name)
        graph = build_walk_graph(extract.ways, extract.nodes, profile)
        rng = np.random.default_rng(17)
        starts = rng.choice(graph.n_nodes, n, replace=False)
        limits = [profile.threshold(m) for m in MINUTES]
        sets = [np.array([s]) for s in starts]
        traced = walksheds(graph, sets, limits=limits, cell_m=cell_m)
        for start, areas in zip(starts, traced, strict=True):
            rows.append(
                {
                    "extract": name,
                    "cell_m": cell_m,
                    "profile": profile_name,
                    "origin_osm": int(graph.node_osm[start]),
                    "areas": [figures(graph.metric.geometry_to_metres(a)) for a in areas],
                }
            )
    return rows


def main(argv: list[str]) -> None:
    """Write the figures of every case to ``argv[0]``."""
    rows = [row for case in CASES for row in trace_case(*case)]
    Path(argv[0]).write_text(json.dumps({"minutes": MINUTES, "walksheds": rows}, indent=0))
    print(f"{len(rows)} walksheds written to {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
