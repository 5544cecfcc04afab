"""Fixtures of the API tests: the session's demo project, app and client; the desk's app."""

from tests.desk_web import desk_app, staff_template
from tests.web_fixtures import demo_app, demo_client, demo_project

__all__ = ["demo_app", "demo_client", "demo_project", "desk_app", "staff_template"]
