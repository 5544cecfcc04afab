"""Four areas cut from the real Helsinki extract by a made-up 2 × 2 grid (tests/data/areas).

Cutting takes a while (osmium, then four imports), so modules make the areas once and copy
the folder for each test (:func:`copy_areas`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lifecircle.jobs.areas import cut_areas
from lifecircle.jobs.demo import demo_file
from tests.conftest import DATA

HELSINKI = demo_file("helsinki.osm.pbf")  # real OSM, © OpenStreetMap contributors
TILES = DATA / "areas" / "helsinki_tiles.geojson"  # made up for tests (see its PROVENANCE)
#: A small buffer keeps each area's network small (the tiles are ~0.5 × 0.8 km).
BUFFER_M = 300.0


def cut_tiles(out: Path) -> Path:
    """Cut the four tiles into ``out`` and return it."""
    outcomes = cut_areas(HELSINKI, TILES, out, buffer_m=BUFFER_M, code_field="code")
    assert [o.status for o in outcomes] == ["made"] * 4, outcomes
    return out


def copy_areas(source: Path, target: Path) -> Path:
    """Copy an areas folder (stores, caches and all) to ``target``."""
    shutil.copytree(source, target)
    return target
