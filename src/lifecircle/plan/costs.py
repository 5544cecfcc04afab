"""Walking costs from candidate sites (or facilities) to compound gates, within a limit.

One bounded multi-source search per site (sites near each other share a scipy call, see
:func:`lifecircle.engine.bounded.search_batches`); a compound's cost is its best gate's. Arrays in,
a sparse matrix out: no records, no store.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from lifecircle.engine.attach import Walk
from lifecircle.engine.bounded import search_batches
from lifecircle.engine.rules import inclusive


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
    graph = points.graph
    shape = (points.n_compounds, n_sites)
    nodes, owner = np.asarray(site_nodes, np.int64), np.asarray(site_owner, np.int64)
    gates, gate_owner = points.entrance_nodes, points.entrance_owner
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
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
    if not rows:
        return sp.csr_matrix(shape)
    return _min_per_pair(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), shape)


def _min_per_pair(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """Keep the smallest value of every (row, col) pair (a compound's best gate)."""
    order = np.lexsort((vals, cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    matrix = sp.csr_matrix((vals[first], (rows[first], cols[first])), shape=shape)
    matrix.sort_indices()
    return matrix
