"""WGS-84 / GCJ-02 / BD-09 conversion, checked on published values and real Tianjin boundaries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from lifecircle import geo as crs
from lifecircle.errors import ConfigError

TIANJIN = Path(__file__).parent / "data" / "tianjin"
HEXI = "120103"


def load_districts(name: str) -> dict[str, BaseGeometry]:
    data = json.loads((TIANJIN / name).read_text(encoding="utf-8"))
    return {f["properties"]["adcode"]: shape(f["geometry"]) for f in data["features"]}


def convert_geometry(geom: BaseGeometry, func: Callable[..., tuple]) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: np.column_stack(func(xy[:, 0], xy[:, 1])))


def china_grid() -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.linspace(74.0, 134.0, 61), np.linspace(4.0, 53.0, 50))
    return lon, lat


# Values from the test suite of the independent gcoord JS library (hujiulong/gcoord), at (123, 45).
@pytest.mark.parametrize(
    ("func", "expected"),
    [
        (crs.wgs84_to_gcj02, (123.00607541, 45.00197815)),
        (crs.gcj02_to_wgs84, (122.99395597, 44.99804071)),
        (crs.gcj02_to_bd09, (123.00636499, 45.00636899)),
        (crs.bd09_to_gcj02, (122.99363304, 44.99365430)),
        (crs.wgs84_to_bd09, (123.0124491, 45.0083293)),
        (crs.bd09_to_wgs84, (122.98762210, 44.99171540)),
    ],
)
def test_matches_published_values(func, expected):
    lon, lat = func(123.0, 45.0)
    assert lon == pytest.approx(expected[0], abs=5e-7)
    assert lat == pytest.approx(expected[1], abs=5e-7)


def test_scalars_give_floats_and_arrays_keep_their_shape():
    lon, lat = crs.wgs84_to_gcj02(117.2, 39.1)
    assert type(lon) is float and type(lat) is float
    grid_lon, grid_lat = china_grid()
    out_lon, out_lat = crs.bd09_to_wgs84(grid_lon, grid_lat)
    assert out_lon.shape == grid_lon.shape == out_lat.shape
    assert crs.to_wgs84(np.array([]), np.array([]), "gcj02")[0].shape == (0,)


def test_gcj02_offset_at_hexi_is_about_550_m():
    lon, lat = crs.wgs84_to_gcj02(117.22, 39.08)
    assert lon - 117.22 == pytest.approx(0.00627, abs=2e-5)
    assert lat - 39.08 == pytest.approx(0.00098, abs=2e-5)
    assert 500 < crs.haversine_m(117.22, 39.08, lon, lat) < 600


def test_exact_inverse_round_trip_is_sub_half_metre_over_china():
    lon, lat = china_grid()
    back_lon, back_lat = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    err_m = crs.haversine_m(lon, lat, back_lon, back_lat)
    assert err_m.max() < 0.01  # brief asks < 0.5 m; the iteration reaches millimetres
    # the one-step inverse 2·gcj − forward(gcj) is the 1–2 m method we must beat
    g_lon, g_lat = crs.wgs84_to_gcj02(lon, lat)
    f_lon, f_lat = crs.wgs84_to_gcj02(g_lon, g_lat)
    one_step_m = crs.haversine_m(lon, lat, 2 * g_lon - f_lon, 2 * g_lat - f_lat)
    assert one_step_m.max() > 0.5


def test_bd09_round_trip_within_published_formula_accuracy():
    lon, lat = china_grid()
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))
    assert crs.haversine_m(lon, lat, *back).max() < 0.5


def test_no_offset_outside_china():
    helsinki = (24.94, 60.17)
    assert crs.out_of_china(*helsinki) is True
    assert crs.out_of_china(117.2, 39.1) is False
    assert crs.wgs84_to_gcj02(*helsinki) == helsinki
    assert crs.gcj02_to_wgs84(*helsinki) == helsinki
    mixed = crs.wgs84_to_gcj02(np.array([24.94, 117.2]), np.array([60.17, 39.1]))
    assert mixed[0][0] == 24.94 and mixed[0][1] != 117.2
    assert crs.out_of_china(np.array([24.94, 117.2]), np.array([60.17, 39.1])).tolist() == [
        True,
        False,
    ]


def test_nan_does_not_stop_other_points_converging():
    lon, lat = crs.wgs84_to_gcj02(np.array([117.2, np.nan]), np.array([39.1, 39.1]))
    back_lon, back_lat = crs.gcj02_to_wgs84(lon, lat)
    assert back_lat[0] == pytest.approx(39.1, abs=1e-9) and np.isnan(back_lat[1])
    assert back_lon[0] == pytest.approx(117.2, abs=1e-9) and np.isnan(back_lon[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WGS-84", "wgs84"),
        ("wgs84", "wgs84"),
        ("EPSG:4326", "wgs84"),
        (" gps ", "wgs84"),
        ("GCJ-02", "gcj02"),
        ("gcj02", "gcj02"),
        ("火星坐标", "gcj02"),
        ("高德", "gcj02"),
        ("ＧＣＪ－０２", "gcj02"),  # full-width, as typed with a Chinese IME
        ("BD-09", "bd09"),
        ("bd09", "bd09"),
        ("百度", "bd09"),
        ("Baidu", "bd09"),
    ],
)
def test_parse_crs_accepts_common_spellings(text, expected):
    assert crs.parse_crs(text) == expected


@pytest.mark.parametrize("text", ["", "utm50n", "bd09mc", "EPSG:3857"])
def test_parse_crs_rejects_others_and_lists_choices(text):
    with pytest.raises(ConfigError, match=r"wgs84.*gcj02.*bd09"):
        crs.parse_crs(text)


def test_to_and_from_wgs84_dispatch_on_crs_name():
    assert crs.to_wgs84(117.2, 39.1, "WGS-84") == (117.2, 39.1)
    assert crs.from_wgs84(117.2, 39.1, "高德") == crs.wgs84_to_gcj02(117.2, 39.1)
    assert crs.from_wgs84(117.2, 39.1, "bd09") == crs.wgs84_to_bd09(117.2, 39.1)
    lon, lat = crs.to_wgs84(*crs.from_wgs84(117.2, 39.1, "百度"), "BD-09")
    assert crs.haversine_m(117.2, 39.1, lon, lat) < 0.5
    with pytest.raises(ConfigError):
        crs.to_wgs84(117.2, 39.1, "mars")


def test_haversine_agrees_with_ellipsoid_within_half_percent():
    geod = Geod(ellps="WGS84")
    lon1, lat1 = np.array([117.2, 117.2, 100.0]), np.array([39.1, 39.1, 20.0])
    lon2, lat2 = np.array([117.2, 117.3, 101.0]), np.array([39.2, 39.1, 21.0])
    _, _, truth_m = geod.inv(lon1, lat1, lon2, lat2)
    assert np.allclose(crs.haversine_m(lon1, lat1, lon2, lat2), truth_m, rtol=5e-3)
    assert crs.haversine_m(117.2, 39.1, 117.2, 39.1) == 0.0


def test_local_metric_distances_and_round_trip():
    metric = crs.local_metric_transformer(117.23, 39.07)
    geod = Geod(ellps="WGS84")
    lon, lat = np.array([117.20, 117.26, 117.23]), np.array([39.05, 39.10, 39.07])
    x, y = metric.to_metres(lon, lat)
    assert (x[2], y[2]) == pytest.approx((0.0, 0.0), abs=1e-6)
    _, _, truth_m = geod.inv(lon[0], lat[0], lon[1], lat[1])
    assert np.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(truth_m, rel=1e-3)
    back_lon, back_lat = metric.to_lonlat(x, y)
    assert np.allclose(back_lon, lon, atol=1e-9) and np.allclose(back_lat, lat, atol=1e-9)


def test_local_metric_projects_exactly_as_the_crs_it_names():
    """The written-out pipeline gives PROJ's own EPSG:4326 -> aeqd answers, both ways."""
    from pyproj import Transformer

    rng = np.random.default_rng(17)
    for lon0, lat0 in ((117.23, 39.07), (24.94, 60.17), (118.78, 32.04)):
        metric = crs.local_metric_transformer(lon0, lat0)
        lon, lat = lon0 + rng.uniform(-0.2, 0.2, 500), lat0 + rng.uniform(-0.2, 0.2, 500)
        truth = Transformer.from_crs("EPSG:4326", metric.proj4, always_xy=True)
        x, y = metric.to_metres(lon, lat)
        tx, ty = truth.transform(lon, lat)
        assert np.abs(x - tx).max() < 1e-6 and np.abs(y - ty).max() < 1e-6
        back = Transformer.from_crs(metric.proj4, "EPSG:4326", always_xy=True)
        blon, blat = metric.to_lonlat(tx, ty)
        tlon, tlat = back.transform(tx, ty)
        assert np.abs(blon - tlon).max() < 1e-12 and np.abs(blat - tlat).max() < 1e-12


