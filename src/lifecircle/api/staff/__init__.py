"""Staff side of the web app: login, roles bound to an area, editing with an audit log.

Mounted by :func:`lifecircle.api.app.create_app` at ``/api/staff`` (JSON) and ``/staff`` (pages).
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
