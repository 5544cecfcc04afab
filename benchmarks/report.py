"""Turn the benchmark outcomes into the markdown report: times, speed-ups, memory, agreement.

Reads outcomes only (plus the network, rebuilt, when a count difference needs explaining); it
runs no tool and never edits a number.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from benchmarks import compare
from benchmarks.common import ENTRANCE_SAMPLE, TASKS
from benchmarks.networks import TYPE_NAMES, load_network, sample_points

if TYPE_CHECKING:
    from benchmarks.run import Outcome

_TASK_ORDER = ("t1", "t2", "t3", "t3r")
_TASK_TEXT = TASKS | {"t3r": "the same 1,000 walksheds: reached costs only, no polygons"}
_STOPPED = {"timeout": "time limit", "memory": "memory cap", "error": "error", "not run": "not run"}


def total_s(o: Outcome) -> float:
    """Tool time (prep + query), the query extrapolated to every item when sampled."""
    if o.status != "ok":
        return o.stopped_s
    meta = o.meta
    scale = float(meta["total"]) / max(float(meta["computed"]), 1.0)  # type: ignore[arg-type]
    return float(meta["prep_s"]) + float(meta["query_s"]) * scale  # type: ignore[arg-type]


def _seconds(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def _time_cell(o: Outcome) -> str:
    if o.status != "ok":
        return f"> {_seconds(total_s(o))} ({_STOPPED[o.status]})"
    sampled = o.meta["computed"] != o.meta["total"]
    return f"~{_seconds(total_s(o))} (extrapolated)" if sampled else _seconds(total_s(o))


def _speedup(o: Outcome, lc: Outcome | None) -> str:
    if o.tool == "lifecircle":
        return "—"
    if o.status in ("error", "not run") or lc is None or lc.status != "ok":
        return "n/a"
    ratio = total_s(o) / max(total_s(lc), 1e-9)
    text = f"{ratio:,.1f}×" if ratio < 100 else f"{ratio:,.0f}×"
    if o.status != "ok":
        return "≥ " + text
    return "~" + text if o.meta["computed"] != o.meta["total"] else text


def _over_c(o: Outcome, outcomes: list[Outcome]) -> str:
    """lifecircle's query CPU time ÷ the plain-C search's on the same task (both one thread).

    t3 is the polygons over C's t3r search. CPU time, as the machine may be shared.
    """
    if o.tool != "lifecircle" or o.status != "ok":
        return ""
    c = _find(outcomes, "c", "t3r" if o.task == "t3" else o.task)
    if c is None or c.status != "ok" or "query_cpu_s" not in o.meta:
        return ""
    ours, theirs = float(o.meta["query_cpu_s"]), float(c.meta["query_cpu_s"])  # type: ignore[arg-type]
    return f"{ours / max(theirs, 1e-9):,.2f} ({ours:.3g} s ÷ {theirs:.3g} s)"


def _scope(o: Outcome) -> str:
    meta = o.meta
    if "computed" not in meta:
        return ""
    if meta["computed"] == meta["total"]:
        return "all"
    return f"{meta['computed']:,} of {meta['total']:,}"


def _memory(o: Outcome) -> str:
    peak = max(float(o.meta.get("peak_mb", 0.0)), o.watched_peak_mb)  # type: ignore[arg-type]
    base = float(o.meta.get("baseline_mb", 0.0))  # type: ignore[arg-type]
    return f"{peak:,.0f} ({base:,.0f})"


def _prep_query(o: Outcome) -> tuple[str, str]:
    if o.status != "ok":
        return "", ""
    return _seconds(float(o.meta["prep_s"])), _seconds(float(o.meta["query_s"]))  # type: ignore[arg-type]


def _find(outcomes: list[Outcome], tool: str, task: str) -> Outcome | None:
    for o in outcomes:
        if o.tool == tool and o.task == task:
            return o
    return None


class _Checker:
    """Agreement of each peer row with lifecircle's result for the same task."""

    def __init__(self, network: str, outcomes: list[Outcome]) -> None:
        self.network = network
        self.outcomes = outcomes
        self._graph: tuple[sp.csr_matrix, list[np.ndarray]] | None = None

    def lc(self, task: str) -> dict[str, np.ndarray] | None:
        o = _find(self.outcomes, "lifecircle", task)
        return o.arrays if o is not None and o.status == "ok" else None

    def graph_and_facilities(self) -> tuple[sp.csr_matrix, list[np.ndarray]]:
        if self._graph is None:
            graph, tiles = load_network(self.network)
            points = sample_points(graph, tiles)
            self._graph = (graph.matrix, [points.facilities[n] for n in TYPE_NAMES])
        return self._graph

    def check(self, o: Outcome) -> compare.Agreement | None:
        if o.status != "ok":
            return None
        task, tool, peer = o.task, o.tool, o.arrays
        if tool == "lifecircle":
            return self._self_check(task, peer)
        lc = self.lc(task)
        if lc is None:
            return compare.Agreement(False, "no lifecircle result to compare with")
        if tool == "c" and task != "t1":  # t1: lifecircle sums along contracted paths
            return compare.identical(task, lc, peer)
        if task == "t1":
            return compare.nearest_costs(lc["cost_s"], peer["cost_s"], peer_name=tool)
        if task == "t3r":
            return compare.walksheds(lc, peer)
        ours = lc["count"][:, peer["nodes"]] if "nodes" in peer else lc["count"]
        if tool == "networkx":
            return compare.counts_vs_reference(ours, peer["count_lo"], peer["count_hi"])
        nodes = peer.get("nodes", np.arange(ours.shape[1]))
        boundary = None
        if (ours != peer["count"]).any():
            matrix, facilities = self.graph_and_facilities()
            boundary = compare.boundary_facilities(matrix, facilities, ours, peer["count"], nodes)
        verdict = compare.counts_float32(ours, peer["count"], boundary=boundary)
        lc1 = self.lc("t1")
        if tool == "cityseer" and lc1 is not None:
            near = compare.nearest_within(lc1["cost_s"][:, nodes], peer["near_s"])
            return compare.Agreement(verdict.ok and near.ok, f"{verdict.text}; {near.text}")
        return verdict

    def _self_check(self, task: str, arrays: dict[str, np.ndarray]) -> compare.Agreement | None:
        if task != "t3":
            return None
        cover, area = arrays["cover"], arrays["area_m2"]
        empty = int(arrays["empty"].sum())
        return compare.Agreement(
            empty == 0 and float(cover.min()) >= 0.99,
            f"{empty} empty polygons; {ENTRANCE_SAMPLE} sampled polygons hold ≥ "
            f"{float(cover.min()):.1%} of their reached nodes; median area "
            f"{float(np.median(area)) / 1e6:.2f} km²",
        )