def test_local_metric_buffers_in_metres():
    metric = crs.local_metric_transformer(117.23, 39.07)
    circle = metric.geometry_to_lonlat(
        metric.geometry_to_metres(shapely.Point(117.23, 39.07)).buffer(300)
    )
    assert circle.geom_type == "Polygon"
    half_width_deg = 300 / (111_320 * np.cos(np.radians(39.07)))
    assert circle.bounds[0] == pytest.approx(117.23 - half_width_deg, abs=2e-5)
    assert metric.geometry_to_metres(circle).area == pytest.approx(np.pi * 300**2, rel=0.01)
    with pytest.raises(ConfigError):
        crs.local_metric_transformer(39.07, 117.23)


def test_real_gcj02_boundaries_convert_to_the_published_wgs84_file():
    gcj = load_districts("tianjin_districts_gcj02.geojson")
    wgs = load_districts("tianjin_districts_wgs84.geojson")
    assert len(gcj) == 16 and gcj.keys() == wgs.keys()
    for code, geom in gcj.items():
        ours = shapely.get_coordinates(convert_geometry(geom, crs.gcj02_to_wgs84))
        theirs = shapely.get_coordinates(wgs[code])
        assert ours.shape == theirs.shape
        # the published file is rounded to 1e-6° (≤ 0.08 m)
        assert crs.haversine_m(ours[:, 0], ours[:, 1], theirs[:, 0], theirs[:, 1]).max() < 0.15


