"""Which types the data holds, and staff's declarations that a sheet holds a type completely."""

from __future__ import annotations

import pytest

from lifecircle.errors import ConfigError
from lifecircle.jobs.area import read_area
from lifecircle.jobs.collection import change_declarations, read_collection, type_collection
from lifecircle.jobs.imports import import_sheet
from lifecircle.model import CompleteType, Facility
from lifecircle.taxonomy import load_taxonomy
from tests.conftest import SMALL_OSM
from tests.jobs.test_imports import _street_points, _write_csv

TAX = load_taxonomy()


def test_states_from_sources_and_declarations():
    found = {
        c.type: c
        for c in type_collection(
            {
                "osm": [
                    Facility("osm:node/1", "", "pharmacy", 0, 0),
                    Facility("osm:node/2", "", "pharmacy", 0, 0, status="closed"),
                ],
                "sheet:a": [Facility("sheet:a:1", "", "pharmacy", 0, 0)],
                "plan:kindergarten": [Facility("p", "", "kindergarten", 0, 0, status="planned")],
            },
            [CompleteType("breakfast_shop", "a", "wang", "2026-12-01")],
            TAX,
        )
    }
    assert [c.type for c in found.values()] == [t.code for t in TAX.types]  # taxonomy order
    assert found["pharmacy"].state == "collected"
    assert found["pharmacy"].sources == {"osm": 2, "sheet:a": 1}  # closed ones are data too
    assert (found["breakfast_shop"].state, found["breakfast_shop"].complete_in) == (
        "complete",
        ("a",),
    )
    assert found["kindergarten"].state == "not_collected"  # a plan is not survey data
    assert found["kindergarten"].sources == {}


@pytest.fixture
def project_with_sheet(make_project, tmp_path):
    project = make_project(osm=SMALL_OSM)
    (a,) = _street_points(project, 1)
    sheet = _write_csv(tmp_path / "社区设施.csv", [["F1", "药店甲", "药店", a[0], a[1], "", ""]])
    import_sheet(project, "facilities", sheet)
    return project


def test_declare_then_withdraw_are_data_versions(project_with_sheet):
    project = project_with_sheet
    assert "breakfast_shop" not in read_area(project).collected_types
    version = change_declarations(project, "社区设施", declare=["早餐店"], author="wang")
    assert version is not None and version.action == "declare complete"
    assert "breakfast_shop" in read_area(project).collected_types
    assert change_declarations(project, "社区设施", declare=["breakfast_shop"]) is None  # already
    with project.open_store() as store:
        state = {c.type: c.state for c in read_collection(project, store)}
        assert state["breakfast_shop"] == "complete" and state["pharmacy"] == "collected"
        [change] = store.changes(version.id)
    assert (change.kind, change.action, change.after["declared_by"]) == (
        "complete_type",
        "added",
        "wang",
    )
    gone = change_declarations(project, "社区设施", withdraw=["早餐店"])
    assert gone is not None and gone.id == version.id + 1
    assert "breakfast_shop" not in read_area(project).collected_types


def test_an_unknown_dataset_is_refused_naming_the_known_ones(project_with_sheet):
    with pytest.raises(ConfigError, match=r"no facilities dataset .设施..*社区设施"):
        change_declarations(project_with_sheet, "设施", declare=["早餐店"])
