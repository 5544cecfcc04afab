"""Many areas at once: skipping current areas, stamps, and (slow) a 2-worker Dask cluster.

The cluster tests build four areas cut from the real Helsinki extract (and the repo's two real
Chinese extracts as areas) and check that the results equal a build one area after another
in this process exactly, that an area whose worker
is killed is built on a retry, and that failed areas are reported while the others finish.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import cloudpickle
import numpy as np
import pytest

from lifecircle.errors import ConfigError
from lifecircle.jobs import batch
from lifecircle.jobs.area import read_area
from lifecircle.jobs.batch import AreaJob, find_areas, pending, run_batch, run_here
from lifecircle.jobs.batch_jobs import BUILD, GAPS, GAPS_FILE, build_area, build_finished
from lifecircle.jobs.build import build, cached_results
from lifecircle.jobs.demo import demo_file
from lifecircle.jobs.imports import import_osm, import_sheet
from lifecircle.project import init_project, open_project
from tests.areas_fixtures import copy_areas, cut_tiles
from tests.conftest import DATA, SMALL_OSM

BEIJING = DATA / "osm" / "beijing_wudaokou.osm.pbf"  # real OSM (see its PROVENANCE.md)

STANDARD = {"profiles": ("standard",)}
# the jobs below are defined here: send them to Dask workers by value, not by module name
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def test_areas_are_the_project_folders(tmp_path, make_project, monkeypatch):
    with pytest.raises(ConfigError, match="areas folder not found"):
        find_areas(tmp_path / "none")
    with pytest.raises(ConfigError, match="no areas in"):
        find_areas(tmp_path)
    make_project(name="乙")
    make_project(name="甲")
    (tmp_path / "notes").mkdir()
    (tmp_path / ".p9.part").mkdir()
    (tmp_path / ".p9.part" / "lifecircle.toml").write_text("[area]\nname='x'\n")
    assert [p.name for p in find_areas(tmp_path)] == ["p0", "p1"]
    monkeypatch.chdir(tmp_path)
    assert find_areas(Path(".")) == [tmp_path / "p0", tmp_path / "p1"]  # whole, for any worker


def test_a_built_area_is_skipped_until_its_data_changes(tmp_path, make_project):
    project = make_project(osm=SMALL_OSM)
    areas = [project.root]
    todo, settled = pending(BUILD, areas, STANDARD, force=False, lang="en")
    assert todo == areas and settled == []
    [outcome] = run_here(BUILD, todo, STANDARD)
    assert outcome.status == "done" and outcome.summary["compounds"] > 0
    assert outcome.peak_rss_mb > 50 and outcome.worker.endswith(f":{os.getpid()}")
    todo, settled = pending(BUILD, areas, STANDARD, force=False, lang="en")
    assert todo == [] and [o.status for o in settled] == ["skipped"]
    assert pending(BUILD, areas, STANDARD, force=True, lang="en")[0] == areas
    assert pending(BUILD, areas, {"profiles": ("elderly",)}, force=False, lang="en")[0] == areas
    lon, lat = read_area(project).ways[3].coords[0]
    sheet = tmp_path / "f.csv"
    sheet.write_text(f"名称,类型,经度,纬度\n新药店,药店,{lon},{lat}\n", encoding="utf-8")
    import_sheet(project, "facilities", sheet)  # a new data version
    assert pending(BUILD, areas, STANDARD, force=False, lang="en")[0] == areas


def test_gaps_write_the_report_and_a_stamp_of_their_inputs(tmp_path, make_project):
    project = make_project(osm=SMALL_OSM)
    options = {**STANDARD, "lang": "en"}
    assert not GAPS.finished(project, options)
    [outcome] = run_here(GAPS, [project.root], options, lang="en")
    assert outcome.status == "done", outcome.error
    assert (project.root / GAPS_FILE).stat().st_size > 5000
    assert GAPS.finished(project, options)
    assert not GAPS.finished(project, {**options, "lang": "zh"})
    (project.root / GAPS_FILE).unlink()
    assert not GAPS.finished(project, options)  # the stamp alone is not the report


def _bad_data(project, options):
    raise ConfigError("error.batch.workers", n=0)


def test_bad_data_fails_its_area_with_the_message(make_project):
    project = make_project()
    job = AreaJob("bad", build_finished, _bad_data)
    [outcome] = run_here(job, [project.root], {}, lang="en")
    assert outcome.status == "failed"
    assert outcome.error == "the number of workers must be at least 1, got 0"


# --- on a 2-worker LocalCluster (slow: a cut of four areas, clusters of new processes) ---


@pytest.fixture(scope="module")
def four_areas(tmp_path_factory) -> Path:
    return cut_tiles(tmp_path_factory.mktemp("cut") / "areas")


@pytest.fixture(scope="module")
def chinese_areas(tmp_path_factory) -> Path:
    """Two areas of the repo's real Chinese extracts, each imported whole."""
    folder = tmp_path_factory.mktemp("china")
    for name, osm in (("nanjing", demo_file("nanjing_xinjiekou.osm.pbf")), ("beijing", BEIJING)):
        import_osm(init_project(folder / name, name=f"【示例】{name}"), osm, author="test")
    return folder


