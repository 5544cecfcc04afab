"""The boards benchmark: 500 printed A1 boards of the demo area, in parallel, with peak memory.

The 500 boards are SYNTHETIC: placed at seeded random points of the demo's real walk network
(central Helsinki OSM) and named 【基准测试展板】; they exist only to time the batch. Run
``python -m benchmarks.boards [--boards 500] [--workers 2] [--out benchmarks/results/boards]``;
it writes ``OUT.json`` and ``OUT.md``. It times lifecircle's own functions and reimplements none.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import weasyprint
import weasyprint.pdf.fonts as weasyprint_fonts

from lifecircle.boards import make_boards
from lifecircle.boards.batch import prepare
from lifecircle.boards.fonts import FAMILY
from lifecircle.boards.render import board_html
from lifecircle.config import PROJECT_FILE
from lifecircle.jobs.build import build
from lifecircle.jobs.demo import build_demo
from lifecircle.jobs.imports import import_sheet
from lifecircle.model import WalkWay
from lifecircle.project import Project, open_project

SEED = 20_261_128
#: An example public address, as a 街道 sets before printing (the print checks refuse localhost).
PUBLIC_URL = "https://shequ.example.cn/lifecircle"


def synthetic_boards(project: Project, n: int) -> list[str]:
    """Import ``n`` synthetic boards at seeded random points of the walk network; their ids."""
    with project.open_store() as store:
        ways = [w for w in store.records("walk_way") if isinstance(w, WalkWay)]
    points = np.array([xy for w in ways for xy in w.coords])
    rng = np.random.default_rng(SEED)
    picked = points[rng.choice(len(points), size=n, replace=False)]
    path = project.root / "bench_boards.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编号", "名称", "展板类型", "经度", "纬度", "所属小区", "备注"])
        for k, (lon, lat) in enumerate(picked.tolist(), start=1):
            writer.writerow(
                [
                    f"bench-{k:04d}",
                    f"【基准测试展板】合成点 {k}",
                    "gate",
                    f"{lon:.7f}",
                    f"{lat:.7f}",
                    "",
                    "synthetic benchmark board, not a real board",
                ]
            )
    import_sheet(project, "boards", path, author="benchmark")
    return [f"bench-{k:04d}" for k in range(1, n + 1)]


def font_subset_effect(project: Project, out: Path) -> dict[str, float]:
    """Seconds to write one board's PDF with the batch subset font versus the full system font.

    Measured with WeasyPrint's own subsetting by libharfbuzz-subset (when installed) and by
    fontTools (its fallback without that library).
    """
    out.mkdir(parents=True, exist_ok=True)
    prepared = prepare(project, out, board_ids=["demo-gate-1"])
    html = board_html(prepared.jobs[0], prepared.scene).html
    # the same page without the @font-face rules, naming the installed font instead
    full = html.replace(prepared.scene.fonts.css(), "").replace(FAMILY, "Noto Sans CJK SC")
    found = {}
    harfbuzz = weasyprint_fonts.harfbuzz_subset
    for engine, library in (("harfbuzz", harfbuzz), ("fonttools", None)):
        if engine == "harfbuzz" and library is None:
            continue
        weasyprint_fonts.harfbuzz_subset = library
        try:
            for name, text in (("subset_font", html), ("full_font", full)):
                weasyprint.HTML(string=text).write_pdf(out / "warm.pdf")
                started = time.perf_counter()
                weasyprint.HTML(string=text).write_pdf(out / f"{name}.pdf")
                found[f"{engine}_{name}_s"] = round(time.perf_counter() - started, 2)
        finally:
            weasyprint_fonts.harfbuzz_subset = harfbuzz
    return found


def _cpu_s() -> float:
    """User and system CPU seconds of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest worker (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main_peak_mb": round(own, 1), "worker_peak_mb": round(child, 1)}


def run(n_boards: int, workers: int, folder: Path) -> dict[str, Any]:
    """Set up the demo with synthetic boards, build, and make every synthetic board."""
    # the Helsinki fixture, as in the recorded results (benchmarks/results/boards.md)
    project, _ = build_demo(folder / "demo", area="helsinki")
    settings = project.root / PROJECT_FILE
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + f'public_base_url = "{PUBLIC_URL}"\n', encoding="utf-8")
    project = open_project(project.root)
    ids = synthetic_boards(project, n_boards)
    started = time.perf_counter()
    build(project, ("standard", "elderly"))
    build_s = time.perf_counter() - started
    effect = font_subset_effect(project, folder / "font")
    cpu_before = _cpu_s()
    started = time.perf_counter()
    result = make_boards(project, folder / "boards", board_ids=ids, workers=workers)
    wall_s = time.perf_counter() - started
    cpu_s = _cpu_s() - cpu_before
    load = os.getloadavg()[0]
    pdf_mb = sum(b.pdf.stat().st_size for b in result.boards) / 1e6
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "boards": len(result.boards),
        "paper": result.paper,
        "workers": workers,
        "cpus": os.cpu_count(),
        "build_s": round(build_s, 1),
        "boards_wall_s": round(wall_s, 1),
        "prepare_s": round(result.prepare_s, 1),
        "font_subset_s": round(result.font_s, 1),
        "render_s": round(result.render_s, 1),
        "per_board_s": round(wall_s / max(1, len(result.boards)), 2),
        # CPU seconds (this process and its finished workers): what a board costs however
        # busy the machine is; on an idle machine the wall time is about cpu / workers
        "cpu_per_board_s": round(cpu_s / max(1, len(result.boards)), 2),
        "idle_per_board_s": round(cpu_s / max(1, len(result.boards)) / workers, 2),
        "load_average": round(load, 1),
        "pdf_mb_mean": round(pdf_mb / max(1, len(result.boards)), 2),
        **effect,
        **peak_mb(),
    }


