"""Hand-drawn walk graphs for tests: ways by node id on a local metre grid (not OSM data)."""

from __future__ import annotations

from lifecircle.engine.network import build_walk_graph
from lifecircle.engine.profiles import STANDARD
from lifecircle.geo import local_metric_transformer
from lifecircle.model import WalkNode, WalkWay

#: Every sketch is drawn around a point in Hexi, Tianjin; x/y are metres east/north of it.
METRIC = local_metric_transformer(117.2, 39.1)


def lonlat(x, y):
    """WGS-84 lon/lat of a point given in sketch metres."""
    lon, lat = METRIC.to_lonlat(float(x), float(y))
    return (float(lon), float(lat))


class Sketch:
    """Draw ways by node id on a metre grid; node positions are given once."""

    def __init__(self):
        self.xy = {}
        self.ways = []
        self.nodes = []

    def at(self, node_id, x, y):
        self.xy[node_id] = (x, y)
        return self

    def way(self, way_id, node_ids, **tags):
        coords = tuple(lonlat(*self.xy[n]) for n in node_ids)
        self.ways.append(WalkWay(way_id, tuple(node_ids), coords, tags or {"highway": "footway"}))
        return self

    def tag(self, node_id, **tags):
        self.nodes.append(WalkNode(node_id, *lonlat(*self.xy[node_id]), dict(tags)))
        return self

    def graph(self, profile=STANDARD, rules=None):
        return build_walk_graph(self.ways, self.nodes, profile, rules=rules, metric=METRIC)
