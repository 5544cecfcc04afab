"""The audit log for staff: who did what, when, and which data version it made.

District editors see every entry; other editors see their own. Each entry carries its time as
ISO 8601 with an offset (the page shows it in the viewer's zone), the record's ``name``, the
staff member's ``note`` and the fields it changed, before → after, for the page to say in words.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from lifecircle.api.staff.auth import StateDep, UserDep
from lifecircle.store.accounts import AuditRow

router = APIRouter(tags=["staff"])
#: Largest id a database integer column holds (signed 64 bits); larger ones are refused (422).
MAX_ID = 2**63 - 1
#: Changed fields not worth a sentence (an outline moves with its facility's point).
_UNSAID = frozenset({"outline_wkt"})


def with_offset(at: str) -> str:
    """Write a stored UTC time (``...Z``) with an explicit offset.

    >>> with_offset("2026-12-06T06:05:00Z")
    '2026-12-06T06:05:00+00:00'
    """
    return at[:-1] + "+00:00" if at.endswith("Z") else at


def changes_of(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """List the fields an entry changed as ``{field, before, after}`` (added: ``before`` null).

    >>> changes_of({"changed": {"phone": ["138", "139"]}})
    [{'field': 'phone', 'before': '138', 'after': '139'}]
    >>> changes_of({"fields": {"name": "药店"}})
    [{'field': 'name', 'before': None, 'after': '药店'}]
    """
    pairs = detail.get("changed")
    if isinstance(pairs, dict):
        found = [(k, v[0], v[1]) for k, v in pairs.items() if isinstance(v, list) and len(v) == 2]
    else:
        added = detail.get("fields")
        found = [(k, None, v) for k, v in added.items()] if isinstance(added, dict) else []
    return [{"field": f, "before": b, "after": a} for f, b, a in found if f not in _UNSAID]


def audit_json(row: AuditRow) -> dict[str, Any]:
    """Describe one audit entry for the staff page."""
    detail = dict(row.detail)
    return {
        "id": row.id,
        "at": with_offset(row.at),
        "user": row.user,
        "action": row.action,
        "target": row.target,
        "name": str(detail.get("name", "")),
        "note": str(detail.get("note", "")),
        "changes": changes_of(detail),
        "detail": detail,
        "data_version": row.data_version,
    }


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
    return [audit_json(r) for r in rows]
