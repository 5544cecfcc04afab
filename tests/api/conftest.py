"""Fixtures of the public API tests: the session's demo project, app and client."""

from tests.web_fixtures import demo_app, demo_client, demo_project

__all__ = ["demo_app", "demo_client", "demo_project"]
