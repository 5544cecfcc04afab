"""Pydantic models of the public API's answers, for the OpenAPI page at /docs.

Handlers render plain dicts (cached by ETag); these models document their shape and a test
checks real answers against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """The one error shape's inner object."""

    code: str
    message: str
    details: list[Any]


class ErrorOut(BaseModel):
    """``{"error": {...}}``."""

    error: ErrorBody


class Point(BaseModel):
    """A position (WGS-84 unless ``crs`` says otherwise)."""

    lon: float
    lat: float


class AreaOut(BaseModel):
    """The served area."""

    name: str
    code: str
    data_version: int
    data_date: str
    bbox: list[float]
    center: Point
    counts: dict[str, int]
    communities: list[str]
    subdistricts: list[str]
    profiles: list[str]
    tile_url: str
    notice: str = Field(
        description="The data's label every face shows (a demo says what it is); empty if none"
    )


class ContentAreaOut(BaseModel):
    """A content area (内容分区)."""

    code: str
    name_zh: str
    name_en: str
    color: str
    icon: str
    shape: str
    order: int


class TypeOut(BaseModel):
    """A facility type."""

    code: str
    name_zh: str
    name_en: str
    area: str
    level_min: int
    required: bool


class TaxonomyOut(BaseModel):
    """The taxonomy."""

    version: str
    areas: list[ContentAreaOut]
    types: list[TypeOut]


class MessagesOut(BaseModel):
    """Page strings in one language."""

    lang: Literal["zh", "en"]
    messages: dict[str, str]


class CompoundOut(BaseModel):
    """A compound (小区)."""

    id: str
    name: str
    community: str
    subdistrict: str
    lon: float
    lat: float
    entrances: list[Point]
    households: int | None
    residents: int | None
    elderly: int | None
    children: int | None
    estimated: bool
    #: How the residents were estimated (and calibrated), in Chinese then English; ``None``
    #: when they come from a sheet.
    estimate_method: str | None = None


class FacilityOut(BaseModel):
    """A facility."""

    id: str
    name: str
    type: str
    type_name_zh: str
    type_name_en: str
    area: str
    lon: float
    lat: float
    address: str
    phone: str
    opening_hours: str
    hours_machine_readable: bool | None = Field(
        description="Whether the hours are in a form the server reads (OSM syntax); false: free "
        "text shown as written, open_now is unknown; null: no hours given"
    )
    open_now: Literal["open", "closed", "unknown"]
    status: str
    community: str
    subdistrict: str
    source: str
    verified_on: str | None


class BoardOut(BaseModel):
    """A board (展板)."""

    id: str
    name: str
    kind: str
    compound: str
    community: str
    subdistrict: str
    lon: float
    lat: float


class Origin(BaseModel):
    """Where an access answer walks from."""

    kind: Literal["compound", "board", "point"]
    id: str
    name: str
    lon: float
    lat: float


class NearbyFacility(BaseModel):
    """A facility in an access answer (details at /api/facilities/{id})."""

    id: str
    name: str
    type: str
    area: str
    lon: float
    lat: float
    open_now: Literal["open", "closed", "unknown"]
    minutes: int | None = Field(
        description="Walking minutes rounded up (metres, to 10 m, when unit is m)"
    )


class TypeAccess(BaseModel):
    """Nearest facility of one type."""

    type: str
    area: str
    level_min: int
    required: bool
    minutes: int | None = Field(
        description="Minutes to the nearest, rounded up (metres when unit is m); null: none"
    )
    facility_id: str | None
    reach: Literal["within", "beyond", "missing", "not_collected"] = Field(
        description="within the type's level; beyond it (as-needed type); missing (required); "
        "not_collected: the area's data holds no facility of the type at all (unknown, not a gap)"
    )
    missing: bool


class FeatureCollectionOut(BaseModel):
    """A GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]


class AccessOut(BaseModel):
    """Services near a compound, board or point."""

    origin: Origin
    profile: str
    convention: str
    unit: Literal["min", "m"]
    data_date: str
    data_version: int
    facilities: list[NearbyFacility]
    types_from: Literal["compound", "board", "point"] = Field(
        description="Where the nearest of each type is measured from: a board at a compound's "
        "gate is judged as its compound (all its gates), like its printed board"
    )
    types: list[TypeAccess]
    areas: FeatureCollectionOut


class RouteProps(BaseModel):
    """A route's cost."""

    profile: str
    minutes: int | None
    length_m: float


class RouteOut(BaseModel):
    """A walking route (GeoJSON Feature with a LineString)."""

    type: Literal["Feature"]
    properties: RouteProps
    geometry: dict[str, Any]


class GapsOut(BaseModel):
    """Gap summaries of one profile: per required type first, then per content area."""

    profile: str
    convention: str
    data_date: str
    notice: str
    missing_rows: int
    by_type: list[dict[str, Any]] = Field(
        description="Per required type, all compounds: compounds and residents within its level "
        "(share_residents is weighted by residents; null when the type is not collected)"
    )
    coverage: list[dict[str, Any]] = Field(
        description="Per community and content area: required types covering all compounds, "
        "types not collected, and the strict rule (every collected required type within level)"
    )
    coverage_by_subdistrict: list[dict[str, Any]]
    top_missing: list[dict[str, Any]]
    not_collected: list[dict[str, Any]] = Field(
        description="Types with no facility at all in the data and no sheet declared complete"
    )
    #: Compounds whose residents (in the coverage and top-missing figures) are estimates from
    #: OSM buildings, and how many of those were calibrated to a known total.
    residents_estimated_compounds: int = 0
    residents_calibrated_compounds: int = 0
