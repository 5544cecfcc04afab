"""Property-based fuzzing of every operation in the OpenAPI: no answer may be a 5xx.

schemathesis draws requests from the app's own OpenAPI schema — valid values and, as often,
invalid ones (wrong types, odd strings, numbers past 64 bits) — and sends them to the staff
demo app in process, logged in as a district editor with the CSRF token, so the staff
operations are reached as well as the public ones. Examples per operation and mode are
bounded and derandomised (the same requests every run), so the run stays well under a minute
and a failure can be reproduced. Every 4xx must be the one error shape. Logout is left out:
it would end the fuzzing session (its own tests are in tests/staff/test_api.py).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from lifecircle.api.app import create_app
from lifecircle.care.keys import make_key_file
from lifecircle.project import open_project
from tests.staff.conftest import StaffClient, staff_template

#: Schema fuzzing of every operation: run in CI (LIFECIRCLE_TEST_ALL=1), not by a plain `make test`.
pytestmark = pytest.mark.slow

__all__ = ["staff_template"]
#: Examples per operation and generation mode (positive, negative).
EXAMPLES = 6
SKIPPED = {("POST", "/api/staff/logout")}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def fuzz_app(staff_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The staff demo app on a private copy; edits ask for no rebuild (seconds of CPU each)."""
    root = tmp_path_factory.mktemp("fuzz") / "demo"
    shutil.copytree(staff_template, root)
    key = root.parent / "care.key"  # the welfare register's routes are fuzzed too
    make_key_file(key)
    project = open_project(root)
    app = create_app(replace(project, settings=replace(project.settings, care_key_path=str(key))))
    app.state.area.refresh = lambda wait=False: None
    return app


def _session(app: Any) -> dict[str, Any]:
    client = StaffClient(app)
    assert client.login("district").status_code == 200
    return {"cookies": dict(client.http.cookies), "headers": {"X-CSRF-Token": client.csrf}}


def _check(case: Any, session: dict[str, Any], seen: dict[int, int]) -> None:
    response = case.call(
        headers={**(case.headers or {}), **session["headers"]},
        cookies={**(case.cookies or {}), **session["cookies"]},
    )
    seen[response.status_code] = seen.get(response.status_code, 0) + 1
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
    if (
        400 <= response.status_code < 500
        and "json" in response.headers.get("content-type", [""])[0]
    ):
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message", "details"} <= set(body["error"]), body


def test_no_operation_answers_a_server_error(fuzz_app: Any) -> None:
    session = _session(fuzz_app)
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed, seen, negated_none = [], {}, []
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for mode in schemathesis.GenerationMode:
            try:
                strategy = operation.as_strategy(generation_mode=mode)
            except Exception as exc:  # a schema schemathesis cannot negate: positive only
                assert mode is schemathesis.GenerationMode.NEGATIVE, exc
                continue
            try:
                given(strategy)(FUZZ(lambda case: _check(case, session, seen)))()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                assert mode is schemathesis.GenerationMode.NEGATIVE
                negated_none.append(operation.path)
        fuzzed.append(f"{operation.method.upper()} {operation.path}")
    assert len(fuzzed) >= 25 and "POST /api/staff/sheets/{kind}" in fuzzed
    assert "PATCH /api/staff/facilities/{key}" in fuzzed
    assert seen.get(200, 0) > 50 and seen.get(422, 0) > 20  # both valid and invalid were sent
    assert len(negated_none) < len(fuzzed) / 2
