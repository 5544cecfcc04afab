"""The bundled demos: Nanjing (what ``make run`` shows) and the Helsinki test fixture.

The Nanjing extract came as OSM XML without ``<bounds>`` or element timestamps; it is bundled as
an object-for-object PBF copy. The tests check that the XML form imports the same, that the demo
is labelled on what it stores and serves, and that its invented rows say they are invented.
"""

from __future__ import annotations

import dataclasses

import osmium
import pytest

from lifecircle.errors import ConfigError
from lifecircle.jobs.demo import DEMOS, SAMPLE_DATASET, build_demo, demo_file
from lifecircle.jobs.imports import import_osm
from lifecircle.model import Board, Facility
from lifecircle.project import init_project, open_project


@pytest.fixture(scope="module")
def nanjing(tmp_path_factory):
    project, reports = build_demo(tmp_path_factory.mktemp("nj") / "demo")
    return project, reports


def test_the_demo_is_nanjing_with_a_name_no_code_and_a_label(nanjing):
    project, reports = nanjing
    again = open_project(project.root)
    assert (again.demo, again.area_code, again.area_name) == (
        "nanjing",
        "",
        "演示区域（南京新街口 OSM 数据）",
    )
    assert again.notice("zh") == "演示：南京新街口真实 OSM 数据，非天津数据"
    assert "not Tianjin data" in again.notice("en")
    assert [r.what for r in reports] == ["osm", "facilities", "boards"]


def test_every_sample_row_is_marked_invented_and_declares_its_complete_types(nanjing):
    project, reports = nanjing
    with project.open_store() as store:
        samples = [
            f
            for f in store.records("facility", scope=f"sheet:{SAMPLE_DATASET}")
            if isinstance(f, Facility)
        ]
        declared = {d.type_code for d in store.records("complete_type")}
    assert len(samples) == 11
    for facility in samples:
        assert facility.name.startswith("【示例】") and "演示数据" in facility.name
        assert "非真实设施" in facility.extra["备注"] and "not a real" in facility.extra["备注"]
    assert declared == set(DEMOS["nanjing"].complete_types)
    assert {s.type_code for s in samples} >= declared  # each declared type has a sample
    assert not reports[1].far  # every sample lies on the walk network


def test_demo_boards_stand_at_centres_and_gates_and_say_demo(nanjing):
    project, _ = nanjing
    with project.open_store() as store:
        boards = [b for b in store.records("board") if isinstance(b, Board)]
    centres = [b for b in boards if b.board_kind == "centre"]
    gates = [b for b in boards if b.board_kind == "gate"]
    assert len(centres) == 6 and len(gates) == 12
    assert all(b.name.startswith("【演示展板】") for b in boards)
    assert all(b.compound for b in gates) and not any(b.compound for b in centres)
    assert sum("社区服务站" in b.name for b in centres) == 2  # the sample community centres


def test_the_xml_form_without_bounds_imports_as_the_bundled_pbf(tmp_path):
    xml = tmp_path / "nanjing_xinjiekou.osm"
    with osmium.SimpleWriter(str(xml), header=osmium.io.Header()) as writer:
        for obj in osmium.FileProcessor(str(demo_file("nanjing_xinjiekou.osm.pbf"))):
            writer.add(obj)
    assert "<bounds" not in xml.read_text(encoding="utf-8")[:2000]
    from_xml = init_project(tmp_path / "xml", name="南京新街口")
    from_pbf = init_project(tmp_path / "pbf", name="南京新街口")
    a = import_osm(from_xml, xml, author="test")
    b = import_osm(from_pbf, demo_file("nanjing_xinjiekou.osm.pbf"), author="test")
    assert a.summary.counts() == b.summary.counts()
    # 48: two street blocks hold no homes once non-residential buildings are left out
    assert a.summary.counts()["compound"]["added"] == 48

    def unsourced(store, kind):  # ``source`` names the file each came from
        return [dataclasses.replace(r, source="") for r in store.records(kind)]

    with from_xml.open_store() as x, from_pbf.open_store() as p:
        assert unsourced(x, "facility") == unsourced(p, "facility")
        assert unsourced(x, "compound") == unsourced(p, "compound")
        assert x.records("walk_way") == p.records("walk_way")
        assert x.get_meta("osm_timestamp") == ""  # no element timestamps, no header date
        assert p.get_meta("osm_timestamp") == "2021-06-12T07:41:41Z"


def test_helsinki_stays_a_fixture_and_unknown_areas_are_refused(tmp_path):
    project, _ = build_demo(tmp_path / "hel", area="helsinki")
    assert project.demo == "helsinki" and "Helsinki" in project.notice("en")
    with pytest.raises(ConfigError, match="not a known demo area"):
        build_demo(tmp_path / "x", area="tianjin")
