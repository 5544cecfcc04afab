"""``areas cut``: one whole project per feature, or none; a bad area does not stop the others."""

from __future__ import annotations

import json

import pytest

from lifecircle.errors import ConfigError, InputFileError
from lifecircle.io.boundary import read_boundary
from lifecircle.jobs.areas import BOUNDARY_FILE, CUT_FILE, cut_areas, folder_name
from lifecircle.jobs.status import project_status
from lifecircle.project import open_project
from tests.areas_fixtures import HELSINKI, TILES


def _two_features(tmp_path):
    """Tile NW of the Helsinki grid, and a made-up box in the sea far from the extract."""
    tiles = json.loads(TILES.read_text(encoding="utf-8"))
    sea = {
        "type": "Feature",
        "properties": {"name": "【示例】海上 sea", "code": "999909"},
        "geometry": {"type": "Polygon",
                     "coordinates": [[[25.3, 60.0], [25.31, 60.0], [25.31, 60.01], [25.3, 60.0]]]},
    }  # fmt: skip
    path = tmp_path / "two.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "features": [tiles["features"][2], sea]}), "utf-8")  # fmt: skip
    return path


@pytest.mark.slow
def test_each_feature_becomes_a_project_and_a_bad_one_fails_alone(tmp_path):
    out = tmp_path / "areas"
    seen = []
    outcomes = cut_areas(HELSINKI, _two_features(tmp_path), out, buffer_m=250,
                         code_field="code", lang="en", on_outcome=seen.append)  # fmt: skip
    assert seen == outcomes
    made, failed = outcomes
    assert (made.folder, made.status) == ("999902-【示例】西北 NW", "made")
    assert made.ways > 100 and made.compounds >= 1
    assert failed.status == "failed" and "area.osm.pbf has no" in failed.error  # no ways
    assert sorted(p.name for p in out.iterdir()) == [made.folder]  # no half-made area left
    project = open_project(out / made.folder)
    assert (project.area_name, project.area_code) == ("【示例】西北 NW", "999902")
    assert project.settings.network_buffer_m == 250.0
    assert read_boundary(project.root / BOUNDARY_FILE).bounds == pytest.approx(
        (24.9352, 60.1716, 24.9443, 60.1791)
    )
    assert (project.root / CUT_FILE).stat().st_size > 10_000
    status = project_status(project)
    assert status["data_version"]["id"] == 1
    assert status["walk_network"]["ways"] == made.ways
    again = cut_areas(HELSINKI, _two_features(tmp_path), out, buffer_m=250, code_field="code")
    assert [o.status for o in again] == ["kept", "failed"]
    fresh = cut_areas(HELSINKI, TILES, out, buffer_m=100, code_field="code", fresh=True)
    assert [o.status for o in fresh] == ["made"] * 4
    assert open_project(out / made.folder).settings.network_buffer_m == 100.0


def test_a_bad_boundaries_file_or_buffer_stops_before_anything_is_written(tmp_path):
    with pytest.raises(ConfigError, match="buffer must be more than 0 m, got 0"):
        cut_areas(HELSINKI, TILES, tmp_path / "areas", buffer_m=0)
    with pytest.raises(InputFileError, match="feature 1 has no value in property 'district'"):
        cut_areas(HELSINKI, TILES, tmp_path / "areas", name_field="district")
    assert not (tmp_path / "areas").exists()


def test_folder_names_keep_the_name_and_lose_path_characters():
    from lifecircle.io.boundary import BoundaryFeature

    feature = BoundaryFeature(1, "../桃园/街道", "120103003", None)
    assert folder_name(feature) == "120103003-.._桃园_街道"
    assert folder_name(BoundaryFeature(2, "..hidden", "", None)) == "hidden"