def median_vertex_distance_m(points_from: BaseGeometry, boundary_of: BaseGeometry) -> float:
    metric = crs.local_metric_transformer(117.23, 39.07)
    vertices = shapely.points(shapely.get_coordinates(metric.geometry_to_metres(points_from)))
    return float(
        np.median(shapely.distance(vertices, metric.geometry_to_metres(boundary_of).boundary))
    )


def test_converted_boundaries_match_an_independent_wgs84_source():
    """Geotool-cn's WGS-84 polygons come from another AMap release via another converter.

    Its polygons are simplified (Hexi: 33 vertices vs 268), so we measure from each of its
    vertices to our detailed boundary; the other direction measures the simplification.
    """
    gcj = load_districts("tianjin_districts_gcj02.geojson")
    independent = load_districts("tianjin_districts_wgs84_geotoolcn.geojson")
    for code, geom in gcj.items():
        converted = convert_geometry(geom, crs.gcj02_to_wgs84)
        converted_m = median_vertex_distance_m(independent[code], converted)
        raw_m = median_vertex_distance_m(independent[code], geom)
        assert converted_m < 2.0, code
        assert 200.0 < raw_m < 450.0, code
        if code == HEXI:
            assert converted_m < 1.0 and 250.0 < raw_m < 320.0
