"""One canteen from two sources counts once: pairs found, staff decisions kept across imports.

The OSM side is the real Nanjing 新街口 extract; the staff sheet is INVENTED for these tests
(rows labelled 【测试】 or copying a real OSM name at a shifted place), never real staff data.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lifecircle.cli import main
from lifecircle.errors import EditError
from lifecircle.jobs.area import read_area
from lifecircle.jobs.demo import demo_file
from lifecircle.jobs.duplicates import (
    AUTO_SIMILARITY,
    counted_once,
    decide,
    duplicate_pairs,
    find_pairs,
    name_similarity,
)
from lifecircle.jobs.imports import import_osm, import_sheet
from lifecircle.jobs.status import project_status
from lifecircle.model import Facility

NANJING = demo_file("nanjing_xinjiekou.osm.pbf")
#: ~33 m of latitude at Nanjing.
NORTH_33M = 0.0003
#: The invented sheet: (名称, 类型, 经度, 纬度) near real OSM facilities.
SHEET_ROWS = [
    ("沃尔玛（新街口店）", "supermarket", 118.7816947, 32.039994 + NORTH_33M),  # ~ 沃尔玛
    ("北京银行", "bank", 118.7725745, 32.0492508 + 2 * NORTH_33M),  # ~ 北京银行, 66 m
    ("南京第五中学", "primary_school", 118.7724199, 32.0410775 + NORTH_33M),  # ~ 南京五中
    ("【测试】老人家食堂", "elderly_canteen", 118.7800, 32.0450),  # no OSM counterpart
]
WALMART, BEIJING_BANK, SCHOOL = "osm:node/1069287042", "osm:node/1608093031", "osm:node/1494967465"


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("老人家食堂", "laorenjia shitang", 1.0, 1.0),
        ("沃尔玛", "沃尔玛（新街口店）", 0.9, 0.9),
        ("南京五中", "南京第五中学", 0.5, AUTO_SIMILARITY - 1e-9),  # to review, not automatic
        ("中国银行", "华夏银行", 0.0, 0.49),
        ("", "华夏银行", 0.0, 0.0),
    ],
)
def test_name_similarity(a, b, low, high):
    assert low <= name_similarity(a, b) <= high


def test_a_clear_pair_counts_once_and_the_staff_record_takes_the_outline():
    box = "POLYGON ((118.78 32.04, 118.781 32.04, 118.781 32.041, 118.78 32.041, 118.78 32.04))"
    osm = Facility("osm:way/1", "社区食堂", "catering", 118.7805, 32.0405, outline_wkt=box)
    staff = Facility("sheet:食堂:1", "社区食堂", "catering", 118.7806, 32.0406)
    other = Facility("osm:node/2", "社区食堂", "catering", 118.79, 32.05)  # 1.3 km away
    (pair,) = find_pairs([osm, staff, other])
    assert (pair.osm_id, pair.status) == ("osm:way/1", "auto")
    kept, folded = counted_once([osm, staff, other], [])
    assert [f.source_id for f in kept] == ["sheet:食堂:1", "osm:node/2"] and len(folded) == 1
    assert kept[0].outline_wkt == box and kept[0].extra["same_as"] == "osm:way/1"


@pytest.fixture
def nanjing(make_project, tmp_path):
    project = make_project(osm=NANJING)
    sheet = tmp_path / "设施台账.csv"
    lines = ["名称,类型,经度,纬度"] + [",".join(map(str, row)) for row in SHEET_ROWS]
    sheet.write_text("\n".join(lines), encoding="utf-8")
    report = import_sheet(project, "facilities", sheet)
    assert report.to_review == 1  # 南京第五中学 / 南京五中
    return project, sheet


def _statuses(project) -> dict[str, str]:
    return {p.osm_id: p.status for p in duplicate_pairs(project)}


def test_pairs_are_found_and_decisions_survive_reimports(nanjing):
    project, sheet = nanjing
    with project.open_store() as store:
        stored = len(store.records("facility"))
    assert _statuses(project) == {WALMART: "auto", BEIJING_BANK: "auto", SCHOOL: "suggested"}
    ids = {f.source_id for f in read_area(project).facilities}
    assert len(ids) == stored - 2 and not ids & {WALMART, BEIJING_BANK} and SCHOOL in ids
    assert project_status(project)["duplicates"] == {"counted_once": 2, "to_review": 1}
    school = next(p.sheet_id for p in duplicate_pairs(project) if p.osm_id == SCHOOL)
    version = decide(project, SCHOOL, school, "same", author="王芳", note="同一所学校")
    assert version is not None and version.author == "王芳"
    walmart = next(p.sheet_id for p in duplicate_pairs(project) if p.osm_id == WALMART)
    decide(project, WALMART, walmart, "different", author="王芳")
    import_osm(project, NANJING, author="test")  # both sources again: the decisions stay
    import_sheet(project, "facilities", sheet)
    assert _statuses(project) == {WALMART: "different", BEIJING_BANK: "auto", SCHOOL: "same"}
    ids = {f.source_id for f in read_area(project).facilities}
    assert WALMART in ids and SCHOOL not in ids and BEIJING_BANK not in ids
    decide(project, WALMART, walmart, None, author="王芳")  # forget: found anew
    assert _statuses(project)[WALMART] == "auto"


def test_a_decision_names_real_records(nanjing):
    project, _ = nanjing
    with pytest.raises(EditError, match="no imported OSM facility"):
        decide(project, "sheet:x:1", "sheet:y:2", "same", author="a")
    with pytest.raises(EditError, match="no facility from a sheet"):
        decide(project, WALMART, BEIJING_BANK, "same", author="a")
    with pytest.raises(EditError, match="no decision"):
        decide(project, WALMART, "sheet:x:1", None, author="a")


def test_the_cli_lists_pairs_and_records_decisions(nanjing):
    project, _ = nanjing
    run = CliRunner().invoke
    listed = run(main, ["-p", str(project.root), "duplicates", "--json"])
    rows = json.loads(listed.output)
    assert {r["osm_id"]: r["status"] for r in rows} == _statuses(project)
    school = next(r["sheet_id"] for r in rows if r["osm_id"] == SCHOOL)
    done = run(main, ["-p", str(project.root), "duplicates", "same", SCHOOL, school])
    assert done.exit_code == 0 and "同一处设施" in done.output
    table = run(main, ["-p", str(project.root), "duplicates"])
    assert "已确认为" in table.output and "3 对设施按一处计算；0 对待确认" in table.output
    bad = run(main, ["-p", str(project.root), "duplicates", "same", "osm:node/1", school])
    assert bad.exit_code == 1 and "osm:node/1" in bad.output


def test_the_pairs_found_are_kept_by_what_they_compare(tmp_path, monkeypatch):
    import lifecircle.jobs.duplicates as duplicates

    osm = Facility("osm:node/1", "社区食堂", "catering", 118.7805, 32.0405)
    staff = Facility("sheet:食堂:1", "社区食堂", "catering", 118.7806, 32.0406)
    first = duplicates.found_pairs([osm, staff], cache_dir=tmp_path)
    assert [p.status for p in first] == ["auto"]

    def not_again(_):
        raise AssertionError("found again although nothing it compares changed")

    monkeypatch.setattr(duplicates, "find_pairs", not_again)
    assert duplicates.found_pairs([osm, staff], cache_dir=tmp_path) == first
    kept, folded = counted_once([osm, staff], [], cache_dir=tmp_path)
    assert [f.source_id for f in kept] == [staff.source_id] and folded == first
    monkeypatch.undo()
    renamed = Facility("sheet:食堂:1", "老年大学", "catering", 118.7806, 32.0406)
    assert duplicates.found_pairs([osm, renamed], cache_dir=tmp_path) == []  # found afresh
