"""The city report joins each area's own gap report: same numbers, ranked across areas."""

from __future__ import annotations

import pytest

from lifecircle.io.report_tables import Words, estimated_ids
from lifecircle.jobs.area import read_area
from lifecircle.jobs.batch import run_here
from lifecircle.jobs.batch_jobs import BUILD
from lifecircle.jobs.build import build
from lifecircle.jobs.city_report import area_reports, city_notes, city_tables
from lifecircle.jobs.reports import gap_report
from tests.conftest import SMALL_OSM

PROFILES = ("standard",)


@pytest.fixture
def areas(tmp_path, make_project):
    """Two areas of the same real extract, one built, one not (yet)."""
    built = make_project(name="甲街道", code="120103001", osm=SMALL_OSM)
    make_project(name="乙街道", osm=SMALL_OSM)
    run_here(BUILD, [built.root], {"profiles": PROFILES})
    return tmp_path, built


def test_each_area_s_numbers_are_its_gap_report_s(areas):
    folder, built = areas
    first, second = area_reports(folder, PROFILES, lang="en")
    assert (first.name, first.code, first.status) == ("甲街道", "120103001", "built")
    assert (second.name, second.status, second.report) == ("乙街道", "not_built", None)
    data, results = build(built, PROFILES)
    own = gap_report(data, results, taxonomy=built.taxonomy(), lang="en")
    words = Words("en", own.taxonomy, estimated_ids(data.compounds))
    own_tables = {table.name: table for table in own.tables(words)}
    tables = {table.name: table for table in city_tables([first, second], "en")}
    assert tables["city_by_type"].rows == tuple(("甲街道", *r) for r in own_tables["by_type"].rows)
    assert tables["city_by_type"].columns[1:] == own_tables["by_type"].columns
    area_rows = tables["city_areas"].rows
    assert area_rows[0][:2] == ("甲街道", "120103001") and area_rows[0][4] == len(data.compounds)
    assert area_rows[1][2] == "not built (run batch build)" and area_rows[1][4] is None
    residents = sum(c.residents or 0 for c in read_area(built).compounds)
    missing = {r.compound_id for r in own.rows if r.missing}
    full = sum(c.residents or 0 for c in data.compounds if c.source_id not in missing)
    assert (first.residents, first.residents_full) == (residents, full)
    assert first.share_full == pytest.approx(full / residents)


def test_top_gaps_are_ranked_by_people_across_areas(areas, make_project):
    folder, _ = areas
    other = make_project(name="丙街道", osm=SMALL_OSM)
    run_here(BUILD, [other.root], {"profiles": PROFILES})
    reports = area_reports(folder, PROFILES, lang="zh")
    top = next(t for t in city_tables(reports, "zh") if t.name == "city_top")
    keys = [c.key for c in top.columns]
    people = [row[keys.index("residents")] for row in top.rows]
    known = [p for p in people if p is not None]
    assert known == sorted(known, reverse=True) and known
    assert people[: len(known)] == known  # unknown numbers come last
    assert [row[0] for row in top.rows] == list(range(1, len(top.rows) + 1))
    assert {row[1] for row in top.rows} == {"甲街道", "丙街道"}  # both built areas, same data
    notes = city_notes(reports, "zh")
    assert notes[0].startswith("多区域汇总") and any("p1" in line for line in notes)
    assert notes[-1] == "地图数据 © OpenStreetMap contributors（ODbL）"
