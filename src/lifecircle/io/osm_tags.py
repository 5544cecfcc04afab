"""Which OpenStreetMap tags the OSM reader keeps, and how it reads names, addresses and phones.

Pure functions over plain tag dictionaries; the lists here are the documented contract between
the reader and the walking profiles. Nothing here opens files or knows about pyosmium.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

#: ``highway=*`` values a pedestrian profile might use. Ways with ``foot=no`` or
#: ``access=private`` are kept too (with those tags): the walking profiles decide, not the reader.
#: ``trail`` and ``crossing`` are not standard way values but occur in real data (Helsinki).
WALK_HIGHWAYS: frozenset[str] = frozenset(
    {
        "footway", "pedestrian", "path", "steps", "living_street", "residential", "service",
        "unclassified", "road", "track", "cycleway", "bridleway", "corridor", "elevator",
        "platform", "trail", "crossing",
        "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link",
        "trunk", "trunk_link",
    }
)  # fmt: skip

#: ``highway=*`` values that are never walked (documentation: anything not in
#: :data:`WALK_HIGHWAYS` is dropped, these are just the common ones).
EXCLUDED_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway", "motorway_link", "construction", "proposed", "abandoned", "disused",
        "raceway", "bus_guideway", "busway", "escape", "razed",
    }
)  # fmt: skip

#: Platforms tagged without ``highway=platform`` are walkable too. ``area:highway=*`` polygons are
#: NOT read: they outline a road surface whose centre line is already a walkable way.
PLATFORM_TAGS: frozenset[tuple[str, str]] = frozenset(
    {("public_transport", "platform"), ("railway", "platform")}
)

#: Tags kept on a :class:`~lifecircle.model.WalkWay` (walking profiles and map labels).
WALK_WAY_TAG_KEYS: frozenset[str] = frozenset(
    {
        "highway", "name", "name:zh", "name:en", "ref", "footway", "sidewalk", "step_count",
        "ramp", "handrail", "conveying", "bridge", "tunnel", "layer", "level", "indoor",
        "crossing", "foot", "access", "wheelchair", "incline", "surface", "smoothness", "width",
        "lit", "oneway:foot", "oneway", "area", "junction", "lanes", "maxspeed", "elevator",
        "covered", "public_transport", "railway",
    }
)  # fmt: skip
#: Key prefixes also kept on walk ways (``sidewalk:left``, ``ramp:wheelchair``, ...).
WALK_WAY_TAG_PREFIXES: tuple[str, ...] = ("sidewalk:", "ramp:", "crossing:")

#: A node on a walkable way becomes a :class:`~lifecircle.model.WalkNode` if it has one of these
#: keys ...
WALK_NODE_KEYS: frozenset[str] = frozenset(
    {"barrier", "crossing", "entrance", "kerb", "wheelchair", "ramp", "door", "conveying",
     "access", "foot"}
)  # fmt: skip
#: ... or one of these ``highway=*`` values.
WALK_NODE_HIGHWAYS: frozenset[str] = frozenset({"crossing", "traffic_signals", "elevator", "steps"})
#: Tags kept on a walk node.
WALK_NODE_TAG_KEYS: frozenset[str] = WALK_NODE_KEYS | frozenset(
    {"highway", "kerb:height", "name", "name:zh", "ref", "level", "step_count", "incline"}
)
WALK_NODE_TAG_PREFIXES: tuple[str, ...] = ("crossing:", "ramp:")

#: ``barrier=*`` values that mark a way into an area (besides any ``entrance=*``).
ENTRANCE_BARRIERS: frozenset[str] = frozenset(
    {"gate", "entrance", "lift_gate", "swing_gate", "sliding_gate", "turnstile"}
)

#: ``building=*`` values people live in (``building=yes`` counts only inside residential land).
RESIDENTIAL_BUILDINGS: frozenset[str] = frozenset(
    {"apartments", "residential", "house", "detached", "terrace", "dormitory",
     "semidetached_house"}
)  # fmt: skip
#: A building tagged with any of these (``amenity=school``, ``shop=*``, ``office=*`` …) has a
#: non-residential use and is never counted as a home (a value ``no`` does not count).
NON_RESIDENTIAL_KEYS: frozenset[str] = frozenset(
    {"amenity", "shop", "office", "tourism", "healthcare", "craft", "leisure", "club",
     "public_transport", "railway", "aeroway", "military", "government", "emergency",
     "man_made", "industrial"}
)  # fmt: skip
#: Words in the name of a ``building=yes`` that say it is an office tower, hotel, school, market
#: or hospital, not a home (长发中心C座, 某某大厦): such a building is not counted as a home.
NON_HOME_NAME_WORDS: tuple[str, ...] = (
    "大厦", "中心", "广场", "酒店", "宾馆", "饭店", "医院", "学校", "小学", "中学", "幼儿园",
    "银行", "商场", "商厦", "写字楼", "办公楼", "市场", "超市", "影院",
)  # fmt: skip
BUILDING_TAG_KEYS: frozenset[str] = (
    frozenset(
        {"building", "building:levels", "building:use", "height", "roof:levels", "name", "name:zh"}
    )
    | NON_RESIDENTIAL_KEYS
)
RESIDENTIAL_AREA_TAG_KEYS: frozenset[str] = frozenset(
    {"landuse", "name", "name:zh", "name:en", "residential", "place", "ref"}
)
ADDRESS_PREFIX = "addr:"

#: Raw tags a facility keeps in ``extra`` (category tags show why it matched its type; ``layer``
#: and ``location=underground`` say which level of the walk network it joins).
FACILITY_EXTRA_KEYS: tuple[str, ...] = (
    "amenity", "shop", "leisure", "healthcare", "healthcare:speciality", "office", "government",
    "craft", "emergency", "social_facility", "social_facility:for", "isced:level", "sport",
    "tourism", "public_transport", "railway", "station", "highway", "building",
    "name:en", "operator", "brand", "website", "contact:website", "wheelchair",
    "layer", "level", "location",
)  # fmt: skip

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def select_tags(
    tags: Mapping[str, str], keys: Iterable[str], prefixes: tuple[str, ...] = ()
) -> dict[str, str]:
    """Return the tags whose key is in ``keys`` or starts with one of ``prefixes``.

    >>> select_tags({"highway": "steps", "source": "survey", "ramp:wheelchair": "no"},
    ...             WALK_WAY_TAG_KEYS, WALK_WAY_TAG_PREFIXES)
    {'highway': 'steps', 'ramp:wheelchair': 'no'}
    """
    wanted = keys if isinstance(keys, frozenset | set) else frozenset(keys)
    return {k: v for k, v in tags.items() if k in wanted or (prefixes and k.startswith(prefixes))}


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Say whether a way with these tags belongs in the walk network (before any profile).

    >>> is_walkable({"highway": "footway", "foot": "no"}), is_walkable({"highway": "motorway"})
    (True, False)
    >>> is_walkable({"railway": "platform"})
    True
    """
    highway = tags.get("highway")
    if highway is not None:
        return highway in WALK_HIGHWAYS
    return any(tags.get(k) == v for k, v in PLATFORM_TAGS)


