"""The audit log for staff: who did what, when, and which data version it made.

District editors see every entry; other editors see their own.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from lifecircle.api.staff.auth import StateDep, UserDep

router = APIRouter(tags=["staff"])
#: Largest id a database integer column holds (signed 64 bits); larger ones are refused (422).
MAX_ID = 2**63 - 1


@router.get("/audit")
def list_audit(
    user: UserDep,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[dict[str, Any]]:
    """Audit entries newest first; page back with ``before_id`` (the last id you got)."""
    only = None if user.level == "district" else user.name
    with state.project.open_store() as store:
        rows = store.accounts.audit(limit=limit, before_id=before_id, user=only)
    return [
        {
            "id": r.id,
            "at": r.at,
            "user": r.user,
            "action": r.action,
            "target": r.target,
            "detail": dict(r.detail),
            "data_version": r.data_version,
        }
        for r in rows
    ]