def network_section(network: str, outcomes: list[Outcome]) -> list[str]:
    """The heading, table and notes of one network."""
    meta = next((o.meta for o in outcomes if "n_nodes" in o.meta), {})
    lines = [
        f"## {network}: {int(meta.get('n_nodes', 0)):,} nodes, "  # type: ignore[call-overload]
        f"{int(meta.get('n_edges', 0)):,} edges, "  # type: ignore[call-overload]
        f"{int(meta.get('n_facilities', 0)):,} facilities of 10 types, 1,000 entrances",
        "",
        "| task | tool | scope | prep s | query s | total s | peer ÷ lifecircle | ÷ plain C | "
        "peak RSS MiB (graph only) | agreement with lifecircle |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    checker = _Checker(network, outcomes)
    notes = []
    for task in _TASK_ORDER:
        lc = _find(outcomes, "lifecircle", task)
        for o in (o for o in outcomes if o.task == task):
            prep, query = _prep_query(o)
            verdict = checker.check(o)
            agree = "" if verdict is None else ("✅ " if verdict.ok else "❌ ") + verdict.text
            lines.append(
                f"| {task} | {o.tool} | {_scope(o)} | {prep} | {query} | {_time_cell(o)} | "
                f"{_speedup(o, lc)} | {_over_c(o, outcomes)} | {_memory(o)} | {agree} |"
            )
            notes += [f"{o.tool} {task}: {n}" for n in o.meta.get("notes", [])]  # type: ignore[attr-defined]
            if o.status == "error":
                notes.append(f"{o.tool} {task} failed: {o.log.strip().splitlines()[-1:]}")
            elif o.status in ("timeout", "memory"):
                notes.append(
                    f"{o.tool} {task}: stopped at the {_STOPPED[o.status]} after "
                    f"{o.stopped_s:.0f} s of its own work (shared preparation included); "
                    "its time and speed-up are lower bounds"
                )
    lines.append("")
    lines += [f"- {t}: {_TASK_TEXT[t]}" for t in _TASK_ORDER]
    lines.append(
        "- ÷ plain C: lifecircle's query CPU time over a plain bounded Dijkstra in C "
        "(benchmarks/plain_dijkstra.c, `cc -O2`, binary heap, touched nodes reset) on the "
        "same CSR arrays, answers checked identical (t1 to 1e-6 s: lifecircle sums along "
        "contracted chains); for t3, the polygons over C's t3r search. Preparation (the CSR "
        "matrix, loading the compiled kernels) is not in it. A query under 1 s is run again in "
        "its process (5 runs, or up to 50 until they add up to 1 s) and the best kept, for "
        "every tool"
    )
    lines += [f"- {n}" for n in notes]
    lines.append("")
    return lines


def targets(results: dict[str, list[Outcome]]) -> list[str]:
    """The issue's performance targets, judged on the synthetic city-scale network."""
    outcomes = results.get("synthetic")
    if not outcomes:
        return ["Targets are judged on the synthetic network, which this run left out.", ""]
    lines = ["## Targets (synthetic network)", ""]
    lc1, lc2 = _find(outcomes, "lifecircle", "t1"), _find(outcomes, "lifecircle", "t2")
    if lc1 is not None and lc1.status == "ok":
        t, query = total_s(lc1), float(lc1.meta["query_s"])  # type: ignore[arg-type]
        lines.append(
            f"- (1) 10 types on {lc1.meta['n_nodes']:,} nodes under 5 s: {t:.2f} s "
            f"(search {query:.2f} s + CSR matrix {t - query:.2f} s) {'✅' if t < 5 else '❌'}"
        )
    for peer, want in (("pandana", 3.0), ("cityseer", 10.0)):
        o = _find(outcomes, peer, "t2")
        if lc2 is None or o is None or lc2.status != "ok" or o.status in ("error", "not run"):
            lines.append(f"- (2) against {peer}: not measured in this run")
            continue
        ratio = total_s(o) / max(total_s(lc2), 1e-9)
        bound = "≥ " if o.status != "ok" else ("~" if o.meta["computed"] != o.meta["total"] else "")
        lines.append(
            f"- (2) ≥{want:g}× faster than {peer} (incl. its preprocessing): "
            f"{bound}{ratio:.1f}× {'✅' if ratio >= want else '❌'}"
        )
    lines += ["- district build (300k nodes, 3 profiles, < 60 s, < 4 GB): not measured here", ""]
    return lines


def _environment(elapsed_s: float) -> list[str]:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    versions = ", ".join(
        f"{p} {_version(p)}"
        for p in ("numpy", "scipy", "shapely", "networkx", "pandana", "cityseer")
    )
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return [
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {cpu}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}; {versions}; lifecircle {commit or '?'}. "
        f"Whole run {elapsed_s / 60:.1f} min; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine slows the "
        "tools, pandana's two OpenMP threads most).",
        "",
    ]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def render(results: dict[str, list[Outcome]], *, elapsed_s: float) -> str:
    """The whole report as markdown."""
    lines = ["# lifecircle engine benchmark — latest run", ""]
    lines += _environment(elapsed_s)
    lines += [
        "Times are seconds of each tool's own work (the network build, common to all, is not "
        "counted); *total* = prep + query, the query scaled to every node or entrance when the "
        "tool ran on a sample. *peer ÷ lifecircle* > 1 means lifecircle is faster. Peak RSS is "
        "the high-water mark of the tool's own process; in brackets, the same after building the "
        "network and points only. See benchmarks/README.md for method and tolerances.",
        "",
    ]
    for network, outcomes in results.items():
        lines += network_section(network, outcomes)
    lines += targets(results)
    return "\n".join(lines)
