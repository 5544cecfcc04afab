"""The city overview map: areas coloured by share, named, with legend and attribution."""

from __future__ import annotations

from shapely.geometry import box

from lifecircle.plan.city_map import MapArea, city_svg, colour, write_city_map


def test_areas_are_filled_by_their_share_and_unknown_is_grey():
    areas = [
        MapArea("甲街道", box(117.20, 39.10, 117.21, 39.11), 0.97),
        MapArea("乙街道", box(117.21, 39.10, 117.22, 39.11), 0.40),
        MapArea("丙街道", box(117.22, 39.10, 117.23, 39.11), None),
        MapArea("丁街道", None, 0.5),  # no boundary file: not drawn
    ]
    svg = city_svg(areas, title="标题", subtitle="步行", lang="zh")
    assert svg.count('fill-rule="evenodd"') == 3  # one outline per area with a boundary
    assert f'fill="{colour(0.97)}"' in svg and f'fill="{colour(0.40)}"' in svg
    assert "甲街道" in svg and "97%" in svg and "丁街道" not in svg
    assert "© OpenStreetMap contributors" in svg and "未计算" in svg
    assert colour(0.95) != colour(0.9499) and colour(0.0) == colour(0.49)


def test_the_map_is_written_as_png_and_svg(tmp_path):
    area = MapArea("甲街道", box(117.20, 39.10, 117.21, 39.11), 0.5)
    png = write_city_map([area], tmp_path / "out" / "city.png", title="t", subtitle="s", lang="en")
    assert png is not None and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "out" / "city.svg").is_file()
    nothing = MapArea("乙", None, None)
    assert write_city_map([nothing], tmp_path / "x.png", title="t", subtitle="s", lang="en") is None
