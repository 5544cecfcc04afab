"""build_walk: one network per network version, the points attached once per data version."""

from __future__ import annotations

import dataclasses

import numpy as np

from lifecircle.engine.profiles import ELDERLY, STANDARD, WHEELCHAIR
from lifecircle.engine.walk import build_walk
from lifecircle.jobs.area import read_area
from lifecircle.jobs.imports import import_sheet
from lifecircle.model import Facility
from tests.conftest import SMALL_OSM


def test_points_are_attached_once_and_cached_per_data_version(make_project, tmp_path):
    project = make_project(osm=SMALL_OSM)
    data = read_area(project)
    cache = project.cache_dir
    fresh = build_walk(data, ELDERLY)
    first = build_walk(data, STANDARD, cache_dir=cache)
    (attached,) = (cache / "graphs").glob("attached-*.npz")
    stamp = attached.stat().st_mtime_ns
    again = build_walk(data, ELDERLY, cache_dir=cache)  # read back, not attached again
    assert attached.stat().st_mtime_ns == stamp
    assert again.graph.n_nodes == first.graph.n_nodes == fresh.graph.n_nodes
    for name in ("facility_nodes", "facility_of_point", "entrance_nodes", "board_nodes"):
        np.testing.assert_array_equal(getattr(again, name), getattr(fresh, name))
    np.testing.assert_array_equal(again.graph.edge_cost, fresh.graph.edge_cost)
    assert again.reported == fresh.reported
    # a facility import is a new data version: the points are attached anew
    lon, lat = data.ways[3].coords[0]
    sheet = tmp_path / "f.csv"
    sheet.write_text(f"名称,类型,经度,纬度\n新药店,药店,{lon},{lat}\n", encoding="utf-8")
    import_sheet(project, "facilities", sheet)
    newer = read_area(project)
    walk = build_walk(newer, WHEELCHAIR, cache_dir=cache)
    assert len(walk.type_codes) == len(data.facilities) + 1
    (replaced,) = (cache / "graphs").glob("attached-*.npz")
    assert replaced != attached


def test_a_damaged_attached_cache_is_made_again(make_project):
    project = make_project(osm=SMALL_OSM)
    data = read_area(project)
    first = build_walk(data, STANDARD, cache_dir=project.cache_dir)
    (path,) = (project.cache_dir / "graphs").glob("attached-*.npz")
    path.write_bytes(b"not a walk")
    again = build_walk(data, STANDARD, cache_dir=project.cache_dir)
    np.testing.assert_array_equal(again.facility_nodes, first.facility_nodes)
    assert path.read_bytes() != b"not a walk"


def test_facilities_added_in_memory_are_attached_not_read_from_the_cache(make_project):
    """A plan opens its sites in memory (same data version) to check what they cover."""
    project = make_project(osm=SMALL_OSM)
    data = read_area(project)
    before = build_walk(data, STANDARD, cache_dir=project.cache_dir)
    lon, lat = data.ways[5].coords[0]
    site = Facility("plan:x", "规划点", "elderly_canteen", lon, lat, status="open")
    more = dataclasses.replace(data, facilities=(*data.facilities, site))
    after = build_walk(more, STANDARD, cache_dir=project.cache_dir)
    assert len(after.type_codes) == len(before.type_codes) + 1
    assert len(after.facilities_unreached) == len(before.facilities_unreached)
    assert len(data.facilities) in after.facility_of_point
