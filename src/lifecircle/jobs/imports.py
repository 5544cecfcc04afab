"""Import use cases: read a file, validate it against the project, and commit one data version.

Each function is what one `lifecircle import …` command does. A file with bad rows imports nothing
unless ``skip_bad_rows``; an import that would remove more than a few stored rows of its dataset
(a header-only or truncated sheet) needs ``replace``; every commit is one transaction, so the
previous version survives a crash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import shapely

from lifecircle import geo as crs_io
from lifecircle.cache.basemap import save_basemap
from lifecircle.errors import BadRowsError, ConfigError, RemovalError, RowProblem
from lifecircle.io import records as records_io
from lifecircle.io.boundary import read_boundary
from lifecircle.io.osm import read_osm
from lifecircle.io.osm_compounds import derive_compounds
from lifecircle.io.sheet_limits import SheetLimits
from lifecircle.io.sheets import Sheet, read_sheet
from lifecircle.jobs import checks
from lifecircle.jobs.collection import declaration_snapshot, resolve_types, sheet_scope
from lifecircle.jobs.duplicates import duplicate_pairs
from lifecircle.jobs.residents import (
    CALIBRATIONS_META,
    Calibration,
    apply_calibrations,
    calibrate,
    remembered,
    saved_calibrations,
)
from lifecircle.model import Board, Compound, Facility, Record, WalkWay
from lifecircle.opening_hours import machine_readable
from lifecircle.project import Project
from lifecircle.store import ChangeSummary, DataVersion, Snapshot, Store
from lifecircle.store.accounts import AuditEntry

SheetKind = Literal["facilities", "compounds", "boards"]
OSM_SCOPE = "osm"
DERIVED_COMPOUND_SCOPE = "osm-derived"
#: An import may remove at most this many stored rows of its dataset without ``replace`` …
FEW_REMOVALS = 5
_ROW_RE = re.compile(r"#row (\d+)$")


@dataclass(frozen=True)
class FarPoint:
    """A point farther than the snapping distance from every walkable way (a warning)."""

    row: int
    label: str
    dist_m: float


@dataclass(frozen=True)
class FreeHours:
    """A facility whose opening hours are free text, kept as written ("open now" unknown)."""

    row: int
    label: str
    text: str


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    what: str
    path: str
    dry_run: bool
    summary: ChangeSummary
    version: DataVersion | None
    skipped: tuple[RowProblem, ...] = ()
    far: tuple[FarPoint, ...] = ()
    far_limit_m: float = 0.0
    removals_held: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Rows of the dataset stored before the import, and whether its removals needed ``replace``.
    stored_rows: int = 0
    removed_rows: int = 0
    needs_replace: bool = False
    dataset: str = ""
    free_hours: tuple[FreeHours, ...] = ()
    #: OSM points folded into the area of their type they lie in (one facility each).
    merged: int = 0
    #: Facilities OSM and a sheet may both hold, waiting for staff (``lifecircle duplicates``).
    to_review: int = 0


def _commit(
    store: Store,
    snapshots: Sequence[Snapshot],
    *,
    dry_run: bool,
    action: str,
    source: str,
    author: str,
    meta_values: dict[str, str] | None = None,
    audit: AuditEntry | None = None,
) -> tuple[ChangeSummary, DataVersion | None]:
    if dry_run:
        return store.plan(snapshots), None
    outcome = store.commit(
        snapshots,
        action=action,
        source=source,
        author=author,
        meta_values=meta_values,
        audit=audit,
    )
    return outcome.summary, outcome.version


def import_osm(
    project: Project,
    path: Path,
    *,
    boundary_path: Path | None = None,
    boundary_feature: str = "",
    dry_run: bool = False,
    author: str = "cli",
    residents: Calibration | None = None,
) -> ImportReport:
    """Import walkable ways, facilities and (without a compound sheet) derived compounds.

    The derived compounds' estimated residents are calibrated by the calibrations the store
    remembers and by ``residents`` (a known total, remembered from now on).
    """
    taxonomy = project.taxonomy()
    boundary = None
    if boundary_path is not None:
        boundary = read_boundary(
            boundary_path, feature=boundary_feature, area_code=project.area_code
        )
    else:
        boundary = _stored_boundary(project)

    def match(tags: Mapping[str, str]) -> str | None:
        found = taxonomy.match_osm(tags)
        return found.code if found is not None else None

    hosts = [t for t in taxonomy.types if t.candidate_osm]

    def could_host(tags: Mapping[str, str]) -> bool:
        return any(t.could_host(tags) for t in hosts)

    extract = read_osm(
        path,
        match_type=match,
        boundary=boundary,
        network_buffer_m=project.settings.network_buffer_m,
        keep_candidate=could_host,
    )
    snapshots = [
        Snapshot("walk_way", OSM_SCOPE, extract.ways),
        Snapshot("walk_node", OSM_SCOPE, extract.nodes),
        Snapshot("facility", OSM_SCOPE, extract.facilities),
        Snapshot("candidate_site", OSM_SCOPE, extract.candidates),
    ]
    notes: list[str] = []
    with project.open_store() as store:
        has_sheet_compounds = any(s.startswith("sheet:") for s in store.scopes("compound"))
        if has_sheet_compounds:
            notes.append("compounds_from_sheet_kept")
        else:
            derived = derive_compounds(
                extract,
                floor_area_per_person_m2=project.settings.floor_area_per_person_m2,
                default_levels=project.settings.default_building_levels,
            )
            derived = apply_calibrations(derived, saved_calibrations(store))
            snapshots.append(Snapshot("compound", DERIVED_COMPOUND_SCOPE, derived))
        meta_values = {"osm_file": Path(path).name, "osm_timestamp": extract.osm_timestamp or ""}
        if residents is not None:
            snapshots[-1] = _calibrated(snapshots[-1], residents)
            meta_values[CALIBRATIONS_META] = remembered(saved_calibrations(store), residents)
        if boundary_path is not None and boundary is not None:
            meta_values["boundary_wkt"] = boundary.wkt
        summary, version = _commit(
            store,
            snapshots,
            dry_run=dry_run,
            action="import osm",
            source=Path(path).name,
            author=author,
            meta_values=meta_values,
        )
    if not dry_run:
        save_basemap(project.cache_dir, extract.basemap)
    return ImportReport(
        "osm", str(path), dry_run, summary, version, notes=tuple(notes),
        merged=len(extract.merged), to_review=0 if dry_run else _to_review(project),
    )  # fmt: skip


def _to_review(project: Project) -> int:
    """Count the OSM × sheet pairs that wait for staff to confirm or split them."""
    return sum(p.status == "suggested" for p in duplicate_pairs(project))


def _calibrated(snapshot: Snapshot, calibration: Calibration) -> Snapshot:
    """Scale the compounds snapshot to a known total (ConfigError: nothing to scale)."""
    if snapshot.kind != "compound":
        raise ConfigError("error.residents.nothing_to_scale", scope=calibration.scope)
    compounds = [c for c in snapshot.records if isinstance(c, Compound)]
    scaled, _ = calibrate(compounds, calibration)
    return Snapshot("compound", snapshot.scope, scaled)


def _stored_boundary(project: Project) -> shapely.Geometry | None:
    with project.open_store() as store:
        wkt = store.get_meta("boundary_wkt")
    return shapely.from_wkt(wkt) if wkt else None


def _row_of(record: Facility | Compound | Board) -> int:
    match = _ROW_RE.search(record.source)
    return int(match.group(1)) if match else 0


def _points(records: Sequence[Facility | Compound | Board]) -> list[checks.LocatedPoint]:
    return [checks.LocatedPoint(_row_of(r), r.name, r.lon, r.lat) for r in records]


def _parse(
    project: Project,
    kind: SheetKind,
    sheet: Sheet,
    *,
    crs: str,
    dataset: str,
    centre: tuple[float, float] | None,
) -> (
    records_io.ParseResult[Facility]
    | records_io.ParseResult[Compound]
    | records_io.ParseResult[Board]
):
    if kind == "facilities":
        taxonomy = project.taxonomy()
        return records_io.facilities_from_sheet(
            sheet,
            dataset=dataset,
            crs=crs,
            resolve_type=lambda text: taxonomy.resolve_type(text).code,
            centre=centre,
        )
    if kind == "compounds":
        return records_io.compounds_from_sheet(sheet, dataset=dataset, crs=crs, centre=centre)
    return records_io.boards_from_sheet(sheet, dataset=dataset, crs=crs, centre=centre)


def _area_index(project: Project, store: Store) -> checks.AreaIndex | None:
    ways = store.records("walk_way")
    wkt = store.get_meta("boundary_wkt")
    return checks.build_area_index(
        [w for w in ways if isinstance(w, WalkWay)],
        boundary=shapely.from_wkt(wkt) if wkt else None,
        margin_m=project.settings.outside_margin_m,
    )


def _locate(
    project: Project,
    index: checks.AreaIndex | None,
    records: Sequence[Facility | Compound | Board],
    *,
    crs: str,
    file: str,
) -> tuple[list[RowProblem], list[FarPoint]]:
    if index is None:
        return [], []
    points = _points(records)
    checks.check_crs(index, points, declared_crs=crs, file=file)
    problems = checks.check_outside(index, points, file=file)
    bad_rows = {p.row for p in problems}
    far = [
        FarPoint(p.row, p.label, dist)
        for p, dist in checks.far_from_network(
            index, [p for p in points if p.row not in bad_rows], max_m=project.settings.snap_max_m
        )
    ]
    return problems, far


def _checked_rows(
    project: Project,
    store: Store,
    kind: SheetKind,
    sheet: Sheet,
    *,
    crs: str,
    dataset: str,
    skip_bad_rows: bool,
) -> tuple[list[Record], list[RowProblem], list[FarPoint]]:
    """Parse and locate the rows: the good records, the problems (raised unless skipped), far ones.

    Hints name the area's own coordinates (its centre), not Tianjin's.
    """
    index = _area_index(project, store)
    centre = index.centre if index is not None else None
    parsed = _parse(project, kind, sheet, crs=crs, dataset=dataset, centre=centre)
    located, far = _locate(project, index, parsed.records, crs=crs, file=sheet.name)
    problems = sorted([*parsed.problems, *located], key=lambda p: (p.row, p.column))
    if problems and not skip_bad_rows:
        raise BadRowsError(problems)
    bad_rows = {p.row for p in problems}
    return [r for r in parsed.records if _row_of(r) not in bad_rows], problems, far


def _check_removals(
    summary: ChangeSummary, stored: Sequence[Record], *, dataset: str, file: str, replace: bool
) -> tuple[int, bool]:
    """Refuse (unless ``replace``) to remove more than a few, or all, of a dataset's rows.

    Returns how many stored rows of the dataset the import removes, and whether that needed
    ``replace``. Other removals (OSM-derived compounds a compound sheet replaces) do not count.
    """
    mine = {r.key for r in stored}
    removed = sum(1 for k in summary.kinds for key in k.removed if key in mine)
    needs = removed > FEW_REMOVALS or (removed > 0 and removed == len(mine))
    if needs and not replace:
        raise RemovalError(
            "error.import.would_remove",
            file=file,
            dataset=dataset,
            n=removed,
            stored=len(mine),
            left=len(mine) - removed,
        )
    return removed, needs


def import_sheet(
    project: Project,
    kind: SheetKind,
    path: Path,
    *,
    crs: str = "wgs84",
    dataset: str = "",
    sheet_name: str | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    replace: bool = False,
    complete_types: Sequence[str] = (),
    author: str = "cli",
    audit: AuditEntry | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ImportReport:
    """Import a facilities, compounds or boards sheet (CSV, XLSX or GeoJSON) as one version.

    An import that would remove more than :data:`FEW_REMOVALS` stored rows of the dataset, or
    all of them, raises :class:`~lifecircle.errors.RemovalError` unless ``replace`` (a dry run
    reports it in ``needs_replace`` instead). ``complete_types`` (facilities only; codes or
    names) declares that this dataset holds every facility of those types in the area, in the
    same version (:mod:`lifecircle.jobs.collection`). ``audit`` (a staff upload) is written in
    the same transaction as the version;
    ``progress(stage, rows)`` hears of the stages ``read``, ``check`` and ``write``.
    """
    say = progress or (lambda _stage, _rows: None)
    crs = crs_io.parse_crs(crs)
    if complete_types and kind != "facilities":
        raise ConfigError("error.collection.not_facilities", kind=kind)
    declared = resolve_types(project.taxonomy(), complete_types)
    limits = SheetLimits.from_settings(project.settings)
    say("read", 0)
    sheet = read_sheet(path, sheet_name=sheet_name, limits=limits)
    say("check", len(sheet.rows))
    dataset = dataset or Path(path).stem
    scope = sheet_scope(dataset)
    record_kind = {"facilities": "facility", "compounds": "compound", "boards": "board"}[kind]
    with project.open_store() as store:
        good, problems, far = _checked_rows(
            project, store, kind, sheet, crs=crs, dataset=dataset, skip_bad_rows=skip_bad_rows
        )
        stored = store.records(record_kind, scope=scope)
        # A skipped row may be an existing record whose key we cannot read: hold all removals.
        held = frozenset(r.key for r in stored) if problems else frozenset()
        snapshots = [Snapshot(record_kind, scope, good, protect=held)]
        say("write", len(good))
        if kind == "compounds":
            snapshots.append(Snapshot("compound", DERIVED_COMPOUND_SCOPE, []))
        if declared:
            snapshots.append(
                declaration_snapshot(store, dataset, add=declared, author=author, source=sheet.name)
            )
        removed, needs_replace = _check_removals(
            store.plan(snapshots),
            stored,
            dataset=dataset,
            file=sheet.name,
            replace=replace or dry_run,
        )
        summary, version = _commit(
            store,
            snapshots,
            dry_run=dry_run,
            action=f"import {kind}",
            source=sheet.name,
            author=author,
            audit=audit,
        )
    return ImportReport(
        kind,
        str(path),
        dry_run,
        summary,
        version,
        skipped=tuple(problems),
        far=tuple(far),
        far_limit_m=project.settings.snap_max_m,
        removals_held=bool(problems),
        stored_rows=len(stored),
        removed_rows=removed,
        needs_replace=needs_replace,
        dataset=dataset,
        free_hours=_free_hours(good),
        to_review=_to_review(project) if kind == "facilities" and not dry_run else 0,
    )


def _free_hours(records: Sequence[Record]) -> tuple[FreeHours, ...]:
    """List the facilities whose hours this reader cannot tell "open now" from."""
    return tuple(
        FreeHours(_row_of(r), r.name, r.opening_hours)
        for r in records
        if isinstance(r, Facility) and machine_readable(r.opening_hours) is False
    )
