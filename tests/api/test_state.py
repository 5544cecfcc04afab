"""The served area follows the store: a new data version is picked up without a restart."""

from __future__ import annotations

import shutil

import pytest

from lifecircle.api.app import create_app
from lifecircle.api.state import AreaState
from lifecircle.project import open_project
from tests.web_fixtures import test_client


@pytest.fixture
def writable(demo_project, tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(demo_project.root, root)
    return open_project(root)


def test_refresh_serves_the_new_version_and_old_etags_go_stale(writable):
    state = AreaState(writable, profiles=("standard",))
    client = test_client(create_app(writable, area=state))
    first = client.get("/api/boards/demo-gate-1")
    tag = first.headers["etag"]
    (area,) = client.get("/api/areas").json()
    with writable.open_store() as store:
        store.remove_record("board", "demo-gate-1", action="remove", source="test", author="test")
    state.refresh(wait=True)
    assert state.data_version == area["data_version"] + 1
    gone = client.get("/api/boards/demo-gate-1", headers={"If-None-Match": tag})
    assert gone.status_code == 404
    (after,) = client.get("/api/areas").json()
    assert after["counts"]["boards"] == area["counts"]["boards"] - 1


def test_refresh_without_changes_keeps_the_snapshot(writable):
    state = AreaState(writable, profiles=("standard",))
    before = state.current
    state.refresh(wait=True)
    assert state.current is before


def test_a_failed_rebuild_keeps_serving_the_previous_results(writable, monkeypatch, caplog):
    state = AreaState(writable, profiles=("standard",))
    before = state.current
    with writable.open_store() as store:
        store.remove_record("board", "demo-gate-2", action="remove", source="test", author="test")

    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setattr(state, "_load", broken)
    with caplog.at_level("ERROR", logger="lifecircle.api"):
        state.refresh(wait=True)
    assert state.current is before and "disk full" in caplog.text
    monkeypatch.undo()
    state.refresh(wait=True)  # the next refresh still works
    assert state.current is not before
