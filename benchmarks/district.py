"""The district benchmark: `lifecircle build` end to end on a ~300k-node district, three profiles.

``python -m benchmarks.district OUT`` writes a district-sized OSM file (the packaged Helsinki
streets tiled 9 × 8 and stitched), imports it and seeded facility/compound/board sheets into a
fresh project, then times ``lifecircle.jobs.build.build`` (store read, walk graphs from the records,
access tables, walking areas, results cache) as the CLI runs it, and once more step by step in
one process. Writes ``OUT.json`` and ``OUT.md``. It reimplements no engine step.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import shapely
import shapely.geometry

from benchmarks.common import rss_mb
from benchmarks.networks import SEED, _stitches, largest_component, tile_graph
from lifecircle.bulk import paused_gc
from lifecircle.engine.access import compound_access
from lifecircle.engine.area import AreaData
from lifecircle.engine.attach import Walk
from lifecircle.engine.entrance import SetCounts
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.network import build_network, build_walk_graph
from lifecircle.engine.profiles import STANDARD, get_profile
from lifecircle.engine.results import (
    COMPOUND_CELL_M,
    _board_table,
    compound_targets,
    nearest_at_origins,
    origin_sets,
    trace_walksheds,
)
from lifecircle.engine.rules import level_limits
from lifecircle.engine.walk import attach_to_network, walk_for
from lifecircle.engine.walksheds import CELL_M
from lifecircle.io.osm import OsmExtract
from lifecircle.jobs.area import read_area
from lifecircle.jobs.build import build
from lifecircle.jobs.demo import demo_file
from lifecircle.jobs.imports import import_osm, import_sheet
from lifecircle.model import Board, Compound, Facility
from lifecircle.project import Project, init_project
from lifecircle.taxonomy import load_taxonomy

#: 9 × 8 copies of the packaged Helsinki streets, 60 m apart, 8 stitching footways per side.
DISTRICT_TILES = (9, 8)
GAP_M = 60.0
STITCHES = 8
#: OSM ids of copy k are the original ids + k × ID_STEP (larger than any OSM id today).
ID_STEP = 10**11
N_FACILITIES = 10_000
N_AREA_FACILITIES = 200
N_COMPOUNDS = 1_000
N_BOARDS = 14
PROFILES = ("standard", "elderly", "wheelchair")
TARGET_S = 60.0
TARGET_MB = 4096.0
#: An area facility's outline around its point (local metres): an 80 m × 60 m ground.
_GROUND = np.array([(-40.0, -30.0), (40.0, -30.0), (40.0, 30.0), (-40.0, 30.0), (-40.0, -30.0)])
STEPS = ("network", "attach", "graph", "sources", "nearest", "compounds", "boards", "walksheds")
#: Steps done once for every profile: the full walk network, and the points attached to it.
SHARED_STEPS = ("network", "attach")
_M_PER_DEG_LAT = 110_574.0
_COMPOUND_COLUMNS = ("id", "name", "lon", "lat", "residents", "entrances")


@dataclass
class ProfileTiming:
    """Seconds per step of one profile, the RSS after each step, and what the build produced."""

    profile: str
    step_s: dict[str, float] = field(default_factory=dict)
    rss_after_mb: dict[str, float] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.step_s[name] = time.perf_counter() - start
        self.rss_after_mb[name] = rss_mb("VmRSS")


# -- the district's OSM file ---------------------------------------------------------------------


def _read_streets(path: Path) -> tuple[dict[int, tuple[float, float, dict[str, str]]], list[Any]]:
    """Nodes (lon, lat, tags) and highway ways (id, node ids, tags) of an OSM file."""
    nodes: dict[int, tuple[float, float, dict[str, str]]] = {}
    ways = []
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            nodes[obj.id] = (obj.location.lon, obj.location.lat, dict(obj.tags))
        elif obj.is_way() and "highway" in obj.tags:
            ways.append((obj.id, [n.ref for n in obj.nodes], dict(obj.tags)))
    return nodes, ways


def write_district_osm(out: Path) -> dict[str, Any]:
    """Tile the packaged Helsinki streets into a district-sized ``.osm.pbf``; return its facts.

    Copy ``(i, j)`` is shifted east by ``i`` and north by ``j`` times the extract's span plus
    :data:`GAP_M`; neighbouring copies are joined by :data:`STITCHES` footways between their
    facing edge nodes (those of the walk graph's largest part, paired in order along the edge),
    as `benchmarks.networks.tile_graph` does for arrays.
    """
    source = demo_file("helsinki.osm.pbf")
    nodes, ways = _read_streets(source)
    used = sorted({ref for _, refs, _ in ways for ref in refs if ref in nodes})
    lon = np.array([nodes[n][0] for n in used])
    lat = np.array([nodes[n][1] for n in used])
    m_per_deg_lon = _M_PER_DEG_LAT * math.cos(math.radians(float(lat.mean())))
    step_lon = float(lon.max() - lon.min()) + GAP_M / m_per_deg_lon
    step_lat = float(lat.max() - lat.min()) + GAP_M / _M_PER_DEG_LAT
    base = largest_component(build_walk_graph(*_records(source), STANDARD))
    nx_, ny_ = DISTRICT_TILES
    copies = [(i, j) for j in range(ny_) for i in range(nx_)]
    n_ways = 0
    with osmium.SimpleWriter(str(out)) as writer:
        for k, (i, j) in enumerate(copies):
            for n in used:
                x, y, tags = nodes[n]
                writer.add_node(
                    osmium.osm.mutable.Node(
                        id=n + k * ID_STEP,
                        location=osmium.osm.Location(x + i * step_lon, y + j * step_lat),
                        tags=tags,
                    )
                )
        for k in range(len(copies)):
            for way_id, refs, tags in ways:
                kept = [r + k * ID_STEP for r in refs if r in nodes]
                if len(kept) >= 2:
                    writer.add_way(
                        osmium.osm.mutable.Way(id=way_id + k * ID_STEP, nodes=kept, tags=tags)
                    )
                    n_ways += 1
        n_ways += _write_stitches(writer, base, copies)
    return {"osm_nodes": len(used) * len(copies), "osm_ways": n_ways, "copies": len(copies)}


def _write_stitches(writer: Any, base: WalkGraph, copies: list[tuple[int, int]]) -> int:
    index = {ij: k for k, ij in enumerate(copies)}
    stitch_id = len(copies) * ID_STEP
    count = 0
    for axis, (di, dj) in ((0, (1, 0)), (1, (0, 1))):
        high, low = _stitches(base, axis, STITCHES)
        for (i, j), a in index.items():
            b = index.get((i + di, j + dj))
            if b is None:
                continue
            for h, lo in zip(
                base.node_osm[high].tolist(), base.node_osm[low].tolist(), strict=True
            ):
                nodes = [h + a * ID_STEP, lo + b * ID_STEP]
                way = osmium.osm.mutable.Way(id=stitch_id, nodes=nodes, tags={"highway": "footway"})
                writer.add_way(way)
                stitch_id += 1
                count += 1
    return count


def _records(path: Path) -> tuple[Any, Any]:
    from lifecircle.io.osm import read_osm

    extract = read_osm(path, match_type=lambda tags: None)
    return extract.ways, extract.nodes


# -- the district's sheets -----------------------------------------------------------------------


def _near_streets(
    graph: WalkGraph, rng: np.random.Generator, n: int, radius_m: float
) -> np.ndarray:
    """``n`` seeded points (local metres) within ``radius_m`` of a random graph node."""
    at = graph.node_xy[rng.integers(0, graph.n_nodes, size=n)]
    angle = rng.uniform(0, 2 * np.pi, size=n)
    dist = radius_m * np.sqrt(rng.uniform(0, 1, size=n))
    return np.asarray(at + np.column_stack([np.cos(angle), np.sin(angle)]) * dist[:, None])


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@dataclass(frozen=True)
class DistrictData:
    """The district's records, as a project's store would hold them (WGS-84)."""

    facilities: tuple[Facility, ...]
    compounds: tuple[Compound, ...]
    boards: tuple[Board, ...]
    type_codes: tuple[str, ...]


def district_graph(extract: OsmExtract, profile_name: str) -> WalkGraph:
    """One profile's walk graph as arrays: the Helsinki extract tiled 9 × 8 (`tile_graph`).

    The same district as :func:`write_district_osm` without the OSM round trip, for benchmarks
    of later steps (site planning).
    """
    base = build_walk_graph(extract.ways, extract.nodes, get_profile(profile_name))
    return tile_graph(largest_component(base), tiles=DISTRICT_TILES, gap_m=GAP_M)


def district_data(graph: WalkGraph, *, seed: int = SEED) -> DistrictData:
    """Seeded facilities over every taxonomy type, compounds with 1–3 gates, and 14 boards."""
    rng = np.random.default_rng(seed)
    codes = tuple(t.code for t in load_taxonomy().types)
    lonlat = graph.metric.to_lonlat

    fac_xy = _near_streets(graph, rng, N_FACILITIES, 50.0)
    fac_type = rng.integers(0, len(codes), size=N_FACILITIES)
    lon, lat = lonlat(fac_xy[:, 0], fac_xy[:, 1])
    facilities = []
    for i in range(N_FACILITIES):
        outline = None
        if i < N_AREA_FACILITIES:
            ring = _GROUND + fac_xy[i]
            rlon, rlat = lonlat(ring[:, 0], ring[:, 1])
            pts = ", ".join(f"{a:.7f} {b:.7f}" for a, b in zip(rlon, rlat, strict=True))
            outline = f"POLYGON (({pts}))"
        facilities.append(Facility(f"F{i}", f"F{i}", codes[fac_type[i]], lon[i], lat[i], outline))

    centre = _near_streets(graph, rng, N_COMPOUNDS, 60.0)
    clon, clat = lonlat(centre[:, 0], centre[:, 1])
    compounds = []
    for i in range(N_COMPOUNDS):
        gates_xy = centre[i] + rng.uniform(-28, 28, size=(int(rng.integers(1, 4)), 2))
        glon, glat = lonlat(gates_xy[:, 0], gates_xy[:, 1])
        gates = tuple(zip(glon.tolist(), glat.tolist(), strict=True))
        residents = int(rng.integers(300, 3000))
        compounds.append(
            Compound(f"C{i}", f"C{i}", clon[i], clat[i], entrances=gates, residents=residents)
        )

    board_xy = _near_streets(graph, rng, N_BOARDS, 20.0)
    blon, blat = lonlat(board_xy[:, 0], board_xy[:, 1])
    boards = tuple(Board(f"b{i}", f"B{i}", blon[i], blat[i]) for i in range(N_BOARDS))
    return DistrictData(tuple(facilities), tuple(compounds), boards, codes)


def _points(points: tuple[tuple[float, float], ...]) -> str:
    return "; ".join(f"{x},{y}" for x, y in points)


def write_district_sheets(data: DistrictData, folder: Path) -> list[Path]:
    """The records as the sheets staff would import: facilities (GeoJSON), compounds, boards."""
    features = []
    for f in data.facilities:
        geometry: dict[str, Any] = {"type": "Point", "coordinates": [f.lon, f.lat]}
        if f.outline_wkt:
            geometry = shapely.geometry.mapping(shapely.from_wkt(f.outline_wkt))
        properties = {"id": f.source_id, "name": f.name, "type": f.type_code}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    facilities = folder / "facilities.geojson"
    facilities.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    compounds = [
        [
            c.source_id,
            c.name,
            c.lon,
            c.lat,
            c.residents,
            "; ".join(f"{a},{b}" for a, b in c.entrances),
        ]
        for c in data.compounds
    ]
    boards = [[b.board_id, b.name, b.lon, b.lat] for b in data.boards]
    return [
        facilities,
        _write(folder / "compounds.csv", [*_COMPOUND_COLUMNS], compounds),
        _write(folder / "boards.csv", ["id", "name", "lon", "lat"], boards),
    ]


def make_district_project(folder: Path) -> tuple[Project, dict[str, Any]]:
    """A fresh project holding the district's streets and sheets (timed, not part of the build)."""
    facts: dict[str, Any] = {}
    start = time.perf_counter()
    pbf = folder / "district.osm.pbf"
    facts |= write_district_osm(pbf)
    facts["write_osm_s"] = time.perf_counter() - start
    project = init_project(folder / "project", name="基准测试区（合成）")
    start = time.perf_counter()
    import_osm(project, pbf, author="benchmark")
    facts["import_osm_s"] = time.perf_counter() - start
    data = read_area(project)
    graph = build_walk_graph(data.ways, data.nodes, STANDARD)  # for placing points: not cached
    start = time.perf_counter()
    sheets = write_district_sheets(district_data(graph), folder)
    for kind, sheet in zip(("facilities", "compounds", "boards"), sheets, strict=True):
        import_sheet(project, kind, sheet, author="benchmark")
    facts["import_sheets_s"] = time.perf_counter() - start
    return project, facts


# -- timing ----------------------------------------------------------------------------------------


def build_shared(data: AreaData, project: Project) -> tuple[ProfileTiming, Walk]:
    """The steps every profile shares, timed: the full network, and the points attached once."""
    timing = ProfileTiming("network + points")
    with timing.step("network"):
        network = build_network(data.ways, data.nodes, rules=data.rules)
    with timing.step("attach"):
        attached = attach_to_network(data, network, snap_max_m=project.settings.snap_max_m)
    timing.facts = {
        "nodes": network.n_nodes,
        "edges": network.n_edges,
        "nodes_attached": attached.graph.n_nodes,
        "facility_points": len(attached.facility_nodes),
        "gates": len(attached.entrance_nodes),
        "issues": {i: sum(p.issue == i for p in attached.reported) for i in ("far", "island")},
    }
    return timing, attached


def build_one(data: AreaData, profile_name: str, attached: Walk) -> ProfileTiming:
    """The rest of ``compute_profile`` for one profile, each step timed."""
    timing = ProfileTiming(profile_name)
    profile = get_profile(profile_name)
    with timing.step("graph"):
        points = walk_for(data, attached, profile)
    with timing.step("sources"):
        sources = points.sources(type_codes=data.type_codes)
    with timing.step("nearest"):
        nearest = nearest_at_origins(points, sources)
    with timing.step("compounds"):  # their nearest; the walking areas' searches count them
        compound_access(points, type_codes=data.type_codes, nearest=nearest, counted=False)
    limits = level_limits(profile)
    with timing.step("boards"):
        _board_table(points, sources, nearest)
    with timing.step("walksheds"):
        gate_sets, board_sets = origin_sets(points)
        counts = SetCounts(compound_targets(points, data.type_codes), limits, len(gate_sets))
        compound_areas = trace_walksheds(
            points.graph, gate_sets, limits, COMPOUND_CELL_M, counts=counts
        )
        board_areas = trace_walksheds(points.graph, board_sets, limits, CELL_M)
    timing.facts = {
        "edges": points.graph.n_edges,
        "unreached": len(points.facilities_unreached) + len(points.compounds_unreached),
        "impassable": sum(p.issue == "impassable" for p in points.reported),
        "walksheds": sum(1 for a in compound_areas + board_areas if a),
    }
    return timing


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def run_district(out: Path, *, say: Callable[[str], None] = print) -> None:
    """Make the district, time `build` as the CLI runs it, then step by step; write the report."""
    with tempfile.TemporaryDirectory(prefix="lifecircle-district-") as tmp:
        project, facts = make_district_project(Path(tmp))
        say(f"district imported ({facts['import_osm_s']:.1f} s OSM, {facts['osm_ways']:,} ways)")
        setup_mb = rss_mb("VmHWM")
        start = time.perf_counter()
        _, results = build(project, PROFILES, force=True)
        wall_s = time.perf_counter() - start
        say(f"lifecircle build: {wall_s:.1f} s wall")
        built = {name: r.seconds for name, r in results.items()}
        parent_mb, workers_mb = rss_mb("VmHWM"), _children_peak_mb()
        data = read_area(project)
        with paused_gc():  # as `build` runs its steps (see lifecircle.bulk)
            shared, attached = build_shared(data, project)
            say(f"network and points: {sum(shared.step_s.values()):.1f} s")
            timings = [shared]
            for name in PROFILES:
                timings.append(build_one(data, name, attached))
                say(f"{name}: {sum(timings[-1].step_s.values()):.1f} s")
    record = {
        "facts": facts,
        "setup_mb": setup_mb,
        "build_wall_s": wall_s,
        "build_workers": project.settings.build_workers,
        "build_cpu_s": built,
        "build_parent_mb": parent_mb,
        "build_worker_mb": workers_mb,
        "peak_mb": rss_mb("VmHWM"),
        "profiles": [vars(t) for t in timings],
        "n_area_facilities": N_AREA_FACILITIES,
        "run_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_avg": os.getloadavg(),
    }
    out.with_suffix(".json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    out.with_suffix(".md").write_text(render(record), encoding="utf-8")


def render(record: dict[str, Any]) -> str:
    """The report section: the build's wall time and memory, then seconds per step and profile."""
    shared, *profiles = record["profiles"]
    facts, net = record["facts"], shared["facts"]
    wall, peak = record["build_wall_s"], max(record["build_parent_mb"], record["build_worker_mb"])
    ok = wall < TARGET_S and peak < TARGET_MB
    columns = [shared, *profiles]
    head = "| step | once | " + " | ".join(p["profile"] for p in profiles) + " | all |"
    lines = [
        f"## district: {net['nodes']:,} nodes, {net['edges']:,} edges, "
        f"{N_FACILITIES:,} facilities of {len(load_taxonomy().types)} types "
        f"({record['n_area_facilities']} with outlines), {N_COMPOUNDS:,} compounds "
        f"({net['gates']:,} gates), {N_BOARDS} boards, three profiles",
        "",
        f"Run {record['run_at']}; load average at the end "
        + ", ".join(f"{x:.1f}" for x in record["load_avg"])
        + ". A district-sized OSM file (the packaged Helsinki streets tiled "
        f"{DISTRICT_TILES[0]} × {DISTRICT_TILES[1]}, {facts['osm_ways']:,} ways) and seeded sheets "
        "were imported into a fresh project (OSM import "
        f"{facts['import_osm_s']:.1f} s, sheets {facts['import_sheets_s']:.1f} s, not counted), "
        "then `lifecircle.jobs.build.build(project, three profiles, force=True)` ran as the CLI "
        "runs "
        "it: store read, the walk network from the records, points attached, access tables, "
        "walking areas, cache write.",
        "",
        f"- **`lifecircle build`: {wall:.1f} s wall** with `build_workers` = "
        f"{record['build_workers']}; peak RSS {record['build_parent_mb']:,.0f} MiB (main process), "
        f"{record['build_worker_mb']:,.0f} MiB (largest worker)",
        f"- target (whole district < {TARGET_S:.0f} s, < 4 GB): {wall:.1f} s, {peak:,.0f} MiB "
        f"{'✅' if ok else '❌'}",
        "",
        "The same steps once more in one process (seconds): *network* (`build_network` over the "
        "stored WalkWay records) and *attach* (every point, once) serve every profile; *graph* "
        "is each profile's costs on the attached network (`walk_for`).",
        "",
        head,
        "|---|" + "--:|" * (len(columns) + 1),
    ]
    for name in STEPS:
        row = [p["step_s"].get(name, 0.0) for p in columns]
        done = [name in p["step_s"] for p in columns]
        cells = [f"{v:.2f}" if ran else "—" for v, ran in zip(row, done, strict=True)]
        lines.append(f"| {name} | " + " | ".join([*cells, f"{sum(row):.2f}"]) + " |")
    totals = [sum(p["step_s"].values()) for p in columns]
    lines.append(
        "| **total** | " + " | ".join(f"**{v:.1f}**" for v in [*totals, sum(totals)]) + " |"
    )
    lines += [
        "",
        f"- graph nodes after attaching the points: {net['nodes_attached']:,} (every profile); "
        f"points not attached (> 300 m): {net['issues']['far']}, on islands: "
        f"{net['issues']['island']}; cut off for a profile: "
        + ", ".join(f"{p['profile']} {p['facts']['impassable']}" for p in profiles),
        f"- walking areas traced: {profiles[0]['facts']['walksheds']:,} per profile "
        "(every compound and board, 5/10/15 min)",
        f"- peak RSS of the one-process run: {record['peak_mb']:,.0f} MiB",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.district")
    parser.add_argument("out", type=Path, help="path prefix of the result file (.json)")
    run_district(parser.parse_args(argv).out)


if __name__ == "__main__":
    main()
