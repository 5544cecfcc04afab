"""Staff fixtures: the demo area with invented test areas, copied fresh for every test.

The demo's OSM-derived compounds and facilities carry no community; for role tests the store
copy gives some 演示社区 (in 演示街道) and the rest 邻居社区 — invented test areas.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from lifecircle.demo import build_demo
from lifecircle.model import Compound, Facility, Record
from lifecircle.project import Project, open_project
from lifecircle.store import Snapshot
from lifecircle.users import User, add_user

OWN = "演示社区"
NEIGHBOUR = "邻居社区"
SUBDISTRICT = "演示街道"
PASSWORD = "correct horse battery"
SAMPLE_SCOPE = "sheet:sample_facilities"
#: Compounds (by key order) of 演示社区: the south-west blocks, over 1 km from 街坊 1 in the north.
OWN_COMPOUNDS = {0, 1, 3}


def _assign(records: list[Record], own: set[int]) -> list[Record]:
    out = []
    for i, record in enumerate(records):
        assert isinstance(record, Facility | Compound)
        community = record.community or (OWN if i in own else NEIGHBOUR)
        out.append(dataclasses.replace(record, community=community, subdistrict=SUBDISTRICT))
    return out


def assign_test_areas(project: Project) -> None:
    """Give every compound and OSM facility an invented community (see the module doc)."""
    with project.open_store() as store:
        compounds = store.records("compound", scope="osm-derived")
        facilities = store.records("facility", scope="osm")
        samples = store.records("facility", scope=SAMPLE_SCOPE)
        store.commit(
            [
                Snapshot("compound", "osm-derived", _assign(compounds, OWN_COMPOUNDS)),
                Snapshot("facility", "osm", _assign(facilities, set(range(300)))),
                Snapshot("facility", SAMPLE_SCOPE, _assign(samples, set())),
            ],
            action="test areas",
            source="tests/staff/conftest.py",
            author="test",
        )


@pytest.fixture(scope="session")
def staff_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project with test areas and three users, built once per session."""
    root = tmp_path_factory.mktemp("staff") / "demo"
    project, _ = build_demo(root)
    assign_test_areas(project)
    with project.open_store() as store:
        add_user(store, "district", PASSWORD, level="district", area="演示区")
        add_user(store, "own", PASSWORD, level="community", area=OWN)
        add_user(store, "neighbour", PASSWORD, level="community", area=NEIGHBOUR)
        add_user(store, "street", PASSWORD, level="subdistrict", area=SUBDISTRICT)
    return root


@pytest.fixture
def staff_project(staff_template: Path, tmp_path: Path) -> Project:
    """A private copy of the staff demo project (tests may write to it)."""
    root = tmp_path / "demo"
    shutil.copytree(staff_template, root)
    return open_project(root)


@pytest.fixture
def user_of(staff_project: Project) -> Callable[[str], User]:
    """Look up one of the fixture's users by name."""
    from lifecircle.users import get_user

    def find(name: str) -> User:
        with staff_project.open_store() as store:
            found = get_user(store, name)
        assert found is not None
        return found

    return find
