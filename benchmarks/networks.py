"""Benchmark networks and points: the real central-Helsinki walk graph and a city-scale tiling.

Every tool gets the same graph arrays and the same seeded facility and entrance nodes; nothing
here times anything or imports a peer library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse.csgraph as csgraph

from lifecircle.engine.graph import WalkGraph
from lifecircle.engine.network import build_walk_graph
from lifecircle.engine.profiles import STANDARD
from lifecircle.io.osm import read_osm
from lifecircle.jobs.demo import demo_file

#: Facility types in every run (names only: the benchmark needs ten independent point sets).
N_TYPES = 10
TYPE_NAMES = tuple(f"type_{i}" for i in range(N_TYPES))
#: Facilities of each type per copy of the Helsinki graph (≈3.6 per 1,000 nodes per type, the
#: density of the design's district: 10k facilities of ~60 types on ~300k nodes, rounded up).
FACILITIES_PER_TYPE_PER_TILE = 15
N_ENTRANCES = 1000
SEED = 20240603
#: Synthetic network: 16 × 16 copies of the Helsinki graph, 60 m apart, 8 links per side.
TILES = (16, 16)
GAP_M = 60.0
STITCHES_PER_SIDE = 8
#: Marks the stitching edges in ``edge_way`` (OSM links and connectors use -1).
STITCH_WAY = -2
NETWORKS = ("helsinki", "nanjing", "synthetic")


@dataclass(frozen=True)
class Points:
    """Seeded facility and entrance nodes shared by all tools.

    ``facilities[name]`` are node indices of one type; ``entrances`` are node indices.
    """

    facilities: dict[str, np.ndarray]
    entrances: np.ndarray


def helsinki_graph() -> WalkGraph:
    """The largest connected part of the packaged central-Helsinki extract (standard profile)."""
    extract = read_osm(demo_file("helsinki.osm.pbf"), match_type=lambda tags: None)
    graph = build_walk_graph(extract.ways, extract.nodes, STANDARD)
    return largest_component(graph)


def largest_component(graph: WalkGraph) -> WalkGraph:
    """Keep only the largest connected part, so tiles stitch into one connected network."""
    _, label = csgraph.connected_components(graph.matrix, directed=False)
    keep_node = label == np.bincount(label).argmax()
    new_index = np.cumsum(keep_node) - 1
    keep_edge = keep_node[graph.edge_u]
    edges = np.flatnonzero(keep_edge)
    sizes = np.diff(graph.coord_start)[edges]
    coord_start = np.zeros(len(edges) + 1, dtype=np.int64)
    np.cumsum(sizes, out=coord_start[1:])
    coords = np.concatenate([graph.edge_coords(int(i)) for i in edges])
    return WalkGraph(
        profile=graph.profile,
        metric=graph.metric,
        node_xy=graph.node_xy[keep_node],
        node_osm=graph.node_osm[keep_node],
        edge_u=new_index[graph.edge_u[edges]],
        edge_v=new_index[graph.edge_v[edges]],
        edge_cost=graph.edge_cost[edges],
        edge_length_m=graph.edge_length_m[edges],
        edge_way=graph.edge_way[edges],
        edge_side=graph.edge_side[edges],
        coord_start=coord_start,
        coords_xy=coords,
        notes=graph.notes,
    )


def _stitches(base: WalkGraph, axis: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nodes farthest along ``axis`` (x: east, y: north) and nearest its low side,
    each sorted along the other axis so the i-th high node pairs with the i-th low node."""
    order = np.argsort(base.node_xy[:, axis], kind="stable")
    low, high = order[:k], order[-k:]
    other = 1 - axis
    return (
        high[np.argsort(base.node_xy[high, other], kind="stable")],
        low[np.argsort(base.node_xy[low, other], kind="stable")],
    )


