"""The grid desk (网格服务台) JSON API, for the resident phone page and the staff desk pages.

Public: ``/api/desk/categories``, ``/api/desk/nearby``, ``POST /api/desk/requests`` (the
resident form), ``/api/c/{token}`` (+ ``/feedback``), ``/api/desk/summary/…``. Staff (login):
``/api/desk/me``, ``/grids``, ``/cases`` …, ``/metrics``, ``/report.xlsx``. Open311 GeoReport v2
is :mod:`lifecircle.api.open311`, at ``/open311/v2``.
"""

from __future__ import annotations

from fastapi import APIRouter

from lifecircle.api.desk import cases, public, reports

ROUTERS: tuple[APIRouter, ...] = (public.router, cases.router, reports.router)
