"""Walking cost from each board to every facility, for the numbered list of a board.

The build caches only the nearest facility of each type; a board lists the nearest few, so this
rebuilds the profile's walk graph exactly as :func:`lifecircle.build.build_profile` does and runs
one bounded search per board. It draws nothing and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse.csgraph import dijkstra

from lifecircle.access import attach_all
from lifecircle.build import AreaData
from lifecircle.network import build_walk_graph
from lifecircle.profiles import WalkProfile

#: Boards searched per dijkstra call (bounds the dense boards × nodes matrix).
CHUNK = 32


def facility_costs(
    data: AreaData,
    profile: WalkProfile,
    *,
    boards: Sequence[int],
    limit: float,
    max_snap_m: float,
) -> np.ndarray:
    """Cost from each board to each facility, ``inf`` beyond ``limit`` or when unreachable.

    Returns a ``(len(boards), len(data.facilities))`` float array in the profile's unit
    (seconds, or metres in the distance convention). Planned and closed facilities are never
    reached; a facility with several access points costs its cheapest one.
    """
    graph = build_walk_graph(data.ways, data.nodes, profile, rules=data.rules)
    points = attach_all(
        graph,
        facilities=data.facilities,
        compounds=data.compounds,
        boards=data.boards,
        max_snap_m=max_snap_m,
    )
    owner = points.facility_of_point
    keep = ~points.planned[owner] if len(owner) else np.zeros(0, dtype=bool)
    fac_nodes, fac_owner = points.facility_nodes[keep], owner[keep]
    rows = np.asarray(boards, dtype=np.int64)
    starts = points.board_nodes[rows] if len(rows) else np.zeros(0, dtype=np.int64)
    costs = np.full((len(rows), len(data.facilities)), np.inf)
    matrix = points.graph.matrix
    reached = np.flatnonzero(starts >= 0)
    for begin in range(0, len(reached), CHUNK):
        part = reached[begin : begin + CHUNK]
        dist = dijkstra(matrix, directed=False, indices=starts[part], limit=limit)
        dist = np.atleast_2d(dist)[:, fac_nodes]
        block = np.full((len(part), len(data.facilities)), np.inf)
        np.minimum.at(block.T, fac_owner, dist.T)
        costs[part] = block
    return costs
