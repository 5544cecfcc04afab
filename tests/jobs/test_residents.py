"""Calibrating estimated residents to a known total: exact sums, scopes, memory, one version."""

from __future__ import annotations

import pytest

from lifecircle.errors import ConfigError
from lifecircle.jobs.imports import import_osm, import_sheet
from lifecircle.jobs.residents import MARK, Calibration, calibrate, calibrate_residents
from lifecircle.model import Compound
from tests.conftest import SMALL_OSM

#: Test totals are inputs, not data: no real population figure is used here.
TOTAL = 40_000


def estimated(name: str, residents: int | None, **fields: str) -> Compound:
    return Compound(name, name, 0, 0, residents=residents, estimate_method="按建筑估算", **fields)


def test_estimates_share_the_total_in_proportion_and_sheets_stay():
    a, b, c = estimated("a", 333), estimated("b", 333), estimated("c", 334)
    sheet = Compound("s", "台账小区", 0, 0, residents=1000)
    scaled, report = calibrate([a, b, c, sheet], Calibration(total=4001, source="普查"))
    # 3001 in proportion: 999.33, 999.33, 1002.33 -> the largest remainder takes the spare one
    assert [x.residents for x in scaled] == [999, 999, 1003, 1000]
    assert scaled[3] == sheet and report.known == 1000 and report.factor == pytest.approx(3.001)
    assert all(MARK in (x.estimate_method or "") and "普查" in (x.estimate_method or "")
               for x in scaled[:3])  # fmt: skip


def test_calibrating_again_replaces_the_note_and_composes():
    once, _ = calibrate([estimated("a", 100), estimated("b", 300)], Calibration(total=800))
    twice, report = calibrate(once, Calibration(total=400, source="网格"))
    assert [x.residents for x in twice] == [100, 300] and report.factor == pytest.approx(0.5)
    note = str(twice[0].estimate_method)
    assert note.count(MARK) == 1 and "网格" in note


def test_a_community_calibration_touches_only_that_community():
    east = estimated("e", 100, community="东社区")
    west = estimated("w", 100, community="西社区")
    scaled, report = calibrate([east, west], Calibration(total=250, community="东社区"))
    assert [x.residents for x in scaled] == [250, 100]
    assert report.calibration.scope == "community:东社区"
    assert scaled[1] == west


@pytest.mark.parametrize(
    ("compounds", "calibration", "key"),
    [
        ([Compound("s", "s", 0, 0, residents=10)], Calibration(100), "nothing_to_scale"),
        ([estimated("a", None)], Calibration(100), "nothing_to_scale"),
        ([estimated("a", 5, community="东")], Calibration(100, community="西"), "nothing_to_scale"),
        ([estimated("a", 5), Compound("s", "s", 0, 0, residents=500)], Calibration(400),
         "known_exceeds"),
    ],
)  # fmt: skip
def test_impossible_calibrations_are_clear_errors(compounds, calibration, key):
    with pytest.raises(ConfigError) as caught:
        calibrate(compounds, calibration)
    assert caught.value.msg.key == f"error.residents.{key}"


def test_calibration_is_one_version_and_survives_an_osm_reimport(make_project):
    project = make_project(osm=SMALL_OSM)
    with project.open_store() as store:
        raw = [c for c in store.records("compound") if isinstance(c, Compound)]
        versions = len(store.versions())
    dry = calibrate_residents(project, Calibration(TOTAL, source="测试用总数"), dry_run=True)
    assert dry.version is None and dry.scaled == sum(1 for c in raw if c.residents)
    report = calibrate_residents(project, Calibration(TOTAL, source="测试用总数"), author="王芳")
    assert report.version is not None and report.version.author == "王芳"
    with project.open_store() as store:
        assert len(store.versions()) == versions + 1
        after = [c for c in store.records("compound") if isinstance(c, Compound)]
    assert sum(c.residents or 0 for c in after) == TOTAL
    import_osm(project, SMALL_OSM, author="test")  # the raw estimates come back, calibrated
    with project.open_store() as store:
        again = [c for c in store.records("compound") if isinstance(c, Compound)]
        assert len(store.versions()) == versions + 1  # nothing changed: no new version
    assert sum(c.residents or 0 for c in again) == TOTAL


def test_import_osm_takes_a_known_total(make_project):
    project = make_project()
    import_osm(project, SMALL_OSM, author="test", residents=Calibration(TOTAL, source="测试"))
    with project.open_store() as store:
        compounds = [c for c in store.records("compound") if isinstance(c, Compound)]
    assert sum(c.residents or 0 for c in compounds) == TOTAL
    assert all(MARK in (c.estimate_method or "") for c in compounds if c.residents)


def test_residents_from_a_sheet_leave_nothing_to_calibrate(make_project, tmp_path):
    project = make_project(osm=SMALL_OSM)
    sheet = tmp_path / "小区.csv"
    sheet.write_text("名称,经度,纬度,人口\n台账小区,26.95,60.53,800\n", encoding="utf-8")
    import_sheet(project, "compounds", sheet)
    with pytest.raises(ConfigError, match="nothing to calibrate"):
        calibrate_residents(project, Calibration(TOTAL))
