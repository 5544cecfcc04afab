"""The district benchmark: a whole build (three profiles) on a ~300k-node tiled Helsinki network.

``python -m benchmarks.district OUT`` times, per profile, exactly the steps of
``lifecircle.build.build_profile`` after the data are read, writes ``OUT.json`` and ``OUT.md``
(a report section). It reimplements no engine step; the orchestrator (benchmarks.run) watches it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import rss_mb
from benchmarks.networks import SEED, largest_component, tile_graph
from lifecircle.access import attach_all, compound_access, nearest_by_type
from lifecircle.build import LEVELS_MIN, _areas, _board_table
from lifecircle.demo import demo_file
from lifecircle.io.osm import OsmExtract, read_osm
from lifecircle.model import Board, Compound, Facility
from lifecircle.network import WalkGraph, build_walk_graph
from lifecircle.profiles import get_profile
from lifecircle.taxonomy import load_taxonomy

#: 9 × 8 copies of the 4,163-node Helsinki graph: 299,736 nodes.
DISTRICT_TILES = (9, 8)
N_FACILITIES = 10_000
N_AREA_FACILITIES = 200
N_COMPOUNDS = 1_000
N_BOARDS = 14
PROFILES = ("standard", "elderly", "wheelchair")
TARGET_S = 60.0
TARGET_MB = 4096.0
#: An area facility's outline around its point (local metres): an 80 m × 60 m ground.
_GROUND = np.array([(-40.0, -30.0), (40.0, -30.0), (40.0, 30.0), (-40.0, 30.0), (-40.0, -30.0)])
STEPS = ("graph", "attach", "sources", "heat", "compounds", "boards", "walksheds")


@dataclass(frozen=True)
class DistrictData:
    """The district's records, as a project's store would hold them (WGS-84)."""

    facilities: tuple[Facility, ...]
    compounds: tuple[Compound, ...]
    boards: tuple[Board, ...]
    type_codes: tuple[str, ...]


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


def district_graph(extract: OsmExtract, profile_name: str) -> WalkGraph:
    """One profile's walk graph: the Helsinki extract built for it, then tiled 9 × 8."""
    base = build_walk_graph(extract.ways, extract.nodes, get_profile(profile_name))
    return tile_graph(largest_component(base), tiles=DISTRICT_TILES)


def _near_streets(
    graph: WalkGraph, rng: np.random.Generator, n: int, radius_m: float
) -> np.ndarray:
    """``n`` seeded points (local metres) within ``radius_m`` of a random graph node."""
    at = graph.node_xy[rng.integers(0, graph.n_nodes, size=n)]
    angle = rng.uniform(0, 2 * np.pi, size=n)
    dist = radius_m * np.sqrt(rng.uniform(0, 1, size=n))
    return np.asarray(at + np.column_stack([np.cos(angle), np.sin(angle)]) * dist[:, None])


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
        facilities.append(
            Facility(f"bench:{i}", f"F{i}", codes[fac_type[i]], lon[i], lat[i], outline)
        )

    centre = _near_streets(graph, rng, N_COMPOUNDS, 60.0)
    clon, clat = lonlat(centre[:, 0], centre[:, 1])
    compounds = []
    for i in range(N_COMPOUNDS):
        gates_xy = centre[i] + rng.uniform(-28, 28, size=(int(rng.integers(1, 4)), 2))
        glon, glat = lonlat(gates_xy[:, 0], gates_xy[:, 1])
        gates = tuple(zip(glon.tolist(), glat.tolist(), strict=True))
        compounds.append(Compound(f"c{i}", f"C{i}", clon[i], clat[i], entrances=gates))

    board_xy = _near_streets(graph, rng, N_BOARDS, 20.0)
    blon, blat = lonlat(board_xy[:, 0], board_xy[:, 1])
    boards = tuple(Board(f"b{i}", f"B{i}", blon[i], blat[i]) for i in range(N_BOARDS))
    return DistrictData(tuple(facilities), tuple(compounds), boards, codes)


def build_one(extract: OsmExtract, data: DistrictData, profile_name: str) -> ProfileTiming:
    """The steps of ``build_profile`` for one profile, each timed (graph: arrays, see README)."""
    timing = ProfileTiming(profile_name)
    with timing.step("graph"):
        graph = district_graph(extract, profile_name)
    with timing.step("attach"):
        points = attach_all(
            graph, facilities=data.facilities, compounds=data.compounds, boards=data.boards
        )
    with timing.step("sources"):
        sources = points.sources(type_codes=data.type_codes)
    with timing.step("heat"):
        heat = nearest_by_type(points.graph, sources.nodes, owners=sources.owners)
    with timing.step("compounds"):
        compound_access(points, type_codes=data.type_codes, nearest=heat)
    limits = [graph.profile.threshold(level) for level in LEVELS_MIN]
    with timing.step("boards"):
        _board_table(points, sources, limits, heat)
    with timing.step("walksheds"):
        compound_areas, board_areas = _areas(points, limits, len(data.compounds))
    timing.facts = {
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "nodes_attached": points.graph.n_nodes,
        "facility_points": len(points.facility_nodes),
        "gates": len(points.entrance_nodes),
        "unreached": len(points.facilities_unreached) + len(points.compounds_unreached),
        "walksheds": sum(1 for a in compound_areas + board_areas if a),
    }
    return timing


