"""Cutting a real extract with osmium-tool: polygons grown in metres, ways kept whole."""

from __future__ import annotations

import osmium
import pytest
import shapely
from shapely.geometry import Point, box

from lifecircle.errors import ConfigError, OsmFileError
from lifecircle.geo import haversine_m
from lifecircle.io import osm_cut
from lifecircle.io.osm_cut import buffered, cut_extract
from lifecircle.jobs.demo import demo_file

HELSINKI = demo_file("helsinki.osm.pbf")  # real OSM, © OpenStreetMap contributors


def test_a_polygon_grows_by_metres_on_every_side():
    square = box(117.20, 39.10, 117.21, 39.11)
    grown = buffered(square, 500)
    west, south, east, north = grown.bounds
    assert haversine_m(west, 39.105, 117.20, 39.105) == pytest.approx(500, abs=2)
    assert haversine_m(117.205, north, 117.205, 39.11) == pytest.approx(500, abs=2)
    assert haversine_m(east, 39.105, 117.21, 39.105) == pytest.approx(500, abs=2)
    assert haversine_m(117.205, south, 117.205, 39.10) == pytest.approx(500, abs=2)
    assert buffered(square, 0).equals(square)


def _ways_and_nodes(path):
    ways, nodes = {}, {}
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            nodes[obj.id] = (obj.location.lon, obj.location.lat)
        elif obj.is_way():
            ways[obj.id] = [n.ref for n in obj.nodes]
    return ways, nodes


def test_each_polygon_gets_the_ways_entering_it_whole(tmp_path):
    west = box(24.9352, 60.1642, 24.9443, 60.1716)
    east = box(24.9443, 60.1716, 24.9534, 60.1791)
    cuts = cut_extract(HELSINKI, {"west": west, "east": east}, tmp_path / "cut")
    assert set(cuts) == {"west", "east"}
    all_ways, all_nodes = _ways_and_nodes(HELSINKI)
    for name, polygon in (("west", west), ("east", east)):
        ways, nodes = _ways_and_nodes(cuts[name])
        assert 100 < len(ways) < len(all_ways)
        for refs in ways.values():
            # complete ways: every node of the way the source holds is there
            assert {r for r in refs if r in all_nodes} <= set(nodes)
        inside = {i for i, xy in nodes.items() if polygon.contains(Point(xy))}
        crossing = [r for r in ways.values() if set(r) & inside and set(r) & (set(nodes) - inside)]
        assert crossing  # ways crossing the line are kept whole, beyond it too
    assert shapely.intersection(west, east).geom_type == "Point"  # the tiles only touch


def test_a_missing_extract_or_osmium_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(OsmFileError, match="not found"):
        cut_extract(tmp_path / "none.osm.pbf", {"a": box(0, 0, 1, 1)}, tmp_path / "cut")
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"not osm at all")
    with pytest.raises(OsmFileError, match=r"osmium could not cut .*broken\.osm\.pbf"):
        cut_extract(broken, {"a": box(0, 0, 1, 1)}, tmp_path / "cut")
    monkeypatch.setattr(osm_cut.shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match="osmium-tool"):
        cut_extract(HELSINKI, {"a": box(0, 0, 1, 1)}, tmp_path / "cut")


def test_polygons_go_to_osmium_a_few_at_a_time_and_a_kill_is_named(tmp_path, monkeypatch):
    calls = []
    real_run = osm_cut.subprocess.run

    def counting(args, **kwargs):
        calls.append(args)
        return real_run(args, **kwargs)

    monkeypatch.setattr(osm_cut.subprocess, "run", counting)
    tiles = {str(k): box(24.94, 60.165 + k * 0.002, 24.95, 60.166 + k * 0.002) for k in range(3)}
    cuts = cut_extract(HELSINKI, tiles, tmp_path / "cut")
    assert all(path.stat().st_size > 1000 for path in cuts.values())
    assert len(calls) == -(-3 // osm_cut.EXTRACTS_PER_PASS)  # memory grows with polygons a pass

    def killed(args, **kwargs):
        return osm_cut.subprocess.CompletedProcess(args, -9, "", "")

    monkeypatch.setattr(osm_cut.subprocess, "run", killed)
    with pytest.raises(OsmFileError, match=r"stopped by the system \(signal 9\).*out of memory"):
        cut_extract(HELSINKI, tiles, tmp_path / "cut2")
