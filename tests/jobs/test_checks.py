"""Location checks on a hand-made street grid in Hexi, Tianjin (synthetic, not OSM data)."""

import numpy as np
import pytest
import shapely

from lifecircle import geo as crs_io
from lifecircle.errors import LocationError
from lifecircle.jobs.checks import (
    LocatedPoint,
    build_area_index,
    check_crs,
    check_outside,
    far_from_network,
)
from lifecircle.model import WalkWay

LON0, LAT0 = 117.200, 39.100
STEP = 0.0025  # ~215 m east-west, ~280 m north-south


def _grid(n: int = 6) -> list[WalkWay]:
    ways, way_id = [], 1
    for i in range(n):
        lon = LON0 + i * STEP
        ways.append(WalkWay(way_id, (1, 2), ((lon, LAT0), (lon, LAT0 + (n - 1) * STEP))))
        lat = LAT0 + i * STEP
        ways.append(WalkWay(way_id + 1, (3, 4), ((LON0, lat), (LON0 + (n - 1) * STEP, lat))))
        way_id += 2
    return ways


@pytest.fixture(scope="module")
def index():
    return build_area_index(_grid(), boundary=None, margin_m=500)


def _on_roads(n: int = 8) -> list[LocatedPoint]:
    rng = np.random.default_rng(7)
    points = []
    for row in range(n):
        lon = LON0 + rng.integers(0, 6) * STEP  # on a north-south street
        lat = LAT0 + rng.uniform(0, 5) * STEP
        points.append(LocatedPoint(row + 2, f"p{row}", float(lon), float(lat)))
    return points


def test_points_on_the_streets_pass(index):
    points = _on_roads()
    assert check_outside(index, points, file="f.csv") == []
    check_crs(index, points, declared_crs="wgs84", file="f.csv")
    assert far_from_network(index, points, max_m=300) == []


def test_gcj02_points_read_as_wgs84_are_refused_with_the_fix(index):
    truth = _on_roads()
    lon, lat = crs_io.wgs84_to_gcj02(
        np.array([p.lon for p in truth]), np.array([p.lat for p in truth])
    )
    shifted = [
        LocatedPoint(p.row, p.label, float(x), float(y))
        for p, x, y in zip(truth, lon, lat, strict=True)
    ]
    with pytest.raises(LocationError, match="--crs gcj02") as info:
        check_crs(index, shifted, declared_crs="wgs84", file="设施.csv")
    assert "设施.csv" in str(info.value)
    # the same numbers declared as GCJ-02 (already converted back to WGS-84) pass
    check_crs(index, truth, declared_crs="gcj02", file="设施.csv")


def test_outside_and_swapped_are_bad_rows(index):
    points = [
        LocatedPoint(2, "far away", 117.60, 39.10),
        LocatedPoint(3, "swapped", LAT0 + STEP, LON0 + STEP),
        LocatedPoint(4, "fine", LON0 + STEP, LAT0 + STEP),
    ]
    problems = check_outside(index, points, file="x.csv")
    assert [p.row for p in problems] == [2, 3]
    assert "swapped" in problems[1].hint and "swapped" not in problems[0].hint
    assert problems[0].file == "x.csv" and "outside" in problems[0].message


def test_far_from_any_walkway_is_reported_with_distance(index):
    # ~400 m west of the westernmost street, still inside the 500 m margin
    point = LocatedPoint(5, "lonely", LON0 - 0.00465, LAT0 + 2 * STEP)
    [(found, dist)] = far_from_network(index, [point], max_m=300)
    assert found.row == 5 and 380 < dist < 420


def test_boundary_defines_the_area_when_given():
    boundary = shapely.box(LON0, LAT0, LON0 + 0.01, LAT0 + 0.01)
    index = build_area_index(_grid(), boundary=boundary, margin_m=100)
    inside = LocatedPoint(2, "in", LON0 + 0.005, LAT0 + 0.005)
    outside = LocatedPoint(3, "out", LON0 + 0.03, LAT0 + 0.005)  # ~1.7 km east
    problems = check_outside(index, [inside, outside], file="b.csv")
    assert [p.row for p in problems] == [3] and "boundary" in problems[0].message
