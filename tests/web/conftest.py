"""Fixtures of the browser tests: the session's demo app served on a free loopback port."""

from tests.web_fixtures import demo_app, demo_client, demo_project, live_url

__all__ = ["demo_app", "demo_client", "demo_project", "live_url"]
