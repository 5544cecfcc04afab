"""The public (resident-facing) routers, in the order they appear in the OpenAPI page.

Only a list; each resource lives in its own module.
"""

from __future__ import annotations

from fastapi import APIRouter

from lifecircle.api import (
    access,
    areas,
    basemap,
    boards,
    compounds,
    facilities,
    gaps,
    i18n,
    routes,
    taxonomy,
)

ROUTERS: tuple[APIRouter, ...] = (
    areas.router,
    compounds.router,
    facilities.router,
    boards.router,
    access.router,
    routes.router,
    gaps.router,
    taxonomy.router,
    basemap.router,
    i18n.router,
)
