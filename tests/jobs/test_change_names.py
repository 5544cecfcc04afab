"""Dry runs name what they would add, change and remove (not only "删除 9")."""

from __future__ import annotations

import csv
from pathlib import Path

from lifecircle.jobs.change_names import FIRST_N
from lifecircle.jobs.imports import DERIVED_COMPOUND_SCOPE, import_sheet
from lifecircle.model import Compound, WalkWay
from tests.conftest import SMALL_OSM


def _write_csv(path: Path, rows, header) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _a_street_point(project):
    with project.open_store() as store:
        way = min(
            (w for w in store.records("walk_way") if isinstance(w, WalkWay)),
            key=lambda w: w.osm_id,
        )
    return way.coords[len(way.coords) // 2]


def test_a_compound_sheet_dry_run_names_the_derived_compounds_it_replaces(make_project, tmp_path):
    project = make_project(osm=SMALL_OSM)
    with project.open_store() as store:
        derived = [c for c in store.records("compound", scope=DERIVED_COMPOUND_SCOPE)]
    assert len(derived) > 1 and all(isinstance(c, Compound) for c in derived)
    lon, lat = _a_street_point(project)
    sheet = _write_csv(tmp_path / "c.csv", [["一号小区", lon, lat]], ["名称", "经度", "纬度"])

    dry = import_sheet(project, "compounds", sheet, dry_run=True)

    [named] = dry.named
    assert named.kind == "compound"
    assert named.added.names == ("一号小区",) and named.added.total == 1
    assert named.removed.total == len(derived) == named.derived_removed
    shown = [c.name or c.key for c in sorted(derived, key=lambda c: c.key)][:FIRST_N]
    assert list(named.removed.names) == shown
    with project.open_store() as store:  # a dry run: the derived compounds are still there
        assert store.count("compound", scope=DERIVED_COMPOUND_SCOPE) == len(derived)


def test_changed_records_are_named_by_their_new_name(make_project, tmp_path):
    project = make_project(osm=SMALL_OSM)
    lon, lat = _a_street_point(project)
    header = ["编号", "名称", "类型", "经度", "纬度"]
    rows = [[f"P{n}", f"药店{n}", "药店", lon, lat] for n in range(3)]
    import_sheet(project, "facilities", _write_csv(tmp_path / "p.csv", rows, header))
    rows[1][1] = "新名药店"
    dry = import_sheet(project, "facilities", _write_csv(tmp_path / "p.csv", rows[:2], header),
                       dry_run=True)  # fmt: skip
    kinds = {n.kind: n for n in dry.named}
    assert kinds["facility"].changed.names == ("新名药店",)
    assert kinds["facility"].removed.names == ("药店2",)
    assert kinds["facility"].derived_removed == 0 and kinds["facility"].added.total == 0
