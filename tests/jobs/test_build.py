"""The build use case end to end on a real small OSM extract: results, cache, gap files, CLI."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from lifecircle.cli import main
from lifecircle.jobs.area import read_area
from lifecircle.jobs.build import build
from lifecircle.jobs.imports import import_sheet
from lifecircle.model import WalkWay
from tests.conftest import SMALL_OSM

#: Headers of the gap rows CSV (Chinese by default: the report is for a 街道 officer).
REQUIRED_COLUMNS = [
    "小区编号",
    "小区名称",
    "社区",
    "步行人群",
    "设施类型代码",
    "服务内容",
    "层级（分钟）",
    "应配建",
    "最近步行分钟",
    "最近设施编号",
    "层级内设施数",
    "判定",
    "居民",
    "人口为估计值",
    "60岁以上",
    "0-6岁",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from lifecircle.jobs.imports import import_osm
    from lifecircle.project import init_project

    project = init_project(tmp_path_factory.mktemp("build") / "p", name="测试街道")
    import_osm(project, SMALL_OSM, author="test")
    return project


def test_three_profiles_with_tables_and_areas(project):
    data, results = build(project)
    assert set(results) == {"standard", "elderly", "wheelchair"}
    standard = results["standard"]
    n_compounds, n_types = len(data.compounds), len(data.type_codes)
    assert standard.compounds.cost.shape == (n_compounds, n_types)
    assert standard.compounds.counts.shape == (n_compounds, n_types, 3)
    assert standard.boards.cost.shape == (len(data.boards), n_types)
    assert len(standard.compound_areas) == n_compounds
    assert all(len(a) == 3 for a in standard.compound_areas if a)
    # the elderly walk slower: never sooner than the standard walker
    finite = np.isfinite(standard.compounds.cost)
    assert np.all(
        results["elderly"].compounds.cost[finite] >= standard.compounds.cost[finite] - 1e-6
    )
    assert np.any(results["elderly"].compounds.cost[finite] > standard.compounds.cost[finite])
    # counts are nested: within 5 <= within 10 <= within 15 minutes
    counts = standard.compounds.counts
    assert np.all(counts[:, :, 0] <= counts[:, :, 1]) and np.all(counts[:, :, 1] <= counts[:, :, 2])


def test_results_are_cached_by_data_version(project, tmp_path):
    _, first = build(project, ("standard",))
    _, again = build(project, ("standard",))
    np.testing.assert_array_equal(
        first["standard"].compounds.cost, again["standard"].compounds.cost
    )
    assert list((project.cache_dir / "results").glob("standard-*.npz"))
    # a new facility makes a new data version: results are recomputed and never get worse
    with project.open_store() as store:
        way = sorted(
            (w for w in store.records("walk_way") if isinstance(w, WalkWay)), key=lambda w: w.osm_id
        )[5]
    lon, lat = way.coords[0]
    sheet = tmp_path / "new.csv"
    sheet.write_text(f"名称,类型,经度,纬度\n新药店,药店,{lon},{lat}\n", encoding="utf-8")
    import_sheet(project, "facilities", sheet)
    data, after = build(project, ("standard",))
    column = data.type_codes.index("pharmacy")
    before_cost = first["standard"].compounds.cost[:, column]
    after_cost = after["standard"].compounds.cost[:, column]
    assert np.all(after_cost <= before_cost + 1e-6)
    assert np.any(after_cost < before_cost)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_gaps_files_in_three_formats(project, tmp_path):
    result = run(
        "-p", str(project.root), "gaps", "--profile", "elderly", "--out", str(tmp_path / "g.csv")
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "g.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert set(REQUIRED_COLUMNS) <= set(rows[0])
    data = read_area(project)
    assert len(rows) == len(data.compounds) * len(data.type_codes)
    assert {r["步行人群"] for r in rows} == {"老年人"}
    assert {r["判定"] for r in rows} <= {"可达", "缺", "不可达（按需）", "未采集"}
    assert (tmp_path / "g_coverage.csv").exists() and (tmp_path / "g_top_missing.csv").exists()
    run("-p", str(project.root), "gaps", "--level", "5", "--out", str(tmp_path / "g.xlsx"))
    book = load_workbook(tmp_path / "g.xlsx", read_only=True)
    assert "缺口明细" in book.sheetnames and "社区覆盖率" in book.sheetnames
    book.close()
    run("-p", str(project.root), "gaps", "--out", str(tmp_path / "g.geojson"))
    collection = json.loads((tmp_path / "g.geojson").read_text(encoding="utf-8"))
    assert collection["features"] and "缺少的类型" in collection["features"][0]["properties"]
    assert "OpenStreetMap" in collection["properties"]["attribution"]


def test_access_command_for_a_compound(project):
    data = read_area(project)
    name = data.compounds[0].name
    result = run(
        "-p",
        str(project.root),
        "--lang",
        "en",
        "access",
        "--compound",
        name,
        "--profile",
        "elderly",
    )
    assert result.exit_code == 0, result.output
    assert name in result.output and "elderly" in result.output
    bad = CliRunner().invoke(
        main, ["-p", str(project.root), "access", "--compound", "不存在的小区"]
    )
    assert bad.exit_code == 1 and "不存在的小区" in bad.output


def test_profiles_in_worker_processes_equal_the_serial_build(project):
    _, serial = build(project, ("standard", "elderly"), force=True, workers=1)
    _, parallel = build(project, ("standard", "elderly"), force=True, workers=2)
    for name in ("standard", "elderly"):
        np.testing.assert_array_equal(serial[name].compounds.cost, parallel[name].compounds.cost)
        np.testing.assert_array_equal(
            serial[name].compounds.counts, parallel[name].compounds.counts
        )
        for kind in ("compound_areas", "board_areas"):
            ours, theirs = getattr(serial[name], kind), getattr(parallel[name], kind)
            assert [len(a) for a in ours] == [len(a) for a in theirs]
            assert all(
                a.equals(b)
                for one, other in zip(ours, theirs, strict=True)
                for a, b in zip(one, other, strict=True)
            )
    assert not list(project.cache_dir.glob("build-*"))  # the workers' scratch files are gone


def test_the_walk_network_is_cached_by_network_version(make_project, tmp_path):
    from lifecircle.engine.profiles import ELDERLY, STANDARD
    from lifecircle.engine.walk import load_walk_graph
    from lifecircle.jobs.local_edits import add_edit

    project = make_project(osm=SMALL_OSM)
    data = read_area(project)
    built = load_walk_graph(data, STANDARD, cache_dir=project.cache_dir)
    (cached_file,) = (project.cache_dir / "graphs").glob("network-*.npz")
    loaded = load_walk_graph(data, STANDARD, cache_dir=project.cache_dir)
    assert loaded is not built and loaded.n_edges == built.n_edges
    # one network serves every profile: the elderly graph adds no file
    assert load_walk_graph(data, ELDERLY, cache_dir=project.cache_dir).n_nodes == built.n_nodes
    assert list((project.cache_dir / "graphs").glob("*.npz")) == [cached_file]
    np.testing.assert_array_equal(loaded.edge_cost, built.edge_cost)
    np.testing.assert_array_equal(loaded.coords_xy, built.coords_xy)
    assert loaded.matrix.nnz == built.matrix.nnz
    # facilities do not touch the network: the same graph file serves the next build
    lon, lat = data.ways[3].coords[0]
    sheet = tmp_path / "f.csv"
    sheet.write_text(f"名称,类型,经度,纬度\n新药店,药店,{lon},{lat}\n", encoding="utf-8")
    import_sheet(project, "facilities", sheet)
    after_import = read_area(project)
    assert after_import.network_version == data.network_version
    load_walk_graph(after_import, STANDARD, cache_dir=project.cache_dir)
    assert list((project.cache_dir / "graphs").glob("network-*.npz")) == [cached_file]
    # a staff barrier changes the network: a new graph without that way replaces the old file
    way = max(data.ways, key=lambda w: len(w.coords))
    add_edit(project, edit_kind="impassable_way", osm_id=way.osm_id, author="test")
    edited = read_area(project)
    assert edited.network_version > data.network_version
    rebuilt = load_walk_graph(edited, STANDARD, cache_dir=project.cache_dir)
    assert way.osm_id in built.edge_way and way.osm_id not in rebuilt.edge_way
    assert list((project.cache_dir / "graphs").glob("network-*.npz")) != [cached_file]


def test_an_unreadable_graph_cache_is_rebuilt(make_project):
    from lifecircle.engine.profiles import ELDERLY
    from lifecircle.engine.walk import load_walk_graph

    project = make_project(osm=SMALL_OSM)
    data = read_area(project)
    first = load_walk_graph(data, ELDERLY, cache_dir=project.cache_dir)
    (path,) = (project.cache_dir / "graphs").glob("network-*.npz")
    whole = path.read_bytes()
    for broken in (b"not a graph", whole[: len(whole) // 2]):  # garbage, a half-written zip
        path.write_bytes(broken)
        again = load_walk_graph(data, ELDERLY, cache_dir=project.cache_dir)
        np.testing.assert_array_equal(again.edge_cost, first.edge_cost)
        assert path.read_bytes() == whole  # written anew


def test_a_worker_refuses_data_newer_than_the_build_it_serves(project):
    from lifecircle.errors import StoreError
    from lifecircle.jobs.build_parallel import _worker_area

    version = read_area(project).data_version
    assert _worker_area(project, version).data_version == version
    with pytest.raises(StoreError, match="changed during the build"):
        _worker_area(project, version - 1)


def test_workers_start_only_for_profiles_not_cached(make_project):
    from lifecircle.jobs.build import _worker_count

    project = make_project(osm=SMALL_OSM)
    build(project, ("standard",), workers=1)
    assert _worker_count(project, ("standard",), force=False, workers=2) == 1  # all cached
    assert _worker_count(project, ("standard",), force=True, workers=2) == 2
    assert _worker_count(project, ("standard", "elderly"), force=False, workers=2) == 2
    assert _worker_count(project, ("elderly",), force=False, workers=None) == 1  # small network


def test_a_worker_whose_first_read_failed_says_why_at_its_first_task(project, monkeypatch):
    import lifecircle.jobs.build_parallel as parallel
    from lifecircle.errors import StoreError

    def broken(_project):
        raise StoreError("error.build.data_changed", started=1, now=2)

    monkeypatch.setattr(parallel.os, "nice", lambda _: 0)  # not this test process's priority
    monkeypatch.setattr(parallel, "read_area", broken)
    monkeypatch.setattr(parallel, "_START_FAILED", [])
    parallel._start_worker(project)  # at the worker's start: kept, not raised (pool intact)
    with pytest.raises(StoreError, match="changed during the build"):
        parallel._worker_area(project, 1)


def test_a_truncated_results_cache_is_rebuilt(make_project):
    project = make_project(osm=SMALL_OSM)
    _, first = build(project, ("standard",))
    (npz,) = (project.cache_dir / "results").glob("standard-*.npz")
    npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])  # a half-written zip
    _, again = build(project, ("standard",))
    np.testing.assert_array_equal(
        first["standard"].compounds.cost, again["standard"].compounds.cost
    )
