"""The register's web fixtures (see :mod:`tests.care_web`)."""

from tests.care_web import care_app, staff_template

__all__ = ["care_app", "staff_template"]
