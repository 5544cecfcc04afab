"""Staff fixtures: the Helsinki demo with invented test areas, copied fresh for every test.

The demo's OSM-derived compounds and facilities carry no community; for role tests the store
copy gives some 演示社区 (in 演示街道) and the rest 邻居社区 — invented test areas. These tests
check roles, edits and uploads against hand-picked places of the Helsinki fixture (the web and
board tests exercise the Nanjing demo users see).
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lifecircle.jobs.demo import build_demo
from lifecircle.model import Compound, Facility, Record
from lifecircle.project import Project, open_project
from lifecircle.staff.accounts import User, add_user
from lifecircle.store import Snapshot
from tests.web_fixtures import test_client

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
    project, _ = build_demo(root, area="helsinki")
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
    from lifecircle.staff.accounts import get_user

    def find(name: str) -> User:
        with staff_project.open_store() as store:
            found = get_user(store, name)
        assert found is not None
        return found

    return find


@pytest.fixture(scope="module")
def staff_app(staff_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The web app on a private copy of the staff demo (shared by one test module)."""
    from lifecircle.api.app import create_app

    root = tmp_path_factory.mktemp("staff-app") / "demo"
    shutil.copytree(staff_template, root)
    app = create_app(open_project(root))
    # Count the rebuilds edits ask for instead of running one per edit (seconds of CPU each);
    # test_api's rebuild test runs the real one.
    app.state.refresh_calls = []
    app.state.area.refresh = lambda wait=False: app.state.refresh_calls.append(wait)
    yield app
    app.state.area.wait(60)


class StaffClient:
    """A TestClient that keeps its session cookie and sends its CSRF token on writes."""

    def __init__(self, app: Any, **client_options: Any) -> None:
        self.http = test_client(app, **client_options)
        self.csrf = self.http.get("/api/staff/session").json()["csrf_token"]

    def login(self, name: str, password: str = PASSWORD, headers: Any = None) -> Any:
        answer = self.http.post(
            "/api/staff/login",
            json={"name": name, "password": password},
            headers={"X-CSRF-Token": self.csrf, **(headers or {})},
        )
        if answer.status_code == 200:
            self.csrf = answer.json()["csrf_token"]
        return answer

    def send(self, method: str, url: str, *, csrf: bool = True, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.http.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.http.get(url, **kwargs)


@pytest.fixture
def as_user(staff_app: Any) -> Callable[[str], StaffClient]:
    """Log one of the fixture's users in, with its own cookie jar."""

    def login(name: str) -> StaffClient:
        client = StaffClient(staff_app)
        assert client.login(name).status_code == 200
        return client

    return login