def report(found: dict[str, Any]) -> str:
    """The Markdown section of the results."""
    return (
        "## Boards: {boards} synthetic A1 boards of the demo area ({date})\n\n"
        "Boards placed at seeded random points of the demo's real walk network (synthetic, "
        "for timing only); PDF + PNG preview each, {workers} worker processes on {cpus} CPUs.\n\n"
        "| step | seconds |\n|---|---|\n"
        "| build (standard + elderly, cached for the boards) | {build_s} |\n"
        "| boards: content (per-facility costs, selection) | {prepare_s} |\n"
        "| boards: font subset (once per batch) | {font_subset_s} |\n"
        "| boards: render PDF + PNG | {render_s} |\n"
        "| **boards total (wall)** | **{boards_wall_s}** ({per_board_s} s per board) |\n"
        "| CPU per board (all processes) | {cpu_per_board_s} |\n"
        "| per board on an idle machine (CPU / workers) | {idle_per_board_s} |\n\n"
        "Load average at the end of the run: {load_average} on {cpus} CPUs.\n\n"
        "Writing one board's PDF, batch subset font vs the full Noto Sans CJK SC: "
        "{fonttools_subset_font_s} s vs {fonttools_full_font_s} s when WeasyPrint subsets with "
        "fontTools; {harfbuzz} with libharfbuzz-subset. Mean PDF size {pdf_mb_mean} MB. Peak "
        "memory: main process {main_peak_mb} MB, largest worker {worker_peak_mb} MB.\n"
    ).format(harfbuzz=_harfbuzz_text(found), **found)


def _harfbuzz_text(found: dict[str, Any]) -> str:
    if "harfbuzz_full_font_s" not in found:
        return "libharfbuzz-subset not installed"
    return f"{found['harfbuzz_subset_font_s']} s vs {found['harfbuzz_full_font_s']} s"


def main() -> None:
    """Command line: run, print and write ``OUT.json`` / ``OUT.md``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--boards", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/boards"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lifecircle-boards-bench-") as tmp:
        found = run(args.boards, args.workers, Path(tmp))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(found, indent=2) + "\n", "utf-8")
    args.out.with_suffix(".md").write_text(report(found), "utf-8")
    print(report(found))


if __name__ == "__main__":
    main()