def tile_graph(
    base: WalkGraph,
    *,
    tiles: tuple[int, int] = TILES,
    gap_m: float = GAP_M,
    stitches: int = STITCHES_PER_SIDE,
) -> WalkGraph:
    """Copy ``base`` onto a grid of ``tiles`` and join neighbouring copies into one network.

    Copy ``(i, j)`` is shifted by ``(i * (width + gap_m), j * (height + gap_m))``. Between
    east-west neighbours the ``stitches`` east-most nodes of the western copy, ordered by y, are
    joined one to one to the ``stitches`` west-most nodes of the eastern copy, ordered by y, by
    straight edges walked at the profile's speed; north-south neighbours likewise (ordered by x).
    """
    nx_, ny_ = tiles
    n, m = base.n_nodes, base.n_edges
    span = base.node_xy.max(axis=0) - base.node_xy.min(axis=0) + gap_m
    shift = np.array([(i * span[0], j * span[1]) for j in range(ny_) for i in range(nx_)])
    n_tiles = len(shift)
    node_off = np.arange(n_tiles, dtype=np.int64) * n
    node_xy = (base.node_xy[None, :, :] + shift[:, None, :]).reshape(-1, 2)
    u = (base.edge_u[None, :] + node_off[:, None]).ravel()
    v = (base.edge_v[None, :] + node_off[:, None]).ravel()
    coords = (base.coords_xy[None, :, :] + shift[:, None, :]).reshape(-1, 2)
    sizes = np.tile(np.diff(base.coord_start), n_tiles)
    su, sv = [], []
    for axis, (di, dj) in ((0, (1, 0)), (1, (0, 1))):
        high, low = _stitches(base, axis, stitches)
        for j in range(ny_ - dj):
            for i in range(nx_ - di):
                a, b = j * nx_ + i, (j + dj) * nx_ + (i + di)
                su.append(high + a * n)
                sv.append(low + b * n)
    s_u, s_v = np.concatenate(su), np.concatenate(sv)
    s_len = np.hypot(*(node_xy[s_u] - node_xy[s_v]).T)
    s_cost = s_len / base.profile.speed_mps
    s_geoms = np.stack([node_xy[s_u], node_xy[s_v]], axis=1).reshape(-1, 2)
    all_sizes = np.concatenate([sizes, np.full(len(s_u), 2)])
    coord_start = np.zeros(len(all_sizes) + 1, dtype=np.int64)
    np.cumsum(all_sizes, out=coord_start[1:])
    return WalkGraph(
        profile=base.profile,
        metric=base.metric,
        node_xy=node_xy,
        node_osm=np.tile(base.node_osm, n_tiles),
        edge_u=np.concatenate([u, s_u]),
        edge_v=np.concatenate([v, s_v]),
        edge_cost=np.concatenate([np.tile(base.edge_cost, n_tiles), s_cost]),
        edge_length_m=np.concatenate([np.tile(base.edge_length_m, n_tiles), s_len]),
        edge_way=np.concatenate([np.tile(base.edge_way, n_tiles), np.full(len(s_u), STITCH_WAY)]),
        edge_side=np.concatenate([np.tile(base.edge_side, n_tiles), np.zeros(len(s_u), np.int8)]),
        coord_start=coord_start,
        coords_xy=np.concatenate([coords, s_geoms]),
        notes=(f"synthetic: {nx_}x{ny_} copies of {n} nodes / {m} edges, gap {gap_m:g} m",),
    )


def nanjing_graph() -> WalkGraph:
    """The largest connected part of the demo's Nanjing (Xinjiekou) extract (standard profile)."""
    extract = read_osm(demo_file("nanjing_xinjiekou.osm.pbf"), match_type=lambda tags: None)
    return largest_component(build_walk_graph(extract.ways, extract.nodes, STANDARD))


def load_network(name: str) -> tuple[WalkGraph, int]:
    """The named benchmark network and how many copies of the Helsinki graph it holds."""
    if name == "nanjing":
        return nanjing_graph(), 1
    base = helsinki_graph()
    if name == "helsinki":
        return base, 1
    if name == "synthetic":
        return tile_graph(base), TILES[0] * TILES[1]
    raise ValueError(f"unknown network {name!r}; choose one of {', '.join(NETWORKS)}")


def unique_xy_nodes(graph: WalkGraph) -> np.ndarray:
    """Nodes whose coordinates no other node shares.

    Split sidewalks of an uncrossable road share their OSM node's position; peers that snap
    points to the nearest node by coordinates (pandana, cityseer) could pick the twin.
    """
    _, first, counts = np.unique(graph.node_xy, axis=0, return_index=True, return_counts=True)
    return np.sort(first[counts == 1])


def sample_points(graph: WalkGraph, n_tiles: int, *, seed: int = SEED) -> Points:
    """Seeded facilities (15 per type per tile) and 1,000 entrances on unique-coordinate nodes."""
    rng = np.random.default_rng(seed)
    pool = unique_xy_nodes(graph)
    per_type = FACILITIES_PER_TYPE_PER_TILE * n_tiles
    facilities = {
        name: np.sort(rng.choice(pool, size=per_type, replace=False)) for name in TYPE_NAMES
    }
    entrances = np.sort(rng.choice(pool, size=min(N_ENTRANCES, len(pool)), replace=False))
    return Points(facilities=facilities, entrances=entrances)


def sample_nodes(graph: WalkGraph, size: int, *, seed: int = SEED + 1) -> np.ndarray:
    """A seeded sample of node indices (for peers too slow to run on every node)."""
    if size >= graph.n_nodes:
        return np.arange(graph.n_nodes)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(graph.n_nodes, size=size, replace=False))


def entrance_sample(points: Points, size: int, *, seed: int = SEED + 2) -> np.ndarray:
    """Positions in ``points.entrances`` of a seeded sample of them, for reference checks."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(len(points.entrances), size=size, replace=False))
