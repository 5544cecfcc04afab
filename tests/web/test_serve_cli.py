"""``lifecircle serve``: settings and flags reach uvicorn; several workers get the project."""

from __future__ import annotations

import os

import uvicorn
from click.testing import CliRunner
from fastapi import FastAPI

from lifecircle.api.app import PROJECT_ENV, app_from_environment
from lifecircle.cli.main import main


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
