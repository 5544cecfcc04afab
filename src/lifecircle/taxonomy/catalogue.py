"""The facility taxonomy: content areas, facility types and named service circles.

Loads the packaged ``data/taxonomy.toml`` (or a user's copy), checked on load, and answers two
questions: which type does a name a person typed mean, and which type is an OSM object. It reads
one file when asked and must not touch the store, the network or any other input.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from lifecircle.errors import Msg, TaxonomyError, UnknownTypeError
from lifecircle.taxonomy.rules import OsmRule

#: Life-circle levels in walking minutes (GB 50180-2018); 居住街坊 items count as 5.
LEVELS_MIN: tuple[int, ...] = (5, 10, 15)
#: Service dimensions with their Chinese names: 政务 / 惠民 / 便民.
DIMENSIONS: Mapping[str, str] = {"government": "政务", "welfare": "惠民", "convenience": "便民"}
#: Evidence marks of the reference notes; only the first two count as verified.
EVIDENCE_MARKS: tuple[str, ...] = ("V", "V3", "B", "D")
VERIFIED_EVIDENCE: frozenset[str] = frozenset({"V", "V3"})
#: Marker shapes the boards and the map can draw; each content area uses a different one.
SHAPES: tuple[str, ...] = (
    "circle", "square", "diamond", "triangle", "triangle_down", "pentagon", "hexagon",
    "octagon", "star", "cross", "heart",
)  # fmt: skip
PACKAGED_NAME = "lifecircle/data/taxonomy.toml"

_AMAP_CODE = re.compile(r"\d{6}")
_IGNORED_IN_NAMES = re.compile(r"[\s_\-]+")


def normalize_name(text: str) -> str:
    """Return the form names are compared in: NFKC, case-folded, without spaces, ``_`` or ``-``.

    >>> normalize_name(" Nursing_Home ")
    'nursinghome'
    >>> normalize_name("社区服务中心（街道级）")
    '社区服务中心(街道级)'
    """
    return _IGNORED_IN_NAMES.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class ContentArea:
    """One of the content areas (内容分区) with the colour, icon and marker shape of its markers.

    ``order`` is the 1-based position in the file, the order of legends and filter chips.
    """

    code: str
    name_zh: str
    name_en: str
    color: str
    icon: str
    shape: str
    order: int


@dataclass(frozen=True)
class AmapCode:
    """An AMap (高德) POI type code with the evidence for it (V seen in real data, B unverified)."""

    code: str
    evidence: str


@dataclass(frozen=True)
class FacilityType:
    """A facility type (设施类型) with its standard, evidence and the rules that recognise it.

    ``level_min`` is the smallest life-circle level in walking minutes at which the type is
    provided; ``required`` is ▲ (应配建) versus △ (按需). ``verified`` is true only when the
    ``evidence`` for that claim is V or V3. ``candidate_osm`` rules pick OSM objects that could
    host a new facility of this type; they never classify existing facilities.
    """

    code: str
    name_zh: str
    name_en: str
    area: str
    dimension: str
    level_min: int
    required: bool
    standard: str
    evidence: str
    verified: bool
    aliases_zh: tuple[str, ...] = ()
    osm_rules: tuple[OsmRule, ...] = ()
    amap_codes: tuple[AmapCode, ...] = ()
    amap_keywords: tuple[str, ...] = ()
    candidate_osm: tuple[OsmRule, ...] = ()
    note: str = ""

    def could_host(self, tags: Mapping[str, str]) -> bool:
        """Say whether an OSM object could host a new facility of this type (site planning)."""
        return any(rule.matches(tags) for rule in self.candidate_osm)


@dataclass(frozen=True)
class Circle:
    """A named service circle (e.g. 一刻钟便民生活圈): the types a compound should reach in time."""

    code: str
    name_zh: str
    name_en: str
    minutes: int
    type_codes: tuple[str, ...]
    standard: str = ""


# (-specificity, type position, rule position): the smallest rank wins.
_Rank = tuple[int, int, int]


@dataclass
class _Index:
    """Lookup tables built once per taxonomy; every key is a :func:`normalize_name` form."""

    areas: dict[str, ContentArea] = field(default_factory=dict)
    types: dict[str, FacilityType] = field(default_factory=dict)
    circles: dict[str, Circle] = field(default_factory=dict)
    names: dict[str, FacilityType] = field(default_factory=dict)
    keywords: dict[str, FacilityType] = field(default_factory=dict)
    amap: dict[str, FacilityType] = field(default_factory=dict)
    suggestable: dict[str, FacilityType] = field(default_factory=dict)
    rules: dict[str, list[tuple[_Rank, OsmRule, FacilityType]]] = field(default_factory=dict)

    def add_type(self, position: int, ftype: FacilityType) -> None:
        self.types[ftype.code] = ftype
        chinese = (ftype.code, ftype.name_zh, *ftype.aliases_zh)
        for name in chinese:
            self.suggestable.setdefault(normalize_name(name), ftype)
        for name in (*chinese, ftype.name_en):
            self.names.setdefault(normalize_name(name), ftype)
        for keyword in ftype.amap_keywords:
            self.keywords.setdefault(normalize_name(keyword), ftype)
        for amap in ftype.amap_codes:
            self.amap.setdefault(amap.code, ftype)
        for number, rule in enumerate(ftype.osm_rules):
            rank = (-rule.specificity, position, number)
            self.rules.setdefault(rule.anchor_key, []).append((rank, rule, ftype))

    def by_amap_code(self, code: str) -> FacilityType | None:
        # An unlisted 小类 falls back to its 中类 (XXYY00), then its 大类 (XX0000).
        for candidate in (code, code[:4] + "00", code[:2] + "0000"):
            if candidate in self.amap:
                return self.amap[candidate]
        return None

    def by_text(self, text: str) -> FacilityType | None:
        if _AMAP_CODE.fullmatch(text):
            return self.by_amap_code(text)
        # An AMap type "大类;中类;小类" is matched from its most specific part upwards.
        for part in reversed([p for p in text.split(";") if p.strip()]):
            key = normalize_name(part)
            found = self.names.get(key) or self.keywords.get(key)
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class Taxonomy:
    """A loaded, checked taxonomy. ``version`` is the first 12 hex digits of the file's SHA-256.

    Build it with :func:`load_taxonomy`; it keeps the file order of areas, types and circles.
    """

    path: str
    version: str
    areas: tuple[ContentArea, ...]
    types: tuple[FacilityType, ...]
    circles: tuple[Circle, ...] = ()
    name: str = ""
    meta_version: str = ""
    _index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = _Index()
        index.areas = {area.code: area for area in self.areas}
        index.circles = {circle.code: circle for circle in self.circles}
        for position, ftype in enumerate(self.types):
            index.add_type(position, ftype)
        for entries in index.rules.values():
            entries.sort(key=lambda entry: entry[0])
        object.__setattr__(self, "_index", index)

    def area(self, code: str) -> ContentArea:
        """Return the content area with this code; TaxonomyError names the known codes."""
        try:
            return self._index.areas[code]
        except KeyError:
            known = tuple(self._index.areas)
            raise TaxonomyError(
                "error.taxonomy.unknown_area", code=code, path=self.path, known=known
            ) from None

    def type(self, code: str) -> FacilityType:
        """Return the facility type with exactly this code; UnknownTypeError suggests others."""
        try:
            return self._index.types[code]
        except KeyError:
            raise UnknownTypeError(code, self._suggestions(code)) from None

    def circle(self, code: str) -> Circle:
        """Return the named service circle with this code."""
        try:
            return self._index.circles[code]
        except KeyError:
            known = tuple(self._index.circles) or Msg("error.taxonomy.none")
            raise TaxonomyError(
                "error.taxonomy.unknown_circle", code=code, path=self.path, known=known
            ) from None

    def types_in_area(self, area_code: str) -> tuple[FacilityType, ...]:
        """Return the types of one content area in file order."""
        self.area(area_code)
        return tuple(ftype for ftype in self.types if ftype.area == area_code)

    def resolve_type(self, text: str) -> FacilityType:
        """Return the type a person or a data source means by ``text``.

        Accepts a type code, the Chinese name or an alias, the English name (case, spaces,
        ``_`` and ``-`` ignored; full-width characters normalised), a 6-digit AMap type code
        (an unknown 小类 falls back to its 中类 and 大类), an AMap type text ``大类;中类;小类``
        (matched from the last part upwards against names and AMap keywords), or several AMap
        values joined by ``|`` (the first that resolves wins).

        >>> from lifecircle.taxonomy.file import load_taxonomy
        >>> tax = load_taxonomy()
        >>> [tax.resolve_type(t).code for t in ("幼儿园", "托老所", "141203", "Bus stop")]
        ['kindergarten', 'day_care_centre', 'primary_school', 'bus_stop']
        """
        plain = unicodedata.normalize("NFKC", text).strip()
        looks_amap = ";" in plain or _AMAP_CODE.fullmatch(plain.split("|")[0].strip())
        alternatives = plain.split("|") if looks_amap else [plain]
        for alternative in alternatives:
            found = self._index.by_text(alternative.strip()) if alternative.strip() else None
            if found is not None:
                return found
        raise UnknownTypeError(text, self._suggestions(alternatives[0].split(";")[-1]))

    def match_osm(self, tags: Mapping[str, str]) -> FacilityType | None:
        """Return the type of one OSM object, or None if no rule matches.

        The rule with the most conditions wins; on a tie, the type earlier in the file.

        >>> from lifecircle.taxonomy.file import load_taxonomy
        >>> tax = load_taxonomy()
        >>> tax.match_osm({"amenity": "restaurant", "name": "桃园街老人家食堂"}).code
        'elderly_canteen'
        >>> tax.match_osm({"amenity": "bench"}) is None
        True
        """
        best: _Rank | None = None
        best_type: FacilityType | None = None
        for key in tags:
            for rank, rule, ftype in self._index.rules.get(key, ()):
                if best is not None and rank >= best:
                    break  # entries are sorted by rank; nothing later under this key can win
                if rule.matches(tags):
                    best, best_type = rank, ftype
                    break
        return best_type

    def _suggestions(self, text: str) -> tuple[str, ...]:
        key = normalize_name(text)
        known = list(self._index.suggestable)
        keys = difflib.get_close_matches(key, known, n=20, cutoff=0.6)
        if len(key) >= 2:  # "clinic" → outpatient_clinic, "河西区第二幼儿园" → 幼儿园
            keys += [k for k in known if len(k) >= 2 and (key in k or k in key)]
        found: list[str] = []
        for key in keys:
            ftype = self._index.suggestable[key]
            label = f"{ftype.name_zh} ({ftype.code})"
            if label not in found:
                found.append(label)
        return tuple(found[:5])
