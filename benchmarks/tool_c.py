"""The plain-C yardstick: benchmarks/plain_dijkstra.c built with the system compiler, via ctypes.

The same three searches as lifecircle's tasks on the same CSR arrays (``graph.matrix``): nearest
of each type (t1, unbounded multi-source), counts within 15 minutes (t2, one bounded search per
facility, inclusive limit as lifecircle's) and each entrance's reached costs (t3r). Compiling is
not timed; handing over the arrays is the preparation. The report checks the answers equal to
lifecircle's and prints lifecircle ÷ C.
"""

from __future__ import annotations

import ctypes
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.common import ENTRANCE_SAMPLE, LIMIT_S, Run, pack_reached
from benchmarks.networks import TYPE_NAMES, Points, entrance_sample
from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.rules import inclusive

SOURCE = Path(__file__).with_name("plain_dijkstra.c")
_LIB: ctypes.CDLL | None = None


def library() -> ctypes.CDLL:
    """Compile the C file once per process (``cc -O2``) and load it."""
    global _LIB
    if _LIB is None:
        out = Path(tempfile.mkdtemp(prefix="lifecircle-c-")) / "plain_dijkstra.so"
        cmd = ["cc", "-O2", "-shared", "-fPIC", "-o", str(out), str(SOURCE), "-lm"]
        subprocess.run(cmd, check=True)
        _LIB = ctypes.CDLL(str(out))
        _LIB.reached.restype = ctypes.c_int64
    return _LIB


def _p(array: np.ndarray) -> ctypes.c_void_p:
    return ctypes.c_void_p(array.ctypes.data)


def _csr(graph: WalkGraph, run: Run) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    with run.timing("prep"):
        m = graph.matrix
        arrays = (
            np.ascontiguousarray(m.indptr, np.int32),
            np.ascontiguousarray(m.indices, np.int32),
            np.ascontiguousarray(m.data, np.float64),
        )
    return (graph.n_nodes, *arrays)


def _typed(points: Points) -> tuple[np.ndarray, np.ndarray]:
    per_type = [np.asarray(points.facilities[name], np.int64) for name in TYPE_NAMES]
    ptr = np.zeros(len(per_type) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in per_type], out=ptr[1:])
    return ptr, np.concatenate(per_type)


def task1(graph: WalkGraph, points: Points) -> Run:
    """Nearest facility of each type, every node: one unbounded search per type."""
    lib = library()
    run = Run(computed=graph.n_nodes, total=graph.n_nodes)
    n, indptr, indices, data = _csr(graph, run)
    ptr, sources = _typed(points)
    cost = np.empty((len(TYPE_NAMES), n))
    with run.timing("query"):
        lib.nearest(
            ctypes.c_int64(n), _p(indptr), _p(indices), _p(data),
            ctypes.c_int64(len(TYPE_NAMES)), _p(ptr), _p(sources), _p(cost),
        )  # fmt: skip
    run.arrays["cost_s"] = cost
    return run


def task2(graph: WalkGraph, points: Points) -> Run:
    """Counts of each type within 15 minutes, every node: one bounded search per facility."""
    lib = library()
    run = Run(computed=graph.n_nodes, total=graph.n_nodes)
    n, indptr, indices, data = _csr(graph, run)
    ptr, sources = _typed(points)
    count = np.zeros((len(TYPE_NAMES), n), dtype=np.int32)
    with run.timing("query"):
        lib.counts(
            ctypes.c_int64(n), _p(indptr), _p(indices), _p(data),
            ctypes.c_int64(len(TYPE_NAMES)), _p(ptr), _p(sources),
            ctypes.c_double(inclusive(LIMIT_S)), _p(count),
        )  # fmt: skip
    run.arrays["count"] = count
    return run


def task3r(graph: WalkGraph, points: Points) -> Run:
    """Each entrance's reached nodes and costs within 15 minutes (as lifecircle's t3r)."""
    lib = library()
    run = Run(computed=len(points.entrances), total=len(points.entrances))
    n, indptr, indices, data = _csr(graph, run)
    starts = np.asarray(points.entrances, np.int64)
    row_ptr = np.zeros(len(starts) + 1, dtype=np.int64)
    cap = max(1 << 20, 4096 * len(starts))
    while True:
        out_node, out_cost = np.empty(cap, dtype=np.int64), np.empty(cap)
        with run.timing("query"):
            total = lib.reached(
                ctypes.c_int64(n), _p(indptr), _p(indices), _p(data),
                ctypes.c_int64(len(starts)), _p(starts), ctypes.c_double(LIMIT_S),
                _p(row_ptr), _p(out_node), _p(out_cost), ctypes.c_int64(cap),
            )  # fmt: skip
        if total >= 0:
            break
        cap *= 4  # too small: the timing of the cut-short try is kept, a fair penalty
    sample = entrance_sample(points, ENTRANCE_SAMPLE)
    reached = [
        (out_node[row_ptr[i] : row_ptr[i + 1]], out_cost[row_ptr[i] : row_ptr[i + 1]])
        for i in sample.tolist()
    ]
    run.arrays |= pack_reached(reached)
    return run


TASKS = {"t1": task1, "t2": task2, "t3r": task3r}
