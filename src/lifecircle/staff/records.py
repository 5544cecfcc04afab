"""Staff edits of facilities and compound entrances, each one data version plus one audit row.

Checks every value (the field is named in the error) and the editor's area
(:mod:`lifecircle.staff.accounts`) before anything is written; the check and the write see the
same stored record. Walking edits and sheet uploads are :mod:`lifecircle.staff.walking` and
:mod:`lifecircle.staff.uploads`; :mod:`lifecircle.staff.permissions` says where one may act.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import shapely
from shapely import affinity

from lifecircle.errors import AccessDenied, StaffEditError, UnknownTypeError
from lifecircle.io.values import FieldValueError, check_opening_hours, parse_phone
from lifecircle.model import Compound, Facility, LonLat, Record, round_lonlat
from lifecircle.project import Project
from lifecircle.staff.accounts import User, require_edit, require_editor
from lifecircle.staff.permissions import check_inside, dist_m, near_record_m, subdistrict_of
from lifecircle.store import DataVersion
from lifecircle.store.accounts import AuditEntry

#: Scope of facilities staff add on the web (imports never write it).
STAFF_SCOPE = "staff"
#: Fields of a facility that staff may set, with their longest accepted length (text) or None.
TEXT_FIELDS: Mapping[str, int] = {
    "name": 100,
    "address": 200,
    "phone": 40,
    "opening_hours": 200,
    "community": 100,
    "subdistrict": 100,
}
OTHER_FIELDS = ("type_code", "capacity", "status")
STATUSES = ("open", "closed", "planned")
MAX_ENTRANCES = 50


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _clean(project: Project, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise the fields staff sent; unknown fields are refused."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in TEXT_FIELDS:
            text = "" if value is None else str(value).strip()
            if len(text) > TEXT_FIELDS[name] or any(ord(c) < 32 for c in text):
                raise StaffEditError(
                    "error.staff.text", field=name, value=text[:40], n=TEXT_FIELDS[name]
                )
            out[name] = _checked_text(name, text)
        elif name == "type_code":
            try:
                out[name] = project.taxonomy().resolve_type(str(value)).code
            except UnknownTypeError:
                raise StaffEditError("error.staff.type", field=name, value=str(value)) from None
        elif name == "capacity":
            out[name] = _capacity(value)
        elif name == "status":
            if value not in STATUSES:
                raise StaffEditError("error.staff.status", field=name, value=str(value))
            out[name] = value
        else:
            raise StaffEditError("error.staff.unknown_field", field=name, fields=_settable())
    if "name" in out and not out["name"]:
        raise StaffEditError("error.staff.empty_name", field="name")
    return out


def _checked_text(name: str, text: str) -> str:
    """Check a phone or opening hours as a sheet import does (other text passes as it is)."""
    if not text or name not in ("phone", "opening_hours"):
        return text
    try:
        return parse_phone(text) if name == "phone" else check_opening_hours(text)
    except FieldValueError as bad:
        if name == "phone":
            raise StaffEditError("error.staff.phone", field=name, value=text[:40]) from None
        time = dict(bad.what.params).get("time", "")
        raise StaffEditError(
            "error.staff.opening_hours", field=name, value=text[:40], time=str(time)
        ) from None


def _settable() -> tuple[str, ...]:
    return (*TEXT_FIELDS, *OTHER_FIELDS)


def _capacity(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise StaffEditError("error.staff.capacity", field="capacity", value=str(value))
    try:
        number = int(value)
    except ValueError:
        raise StaffEditError("error.staff.capacity", field="capacity", value=str(value)) from None
    if number < 0:
        raise StaffEditError("error.staff.capacity", field="capacity", value=str(value))
    return number


def _point(lon: Any, lat: Any, *, field: str = "location") -> LonLat:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise StaffEditError("error.staff.point", field=field, value=f"{lon},{lat}") from None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise StaffEditError("error.staff.point", field=field, value=f"{lon},{lat}")
    return round_lonlat(x, y)


def _diff(before: Record, after: Record) -> dict[str, list[Any]]:
    old, new = before.payload(), after.payload()
    skip = {"verified_on", "source"}
    return {k: [old.get(k), new[k]] for k in new if k not in skip and old.get(k) != new[k]}


def _audit(
    user: User, action: str, extra: Mapping[str, Any] | None = None
) -> Callable[[Record, Record], AuditEntry]:
    def make(before: Record, after: Record) -> AuditEntry:
        detail = {"name": getattr(after, "name", ""), "changed": _diff(before, after)}
        return AuditEntry(user.name, action, after.key, {**detail, **(extra or {})})

    return make


def _check_area_fields(project: Project, user: User, values: Mapping[str, Any]) -> None:
    """Only the district may put a record outside an editor's area.

    A sub-district editor sets ``subdistrict`` only to theirs; a community editor sets
    ``community`` only to theirs and ``subdistrict`` only to their community's.
    """
    if user.level == "district":
        return
    allowed = {user.level: user.area}
    if user.level == "community" and "subdistrict" in values:
        with project.open_store() as store:
            allowed["subdistrict"] = subdistrict_of(store, user.area)
    for name, value in allowed.items():
        if name in values and values[name] != value:
            raise AccessDenied(
                "error.staff.area_field", field=name, value=values[name], role=user.role_label()
            )


def add_facility(
    project: Project, user: User, values: Mapping[str, Any]
) -> tuple[Facility, DataVersion]:
    """Add a facility (``name``, ``type_code``, ``lon``, ``lat`` and optional fields).

    A community or sub-district editor's facility gets their area (and may not name another);
    a community editor's also gets the sub-district the community's other records name.

    Raises
    ------
    StaffEditError
        A field is missing or bad (the error names it).
    AccessDenied
        The area named is not the editor's.
    LocationError
        The point lies outside the project area.
    """
    require_editor(user)
    values = dict(values)
    for name in ("name", "type_code", "lon", "lat"):
        if values.get(name) in (None, ""):
            raise StaffEditError("error.staff.missing", field=name)
    lon, lat = _point(values.pop("lon"), values.pop("lat"))
    fields = _clean(project, values)
    if user.level != "district":
        fields.setdefault(user.level, user.area)
    _check_area_fields(project, user, fields)
    with project.open_store() as store:
        check_inside(project, store, [(lon, lat)])
        if user.level == "community":
            fields.setdefault("subdistrict", subdistrict_of(store, user.area))

        def make(number: int) -> Facility:
            return Facility(
                f"{STAFF_SCOPE}:{number}",
                lon=lon,
                lat=lat,
                source=f"staff:{user.name}",
                verified_on=_today(),
                **fields,
            )

        made, version = store.add_numbered(
            "facility",
            make,
            scope=STAFF_SCOPE,
            action="staff facility.add",
            source=f"staff:{user.name}",
            author=user.name,
            audit=lambda record: AuditEntry(
                user.name, "facility.add", record.key, {"name": fields["name"], "fields": fields}
            ),
        )
    assert isinstance(made, Facility)
    return made, version


def _update(
    project: Project,
    user: User,
    key: str,
    change: Callable[[Facility], Facility],
    *,
    action: str,
    note: str = "",
    extra: Mapping[str, Any] | None = None,
) -> tuple[Facility, DataVersion | None]:
    with project.open_store() as store:

        def checked(current: Record) -> Record:
            if not isinstance(current, Facility):
                raise StaffEditError("error.staff.not_facility", key=key)
            require_edit(user, current)
            new = change(current)
            return dataclasses.replace(new, verified_on=_today())

        made, version = store.update_record(
            "facility",
            key,
            checked,
            action=f"staff {action}",
            source=f"staff:{user.name}",
            author=user.name,
            note=note,
            audit=_audit(user, action, extra),
        )
    assert isinstance(made, Facility)
    return made, version


def update_facility(
    project: Project, user: User, key: str, values: Mapping[str, Any]
) -> tuple[Facility, DataVersion | None]:
    """Change fields of a facility in the editor's area (version ``None``: nothing changed).

    Raises
    ------
    StaffEditError
        A field is unknown or bad.
    AccessDenied
        The facility (or the area it would get) is not the editor's.
    StoreError
        There is no facility ``key``.
    """
    if "lon" in values or "lat" in values:
        raise StaffEditError("error.staff.use_move", field="lon")
    fields = _clean(project, values)
    _check_area_fields(project, user, fields)
    return _update(
        project,
        user,
        key,
        lambda current: dataclasses.replace(current, **fields),
        action="facility.update",
    )


def move_facility(
    project: Project, user: User, key: str, *, lon: Any, lat: Any
) -> tuple[Facility, DataVersion | None]:
    """Move a facility (its outline and entrances with it) to ``lon``, ``lat`` (WGS-84).

    A community or sub-district editor may move it at most ``staff_max_move_m`` at a time
    (a guard against a slipped drag, not a boundary); the new point must be inside the area.

    Raises
    ------
    AccessDenied
        Not the editor's facility, or moved farther than they may.
    LocationError
        The new point lies outside the project area.
    """
    to = _point(lon, lat)
    limit_m = project.settings.staff_max_move_m
    with project.open_store() as store:
        check_inside(project, store, [to])

    def moved(current: Facility) -> Facility:
        far_m = dist_m((current.lon, current.lat), to)
        if user.level != "district" and far_m > limit_m:
            raise AccessDenied("error.staff.move_too_far", dist_m=far_m, max_m=limit_m)
        return _translated(current, to)

    return _update(project, user, key, moved, action="facility.move")


def _translated(facility: Facility, to: LonLat) -> Facility:
    dx, dy = to[0] - facility.lon, to[1] - facility.lat
    outline = facility.outline_wkt
    if outline:
        outline = affinity.translate(shapely.from_wkt(outline), dx, dy).wkt
    entrances = tuple(round_lonlat(x + dx, y + dy) for x, y in facility.entrances)
    return dataclasses.replace(
        facility, lon=to[0], lat=to[1], outline_wkt=outline, entrances=entrances
    )


def close_facility(
    project: Project, user: User, key: str, *, note: str = ""
) -> tuple[Facility, DataVersion | None]:
    """Mark a facility closed (it stays in the store and its history; residents stop seeing it).

    Raises
    ------
    AccessDenied
        Not the editor's facility.
    """
    return _update(
        project,
        user,
        key,
        lambda current: dataclasses.replace(current, status="closed"),
        action="facility.close",
        note=note.strip()[:200],
        extra={"note": note.strip()[:200]},
    )


def set_entrances(
    project: Project, user: User, key: str, entrances: Sequence[Sequence[Any]]
) -> tuple[Compound, DataVersion | None]:
    """Replace a compound's entrances (gates where walking starts) with these WGS-84 points.

    Each must lie within ``staff_edit_near_m`` of the compound (its point or outline).

    Raises
    ------
    StaffEditError
        No points, too many, a bad point, or one far from the compound.
    AccessDenied
        Not the editor's compound.
    """
    if not entrances or len(entrances) > MAX_ENTRANCES:
        raise StaffEditError("error.staff.entrance_count", field="entrances", n=MAX_ENTRANCES)
    points = []
    for i, point in enumerate(entrances):
        if not isinstance(point, Sequence) or len(point) != 2:
            raise StaffEditError("error.staff.point", field=f"entrances[{i}]", value=str(point))
        points.append(_point(point[0], point[1], field=f"entrances[{i}]"))
    near_m = project.settings.staff_edit_near_m
    with project.open_store() as store:
        check_inside(project, store, points)

        def change(current: Record) -> Record:
            if not isinstance(current, Compound):
                raise StaffEditError("error.staff.not_compound", key=key)
            require_edit(user, current)
            for i, point in enumerate(points):
                away_m = near_record_m(current, point)
                if away_m > near_m:
                    raise StaffEditError(
                        "error.staff.entrance_far",
                        field=f"entrances[{i}]",
                        dist_m=away_m,
                        max_m=near_m,
                        name=current.name,
                    )
            return dataclasses.replace(current, entrances=tuple(points))

        made, version = store.update_record(
            "compound",
            key,
            change,
            action="staff compound.entrances",
            source=f"staff:{user.name}",
            author=user.name,
            audit=_audit(user, "compound.entrances"),
        )
    assert isinstance(made, Compound)
    return made, version