def walk_node_tags(tags: Mapping[str, str]) -> dict[str, str] | None:
    """Return the kept tags of a node that matters to walking, or None for any other node.

    >>> walk_node_tags({"barrier": "gate", "access": "private", "note": "x"})
    {'barrier': 'gate', 'access': 'private'}
    >>> walk_node_tags({"highway": "street_lamp"}) is None
    True
    """
    if tags.get("highway") in WALK_NODE_HIGHWAYS or any(k in tags for k in WALK_NODE_KEYS):
        return select_tags(tags, WALK_NODE_TAG_KEYS, WALK_NODE_TAG_PREFIXES)
    return None


def is_entrance(tags: Mapping[str, str]) -> bool:
    """Say whether a node marks a way in: ``entrance=*`` or a gate-like ``barrier``.

    >>> is_entrance({"entrance": "main"}), is_entrance({"barrier": "bollard"})
    (True, False)
    """
    return "entrance" in tags or tags.get("barrier") in ENTRANCE_BARRIERS


def display_name(tags: Mapping[str, str]) -> str:
    """Return ``name:zh``, else ``name``, else an empty string.

    >>> display_name({"name": "Apteekki", "name:zh": "药店"}), display_name({})
    ('药店', '')
    """
    return tags.get("name:zh") or tags.get("name") or ""


def address(tags: Mapping[str, str]) -> str:
    """Build a one-line address from ``addr:*``: ``addr:full``, else street and house number.

    Chinese streets are joined without a space (``友谊路32号``), others with one.

    >>> address({"addr:street": "Annankatu", "addr:housenumber": "25"})
    'Annankatu 25'
    >>> address({"addr:street": "友谊路", "addr:housenumber": "32号"})
    '友谊路32号'
    """
    if full := tags.get("addr:full"):
        return full.strip()
    street = tags.get("addr:street") or tags.get("addr:place") or ""
    number = tags.get("addr:housenumber", "")
    sep = "" if _CJK.search(street) else " "
    return sep.join(p for p in (street.strip(), number.strip()) if p)


def phone(tags: Mapping[str, str]) -> str:
    """Return ``phone``, else ``contact:phone``, else ``contact:mobile``, else empty.

    >>> phone({"contact:phone": "+86 22 2333 4444"})
    '+86 22 2333 4444'
    """
    for key in ("phone", "contact:phone", "contact:mobile"):
        if value := tags.get(key):
            return value.strip()
    return ""


def facility_extra(tags: Mapping[str, str]) -> dict[str, str]:
    """Return the raw tags a facility keeps for people and for re-matching.

    >>> facility_extra({"amenity": "pharmacy", "name": "x", "wheelchair": "yes"})
    {'amenity': 'pharmacy', 'wheelchair': 'yes'}
    """
    return {k: tags[k] for k in FACILITY_EXTRA_KEYS if k in tags}


def building_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Return the tags a building keeps (type, levels, height, name, ``addr:*``).

    >>> building_tags({"building": "apartments", "building:levels": "6", "source": "bing"})
    {'building': 'apartments', 'building:levels': '6'}
    """
    return select_tags(tags, BUILDING_TAG_KEYS, (ADDRESS_PREFIX,))


def residential_area_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Return the tags a residential area keeps (landuse, names, ref, ``addr:*``).

    >>> residential_area_tags({"landuse": "residential", "name": "A", "note": "x"})
    {'landuse': 'residential', 'name': 'A'}
    """
    return select_tags(tags, RESIDENTIAL_AREA_TAG_KEYS, (ADDRESS_PREFIX,))
