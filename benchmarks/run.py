"""Run the engine benchmark: every tool and task in its own watched process, then check and report.

``python -m benchmarks.run [--network helsinki|synthetic|district|all] [--quick]``. Prints the
report and writes it to benchmarks/results/latest.md; ``--network district`` alone replaces only
that report's district section. A run over its time or memory cap is stopped and
reported as such, never retried or silently dropped.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.common import load_run, proc_rss_mb
from benchmarks.networks import NETWORKS
from benchmarks.worker import task_path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
#: Memory cap per run (MiB of resident memory): the machine has 24 GiB and is shared.
MEM_CAP_MB = 10_000.0


@dataclass(frozen=True)
class Job:
    """One tool doing one or more tasks (``"t1,t2"``: in order, in one process).

    ``sample`` > 0 limits the tool to that many nodes (the time is extrapolated).
    """

    tool: str
    tasks: str
    sample: int = 0
    timeout_s: float = 300.0


@dataclass
class Outcome:
    """What became of one task: ``ok``, ``timeout``, ``memory``, ``error`` or ``not run``.

    ``stopped_s`` is how long a stopped task had run (with any preparation it shared).
    """

    tool: str
    task: str
    status: str
    stopped_s: float
    watched_peak_mb: float
    meta: dict[str, object] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    log: str = ""


def plan(network: str) -> list[Job]:
    """The jobs for one network; the city-scale one samples the peers that are too slow."""
    if network == "nanjing":  # the demo's small real Chinese extract: lifecircle and C only
        return [Job("lifecircle", "t1"), Job("lifecircle", "t2"), Job("lifecircle", "t3r"),
                Job("c", "t1,t2,t3r")]  # fmt: skip
    if network == "helsinki":
        return [
            Job("lifecircle", "t1"),
            Job("lifecircle", "t2"),
            Job("lifecircle", "t3", timeout_s=600.0),
            Job("lifecircle", "t3r"),
            Job("c", "t1,t2,t3r"),
            Job("pandana", "t1,t2"),
            Job("cityseer", "t2"),
            Job("networkx", "t1"),
            Job("networkx", "t2", sample=300),
            Job("networkx", "t3r"),
        ]
    return [
        Job("lifecircle", "t1"),
        Job("lifecircle", "t2"),
        Job("lifecircle", "t3", timeout_s=600.0),
        Job("lifecircle", "t3r"),
        Job("c", "t1,t2,t3r", timeout_s=600.0),
        Job("pandana", "t1,t2", timeout_s=900.0),
        Job("cityseer", "t2", sample=2_000, timeout_s=420.0),
        Job("networkx", "t1", timeout_s=420.0),
        Job("networkx", "t2", sample=300),
        Job("networkx", "t3r"),
    ]


def run_job(network: str, job: Job, workdir: Path) -> list[Outcome]:
    """Start the worker, watch its time and memory, stop it past a cap, read back each task."""
    prefix = workdir / f"{network}-{job.tool}"
    cmd = [sys.executable, "-m", "benchmarks.worker", network, job.tool, job.tasks, str(prefix)]
    if job.sample:
        cmd += ["--sample", str(job.sample)]
    log_path = prefix.with_suffix(".log")
    start = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
        status, peak = _watch(proc, job, start)
    ended = time.time()
    if status == "ok" and proc.returncode != 0:
        status = "error"
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    return [
        _task_outcome(job, task, prefix, status, ended, peak, log_text)
        for task in job.tasks.split(",")
    ]


def _task_outcome(
    job: Job, task: str, prefix: Path, status: str, ended: float, peak: float, log: str
) -> Outcome:
    out = task_path(prefix, task)
    if not out.with_suffix(".json").exists():
        return Outcome(job.tool, task, "not run", 0.0, 0.0, log=log)
    meta, arrays = load_run(out)
    if "peak_mb" in meta:  # finished (its own high-water mark), whatever a later task did
        return Outcome(job.tool, task, "ok", 0.0, 0.0, meta, arrays, log)
    started = float(meta.get("started_epoch_s", ended))  # type: ignore[arg-type]
    stopped = ended - started + float(meta.get("shared_prep_s", 0.0))  # type: ignore[arg-type]
    return Outcome(
        job.tool, task, "error" if status == "ok" else status, stopped, peak, meta, log=log
    )


def _watch(proc: subprocess.Popen[str], job: Job, start: float) -> tuple[str, float]:
    peak = 0.0
    while proc.poll() is None:
        rss = proc_rss_mb(proc.pid, "VmRSS")
        peak = max(peak, proc_rss_mb(proc.pid, "VmHWM"), rss)
        over_time = time.perf_counter() - start > job.timeout_s
        if rss > MEM_CAP_MB or over_time:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return ("memory" if rss > MEM_CAP_MB else "timeout"), peak
        time.sleep(0.2)
    return "ok", peak


def run_network(network: str, workdir: Path, tools: set[str] | None = None) -> list[Outcome]:
    """All jobs of one network (of ``tools``, if given), one after another."""
    outcomes: list[Outcome] = []
    for job in plan(network):
        if tools is not None and job.tool not in tools:
            continue
        print(f"  {network:9} {job.tool:10} {job.tasks:6} ...", end="", flush=True)
        start = time.perf_counter()
        done = run_job(network, job, workdir)
        states = ", ".join(f"{o.task} {o.status}" for o in done)
        print(f" {states} ({time.perf_counter() - start:.0f} s)", flush=True)
        if any(o.status == "error" for o in done):
            print(_indent(done[0].log[-2000:]), flush=True)
        outcomes += done
    return outcomes


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in text.splitlines())


def run_district(workdir: Path) -> str:
    """The district build (benchmarks.district) in its own watched process: its report section."""
    prefix = workdir / "district"
    cmd = [sys.executable, "-m", "benchmarks.district", str(prefix)]
    print("district: three profiles ...", end="", flush=True)
    start = time.perf_counter()
    with prefix.with_suffix(".log").open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
        status, peak = _watch(proc, Job("lifecircle", "district", timeout_s=900.0), start)
    elapsed = time.perf_counter() - start
    print(f" {status} ({elapsed:.0f} s)", flush=True)
    section = prefix.with_suffix(".md")
    if status == "ok" and proc.returncode == 0 and section.exists():
        return section.read_text(encoding="utf-8")
    log_text = prefix.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    why = _STOPPED_WHY.get(status, "error")
    return (
        f"## district\n\nStopped ({why}) after {elapsed:.0f} s at {peak:,.0f} MiB peak RSS.\n\n"
        f"```\n{log_text[-1500:]}\n```\n"
    )


_STOPPED_WHY = {"timeout": "time limit", "memory": "memory cap"}


def splice_district(report: str, section: str) -> str:
    """Put ``section`` in place of the report's district section (before the targets)."""
    parts = re.split(r"(?m)^(?=## )", report)
    kept = [p for p in parts if not p.startswith("## district")]
    at = next((i for i, p in enumerate(kept) if p.startswith("## Targets")), len(kept))
    kept.insert(at, section.rstrip("\n") + "\n\n")
    text = "".join(kept)
    target = re.search(r"(?m)^- target \(whole district[^)]*\): (.*)$", section)
    if target:
        line = f"- district build (300k nodes, 3 profiles, < 60 s, < 4 GB): {target.group(1)}"
        text = re.sub(r"(?m)^- district build \(.*$", lambda _: line, text)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--network", choices=[*NETWORKS, "district", "all"], default="all")
    parser.add_argument("--quick", action="store_true", help="the Helsinki network only")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the report")
    parser.add_argument(
        "--tools", help="only these tools, comma-separated (e.g. lifecircle,c: the C column alone)"
    )
    args = parser.parse_args(argv)
    networks = (
        ["helsinki"]
        if args.quick
        else (
            ["helsinki", "nanjing", "synthetic", "district"]
            if args.network == "all"
            else [args.network]
        )
    )
    from benchmarks.report import render  # after argument errors, before any slow work

    started = time.perf_counter()
    results: dict[str, list[Outcome]] = {}
    district = ""
    with tempfile.TemporaryDirectory(prefix="lifecircle-bench-") as tmp:
        for network in networks:
            if network == "district":
                district = run_district(Path(tmp))
                continue
            print(f"{network}:", flush=True)
            tools = set(args.tools.split(",")) if args.tools else None
            results[network] = run_network(network, Path(tmp), tools)
    if results:
        text = render(results, elapsed_s=time.perf_counter() - started)
    else:  # the district alone: keep the other sections of the last report
        text = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if district:
        text = splice_district(text, district)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"(written to {args.out})")


if __name__ == "__main__":
    main()