def _worker_profile(extract: OsmExtract, data: DistrictData, name: str) -> tuple[float, float]:
    """One profile in a worker process: its seconds and the worker's peak RSS (MiB)."""
    timing = build_one(extract, data, name)
    return sum(timing.step_s.values()), rss_mb("VmHWM")


def _parallel_wall_s(extract: OsmExtract, data: DistrictData) -> tuple[float, float]:
    """The three profiles in two spawned processes, as `lifecircle build` runs them."""
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = [pool.submit(_worker_profile, extract, data, name) for name in PROFILES]
        done = [future.result() for future in futures]
    return time.perf_counter() - start, max(peak for _, peak in done)


def run_district(out: Path, *, say: Callable[[str], None] = print) -> None:
    """Run the three profiles in this process and write ``out.json`` and ``out.md``."""
    start = time.perf_counter()
    extract = read_osm(demo_file("helsinki.osm.pbf"), match_type=lambda tags: None)
    data = district_data(district_graph(extract, "standard"))
    setup = {"setup_s": time.perf_counter() - start, "setup_mb": rss_mb("VmHWM")}
    say(f"district data ready ({setup['setup_s']:.1f} s)")
    timings = []
    for name in PROFILES:
        timings.append(build_one(extract, data, name))
        say(f"{name}: {sum(timings[-1].step_s.values()):.1f} s")
    peak_mb = rss_mb("VmHWM")
    wall_s, worker_mb = _parallel_wall_s(extract, data)
    say(f"two processes: {wall_s:.1f} s wall")
    record = setup | {
        "peak_mb": peak_mb,
        "parallel_wall_s": wall_s,
        "parallel_worker_mb": worker_mb,
        "profiles": [vars(t) for t in timings],
        "n_area_facilities": N_AREA_FACILITIES,
        "run_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_avg": os.getloadavg(),
    }
    out.with_suffix(".json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    out.with_suffix(".md").write_text(render(record), encoding="utf-8")


def render(record: dict[str, Any]) -> str:
    """The report section: seconds per step and profile, totals, peak memory, the target."""
    profiles = record["profiles"]
    facts = profiles[0]["facts"]
    head = "| step | " + " | ".join(p["profile"] for p in profiles) + " | all three |"
    lines = [
        f"## district: {facts['nodes']:,} nodes, {facts['edges']:,} edges, "
        f"{N_FACILITIES:,} facilities of {len(load_taxonomy().types)} types "
        f"({record['n_area_facilities']} with outlines), {N_COMPOUNDS:,} compounds "
        f"({facts['gates']:,} gates), {N_BOARDS} boards, three profiles",
        "",
        f"Run {record['run_at']}; load average at the end "
        + ", ".join(f"{x:.1f}" for x in record["load_avg"])
        + ". Seconds of each step of `lifecircle.build.build_profile`, one process, profiles one "
        "after another (see benchmarks/README.md). *graph* is building the Helsinki walk graph "
        "for the profile (`build_walk_graph`) and tiling it 9 × 8 (`tile_graph`); the real "
        "build's `build_walk_graph` over a district's WalkWay records is not timed here.",
        "",
        head,
        "|---|" + "--:|" * (len(profiles) + 1),
    ]
    for name in STEPS:
        row = [p["step_s"][name] for p in profiles]
        lines.append(f"| {name} | " + " | ".join(f"{v:.2f}" for v in [*row, sum(row)]) + " |")
    totals = [sum(p["step_s"].values()) for p in profiles]
    lines.append(
        "| **total** | " + " | ".join(f"**{v:.1f}**" for v in [*totals, sum(totals)]) + " |"
    )
    peak = float(record["peak_mb"])
    total = sum(totals)
    lines += [
        "",
        "- graph nodes after attaching the points: "
        + ", ".join(f"{p['profile']} {p['facts']['nodes_attached']:,}" for p in profiles)
        + "; points not attached (> 300 m): "
        + ", ".join(f"{p['profile']} {p['facts']['unreached']}" for p in profiles),
        f"- walking areas traced: {profiles[0]['facts']['walksheds']:,} per profile "
        f"(every compound and board, 5/10/15 min); data set-up {record['setup_s']:.1f} s "
        "(not counted)",
        f"- peak RSS of the process: {peak:,.0f} MiB (after set-up {record['setup_mb']:,.0f} MiB)",
        f"- the same three profiles in two spawned processes, as `lifecircle build` runs them "
        f"(`build_workers` = 2): {record['parallel_wall_s']:.1f} s wall, peak RSS per worker "
        f"{record['parallel_worker_mb']:,.0f} MiB",
        f"- target (whole district < {TARGET_S:.0f} s, < 4 GB): one process {total:.1f} s "
        f"{'✅' if total < TARGET_S else '❌'}, two processes {record['parallel_wall_s']:.1f} s "
        f"{'✅' if record['parallel_wall_s'] < TARGET_S else '❌'}; {peak:,.0f} MiB "
        f"{'✅' if peak < TARGET_MB else '❌'}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.district")
    parser.add_argument("out", type=Path, help="path prefix of the result file (.json)")
    run_district(parser.parse_args(argv).out)


if __name__ == "__main__":
    main()
