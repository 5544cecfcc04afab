"""Walking costs from candidate sites (or facilities) to compound gates, within a limit.

One bounded multi-source search per site (sites near each other share a scipy call, see
:func:`lifecircle.engine.bounded.search_batches`); a compound's cost is its best gate's. Arrays in,
a sparse matrix out: no records, no store.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from lifecircle.engine.attach import Walk
from lifecircle.engine.bounded import search_batches
from lifecircle.engine.rules import inclusive


@dataclass(frozen=True, eq=False)
class GateCosts:
    """Costs from every compound to every site within a limit, and the gate each walk leaves by.

    ``cost`` and ``gate`` share one sparsity pattern (``points.n_compounds × n_sites``);
    ``gate`` holds ``1 +`` the index of the compound's best gate in ``points.entrance_nodes``
    (so that the first gate is not a zero the matrix would drop).
    """

    cost: sp.csr_matrix
    gate: sp.csr_matrix


def gate_costs(
    points: Walk,
    site_nodes: np.ndarray,
    site_owner: np.ndarray,
    *,
    n_sites: int,
    limit: float,
) -> sp.csr_matrix:
    """Cost from every compound (its best gate) to every site within ``limit`` (inclusive).

    Parameters
    ----------
    points
        The attached graph with its compound gates (:func:`lifecircle.engine.access.attach_all`).
    site_nodes, site_owner
        Graph node of every site access point and the site (column) it belongs to; a site
        with several access points is reached at its nearest one.
    n_sites
        Number of columns.
    limit
        Largest cost of interest, in the graph's unit (seconds, or metres).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``points.n_compounds × n_sites``; stored entries are the costs of the pairs within
        ``limit`` (a cost of 0 is stored too).

    Examples
    --------
    >>> from lifecircle.engine.bounded import street_graph
    >>> from lifecircle.engine.attach import attach_all
    >>> from lifecircle.model import Compound
    >>> g = street_graph(0.0, 120.0, 240.0, 360.0)  # 100 s between neighbours
    >>> lon, lat = g.node_lonlat()
    >>> pts = attach_all(g, compounds=[Compound("c", "c", float(lon[0]), float(lat[0]))])
    >>> costs = gate_costs(pts, np.array([1, 3]), np.array([0, 1]), n_sites=2, limit=250.0)
    >>> costs.indices.tolist(), costs.data.round(3).tolist()  # site 1 is 300 s away
    ([0], [100.0])
    """
    return gate_costs_by_gate(points, site_nodes, site_owner, n_sites=n_sites, limit=limit).cost


def gate_costs_by_gate(
    points: Walk,
    site_nodes: np.ndarray,
    site_owner: np.ndarray,
    *,
    n_sites: int,
    limit: float,
) -> GateCosts:
    """Like :func:`gate_costs`, and say which gate of the compound each best walk starts at.

    Examples
    --------
    >>> from lifecircle.engine.bounded import street_graph
    >>> from lifecircle.engine.attach import attach_all
    >>> from lifecircle.model import Compound
    >>> g = street_graph(0.0, 120.0, 240.0, 360.0)  # 100 s between neighbours
    >>> lon, lat = g.node_lonlat()
    >>> gates = ((float(lon[0]), float(lat[0])), (float(lon[3]), float(lat[3])))
    >>> pts = attach_all(g, compounds=[Compound("c", "c", 0.0, 0.0, entrances=gates)])
    >>> found = gate_costs_by_gate(pts, np.array([2]), np.array([0]), n_sites=1, limit=250.0)
    >>> found.cost.data.round(3).tolist(), (found.gate.data - 1).tolist()  # the far gate
    ([100.0], [1])
    """
    graph = points.graph
    shape = (points.n_compounds, n_sites)
    nodes, owner = np.asarray(site_nodes, np.int64), np.asarray(site_owner, np.int64)
    gates, gate_owner = points.entrance_nodes, points.entrance_owner
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    used: list[np.ndarray] = []
    order = np.argsort(owner, kind="stable")
    nodes, owner = nodes[order], owner[order]
    for batch in search_batches(graph, nodes, owner, limit=float(limit)):
        local = batch.local(gates)
        seen = local >= 0
        if not seen.any():
            continue
        dist = batch.dist[batch.origin_row][:, local[seen]]
        best = np.minimum.reduceat(dist, batch.unit_start, axis=0)
        site = owner[batch.origins][batch.unit_start]
        r, c = np.nonzero(best <= inclusive(limit))
        rows.append(gate_owner[seen][c])
        cols.append(site[r])
        vals.append(best[r, c])
        used.append(np.flatnonzero(seen)[c])
    if not rows:
        return GateCosts(sp.csr_matrix(shape), sp.csr_matrix(shape, dtype=np.int64))
    return _min_per_pair(
        np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), np.concatenate(used),
        shape,
    )  # fmt: skip


def _min_per_pair(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, gates: np.ndarray, shape: tuple[int, int]
) -> GateCosts:
    """Keep the smallest value of every (row, col) pair (a compound's best gate), and its gate."""
    order = np.lexsort((vals, cols, rows))
    rows, cols, vals, gates = rows[order], cols[order], vals[order], gates[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    at = (rows[first], cols[first])
    matrix = sp.csr_matrix((vals[first], at), shape=shape)
    matrix.sort_indices()
    gate = sp.csr_matrix((gates[first].astype(np.int64) + 1, at), shape=shape)
    gate.sort_indices()
    return GateCosts(matrix, gate)


def gate_lonlat(points: Walk) -> np.ndarray:
    """Where each gate of ``points.entrance_nodes`` is: an ``n × 2`` array of lon, lat."""
    table = points.points
    mask = (table.kind == "compound") & (table.node >= 0)
    return np.column_stack([table.lon[mask], table.lat[mask]]).astype(float)
