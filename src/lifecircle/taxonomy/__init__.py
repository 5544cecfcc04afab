"""The facility taxonomy: content areas, facility types, named service circles and OSM rules.

``catalogue`` holds the records and lookups, ``file`` reads and checks a taxonomy TOML file,
``rules`` is the OSM tag-rule language. Imports only the kernel (errors, i18n).
"""

from __future__ import annotations

from lifecircle.taxonomy.catalogue import (
    DIMENSIONS,
    EVIDENCE_MARKS,
    LEVELS_MIN,
    SHAPES,
    VERIFIED_EVIDENCE,
    AmapCode,
    Circle,
    ContentArea,
    FacilityType,
    Taxonomy,
    normalize_name,
)
from lifecircle.taxonomy.file import load_taxonomy, parse_taxonomy
from lifecircle.taxonomy.rules import OsmRule, TagCondition, parse_osm_rule

__all__ = [
    "DIMENSIONS",
    "EVIDENCE_MARKS",
    "LEVELS_MIN",
    "SHAPES",
    "VERIFIED_EVIDENCE",
    "AmapCode",
    "Circle",
    "ContentArea",
    "FacilityType",
    "OsmRule",
    "TagCondition",
    "Taxonomy",
    "load_taxonomy",
    "normalize_name",
    "parse_osm_rule",
    "parse_taxonomy",
]
