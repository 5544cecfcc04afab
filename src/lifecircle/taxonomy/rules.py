"""The OSM tag-rule language of the taxonomy file: ``amenity=canteen + name~老人家食堂``.

Parses rule strings into values that test a tag dictionary. Pure string handling: it must not
read files, know about facility types or decide between competing rules (the taxonomy does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

#: Conditions are joined by a plus with whitespace around it, so a regex may still use ``+``.
_SEPARATOR = re.compile(r"\s+\+\s+")
_FORMS = "key=value, key=v1|v2, key=*, key!=value or key~regex"
_CONDITION = re.compile(r"^(?P<key>[A-Za-z0-9_:.\-]+)\s*(?P<op>!=|=|~)\s*(?P<value>.*)$")
ANY_VALUE = "*"


def _value_parts(value: str) -> set[str]:
    # OSM multi-values: "soccer;basketball" is both soccer and basketball.
    return {part.strip() for part in value.split(";")}


@dataclass(frozen=True)
class TagCondition:
    """One condition of a rule: ``key=v1|v2``, ``key=*``, ``key!=value`` or ``key~regex``.

    ``values`` holds the accepted values of ``=`` / ``!=`` (``("*",)`` means any value);
    ``pattern`` is the compiled regular expression of ``~``.
    """

    key: str
    op: str
    values: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None

    @property
    def requires_tag(self) -> bool:
        """True when the condition can only hold if the tag is present (``=`` and ``~``)."""
        return self.op != "!="

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Say whether the condition holds for one object's tags.

        >>> TagCondition("sport", "=", ("soccer",)).matches({"sport": "soccer;basketball"})
        True
        >>> TagCondition("amenity", "!=", ("*",)).matches({})
        True
        """
        value = tags.get(self.key)
        if self.pattern is not None:
            return value is not None and self.pattern.search(value) is not None
        present = value is not None and (
            self.values == (ANY_VALUE,) or not _value_parts(value).isdisjoint(self.values)
        )
        return present if self.op == "=" else not present


@dataclass(frozen=True)
class OsmRule:
    """A rule: the object matches when all its conditions hold.

    >>> rule = parse_osm_rule("amenity=social_facility + social_facility=nursing_home")
    >>> rule.matches({"amenity": "social_facility", "social_facility": "nursing_home"})
    True
    >>> rule.specificity
    2
    """

    text: str
    conditions: tuple[TagCondition, ...]

    @property
    def specificity(self) -> int:
        """Number of conditions; when rules of several types match, the most specific wins."""
        return len(self.conditions)

    @property
    def anchor_key(self) -> str:
        """A tag key every matching object has (the first condition that requires a tag)."""
        return next(c.key for c in self.conditions if c.requires_tag)

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Say whether one object's tags satisfy every condition of the rule."""
        return all(condition.matches(tags) for condition in self.conditions)


def parse_osm_rule(text: str) -> OsmRule:
    """Parse a rule string; raise ValueError saying what is wrong and how to write it.

    >>> [c.key for c in parse_osm_rule("amenity=canteen + name~老人家食堂|助餐").conditions]
    ['amenity', 'name']
    >>> parse_osm_rule("amenity")
    Traceback (most recent call last):
    ...
    ValueError: condition 'amenity' is not key=value, key=v1|v2, key=*, key!=value or key~regex
    """
    if not text.strip():
        raise ValueError("the rule is empty")
    conditions = tuple(_parse_condition(part) for part in _SEPARATOR.split(text.strip()))
    if not any(c.requires_tag for c in conditions):
        raise ValueError(
            "the rule has only != conditions, so it would match almost every object; "
            "add a condition that requires a tag (key=value or key~regex)"
        )
    return OsmRule(text=text, conditions=conditions)


def _parse_condition(part: str) -> TagCondition:
    found = _CONDITION.match(part.strip())
    if found is None:
        raise ValueError(f"condition {part.strip()!r} is not {_FORMS}")
    key, op, value = found["key"], found["op"], found["value"].strip()
    if not value:
        raise ValueError(f"condition {part.strip()!r} has no value after {op!r}")
    if op == "~":
        try:
            return TagCondition(key, op, pattern=re.compile(value))
        except re.error as exc:
            raise ValueError(
                f"invalid regular expression {value!r} in {part.strip()!r}: {exc}"
            ) from exc
    values = tuple(v.strip() for v in value.split("|"))
    if any(not v for v in values):
        raise ValueError(f"condition {part.strip()!r} has an empty value between '|'")
    if ANY_VALUE in values and len(values) > 1:
        raise ValueError(f"condition {part.strip()!r} mixes '*' with other values; use {key}{op}*")
    return TagCondition(key, op, values=values)
