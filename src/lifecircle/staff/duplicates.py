"""Staff's decisions on facilities OSM and their sheets both hold, checked against their area.

A thin wrapper over :func:`lifecircle.jobs.duplicates.decide`: an editor decides only on pairs
whose staff record is in their area, and every decision writes an audit row with its data
version. No HTTP here.
"""

from __future__ import annotations

from lifecircle.errors import EditError
from lifecircle.jobs.duplicates import decide
from lifecircle.model import Facility, MatchDecision
from lifecircle.project import Project
from lifecircle.staff.accounts import User, require_edit
from lifecircle.store import DataVersion
from lifecircle.store.accounts import AuditEntry


def decide_pair(
    project: Project,
    user: User,
    osm_id: str,
    sheet_id: str,
    decision: MatchDecision | None,
    *,
    note: str = "",
) -> DataVersion | None:
    """Record (``None``: forget) a decision on a pair, if the staff record is the user's.

    Raises
    ------
    AccessDenied
        The staff record lies outside the user's area.
    EditError
        An id names no facility of its side, or there is nothing to forget.
    """
    with project.open_store() as store:
        staff = store.get_record("facility", sheet_id)
    if not isinstance(staff, Facility):
        raise EditError("error.duplicates.not_staff", id=sheet_id)
    require_edit(user, staff)
    action = "duplicates.forget" if decision is None else f"duplicates.{decision}"
    detail = {"osm_id": osm_id, "sheet_id": sheet_id, "note": note.strip()}
    return decide(
        project,
        osm_id,
        sheet_id,
        decision,
        author=user.name,
        note=note,
        audit=AuditEntry(user.name, action, f"{osm_id}|{sheet_id}", detail),
    )
