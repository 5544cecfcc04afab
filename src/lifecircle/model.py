"""Records that flow from the importers into the store: facilities, compounds, boards, walkways.

Plain frozen dataclasses with WGS-84 coordinates (lon, lat in degrees) and geometry as WKT,
so they hash and compare by value; the store diffs them by ``key`` and ``payload()``.
Nothing here reads files or touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal

LonLat = tuple[float, float]
FacilityStatus = Literal["open", "closed", "planned"]
BoardKind = Literal["centre", "gate"]

#: Coordinates are rounded to this many decimals (~1 cm) so re-imports compare equal.
COORD_DECIMALS = 7


def round_lonlat(lon: float, lat: float) -> LonLat:
    """Round a coordinate pair to ~1 cm so equal inputs give equal records.

    >>> round_lonlat(24.123456789, 60.987654321)
    (24.1234568, 60.9876543)
    """
    return (round(float(lon), COORD_DECIMALS), round(float(lat), COORD_DECIMALS))


class Record:
    """Mixin: a stored record has a kind, a stable key and a JSON-serialisable payload."""

    kind: ClassVar[str]

    @property
    def key(self) -> str:
        """Stable identity across imports (e.g. ``osm:node/123``)."""
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        """All fields as JSON-serialisable values (tuples become lists)."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Facility(Record):
    """A service point (点位): one facility of one taxonomy type.

    ``source_id`` is stable across imports: ``osm:node/123``, ``osm:way/45``,
    ``sheet:<sheet name>:<row key>``. ``source`` says where this version came from, for people
    (``sheet:facilities.xlsx#row 14``). ``outline_wkt`` is set for area facilities (a school
    ground), whose ``entrances`` are where people walk in.
    """

    kind: ClassVar[str] = "facility"
    source_id: str
    name: str
    type_code: str
    lon: float
    lat: float
    outline_wkt: str | None = None
    entrances: tuple[LonLat, ...] = ()
    address: str = ""
    phone: str = ""
    opening_hours: str = ""
    community: str = ""
    subdistrict: str = ""
    capacity: int | None = None
    status: FacilityStatus = "open"
    source: str = ""
    verified_on: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The stable source id."""
        return self.source_id


@dataclass(frozen=True)
class Compound(Record):
    """A residential compound (小区) with its gates and who lives there.

    ``estimate_method`` is ``None`` when the numbers came from a sheet; when residents were
    estimated (e.g. from building footprints) it describes how, and the UI must say so.
    """

    kind: ClassVar[str] = "compound"
    source_id: str
    name: str
    lon: float
    lat: float
    community: str = ""
    subdistrict: str = ""
    outline_wkt: str | None = None
    entrances: tuple[LonLat, ...] = ()
    households: int | None = None
    residents: int | None = None
    elderly: int | None = None
    children: int | None = None
    estimate_method: str | None = None
    source: str = ""

    @property
    def key(self) -> str:
        """The stable source id."""
        return self.source_id


@dataclass(frozen=True)
class Board(Record):
    """A printed board (展板) at a community centre or compound gate; QR holds ``board_id``."""

    kind: ClassVar[str] = "board"
    board_id: str
    name: str
    lon: float
    lat: float
    board_kind: BoardKind = "gate"
    compound: str = ""
    community: str = ""
    subdistrict: str = ""
    source: str = ""
    #: Which way a reader faces while reading the board (degrees clockwise from north), so
    #: its map can be printed heads-up; ``None``: unknown (the map is printed north up).
    facing_deg: float | None = None

    @property
    def key(self) -> str:
        """The board id (what the QR code resolves)."""
        return self.board_id

    def payload(self) -> dict[str, Any]:
        """All fields; an unknown facing is left out, so boards stored before it compare equal."""
        found = super().payload()
        if self.facing_deg is None:
            del found["facing_deg"]
        return found


@dataclass(frozen=True)
class WalkWay(Record):
    """An OSM way people may walk along, with the tags the walking profiles read."""

    kind: ClassVar[str] = "walk_way"
    osm_id: int
    node_ids: tuple[int, ...]
    coords: tuple[LonLat, ...]
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``osm:way/<id>``."""
        return f"osm:way/{self.osm_id}"


