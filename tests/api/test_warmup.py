"""The app's start-up warm-up: the desk open and every rehearsal answered before the first
request, nothing written, and a broken desk configuration does not stop the map being served."""

from __future__ import annotations

import copy
import logging
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

from lifecircle.api.app import create_app
from lifecircle.api.warmup import DESK_REHEARSALS, REHEARSALS
from lifecircle.i18n import catalogue
from tests.desk_web import login, own_compound
from tests.web_fixtures import test_client


def _row_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _fresh_app(desk_app: Any, **settings: Any) -> Any:
    """A second app on the desk app's project (its served area reused), no Desk opened yet."""
    area = copy.copy(desk_app.state.area)  # the same results; the desk reads area.project
    area.project = replace(area.project, settings=replace(area.project.settings, **settings))
    return create_app(area.project, area=area)


def test_rehearsals_answer_and_write_nothing(desk_app, caplog):
    staff = login(desk_app, "gw1")
    compound = own_compound(desk_app)
    body = {
        "category": "sanitation",
        "source": "phone",
        "details": "【示例】楼道垃圾",
        "lon": compound.lon,
        "lat": compound.lat,
        "not_duplicate": True,
    }
    assert staff.send("POST", "/api/desk/cases", json=body).status_code == 201  # a case to list
    database = desk_app.state.area.project.root / "lifecircle.db"
    before = _row_counts(database)
    app = _fresh_app(desk_app)
    with caplog.at_level(logging.WARNING, logger="lifecircle.api"), test_client(app):
        statuses = app.state.warm_up
        assert app.state.desk._index is not None  # routing index built
        assert catalogue.cache_info().currsize == 1
    app.state.desk.store.close()
    assert _row_counts(database) == before  # a case was filed and rolled back
    assert caplog.text == ""  # the desk opened and the rehearsed filing went through
    assert set(statuses) == {f"{m} {p}" for m, p, _, _ in (*DESK_REHEARSALS, *REHEARSALS)}
    assert statuses["GET /open311/v2/requests.json"] == 200
    assert statuses["POST /open311/v2/requests.json"] == 403  # refused: no api_key
    assert statuses["POST /api/desk/cases"] == 401  # refused: the cookie names no session
    assert app.state.session_store is not None  # and the session store was read for it
    assert statuses["GET /api/no-such-thing"] == 404
    assert all(status < 500 for status in statuses.values()), statuses


def test_a_broken_desk_configuration_still_serves_the_map(desk_app, caplog):
    app = _fresh_app(desk_app, desk_config_path="no-such-desk.toml")
    with caplog.at_level(logging.WARNING, logger="lifecircle.api"), test_client(app) as client:
        assert set(app.state.warm_up) == {f"{m} {p}" for m, p, _, _ in REHEARSALS}
        assert client.get("/").status_code == 200
    assert "the grid desk could not be opened at start" in caplog.text
    assert "no-such-desk.toml" in caplog.text
    assert getattr(app.state, "desk", None) is None
