"""User-facing text in zh-CN (first) and English, all from one catalogue, ``data/messages.toml``.

Code refers to a message by key; a test keeps every key complete in both languages. This module
only looks strings up and formats them.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("zh", "en")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All messages: key → {"zh": …, "en": …}."""
    text = resources.files("lifecircle.data").joinpath("messages.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return {key: {lang: str(value[lang]) for lang in value} for key, value in raw.items()}


def t(key: str, lang: str = "zh", /, **values: Any) -> str:
    """Return the message ``key`` in ``lang`` with ``values`` filled in.

    >>> t("status.title", "en", name="Demo")
    'Demo — lifecircle project'
    """
    entry = catalogue()[key]
    template = entry.get(lang) or entry["zh"]
    return template.format(**values) if values else template
