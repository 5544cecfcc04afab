"""Staff's local knowledge about walking: barriers and links OSM lacks, stored and versioned.

Each add or remove is one data version (author, action, note). Edits live apart from the OSM
records, so re-imports never touch them; an edit whose OSM way or node has gone is reported,
never dropped. This module turns edits into :class:`~lifecircle.engine.network.LocalRules` and
builds no graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import get_args

import numpy as np
import shapely

from lifecircle.engine.graph import CLOSED_GATE_M, LocalRules
from lifecircle.errors import EditError, LocationError, Msg
from lifecircle.jobs.checks import AreaIndex, build_area_index
from lifecircle.model import EditKind, LocalEdit, LonLat, Record, WalkWay, round_lonlat
from lifecircle.project import Project
from lifecircle.store import DataVersion, Store
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.database import Also
from lifecircle.store.engine import utc_timestamp

#: Scope of every local edit in the store (OSM imports write scope ``osm``, never this one).
EDIT_SCOPE = "edit"
EDIT_KINDS: tuple[str, ...] = get_args(EditKind)
WAY_KINDS = ("impassable_way", "uncrossable_way")
#: Kinds that name places, not OSM objects: a link's two ends, a closed gate's one point.
POINT_KINDS = ("link", "closed_gate")
#: ``network.add_links`` attaches a link's ends to ways within this many metres (its default).
LINK_SNAP_M = 50.0
#: How ids are found, for error messages.
_FIND_IDS = Msg("error.edit.find_ids")

EditTarget = Project | Store


@contextmanager
def _opened(target: EditTarget) -> Iterator[Store]:
    if isinstance(target, Store):
        yield target
        return
    with target.open_store() as store:
        yield store


class _Network:
    """The stored walk network as the checks need it (each part built on first use)."""

    def __init__(self, ways: Sequence[WalkWay]) -> None:
        if not ways:
            raise EditError("error.edit.no_network")
        self.ways = ways

    @cached_property
    def by_id(self) -> dict[int, WalkWay]:
        return {way.osm_id: way for way in self.ways}

    @cached_property
    def node_lonlat(self) -> dict[int, LonLat]:
        """Every node on a walkable way (tagged or not) and where it is."""
        return {n: c for way in self.ways for n, c in zip(way.node_ids, way.coords, strict=True)}

    @cached_property
    def area(self) -> AreaIndex:
        index = build_area_index(self.ways, boundary=None, margin_m=LINK_SNAP_M)
        assert index is not None  # there are ways
        return index


def _load_network(store: Store) -> _Network:
    return _Network([w for w in store.records("walk_way") if isinstance(w, WalkWay)])


def add_edit(
    target: EditTarget,
    *,
    edit_kind: str,
    osm_id: int | None = None,
    coords: Sequence[Sequence[float]] = (),
    note: str = "",
    author: str,
    audit: Callable[[Record], AuditEntry] | None = None,
    also: Also | None = None,
) -> tuple[LocalEdit, DataVersion]:
    """Store one local edit as one new data version; return it (with its new id) and the version.

    ``edit_kind`` is ``impassable_way``, ``impassable_node``, ``uncrossable_way`` (each needs
    ``osm_id`` of a way or node in the stored walk network) or ``link`` (needs ``coords``: two
    WGS-84 ``(lon, lat)`` points inside the area, each within :data:`LINK_SNAP_M` of a way) or
    ``closed_gate`` (needs ``coords``: one point within ``CLOSED_GATE_M`` of a way, where a
    compound's gate is shut; its compound walks out by its other gates). For the other kinds
    ``coords`` is where the staff clicked; by default the way's midpoint
    or the node's location. ``audit(edit)`` makes an audit row written with the version;
    ``also(conn, edit, version)`` writes anything else in the same transaction.

    Raises
    ------
    EditError
        Unknown kind, unknown OSM id, a node on no walkable way, a duplicate edit, a bad link.
    LocationError
        A point lies outside the area of the stored walk network.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from lifecircle.store import Snapshot
    >>> store = Store.open(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'lc.db'}")
    >>> road = WalkWay(7, (1, 2, 3), ((117.19, 39.11), (117.191, 39.11), (117.192, 39.11)))
    >>> imported = store.commit([Snapshot("walk_way", "osm", [road])], action="import osm",
    ...                         source="demo.osm.pbf", author="demo")
    >>> edit, version = add_edit(store, edit_kind="uncrossable_way", osm_id=7,
    ...                          note="中间有护栏", author="王芳")
    >>> edit.key, edit.coords, version.action, version.author
    ('edit:1', ((117.191, 39.11),), 'edit uncrossable_way', '王芳')
    >>> rules, warnings = local_rules(store)
    >>> rules.uncrossable_ways, warnings
    (frozenset({7}), [])
    >>> store.close()
    """
    if edit_kind not in EDIT_KINDS:
        raise EditError("error.edit.kind", kind=edit_kind, kinds=EDIT_KINDS)
    _check_author(author)
    with _opened(target) as store:
        network = _load_network(store)
        points = _checked_points(network, edit_kind, osm_id, coords)
        _refuse_duplicate(list_edits(store), edit_kind, osm_id, points)

        def make(number: int) -> LocalEdit:
            return LocalEdit(
                edit_id=number,
                edit_kind=edit_kind,  # type: ignore[arg-type]  # checked against EDIT_KINDS
                osm_id=osm_id,
                coords=points,
                note=note.strip(),
                author=author,
                created_at=utc_timestamp(),
            )

        edit, version = store.add_numbered(
            LocalEdit.kind,
            make,
            scope=EDIT_SCOPE,
            action=f"edit {edit_kind}",
            source=_target_label(edit_kind, osm_id, points),
            author=author,
            note=note.strip(),
            audit=audit,
            also=also,
        )
    assert isinstance(edit, LocalEdit)
    return edit, version


def _check_author(author: str) -> None:
    if not author.strip():
        raise EditError("error.edit.author", author=author)


def _target_label(edit_kind: str, osm_id: int | None, points: Sequence[LonLat]) -> str:
    """Name what an edit applies to: ``osm:way/5``, ``osm:node/7`` or a link's two ends.

    >>> _target_label("link", None, [(117.2, 39.1), (117.2001, 39.1)])
    '117.200000,39.100000 → 117.200100,39.100000'
    """
    if edit_kind in POINT_KINDS:
        return " → ".join(f"{lon:.6f},{lat:.6f}" for lon, lat in points)
    return f"osm:{'node' if edit_kind == 'impassable_node' else 'way'}/{osm_id}"


def _checked_points(
    network: _Network, edit_kind: str, osm_id: int | None, coords: Sequence[Sequence[float]]
) -> tuple[LonLat, ...]:
    """Check the OSM id and the points of a new edit; return its points, rounded."""
    points = tuple(_lonlat(p) for p in coords)
    if edit_kind == "link":
        if osm_id is not None:
            raise EditError("error.edit.link_osm_id", osm_id=osm_id)
        _check_link(network, points)
        return points
    if edit_kind == "closed_gate":
        if osm_id is not None:
            raise EditError("error.edit.gate_osm_id", osm_id=osm_id)
        _check_gate(network, points)
        return points
    if osm_id is None:
        if edit_kind == "impassable_node":
            raise EditError("error.edit.needs_node_id", kind=_kind(edit_kind), find=_FIND_IDS)
        raise EditError("error.edit.needs_way_id", kind=_kind(edit_kind), find=_FIND_IDS)
    if points:
        _check_inside(network, points)
    if edit_kind == "impassable_node":
        return points or (_node_location(network, osm_id),)
    return points or (_way_midpoint(network, osm_id),)


def _lonlat(point: Sequence[float]) -> LonLat:
    values = tuple(point)
    if len(values) != 2 or not all(np.isfinite(v) for v in values):
        raise LocationError("error.edit.point_numbers", values=repr(values))
    return round_lonlat(values[0], values[1])


def _way_midpoint(network: _Network, osm_id: int) -> LonLat:
    way = network.by_id.get(osm_id)
    if way is None:
        node = osm_id in network.node_lonlat
        hint = Msg("error.edit.way_is_node", osm_id=osm_id) if node else None
        raise EditError("error.edit.way_unknown", osm_id=osm_id, hint=hint, find=_FIND_IDS)
    middle = shapely.LineString(way.coords).interpolate(0.5, normalized=True)
    return round_lonlat(middle.x, middle.y)


def _node_location(network: _Network, osm_id: int) -> LonLat:
    found = network.node_lonlat.get(osm_id)
    if found is None:
        way = osm_id in network.by_id
        hint = Msg("error.edit.node_is_way", osm_id=osm_id) if way else None
        raise EditError("error.edit.node_unknown", osm_id=osm_id, hint=hint, find=_FIND_IDS)
    return round_lonlat(*found)


def _check_inside(network: _Network, points: Sequence[LonLat]) -> None:
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    inside = network.area.inside(lon, lat)
    swapped = network.area.inside(lat, lon)
    for point, ok, flipped in zip(points, inside, swapped, strict=True):
        if not ok:
            hint = Msg("error.edit.swapped" if flipped else "error.edit.check_numbers")
            raise LocationError("error.edit.outside", point=_point(point), hint=hint)


def _check_link(network: _Network, points: Sequence[LonLat]) -> None:
    if len(points) != 2 or points[0] == points[1]:
        same = Msg("error.edit.same_point") if len(points) == 2 else None
        raise EditError("error.edit.link_points", n=len(points), same=same)
    _check_inside(network, points)
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    for point, dist_m in zip(points, network.area.distance_to_ways_m(lon, lat), strict=True):
        if dist_m > LINK_SNAP_M:
            raise EditError(
                "error.edit.link_far", point=_point(point), dist_m=dist_m, snap_m=LINK_SNAP_M
            )


def _check_gate(network: _Network, points: Sequence[LonLat]) -> None:
    if len(points) != 1:
        raise EditError("error.edit.gate_points", n=len(points))
    _check_inside(network, points)
    lon, lat = np.array([points[0][0]]), np.array([points[0][1]])
    dist_m = float(network.area.distance_to_ways_m(lon, lat)[0])
    if dist_m > CLOSED_GATE_M:
        raise EditError(
            "error.edit.gate_far", point=_point(points[0]), dist_m=dist_m, snap_m=CLOSED_GATE_M
        )


def _refuse_duplicate(
    edits: Sequence[LocalEdit], edit_kind: str, osm_id: int | None, points: Sequence[LonLat]
) -> None:
    for edit in edits:
        if edit.edit_kind != edit_kind:
            continue
        by_place = edit_kind in POINT_KINDS
        same = set(edit.coords) == set(points) if by_place else edit.osm_id == osm_id
        if same:
            raise EditError(
                "error.edit.duplicate",
                edit_id=edit.edit_id,
                kind=_kind(edit_kind),
                target=_target_label(edit_kind, edit.osm_id, edit.coords),
                note=edit.note,
            )


def remove_edit(
    target: EditTarget,
    edit_id: int,
    *,
    author: str,
    note: str = "",
    audit: AuditEntry | None = None,
    also: Also | None = None,
) -> DataVersion:
    """Remove one local edit as one new data version (its history stays); ``audit`` with it.

    ``also(conn, removed edit, version)`` writes anything else in the same transaction.

    Raises
    ------
    EditError
        There is no edit with that id.
    """
    _check_author(author)
    with _opened(target) as store:
        edits = list_edits(store)
        found = next((e for e in edits if e.edit_id == edit_id), None)
        if found is None:
            ids = tuple(str(e.edit_id) for e in edits[:20])
            known = ids or Msg("error.edit.none_stored")
            raise EditError("error.edit.unknown_id", edit_id=edit_id, known=known)
        return store.remove_record(
            LocalEdit.kind,
            found.key,
            action="edit remove",
            source=found.key,
            author=author,
            note=note.strip(),
            audit=audit,
            also=also,
        )


def list_edits(target: EditTarget) -> list[LocalEdit]:
    """Return the stored local edits, oldest (lowest id) first."""
    with _opened(target) as store:
        edits = [e for e in store.records(LocalEdit.kind) if isinstance(e, LocalEdit)]
    return sorted(edits, key=lambda e: e.edit_id)


def local_rules(
    target: EditTarget, *, ways: Sequence[WalkWay] | None = None
) -> tuple[LocalRules, list[Msg]]:
    """Turn the stored edits into :class:`LocalRules`, with a warning for each orphaned edit.

    An edit is orphaned when its OSM way or node is no longer in the walk network (``ways``,
    by default the stored one), or a link end lies more than :data:`LINK_SNAP_M` from every
    way. Orphaned edits stay in the rules (they match nothing, and apply again if the object
    comes back) and in the store: staff decide what to do with them. Each warning is a
    :class:`~lifecircle.errors.Msg`: ``render(lang)`` in the user's language, ``str()`` English.
    """
    with _opened(target) as store:
        edits = list_edits(store)
        if ways is None and edits:
            ways = [w for w in store.records("walk_way") if isinstance(w, WalkWay)]
    rules = LocalRules(
        impassable_ways=_ids(edits, "impassable_way"),
        impassable_nodes=_ids(edits, "impassable_node"),
        uncrossable_ways=_ids(edits, "uncrossable_way"),
        links=tuple((e.coords[0], e.coords[1]) for e in edits if e.edit_kind == "link"),
        closed_gates=tuple(e.coords[0] for e in edits if e.edit_kind == "closed_gate"),
    )
    warnings = _orphan_warnings(edits, ways) if edits else []
    return rules, warnings


def _ids(edits: Sequence[LocalEdit], edit_kind: str) -> frozenset[int]:
    return frozenset(e.osm_id for e in edits if e.edit_kind == edit_kind and e.osm_id is not None)


def _orphan_warnings(edits: Sequence[LocalEdit], ways: Sequence[WalkWay] | None) -> list[Msg]:
    if not ways:
        return [Msg("edit.orphan_no_network", n=len(edits))]
    network = _Network(ways)
    found = ((edit, _orphan_problem(network, edit)) for edit in edits)
    return [_orphan_message(edit, problem) for edit, problem in found if problem is not None]


def _orphan_message(edit: LocalEdit, problem: Msg) -> Msg:
    near = Msg("edit.orphan_near", point=_point(edit.coords[0])) if edit.coords else None
    return Msg(
        "edit.orphan",
        edit_id=edit.edit_id,
        kind=_kind(edit.edit_kind),
        target=_target_label(edit.edit_kind, edit.osm_id, edit.coords),
        note=edit.note,
        author=edit.author,
        problem=problem,
        near=near,
    )


def _orphan_problem(network: _Network, edit: LocalEdit) -> Msg | None:
    """Why an edit no longer applies to the network (``None`` when it does)."""
    if edit.edit_kind in WAY_KINDS and edit.osm_id not in network.by_id:
        return Msg("edit.orphan_way_gone", osm_id=edit.osm_id)
    if edit.edit_kind == "impassable_node" and edit.osm_id not in network.node_lonlat:
        return Msg("edit.orphan_node_gone", osm_id=edit.osm_id)
    if edit.edit_kind == "link":
        lon = np.array([p[0] for p in edit.coords])
        lat = np.array([p[1] for p in edit.coords])
        far_m = float(network.area.distance_to_ways_m(lon, lat).max())
        if far_m > LINK_SNAP_M:
            return Msg("edit.orphan_link_far", dist_m=far_m, snap_m=LINK_SNAP_M)
    if edit.edit_kind == "closed_gate":
        lon, lat = np.array([edit.coords[0][0]]), np.array([edit.coords[0][1]])
        far_m = float(network.area.distance_to_ways_m(lon, lat)[0])
        if far_m > CLOSED_GATE_M:
            return Msg("edit.orphan_gate_far", dist_m=far_m, snap_m=CLOSED_GATE_M)
    return None


def _kind(edit_kind: str) -> Msg:
    """Return the kind as staff read it: its code in English, its name in Chinese."""
    return Msg(f"edit.kind_code.{edit_kind}")


def _point(point: LonLat) -> str:
    return f"{point[0]:.6f},{point[1]:.6f}"
