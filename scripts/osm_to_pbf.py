"""Convert an OSM XML extract to a compact ``.osm.pbf`` without changing any object.

``python scripts/osm_to_pbf.py IN.osm OUT.osm.pbf [--timestamp 2021-06-12T07:41:41Z]
[--box W,S,E,N]`` copies every node, way and relation (ids, versions, timestamps, tags,
coordinates at OSM's 7 decimals) and checks the copy object by object. ``--timestamp`` and
``--box`` write into the PBF header what an XML file keeps where libosmium does not read it
(Overpass's ``<meta osm_base>``) or what its ``<bounds>`` said. Used for the bundled demo and
test extracts (see their PROVENANCE.md).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import osmium


def _objects(path: Path) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = []
    for o in osmium.FileProcessor(str(path)):
        tags = tuple(sorted(dict(o.tags).items()))
        if o.is_node():
            where = (round(o.location.lon, 7), round(o.location.lat, 7))
            found.append(("n", o.id, where, tags, o.version, str(o.timestamp)))
        elif o.is_way():
            found.append(("w", o.id, tuple(n.ref for n in o.nodes), tags, o.version))
        else:
            members = tuple((m.type, m.ref, m.role) for m in o.members)
            found.append(("r", o.id, members, tags, o.version))
    return found


def convert(source: Path, target: Path, *, timestamp: str = "", box: str = "") -> str:
    """Write ``target`` from ``source``; return its sha256 after checking every object."""
    header = osmium.io.Header()
    header.set("generator", f"lifecircle scripts/osm_to_pbf.py from {source.name}")
    if timestamp:
        header.set("osmosis_replication_timestamp", timestamp)
    if box:
        west, south, east, north = (float(v) for v in box.split(","))
        header.add_box(
            osmium.osm.Box(osmium.osm.Location(west, south), osmium.osm.Location(east, north))
        )
    target.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(target), header=header) as writer:
        for obj in osmium.FileProcessor(str(source)):
            writer.add(obj)
    if _objects(source) != _objects(target):
        raise SystemExit(f"{target}: the copy differs from {source}")
    return hashlib.sha256(target.read_bytes()).hexdigest()


def main() -> None:
    """Convert the file named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--timestamp", default="", help="data date for the header (ISO 8601)")
    parser.add_argument("--box", default="", help="W,S,E,N for the header's bounding box")
    args = parser.parse_args()
    digest = convert(args.source, args.target, timestamp=args.timestamp, box=args.box)
    print(f"{args.target} {args.target.stat().st_size} bytes sha256 {digest}")


if __name__ == "__main__":
    main()