def _arrays(result):
    arrays, info = result.to_arrays()
    info.pop("seconds")
    return arrays, info


@pytest.mark.slow
def test_a_cluster_builds_what_a_sequential_build_builds_and_then_skips(
    four_areas, chinese_areas, tmp_path
):
    on_dask = copy_areas(four_areas, tmp_path / "dask")
    by_hand = copy_areas(four_areas, tmp_path / "by_hand")
    for area in chinese_areas.iterdir():
        copy_areas(area, on_dask / area.name)
        copy_areas(area, by_hand / area.name)
    outcomes = run_batch(BUILD, on_dask, STANDARD, workers=2, lang="en")
    assert [o.status for o in outcomes] == ["done"] * 6, outcomes
    assert len({o.worker for o in outcomes}) == 2  # both workers took areas
    for area in find_areas(by_hand):
        _, expected = build(open_project(area), ("standard",), workers=1)
        found = cached_results(open_project(on_dask / area.name), ("standard",))
        want_arrays, want_info = _arrays(expected["standard"])
        got_arrays, got_info = _arrays(found["standard"])
        assert got_info == want_info
        assert want_arrays.keys() == got_arrays.keys()
        for name, values in want_arrays.items():
            assert np.array_equal(values, got_arrays[name], equal_nan=True), (area.name, name)
    again = run_batch(BUILD, on_dask, STANDARD, workers=2, lang="en")
    assert [o.status for o in again] == ["skipped"] * 6


def _kill_worker_once(project, options):
    """Kill this worker process the first time an area is tried (a marker file says so)."""
    marker = project.root / "killed-once"
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return build_area(project, options)


def _failing(project, options):
    """Fail for two areas: one crashes on every try, one has bad data; build the others."""
    tries = project.root / "tries"
    tries.write_text(tries.read_text() + "x" if tries.exists() else "x")
    if project.root.name.endswith("SW"):
        raise RuntimeError("disk on fire")
    if project.root.name.endswith("SE"):
        raise ConfigError("error.batch.workers", n=0)
    return build_area(project, options)


@pytest.mark.slow
def test_a_killed_worker_s_area_is_built_on_a_retry(four_areas, tmp_path):
    areas = copy_areas(four_areas, tmp_path / "areas")
    job = AreaJob("build", build_finished, _kill_worker_once)
    outcomes = run_batch(job, areas, STANDARD, workers=2, lang="en")
    assert [o.status for o in outcomes] == ["done"] * 4, outcomes
    for outcome in outcomes:
        killed = int((areas / outcome.area / "killed-once").read_text())
        assert outcome.worker.split(":")[1] != str(killed)  # built by another process
        assert build_finished(open_project(areas / outcome.area), STANDARD)


@pytest.mark.slow
def test_failed_areas_are_retried_and_reported_and_the_others_finish(four_areas, tmp_path):
    areas = copy_areas(four_areas, tmp_path / "areas")
    job = AreaJob("build", build_finished, _failing)
    outcomes = {o.area[-2:]: o for o in run_batch(job, areas, STANDARD, workers=2, lang="en")}
    assert {k: o.status for k, o in outcomes.items()} == {
        "SW": "failed", "SE": "failed", "NW": "done", "NE": "done",
    }  # fmt: skip
    assert outcomes["SW"].error == "RuntimeError: disk on fire"
    assert outcomes["SE"].error == "the number of workers must be at least 1, got 0"
    tries = {k: (areas / o.area / "tries").read_text() for k, o in outcomes.items()}
    assert tries == {"SW": "x" * (1 + batch.RETRIES), "SE": "x", "NW": "x", "NE": "x"}
