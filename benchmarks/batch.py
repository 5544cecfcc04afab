"""The batch benchmark (issue 16): 16 areas built one after another vs on a 2-worker Dask cluster.

``python -m benchmarks.batch [OUT]`` (``make bench-batch``) cuts the packaged real Helsinki
extract (© OpenStreetMap contributors) into a 4 × 4 grid of tiles with ``lifecircle areas cut``
(each tile one area, its network kept 1.5 km beyond its edge, as by default), copies the
areas twice, builds one copy area by area in this process (``jobs.batch.run_here``) and the
other on a ``LocalCluster`` of 2 worker processes of one thread (``jobs.batch.run_on_dask``),
checks that both give the same results array for array, and reports wall times, their ratio, the
peak resident memory of each worker, and a projection on paper of a national run (300 cities) from
the measured per-area cost. Writes ``OUT.json`` and ``OUT.md`` (default
``benchmarks/results/batch``). It reimplements no step: cut, build and batch are the package's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import psutil

from lifecircle.engine.profiles import DEFAULT_PROFILES
from lifecircle.jobs.areas import cut_areas
from lifecircle.jobs.batch import AreaOutcome, dask_client, find_areas, run_here, run_on_dask
from lifecircle.jobs.batch_jobs import BUILD
from lifecircle.jobs.build import cached_results
from lifecircle.jobs.demo import demo_file
from lifecircle.project import open_project

GRID = 4
#: Each tile keeps its network this far beyond its edge: the product's default (1.5 km), so an
#: area's network and facilities are what a real cut gives (most of the extract, here).
BUFFER_M = 1500.0
WORKERS = 2
M_PER_DEG = 111_320.0


def tiles_geojson(extract: Path, out: Path, grid: int = GRID) -> Path:
    """Write a grid × grid boundaries file over the extract's box (made up for the benchmark)."""
    box = osmium.io.Reader(str(extract), osmium.osm.osm_entity_bits.NOTHING).header().box()
    x0, y0 = box.bottom_left.lon, box.bottom_left.lat
    x1, y1 = box.top_right.lon, box.top_right.lat
    features = []
    for i in range(grid):
        for j in range(grid):
            a, c = x0 + (x1 - x0) * i / grid, x0 + (x1 - x0) * (i + 1) / grid
            b, d = y0 + (y1 - y0) * j / grid, y0 + (y1 - y0) * (j + 1) / grid
            ring = [[a, b], [c, b], [c, d], [a, d], [a, b]]
            features.append({
                "type": "Feature",
                "properties": {"name": f"tile-{i}-{j}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            })  # fmt: skip
    out.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return out


def _worker_rss(client: Any) -> dict[str, float]:
    """Resident memory (MiB) of each worker process now (after start-up and imports)."""
    found = client.run(lambda: psutil.Process().memory_info().rss / 2**20)
    return {str(k): float(v) for k, v in found.items()}


def _same_results(a: Path, b: Path, profiles: tuple[str, ...]) -> bool:
    for area in find_areas(a):
        left = cached_results(open_project(area), profiles)
        right = cached_results(open_project(b / area.name), profiles)
        for name in profiles:
            x, y = left[name].to_arrays()[0], right[name].to_arrays()[0]
            if x.keys() != y.keys() or not all(
                np.array_equal(x[k], y[k], equal_nan=True) for k in x
            ):
                return False
    return True


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(work: Path, profiles: tuple[str, ...], buffer_m: float) -> dict[str, Any]:
    """Cut, then build sequentially and on the cluster; return every number measured."""
    extract = demo_file("helsinki.osm.pbf")
    tiles = tiles_geojson(extract, work / "tiles.geojson")
    started = time.perf_counter()
    cut = cut_areas(extract, tiles, work / "areas", buffer_m=buffer_m)
    cut_s = time.perf_counter() - started
    made = [o for o in cut if o.status == "made"]
    areas = find_areas(work / "areas")
    seq, par = work / "sequential", work / "dask"
    shutil.copytree(work / "areas", seq)
    shutil.copytree(work / "areas", par)
    options = {"profiles": profiles}
    started = time.perf_counter()
    sequential = run_here(BUILD, find_areas(seq), options)
    seq_s = time.perf_counter() - started
    started = time.perf_counter()
    with dask_client(None, WORKERS) as client:
        up_s = time.perf_counter() - started
        base = _worker_rss(client)
        started_tasks = time.perf_counter()
        on_dask = run_on_dask(BUILD, find_areas(par), options, client=client)
        tasks_s = time.perf_counter() - started_tasks
    total_s = time.perf_counter() - started
    return {
        "areas": len(areas), "cut_made": len(made), "cut_s": cut_s,
        "ways": [o.ways for o in made], "sequential_s": seq_s,
        "sequential_area_s": [o.seconds for o in sequential],
        "dask_total_s": total_s, "dask_startup_s": up_s, "dask_tasks_s": tasks_s,
        "dask_area_s": [o.seconds for o in on_dask],
        "worker_base_mib": base, "worker_peak_mib": _peaks(on_dask),
        "failed": [o.area for o in (*sequential, *on_dask) if o.status != "done"],
        "same_results": _same_results(seq, par, profiles),
        "area_bytes": _folder_bytes(par) / len(areas),
        "extract_bytes": extract.stat().st_size,
        "buffered_km2": _buffered_km2(tiles, buffer_m), "tile_buffer_m": buffer_m,
        "extract_km2": _buffered_km2(tiles, 0.0) * GRID * GRID,
    }  # fmt: skip


def _peaks(outcomes: list[AreaOutcome]) -> dict[str, float]:
    peaks: dict[str, float] = {}
    for o in outcomes:
        peaks[o.worker] = max(peaks.get(o.worker, 0.0), o.peak_rss_mb)
    return peaks


def _buffered_km2(tiles: Path, buffer_m: float) -> float:
    """Mean area of a tile grown by the buffer, in km² (rectangles: corners rounded)."""
    ring = json.loads(tiles.read_text())["features"][0]["geometry"]["coordinates"][0]
    lat = math.radians(ring[0][1])
    w = abs(ring[1][0] - ring[0][0]) * M_PER_DEG * math.cos(lat)
    h = abs(ring[2][1] - ring[1][1]) * M_PER_DEG
    return (w * h + 2 * buffer_m * (w + h) + math.pi * buffer_m**2) / 1e6


def project_national(m: dict[str, Any], args: argparse.Namespace) -> dict[str, float]:
    """The 300-city run on paper, scaled from the measured per-area cost (see the report)."""
    ways = np.asarray(m["ways"], dtype=float)
    secs = np.asarray(m["sequential_area_s"], dtype=float)
    s_per_kway = float(secs.sum() / ways.sum() * 1000)
    # a tile's network is what lies within its buffer *and* the extract
    ways_per_km2 = float(ways.mean() / min(m["buffered_km2"], m["extract_km2"]))
    side = math.sqrt(args.area_km2) + 2 * args.buffer_m / 1000
    buffered = side**2 - (4 - math.pi) * (args.buffer_m / 1000) ** 2
    area_ways = ways_per_km2 * buffered * args.density
    areas = args.cities * args.areas_per_city
    core_h = areas * area_ways / 1000 * s_per_kway / 3600
    base = max(m["worker_base_mib"].values())
    grow = (max(m["worker_peak_mib"].values()) - base) / ways.max()
    return {
        "cities": args.cities, "areas": areas, "area_km2": args.area_km2,
        "buffer_m": args.buffer_m, "density": args.density,
        "s_per_1000_ways": s_per_kway, "ways_per_km2_measured": ways_per_km2,
        "ways_per_area": area_ways, "seconds_per_area": area_ways / 1000 * s_per_kway,
        "core_hours": core_h, "hours_on_100_cores": core_h / 100,
        "worker_mib": base + grow * area_ways,
        "data_gb": areas * m["area_bytes"] / ways.mean() * area_ways / 1e9,
    }  # fmt: skip


def report(m: dict[str, Any], p: dict[str, float], profiles: tuple[str, ...]) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    peaks = ", ".join(f"{v:.0f}" for v in m["worker_peak_mib"].values())
    bases = ", ".join(f"{v:.0f}" for v in m["worker_base_mib"].values())
    ratio = m["sequential_s"] / m["dask_total_s"]
    return "\n".join([
        f"# Batch build: {m['areas']} areas, sequential vs {WORKERS}-worker LocalCluster",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, load "
        f"average at the end {load} (**a machine shared with other jobs**: times are noisy).",
        f"Areas: the real Helsinki extract (© OpenStreetMap contributors) cut into "
        f"{GRID} × {GRID} tiles by `lifecircle areas cut`, {m['tile_buffer_m']:.0f} m buffer "
        f"({min(m['ways'])}–{max(m['ways'])} walkable ways each; cut and import of all: "
        f"{m['cut_s']:.1f} s); profiles: {', '.join(profiles)}.",
        "",
        "| run | wall time | per area (mean) |",
        "| --- | ---: | ---: |",
        f"| sequential, this process | {m['sequential_s']:.1f} s | "
        f"{np.mean(m['sequential_area_s']):.2f} s |",
        f"| LocalCluster, {WORKERS} workers × 1 thread (with start-up) | "
        f"{m['dask_total_s']:.1f} s | {np.mean(m['dask_area_s']):.2f} s |",
        f"| … of which cluster start-up | {m['dask_startup_s']:.1f} s | |",
        f"| … of which the tasks | {m['dask_tasks_s']:.1f} s | |",
        "",
        f"- ratio sequential / cluster: **{ratio:.2f}×** with start-up, "
        f"{m['sequential_s'] / m['dask_tasks_s']:.2f}× tasks only",
        f"- worker resident memory after start-up: {bases} MiB; peak: {peaks} MiB",
        f"- results equal array for array: {m['same_results']}; failed areas: "
        f"{m['failed'] or 'none'}",
        "",
        f"## A national run on paper: {p['cities']:.0f} cities",
        "",
        f"Assumptions: {p['cities']:.0f} cities × {p['areas'] / p['cities']:.0f} 街道 each = "
        f"**{p['areas']:,.0f} areas** of {p['area_km2']:g} km², each with its network "
        f"{p['buffer_m']:.0f} m beyond its line; walk network density {p['density']:g} × "
        f"measured central Helsinki ({p['ways_per_km2_measured']:,.0f} ways/km²); build time and "
        "memory above the worker's base grow linearly with walkable ways (measured here: "
        f"{p['s_per_1000_ways']:.2f} s per 1,000 ways for {len(profiles)} profiles, one thread).",
        "",
        f"- walkable ways per area: {p['ways_per_area']:,.0f}; build per area "
        f"{p['seconds_per_area']:.0f} s",
        f"- **{p['core_hours']:,.0f} core-hours** ({p['hours_on_100_cores']:.1f} h on 100 "
        "one-thread workers; areas are independent, so it scales with workers)",
        f"- memory per worker: about **{p['worker_mib']:,.0f} MiB** (one area at a time)",
        f"- data (area folders: cut PBF, store, caches): about **{p['data_gb']:,.0f} GB**",
        "- cross-check: the district benchmark (`benchmarks/results/latest.md`: 186,560 ways, "
        "three profiles) took 56.5 s and 1,129 MiB in one build.",
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("benchmarks/results/batch"))
    parser.add_argument("--tile-buffer-m", type=float, default=BUFFER_M,
                        help="buffer of the measured tiles")  # fmt: skip
    parser.add_argument("--cities", type=int, default=300)
    parser.add_argument("--areas-per-city", type=int, default=60)
    parser.add_argument("--area-km2", type=float, default=5.0)
    parser.add_argument("--buffer-m", type=float, default=1500.0)
    parser.add_argument("--density", type=float, default=0.5,
                        help="walk network density relative to central Helsinki")  # fmt: skip
    args = parser.parse_args()
    profiles = tuple(DEFAULT_PROFILES)
    with tempfile.TemporaryDirectory(prefix="lifecircle-batch-") as tmp:
        measured = measure(Path(tmp), profiles, args.tile_buffer_m)
    projected = project_national(measured, args)
    text = report(measured, projected, profiles)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    data = {"measured": measured, "projected": projected, "profiles": profiles}
    args.out.with_suffix(".json").write_text(json.dumps(data, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
