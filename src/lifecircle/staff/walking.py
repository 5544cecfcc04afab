"""Staff's walking edits (barriers, links), checked against where the editor may act.

A thin wrapper over :mod:`lifecircle.jobs.local_edits` that refuses places away from the
editor's compounds and writes an audit row with the data version. No HTTP here.
"""

from __future__ import annotations

from collections.abc import Sequence

from lifecircle.jobs import local_edits as edits
from lifecircle.model import LocalEdit, LonLat
from lifecircle.project import Project
from lifecircle.staff.accounts import User, require_editor
from lifecircle.staff.permissions import edit_location, may_touch_edit, require_near_own_compounds
from lifecircle.store import DataVersion
from lifecircle.store.accounts import AuditEntry


def add_walking_edit(
    project: Project,
    user: User,
    *,
    edit_kind: str,
    osm_id: int | None = None,
    coords: Sequence[Sequence[float]] = (),
    note: str = "",
) -> tuple[LocalEdit, DataVersion]:
    """Mark a barrier or add a walking link (see :func:`lifecircle.jobs.local_edits.add_edit`).

    A community or sub-district editor may do so only within ``staff_edit_near_m`` of a
    compound of their area; district editors anywhere.

    Raises
    ------
    AccessDenied
        The place is not near the editor's compounds.
    EditError, LocationError
        The edit itself is bad (unknown OSM id, a link end off the network ...).
    """
    require_editor(user)
    points: list[LonLat] = [(float(p[0]), float(p[1])) for p in coords if len(p) == 2]
    with project.open_store() as store:
        if user.level != "district":  # finding an OSM way's place reads every walkway
            where = edit_location(store, edit_kind, osm_id, points)
            require_near_own_compounds(project, store, user, where)
        return edits.add_edit(
            store,
            edit_kind=edit_kind,
            osm_id=osm_id,
            coords=coords,
            note=note,
            author=user.name,
            audit=lambda record: AuditEntry(
                user.name,
                "walking.add",
                record.key,
                {"edit_kind": edit_kind, "osm_id": osm_id, "note": note.strip()},
            ),
        )


def remove_walking_edit(project: Project, user: User, edit_id: int) -> DataVersion:
    """Remove a barrier or link near the editor's compounds (district: any).

    Raises
    ------
    AccessDenied
        The edit is not near the editor's compounds.
    EditError
        There is no such edit.
    """
    require_editor(user)
    with project.open_store() as store:
        found = next((e for e in edits.list_edits(store) if e.edit_id == edit_id), None)
        if found is not None:
            may_touch_edit(project, store, user, found)
        entry = AuditEntry(user.name, "walking.remove", f"edit:{edit_id}", {})
        return edits.remove_edit(store, edit_id, author=user.name, audit=entry)
