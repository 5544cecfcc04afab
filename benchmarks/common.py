"""What every benchmark worker shares: task settings, the per-run record and memory readings.

Holds no tool-specific code; a worker fills a :class:`Run`, the orchestrator reads it back.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from lifecircle.engine.profiles import STANDARD

#: Task 2 and 3 limit: 15 minutes of the standard profile, in seconds.
LIMIT_S = STANDARD.threshold(15)
#: Task 1 search radius for pandana (it needs one): 45 min, above every nearest cost here.
PANDANA_MAXDIST_S = 45 * 60.0
#: Entrances whose walksheds the reference recomputes (networkx, task 3).
ENTRANCE_SAMPLE = 50
TASKS = {
    "t1": "minutes to the nearest facility of each of 10 types, every node",
    "t2": "counts of each of 10 types within 15 min, every node",
    "t3": "1,000 entrance walksheds with 15-min polygons",
}


@dataclass
class Run:
    """One tool doing one task on one network, as measured inside its own process.

    ``prep_s`` is the tool's own set-up (contraction, structure building, graph copy);
    ``query_s`` the task itself on ``computed`` of ``total`` items (nodes or entrances); when
    ``computed < total`` the orchestrator extrapolates ``query_s`` linearly and says so.
    """

    prep_s: float = 0.0
    query_s: float = 0.0
    #: CPU seconds of the query (this process): steadier than wall time on a shared machine
    query_cpu_s: float = 0.0
    computed: int = 0
    total: int = 0
    notes: list[str] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    @contextmanager
    def timing(self, what: str) -> Iterator[None]:
        start, cpu = time.perf_counter(), time.process_time()
        yield
        elapsed = time.perf_counter() - start
        if what == "prep":
            self.prep_s += elapsed
        else:
            self.query_s += elapsed
            self.query_cpu_s += time.process_time() - cpu


TaskFn = Callable[..., Run]


def rss_mb(field_name: str = "VmHWM") -> float:
    """This process's resident memory (``VmRSS``) or its high-water mark (``VmHWM``) in MiB."""
    return _status_mb("/proc/self/status", field_name)


def proc_rss_mb(pid: int, field_name: str = "VmHWM") -> float:
    """Another process's resident memory or high-water mark in MiB (0 once it has gone)."""
    try:
        return _status_mb(f"/proc/{pid}/status", field_name)
    except OSError:
        return 0.0


def _status_mb(path: str, field_name: str) -> float:
    with open(path, encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (``getrusage``)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def save_run(run: Run, out: Path, meta: dict[str, object]) -> None:
    """Write the arrays (``.npz``) and the timings and memory (``.json``) of one run."""
    np.savez(out.with_suffix(".npz"), **run.arrays)
    record = {k: v for k, v in asdict(run).items() if k != "arrays"} | meta
    out.with_suffix(".json").write_text(json.dumps(record, indent=1), encoding="utf-8")


def load_run(out: Path) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    """Read back what :func:`save_run` wrote (empty arrays if the worker never finished)."""
    meta = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    npz = out.with_suffix(".npz")
    arrays = dict(np.load(npz)) if npz.exists() else {}
    return meta, arrays


def type_matrix(per_type: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    """Stack per-type node arrays into one (types × nodes) array in ``names`` order."""
    return np.stack([np.asarray(per_type[name]) for name in names])


def pack_reached(reached: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, np.ndarray]:
    """Flatten per-origin (nodes, costs) lists into three arrays for an ``.npz``."""
    sizes = np.array([len(n) for n, _ in reached], dtype=np.int64)
    start = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=start[1:])
    nodes = np.concatenate([n for n, _ in reached]) if reached else np.empty(0, np.int64)
    costs = np.concatenate([c for _, c in reached]) if reached else np.empty(0)
    return {"reach_start": start, "reach_node": nodes.astype(np.int64), "reach_cost": costs}


def unpack_reached(arrays: dict[str, np.ndarray]) -> list[dict[int, float]]:
    """Inverse of :func:`pack_reached`: one {node: cost} dict per origin."""
    start, nodes, costs = arrays["reach_start"], arrays["reach_node"], arrays["reach_cost"]
    return [
        dict(zip(nodes[a:b].tolist(), costs[a:b].tolist(), strict=True))
        for a, b in pairwise(start.tolist())
    ]
