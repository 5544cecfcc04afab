"""Staff side of the web app: login, roles bound to an area, editing with an audit log.

Mounted by :func:`lifecircle.api.app.create_app` at ``/api/staff`` (JSON) and ``/staff`` (pages).
Every route but ``GET /session`` needs a login; every state-changing one the CSRF header.
"""

from __future__ import annotations

from fastapi import APIRouter

from lifecircle.api.staff import audit, duplicates, records, session, sheets, walking

router = APIRouter()
for _module in (session, records, walking, sheets, audit, duplicates):
    router.include_router(_module.router)
