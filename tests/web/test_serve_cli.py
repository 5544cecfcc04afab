"""``lifecircle serve``: settings and flags reach uvicorn; several workers get the project."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request

import uvicorn
from click.testing import CliRunner
from fastapi import FastAPI
from starlette.requests import Request

from lifecircle.api.app import PROJECT_ENV, app_from_environment
from lifecircle.cli.main import main
from lifecircle.cli.web import proxy_options
from lifecircle.config import Settings
from tests.web_fixtures import free_port


def _serve(monkeypatch, *args):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    result = CliRunner().invoke(main, [*args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output, calls


def test_serve_defaults_to_loopback_8000_and_says_where(demo_project, monkeypatch):
    output, [(app, options)] = _serve(monkeypatch, "-p", str(demo_project.root), "serve")
    assert isinstance(app, FastAPI)
    assert options["host"] == "127.0.0.1" and options["port"] == 8000
    assert "http://127.0.0.1:8000/" in output


def test_serve_flags_and_settings(demo_project, monkeypatch):
    args = ["-p", str(demo_project.root), "--set", "serve_port=9001", "serve", "--host", "0.0.0.0"]
    _, [(_, options)] = _serve(monkeypatch, *args)
    assert options["host"] == "0.0.0.0" and options["port"] == 9001


def test_forwarded_headers_are_believed_only_from_configured_proxies(demo_project, monkeypatch):
    _, [(_, options)] = _serve(monkeypatch, "-p", str(demo_project.root), "serve")
    assert options["proxy_headers"] is False and options["forwarded_allow_ips"] == ""
    args = ["-p", str(demo_project.root), "--set", "trusted_proxies=10.0.0.5", "serve"]
    _, [(_, options)] = _serve(monkeypatch, *args, "--workers", "2")
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == "10.0.0.5"
    monkeypatch.delenv("LIFECIRCLE_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv(PROJECT_ENV, raising=False)


def test_uvicorn_ignores_a_forged_x_forwarded_for_unless_told(demo_project):
    app = FastAPI()

    @app.get("/ip")
    def ip(request: Request) -> dict:
        return {"ip": request.client.host}

    for settings, expected in (
        (Settings(), "127.0.0.1"),
        (Settings(trusted_proxies="127.0.0.1"), "198.51.100.7"),
    ):
        port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", **proxy_options(settings)
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        try:
            forged = urllib.request.Request(
                f"http://127.0.0.1:{port}/ip", headers={"X-Forwarded-For": "198.51.100.7"}
            )
            with urllib.request.urlopen(forged, timeout=10) as answer:
                assert json.loads(answer.read())["ip"] == expected
        finally:
            server.should_exit = True
            thread.join(10)


def test_workers_start_from_the_project_in_the_environment(demo_project, monkeypatch):
    for name in (PROJECT_ENV, "LIFECIRCLE_TIMEZONE"):  # the command sets them: undo after
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    args = ["-p", str(demo_project.root), "--set", "timezone=Europe/Helsinki", "serve"]
    _, [(target, options)] = _serve(monkeypatch, *args, "--workers", "2")
    assert target == "lifecircle.api.app:app_from_environment" and options["factory"] is True
    assert options["workers"] == 2
    assert os.environ[PROJECT_ENV] == str(demo_project.root)
    app = app_from_environment()
    assert app.state.area.project.settings.timezone == "Europe/Helsinki"


def test_serve_outside_a_project_is_one_line_and_exit_1(tmp_path):
    result = CliRunner().invoke(main, ["-p", str(tmp_path), "serve"])
    assert result.exit_code == 1
    assert "lifecircle.toml" in result.output
