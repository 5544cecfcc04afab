"""The welfare register's JSON API under /api/care (staff) and its public urgent-check routes.

Staff (login, roles by grid as the desk's): ``/api/care/me``, ``/visits``, ``/people/{id}``
(+ ``/reveal``, ``/visits``, ``/export``, ``/forget``), ``/rates``, ``/checks`` …,
``/access-log``. Public, limited per address: ``POST /api/care/urgent`` and
``GET /api/care/urgent/{token}``.
"""

from __future__ import annotations

from fastapi import APIRouter

from lifecircle.api.care import checks, people

ROUTERS: tuple[APIRouter, ...] = (people.router, checks.router, checks.public)
