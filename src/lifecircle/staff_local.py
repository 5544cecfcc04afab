"""Staff's walking edits (barriers, links) and sheet uploads, checked against the editor's area.

Thin wrappers over :mod:`lifecircle.edits` and :mod:`lifecircle.imports` that refuse what lies
outside the editor's area and write an audit row with the data version. No HTTP here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lifecircle import edits, imports
from lifecircle.errors import Msg
from lifecircle.io import crs as crs_io
from lifecircle.io import records as records_io
from lifecircle.io.sheets import read_sheet
from lifecircle.model import Board, Compound, Facility, LocalEdit, LonLat, Record
from lifecircle.project import Project
from lifecircle.staff_area import edit_location, may_touch_edit, require_near_own_compounds
from lifecircle.store import DataVersion
from lifecircle.store.accounts import AuditEntry
from lifecircle.users import AccessDenied, User, can_edit

_RECORD_KIND = {"facilities": "facility", "compounds": "compound", "boards": "board"}


def add_walking_edit(
    project: Project,
    user: User,
    *,
    edit_kind: str,
    osm_id: int | None = None,
    coords: Sequence[Sequence[float]] = (),
    note: str = "",
) -> tuple[LocalEdit, DataVersion]:
    """Mark a barrier or add a walking link (see :func:`lifecircle.edits.add_edit`).

    A community or sub-district editor may do so only within ``staff_edit_near_m`` of a
    compound of their area; district editors anywhere.

    Raises
    ------
    AccessDenied
        The place is not near the editor's compounds.
    EditError, LocationError
        The edit itself is bad (unknown OSM id, a link end off the network ...).
    """
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
    with project.open_store() as store:
        found = next((e for e in edits.list_edits(store) if e.edit_id == edit_id), None)
        if found is not None:
            may_touch_edit(project, store, user, found)
        entry = AuditEntry(user.name, "walking.remove", f"edit:{edit_id}", {})
        return edits.remove_edit(store, edit_id, author=user.name, audit=entry)


def upload_sheet(
    project: Project,
    user: User,
    kind: imports.SheetKind,
    path: Path,
    *,
    crs: str = "wgs84",
    dataset: str = "",
    dry_run: bool = True,
    original_name: str = "",
) -> imports.ImportReport:
    """Import a sheet as :func:`lifecircle.imports.import_sheet` does, for a staff member.

    A community or sub-district editor's sheet may only hold rows of their area, and may only
    remove stored records of their area; a dry run writes nothing but the audit row.

    Raises
    ------
    AccessDenied
        A row, or a record the upload would remove, lies outside the editor's area.
    BadRowsError, InputFileError
        The sheet itself is bad (nothing is imported).
    """
    dataset = dataset or Path(original_name or path.name).stem
    if user.level != "district":
        _require_rows_in_area(project, user, kind, path, crs=crs, dataset=dataset)
    report = imports.import_sheet(
        project, kind, path, crs=crs, dataset=dataset, dry_run=True, author=user.name
    )
    if user.level != "district":
        _require_removals_in_area(project, user, kind, report)
    detail: dict[str, Any] = {
        "file": original_name or path.name,
        "dataset": dataset,
        "counts": report.summary.counts(),
    }
    if dry_run:
        with project.open_store() as store:
            store.accounts.add_audit(AuditEntry(user.name, "sheet.dry_run", kind, detail))
        return report
    return imports.import_sheet(
        project,
        kind,
        path,
        crs=crs,
        dataset=dataset,
        author=user.name,
        audit=AuditEntry(user.name, "sheet.import", kind, detail),
    )


def _require_rows_in_area(
    project: Project, user: User, kind: str, path: Path, *, crs: str, dataset: str
) -> None:
    sheet = read_sheet(path)
    crs = crs_io.parse_crs(crs)
    parsed: records_io.ParseResult[Any]
    if kind == "facilities":
        taxonomy = project.taxonomy()
        parsed = records_io.facilities_from_sheet(
            sheet, dataset=dataset, crs=crs, resolve_type=lambda t: taxonomy.resolve_type(t).code
        )
    elif kind == "compounds":
        parsed = records_io.compounds_from_sheet(sheet, dataset=dataset, crs=crs)
    else:
        parsed = records_io.boards_from_sheet(sheet, dataset=dataset, crs=crs)
    outside = [r for r in parsed.records if not can_edit(user, r)]
    if outside:
        _refuse(user, outside)


def _require_removals_in_area(
    project: Project, user: User, kind: str, report: imports.ImportReport
) -> None:
    removed = {key for k in report.summary.kinds for key in k.removed}
    if not removed:
        return
    with project.open_store() as store:
        stored = [r for r in store.records(_RECORD_KIND[kind]) if r.key in removed]
    outside = [r for r in stored if isinstance(r, Facility | Compound | Board)]
    outside = [r for r in outside if not can_edit(user, r)]
    if outside:
        _refuse(user, outside)


def _refuse(user: User, records: Sequence[Record]) -> None:
    names = tuple(str(getattr(r, "name", r.key)) for r in records[:5])
    more = Msg("error.store.more", n=len(records) - 5) if len(records) > 5 else None
    raise AccessDenied("error.staff.sheet_outside", names=names, more=more, role=user.role_label())
