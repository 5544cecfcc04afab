"""A project folder: ``lifecircle.toml`` (the area and its settings) beside the SQLite store.

Creates and opens projects and hands out their store and taxonomy; it does not import data.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lifecircle.config import PROJECT_FILE, Settings, load_settings, read_project_file
from lifecircle.errors import ConfigError
from lifecircle.i18n import t
from lifecircle.store import Store
from lifecircle.taxonomy import Taxonomy, load_taxonomy

DB_FILE = "lifecircle.db"
CACHE_DIR = "cache"
_CODE_RE = re.compile(r"^\d{6}(\d{3})?(\d{3})?$")


#: Demo areas ``lifecircle demo`` can build; a demo project says so on every face.
DEMO_AREAS = ("nanjing", "helsinki")


@dataclass(frozen=True)
class Project:
    """An opened project folder: where it is, its area and its resolved settings.

    ``demo`` names the demo area (:data:`DEMO_AREAS`) when the project is ``lifecircle demo``'s,
    else it is empty; :meth:`notice` is then the label every face shows.
    """

    root: Path
    area_name: str
    area_code: str
    settings: Settings
    demo: str = ""

    def notice(self, lang: str) -> str:
        """Return the label every face shows: what a demo's data is; "" for a real project.

        >>> Project(Path("."), "演示", "", Settings(), demo="nanjing").notice("zh")
        '演示：南京新街口真实 OSM 数据，非天津数据'
        """
        return t(f"demo.notice.{self.demo}", lang) if self.demo else ""

    @property
    def database_url(self) -> str:
        """The store URL: the ``database_url`` setting, else the project's SQLite file."""
        if self.settings.database_url:
            return self.settings.database_url
        return f"sqlite:///{(self.root / DB_FILE).resolve()}"

    @property
    def cache_dir(self) -> Path:
        """Folder for derived arrays (never the source of truth)."""
        return self.root / CACHE_DIR

    def open_store(self) -> Store:
        """Open (and migrate) the project's store."""
        return Store.open(self.database_url)

    def taxonomy(self) -> Taxonomy:
        """Load the project's taxonomy: the ``taxonomy_path`` setting or the packaged file."""
        path = self.settings.taxonomy_path
        if path and not Path(path).is_absolute():
            path = str(self.root / path)
        return load_taxonomy(path or None)


def known_area_name(code: str) -> str | None:
    """Name of a Tianjin township-level unit from its 9- or 12-digit code, if known.

    >>> known_area_name("120103003000")
    '桃园街道'
    >>> known_area_name("999999999999") is None
    True
    """
    table = resources.files("lifecircle.data").joinpath("tianjin_towns.csv")
    with table.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if code in (row["town_code_12"], row["town_code_9"]):
                return row["name"]
    return None


def _check_code(code: str) -> str:
    code = code.strip()
    if code and not _CODE_RE.match(code):
        raise ConfigError("error.project.bad_code", code=code)
    return code


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_project(root: Path, *, name: str = "", code: str = "", demo: str = "") -> Project:
    """Create a project folder with its ``lifecircle.toml`` and an empty, migrated store.

    The name defaults to the official name when ``code`` is a known Tianjin township code.
    ``demo`` marks a demo project (one of :data:`DEMO_AREAS`), labelled as such everywhere.
    """
    code = _check_code(code)
    demo = _check_demo(demo, PROJECT_FILE)
    name = name.strip() or (known_area_name(code) if code else None) or ""
    if not name:
        raise ConfigError("error.project.no_name")
    if (root / PROJECT_FILE).exists():
        raise ConfigError("error.project.exists", path=root, file=PROJECT_FILE)
    if root.exists() and not root.is_dir():
        raise ConfigError("error.project.not_folder", path=root)
    root.mkdir(parents=True, exist_ok=True)
    text = (
        "# lifecircle project: the area and its settings (see `lifecircle settings`).\n"
        f"[area]\nname = {_toml_string(name)}\ncode = {_toml_string(code)}\n"
        + (f"demo = {_toml_string(demo)}\n" if demo else "")
        + "\n[settings]\n"
    )
    (root / PROJECT_FILE).write_text(text, encoding="utf-8")
    project = open_project(root)
    with project.open_store() as store:
        store.set_meta("area_name", name)
        store.set_meta("area_code", code)
    return project


def _check_demo(demo: str, where: str | Path) -> str:
    if demo and demo not in DEMO_AREAS:
        raise ConfigError("error.project.bad_demo", demo=demo, path=where, known=DEMO_AREAS)
    return demo


def find_project_root(start: Path) -> Path | None:
    """Find the nearest folder at or above ``start`` holding a ``lifecircle.toml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def open_project(root: Path, *, cli_overrides: dict[str, Any] | None = None) -> Project:
    """Open an existing project folder (or a folder inside one)."""
    found = find_project_root(root)
    if found is None:
        raise ConfigError("error.project.not_found", path=root, file=PROJECT_FILE)
    area = read_project_file(found).get("area", {})
    if not isinstance(area, dict) or not str(area.get("name", "")).strip():
        raise ConfigError("error.project.area_name", path=found / PROJECT_FILE)
    settings = load_settings(found, cli_overrides=cli_overrides)
    return Project(
        root=found,
        area_name=str(area["name"]),
        area_code=_check_code(str(area.get("code", ""))),
        settings=settings,
        demo=_check_demo(str(area.get("demo", "")), found / PROJECT_FILE),
    )
