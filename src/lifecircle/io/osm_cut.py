"""Cut one OSM extract into many smaller ones, one per polygon, with osmium-tool.

``osmium extract --strategy complete_ways`` reads the big extract once for a few polygons
(:data:`EXTRACTS_PER_PASS`: its memory grows with them) and writes each area's PBF with every
way that enters its polygon complete (all of its nodes), so a street crossing the line is
walked whole. Polygons are buffered here in metres (a local azimuthal projection,
:func:`lifecircle.geo.local_metric_transformer`). It needs the ``osmium`` program (Debian
``osmium-tool``; ``make setup`` installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from lifecircle.errors import ConfigError, OsmFileError
from lifecircle.geo import local_metric_transformer

OSMIUM = "osmium"
#: Polygons osmium cuts in one pass over the extract. ``complete_ways`` keeps id sets per
#: polygon sized by the extract's id range, not its size: on the 685 kB Helsinki extract 4
#: polygons took 6.4 GB and 16 more than 21 GB (killed). Two keep a pass near 3 GB.
EXTRACTS_PER_PASS = 2


def buffered(geometry: BaseGeometry, buffer_m: float) -> BaseGeometry:
    """Return the WGS-84 ``geometry`` grown by ``buffer_m`` metres on every side."""
    if buffer_m <= 0:
        return geometry
    centre = geometry.centroid
    metric = local_metric_transformer(centre.x, centre.y)
    grown = metric.geometry_to_metres(geometry).buffer(buffer_m, quad_segs=8)
    return metric.geometry_to_lonlat(grown)


def osmium_program() -> str:
    """Path of the ``osmium`` program; a clear error when it is not installed."""
    found = shutil.which(OSMIUM)
    if found is None:
        raise ConfigError("error.cut.no_osmium")
    return found


def cut_extract(
    source: Path, polygons: Mapping[str, BaseGeometry], out_dir: Path
) -> dict[str, Path]:
    """Write ``out_dir/<name>.osm.pbf`` for each named WGS-84 polygon; return the paths.

    Polygons go to osmium :data:`EXTRACTS_PER_PASS` at a time. Raises :class:`OsmFileError`
    when ``source`` is missing or osmium cannot read it (with osmium's own message).
    """
    if not source.is_file():
        raise OsmFileError("error.osm.not_found", path=source)
    program = osmium_program()
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = {name: out_dir / f"area-{i}.osm.pbf" for i, name in enumerate(polygons)}
    extracts = []
    for i, (name, polygon) in enumerate(polygons.items()):
        shape_file = out_dir / f"area-{i}.geojson"
        feature = {"type": "Feature", "properties": {}, "geometry": mapping(polygon)}
        shape_file.write_text(json.dumps(feature), encoding="utf-8")
        extracts.append(
            {
                "output": outputs[name].name,
                "polygon": {"file_name": shape_file.name, "file_type": "geojson"},
            }
        )
    for first in range(0, len(extracts), EXTRACTS_PER_PASS):
        config = out_dir / f"extracts-{first}.json"
        chunk = extracts[first : first + EXTRACTS_PER_PASS]
        config.write_text(json.dumps({"directory": str(out_dir), "extracts": chunk}), "utf-8")
        _run_osmium(program, source, config)
    return outputs


def _run_osmium(program: str, source: Path, config: Path) -> None:
    done = subprocess.run(
        [program, "extract", "--config", str(config), "--strategy", "complete_ways",
         "--overwrite", "--no-progress", str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode < 0:  # killed: the system ran out of memory, most likely
        raise OsmFileError("error.cut.osmium_killed", path=source, signal=-done.returncode)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise OsmFileError("error.cut.osmium_failed", path=source, detail=" / ".join(detail[-3:]))