@dataclass(frozen=True)
class WalkNode(Record):
    """A tagged OSM node on a walkable way (barrier, crossing, signals, entrance, lift, kerb)."""

    kind: ClassVar[str] = "walk_node"
    osm_id: int
    lon: float
    lat: float
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``osm:node/<id>``."""
        return f"osm:node/{self.osm_id}"


EditKind = Literal["impassable_way", "impassable_node", "uncrossable_way", "link", "closed_gate"]


@dataclass(frozen=True)
class LocalEdit(Record):
    """Staff's local knowledge about walking, kept apart from OSM so it survives re-imports.

    ``edit_kind`` says what it does: ``impassable_way`` / ``impassable_node`` (nobody passes
    OSM way or node ``osm_id``: a locked gate, a removed crossing), ``uncrossable_way`` (people
    walk along the road but cannot cross it: an arterial with a central fence), or ``link`` (a
    walking connection OSM lacks, from ``coords[0]`` to ``coords[1]``; ``osm_id`` is ``None``).
    For the other kinds ``coords`` is where the edit was made (the clicked point or the OSM
    object's location), so it can still be shown if the OSM object disappears.
    """

    kind: ClassVar[str] = "local_edit"
    edit_id: int
    edit_kind: EditKind
    osm_id: int | None
    coords: tuple[LonLat, ...]
    note: str
    author: str
    created_at: str

    @property
    def key(self) -> str:
        """``edit:<edit_id>``."""
        return f"edit:{self.edit_id}"


@dataclass(frozen=True)
class CandidateSite(Record):
    """A place that could host a new facility (site planning): a staff sheet row or OSM object.

    From OSM: objects matching some type's ``candidate_osm`` rules that are no facility
    themselves (a park, a canteen), with the tags the rules read in ``tags``. From a sheet:
    ``capacity`` (people it could serve) and ``cost`` (of opening it, any unit) when known.
    """

    kind: ClassVar[str] = "candidate_site"
    source_id: str
    name: str
    lon: float
    lat: float
    tags: Mapping[str, str] = field(default_factory=dict)
    capacity: float | None = None
    cost: float | None = None
    address: str = ""
    source: str = ""

    @property
    def key(self) -> str:
        """The stable source id (``osm:node/1``, ``sheet:<file>:<row key>``)."""
        return self.source_id


MatchDecision = Literal["same", "different"]


@dataclass(frozen=True)
class FacilityMatch(Record):
    """Staff's decision on an OSM facility and a sheet facility that look like one place.

    ``same``: they are one facility and count once (the sheet record is kept); ``different``:
    two facilities that only look alike. Keyed by the two stable source ids, so the decision
    survives re-imports of both sources; the names are kept as seen when deciding.
    """

    kind: ClassVar[str] = "facility_match"
    osm_id: str
    sheet_id: str
    decision: MatchDecision
    type_code: str = ""
    osm_name: str = ""
    sheet_name: str = ""
    author: str = ""
    decided_at: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """``match:<osm source id>|<sheet source id>``."""
        return f"match:{self.osm_id}|{self.sheet_id}"


@dataclass(frozen=True)
class CompleteType(Record):
    """Staff's word that a sheet dataset holds *every* facility of one type in the area.

    OSM rarely holds community facilities in China (社区卫生服务站, 早餐店 …), so a type with no
    facility at all is "not collected" (未采集) until a sheet is declared complete for it; from
    then on a compound with none of the type within its level truly lacks it. ``dataset`` is
    the sheet's dataset name (scope ``sheet:<dataset>``); kept across re-imports until withdrawn.
    """

    kind: ClassVar[str] = "complete_type"
    type_code: str
    dataset: str
    declared_by: str
    declared_on: str
    source: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """``complete:<dataset>:<type code>``."""
        return f"complete:{self.dataset}:{self.type_code}"


@dataclass(frozen=True)
class Building:
    """An OSM building footprint, kept in memory to estimate residents (not stored)."""

    osm_id: str
    outline_wkt: str
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ResidentialArea:
    """An OSM ``landuse=residential`` area (named ones become compounds)."""

    osm_id: str
    name: str
    outline_wkt: str
    tags: Mapping[str, str] = field(default_factory=dict)


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls
    for cls in (
        Facility,
        Compound,
        Board,
        WalkWay,
        WalkNode,
        LocalEdit,
        CandidateSite,
        CompleteType,
        FacilityMatch,
    )
}


#: Payload fields holding lists of ``[lon, lat]`` (tuples of tuples in a record).
_POINT_LISTS = ("entrances", "coords")


def record_from_payload(kind: str, payload: Mapping[str, Any]) -> Record:
    """Rebuild a record from :meth:`Record.payload` output (lists become tuples again).

    >>> f = Facility("osm:node/1", "Apteekki", "pharmacy", 24.9, 60.1, entrances=((24.9, 60.1),))
    >>> record_from_payload("facility", f.payload()) == f
    True
    """
    values = dict(payload)
    for name in _POINT_LISTS:
        if name in values:
            values[name] = tuple(map(tuple, values[name]))
    if "node_ids" in values:
        values["node_ids"] = tuple(values["node_ids"])
    cls = RECORD_TYPES[kind]
    if values.keys() == _FIELDS[kind]:
        # every field stored, so no default to fill in (and no record type checks its
        # values on creation): set them at once, a third of a frozen __init__'s cost
        record = object.__new__(cls)
        record.__dict__.update(values)
        return record
    return cls(**values)


#: Every record type's field names (what a complete payload holds).
_FIELDS = {
    kind: frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    for kind, cls in RECORD_TYPES.items()
}
