"""Read and check a taxonomy TOML file into :mod:`lifecircle.taxonomy.catalogue` records.

Every problem becomes one TaxonomyError naming the file, the entry (``types[12] (code 'x',
line 240)``) and the field, with the bad value and how to fix it. Only
:func:`load_taxonomy` opens a file; :func:`parse_taxonomy` reads bytes.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from lifecircle.errors import TaxonomyError
from lifecircle.taxonomy.catalogue import (
    DIMENSIONS,
    EVIDENCE_MARKS,
    LEVELS_MIN,
    PACKAGED_NAME,
    SHAPES,
    VERIFIED_EVIDENCE,
    AmapCode,
    Circle,
    ContentArea,
    FacilityType,
    Taxonomy,
    normalize_name,
)
from lifecircle.taxonomy.rules import OsmRule, parse_osm_rule

_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_ICON = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_AMAP = re.compile(r"\d{6}")
_SECTIONS = ("meta", "areas", "types", "circles")
_META_FIELDS = ({"format", "name", "version"}, {"notes", "sources", "evidence"})
_AREA_FIELDS = ({"code", "name_zh", "name_en", "color", "icon", "shape"}, set[str]())
_TYPE_FIELDS = (
    {"code", "name_zh", "name_en", "area", "dimension", "level_min", "required", "standard",
     "evidence", "verified"},
    {"aliases_zh", "osm", "candidate_osm", "amap_codes", "amap_keywords", "note"},
)  # fmt: skip
_CIRCLE_FIELDS = ({"code", "name_zh", "name_en", "minutes", "types"}, {"standard"})
_CODE_HINT = "lower-case English words joined by '_', e.g. 'elderly_canteen'"


class _Entry:
    """Typed, checked access to one TOML table; every failure names the file, entry and field."""

    def __init__(
        self, table: object, shown: str, label: str, fields: tuple[set[str], set[str]]
    ) -> None:
        self.shown = shown
        self.label = label
        self.where = f"{shown}: {label}"
        if not isinstance(table, dict):
            self.fail(f"must be a table of fields, got {_kind(table)}")
        self.table: dict[str, Any] = table
        required, optional = fields
        for name in table:
            if name not in required | optional:
                close = difflib.get_close_matches(name, sorted(required | optional), n=1)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"known fields: {_names(required | optional)}"
                )
                self.fail(f"unknown field {name!r}; {hint}")
        missing = sorted(required - set(table))
        if missing:
            self.fail(f"missing field {missing[0]!r} (required fields: {_names(required)})")

    def fail(self, message: str) -> NoReturn:
        # The detail names TOML fields and values, so it stays English; the lead is localised.
        raise TaxonomyError("error.taxonomy.entry", where=self.where, detail=message)

    def bad(self, name: str, expected: str, value: object) -> NoReturn:
        self.fail(f"field {name!r} must be {expected}, got {value!r}")

    def text(self, name: str, *, pattern: re.Pattern[str] | None = None, hint: str = "") -> str:
        value = self.table.get(name, "")
        if not isinstance(value, str) or not value.strip():
            self.bad(name, "a non-empty string", value)
        if pattern is not None and not pattern.fullmatch(value):
            self.bad(name, hint, value)
        return value.strip()

    def choice(self, name: str, choices: Iterable[str]) -> str:
        value = self.table.get(name)
        if value not in set(choices):
            self.bad(name, f"one of {_names(choices)}", value)
        return str(value)

    def integer(self, name: str, *, choices: Sequence[int] = (), maximum: int = 0) -> int:
        value = self.table.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            self.bad(name, "a whole number", value)
        if choices and value not in choices:
            self.bad(name, ", ".join(map(str, choices[:-1])) + f" or {choices[-1]}", value)
        if maximum and not 0 < value <= maximum:
            self.bad(name, f"between 1 and {maximum}", value)
        return value

    def flag(self, name: str) -> bool:
        value = self.table.get(name)
        if not isinstance(value, bool):
            self.bad(name, "true or false (without quotes)", value)
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        values = self.table.get(name, [])
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            self.bad(name, 'a list of non-empty strings, e.g. ["a", "b"]', values)
        return tuple(dict.fromkeys(v.strip() for v in values))

    def rules(self, name: str) -> tuple[OsmRule, ...]:
        parsed = []
        for number, text in enumerate(self.texts(name), start=1):
            try:
                parsed.append(parse_osm_rule(text))
            except ValueError as exc:
                self.fail(f"field {name!r}, rule {number} ({text!r}): {exc}")
        return tuple(parsed)


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"


def _names(values: Iterable[str]) -> str:
    return ", ".join(repr(v) for v in sorted(values))


def parse_taxonomy(data: bytes, *, path: str, shown: str) -> Taxonomy:
    """Check a taxonomy file's bytes and build the :class:`Taxonomy`.

    ``path`` is stored on the result; ``shown`` names the file in error messages.
    """
    try:
        text = data.decode("utf-8-sig")  # Windows editors may add a byte-order mark
    except UnicodeDecodeError as exc:
        raise TaxonomyError("error.taxonomy.not_utf8", path=shown, offset=exc.start) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError("error.taxonomy.bad_toml", path=shown, detail=str(exc)) from None
    for name in doc:
        if name not in _SECTIONS:
            raise TaxonomyError(
                "error.taxonomy.unknown_section", path=shown, name=name, known=_SECTIONS
            )
    meta = _read_meta(doc, shown)
    areas = _read_areas(_entries(doc, "areas", shown, text, required=True))
    types = _read_types(_entries(doc, "types", shown, text, required=True), areas)
    circles = _read_circles(_entries(doc, "circles", shown, text, required=False), types)
    return Taxonomy(
        path=path,
        version=hashlib.sha256(data).hexdigest()[:12],
        areas=areas,
        types=types,
        circles=circles,
        name=meta.text("name"),
        meta_version=meta.text("version"),
    )


def _read_meta(doc: dict[str, Any], shown: str) -> _Entry:
    if "meta" not in doc:
        raise TaxonomyError("error.taxonomy.no_meta", path=shown)
    meta = _Entry(doc["meta"], shown, "[meta]", _META_FIELDS)
    if meta.integer("format") != 1:
        meta.bad("format", "1 (the only format this lifecircle reads)", meta.table["format"])
    meta.text("name")
    meta.text("version")
    if "notes" in meta.table:
        meta.text("notes")
    meta.texts("sources")
    legend = meta.table.get("evidence", {})
    if not isinstance(legend, dict) or not all(isinstance(v, str) for v in legend.values()):
        meta.bad("evidence", 'a table of texts, e.g. [meta.evidence] V = "verified ..."', legend)
    return meta


def _entries(
    doc: dict[str, Any], section: str, shown: str, text: str, *, required: bool
) -> list[tuple[object, str, str]]:
    """Return (table, shown, label) per entry of an array-of-tables section, with its line."""
    items = doc.get(section, [])
    if not isinstance(items, list):
        raise TaxonomyError(
            "error.taxonomy.not_list", path=shown, section=section, found=_kind(items)
        )
    if required and not items:
        raise TaxonomyError("error.taxonomy.no_entries", path=shown, section=section)
    header = re.compile(rf"^[ \t]*\[\[[ \t]*{section}[ \t]*\]\]", re.MULTILINE)
    lines = [text.count("\n", 0, m.start()) + 1 for m in header.finditer(text)]
    result = []
    for number, item in enumerate(items, start=1):
        code = item.get("code") if isinstance(item, dict) else None
        details = [f"code {code!r}"] if isinstance(code, str) else []
        if len(lines) == len(items):
            details.append(f"line {lines[number - 1]}")
        suffix = f" ({', '.join(details)})" if details else ""
        result.append((item, shown, f"{section}[{number}]{suffix}"))
    return result


def _read_areas(entries: list[tuple[object, str, str]]) -> tuple[ContentArea, ...]:
    areas = []
    seen: dict[str, str] = {}
    for order, (table, shown, label) in enumerate(entries, start=1):
        entry = _Entry(table, shown, label, _AREA_FIELDS)
        area = ContentArea(
            code=entry.text("code", pattern=_CODE, hint=_CODE_HINT),
            name_zh=entry.text("name_zh"),
            name_en=entry.text("name_en"),
            color=entry.text("color", pattern=_COLOR, hint='a colour "#rrggbb"').lower(),
            icon=entry.text("icon", pattern=_ICON, hint="an icon name like 'town-hall'"),
            shape=entry.choice("shape", SHAPES),
            order=order,
        )
        for name in ("code", "name_zh", "color", "shape"):
            _claim(
                seen, (name, normalize_name(getattr(area, name))), entry, name, getattr(area, name)
            )
        areas.append(area)
    return tuple(areas)


def _claim(
    seen: dict[str, str], key: tuple[str, str], entry: _Entry, field: str, value: str
) -> None:
    """Record that ``entry`` uses ``key``; fail if an earlier entry already did."""
    owner = seen.setdefault("\x00".join(key), entry.label)
    if owner != entry.label:
        entry.fail(f"{field} {value!r} is already used by {owner}; each must be unique")


def _read_types(
    entries: list[tuple[object, str, str]], areas: tuple[ContentArea, ...]
) -> tuple[FacilityType, ...]:
    area_codes = [area.code for area in areas]
    names: dict[str, str] = {}
    amap_owners: dict[str, str] = {}
    types = []
    for table, shown, label in entries:
        entry = _Entry(table, shown, label, _TYPE_FIELDS)
        ftype = _read_type(entry, area_codes)
        for field, value in _names_of(ftype):
            _claim(names, ("name", normalize_name(value)), entry, field, value)
        for amap in ftype.amap_codes:
            _claim(amap_owners, ("amap", amap.code), entry, "AMap code", amap.code)
        types.append(ftype)
    return tuple(types)


def _names_of(ftype: FacilityType) -> list[tuple[str, str]]:
    return [
        ("code", ftype.code),
        ("name_zh", ftype.name_zh),
        ("name_en", ftype.name_en),
        *(("alias", alias) for alias in ftype.aliases_zh),
    ]


def _read_type(entry: _Entry, area_codes: list[str]) -> FacilityType:
    evidence = entry.choice("evidence", EVIDENCE_MARKS)
    verified = entry.flag("verified")
    if verified and evidence not in VERIFIED_EVIDENCE:
        entry.fail(
            f"field 'verified' is true but evidence is {evidence!r}; only V or V3 evidence counts "
            "as verified — set verified = false, or cite the source and raise the evidence"
        )
    return FacilityType(
        code=entry.text("code", pattern=_CODE, hint=_CODE_HINT),
        name_zh=entry.text("name_zh"),
        name_en=entry.text("name_en"),
        area=entry.choice("area", area_codes),
        dimension=entry.choice("dimension", DIMENSIONS),
        level_min=entry.integer("level_min", choices=LEVELS_MIN),
        required=entry.flag("required"),
        standard=entry.text("standard"),
        evidence=evidence,
        verified=verified,
        aliases_zh=entry.texts("aliases_zh"),
        osm_rules=entry.rules("osm"),
        amap_codes=_amap_codes(entry),
        amap_keywords=entry.texts("amap_keywords"),
        candidate_osm=entry.rules("candidate_osm"),
        note=entry.text("note") if "note" in entry.table else "",
    )


def _amap_codes(entry: _Entry) -> tuple[AmapCode, ...]:
    items = entry.table.get("amap_codes", [])
    shape = 'a list like [{ code = "141204", evidence = "V" }]'
    if not isinstance(items, list):
        entry.bad("amap_codes", shape, items)
    codes = []
    for number, item in enumerate(items, start=1):
        label = f"{entry.label}: amap_codes[{number}]"
        part = _Entry(item, entry.shown, label, ({"code", "evidence"}, set()))
        code = part.text("code", pattern=_AMAP, hint='6 digits in quotes, e.g. "141204"')
        codes.append(AmapCode(code=code, evidence=part.choice("evidence", EVIDENCE_MARKS)))
    return tuple(codes)


def _read_circles(
    entries: list[tuple[object, str, str]], types: tuple[FacilityType, ...]
) -> tuple[Circle, ...]:
    type_codes = {ftype.code for ftype in types}
    seen: dict[str, str] = {}
    circles = []
    for table, shown, label in entries:
        entry = _Entry(table, shown, label, _CIRCLE_FIELDS)
        members = entry.texts("types")
        if not members:
            entry.bad("types", "a non-empty list of type codes", entry.table["types"])
        for code in members:
            if code not in type_codes:
                close = difflib.get_close_matches(code, sorted(type_codes), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                entry.fail(f"field 'types' names unknown type {code!r}{hint}")
        circle = Circle(
            code=entry.text("code", pattern=_CODE, hint=_CODE_HINT),
            name_zh=entry.text("name_zh"),
            name_en=entry.text("name_en"),
            minutes=entry.integer("minutes", maximum=60),
            type_codes=members,
            standard=entry.text("standard") if "standard" in entry.table else "",
        )
        _claim(seen, ("code", circle.code), entry, "code", circle.code)
        circles.append(circle)
    return tuple(circles)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and check a taxonomy file; None loads the one packaged with lifecircle.

    Raises TaxonomyError naming the file, the entry and the field of the first problem found.

    >>> tax = load_taxonomy()
    >>> [area.name_zh for area in tax.areas][:3]
    ['养老', '健康', '教育']
    """
    if path is None:
        resource = resources.files("lifecircle") / "data" / "taxonomy.toml"
        return parse_taxonomy(resource.read_bytes(), path=str(resource), shown=PACKAGED_NAME)
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise TaxonomyError("error.taxonomy.not_found", path=file) from None
    except OSError as exc:
        detail = str(exc.strerror)
        raise TaxonomyError("error.taxonomy.unreadable", path=file, detail=detail) from None
    return parse_taxonomy(data, path=str(file), shown=str(file))
