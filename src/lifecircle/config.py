"""Settings: one registry of every setting, resolved defaults → project file → environment → CLI.

The registry (``SETTINGS``) drives the CLI help and the README table, and a test keeps them in
step. Nothing is read at import time: call :func:`load_settings` with the project folder.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from lifecircle.errors import ConfigError, Msg

PROJECT_FILE = "lifecircle.toml"
ENV_PREFIX = "LIFECIRCLE_"


@dataclass(frozen=True)
class Settings:
    """Every tunable of lifecircle, with its default.

    Attributes
    ----------
    database_url
        SQLAlchemy URL of the store; empty means ``sqlite:///<project>/lifecircle.db``.
    taxonomy_path
        A user taxonomy TOML file; empty means the packaged one.
    language
        ``zh`` (default) or ``en`` for user-facing text.
    network_buffer_m
        How far beyond the area boundary walkable ways are kept, in metres.
    snap_max_m
        Points farther than this from any walkable way are reported, in metres.
    outside_margin_m
        Points farther than this outside the area are bad rows, in metres.
    floor_area_per_person_m2
        Residential floor area per resident used to estimate residents from buildings.
    default_building_levels
        Levels assumed for a residential building with no ``building:levels`` or ``height``.
    build_workers
        Processes ``lifecircle build`` may use for the walking profiles of a large network.
    plan_time_limit_s
        Longest time ``lifecircle plan`` gives the exact solver (HiGHS), in seconds.
    serve_host, serve_port
        Where ``lifecircle serve`` listens.
    tile_url
        An online raster tile URL template for the web map (e.g. Tianditu with your key);
        empty means the offline base map drawn from the OSM data.
    timezone
        The area's time zone (IANA name), for "open now".
    staff_max_move_m
        Farthest a community or sub-district editor may move a facility at once, in metres.
    staff_edit_near_m
        Community/sub-district editors add barriers, links and gates this near their compounds.
    staff_login_max_failures
        Failed logins per address and user name before each next try waits (30 s, doubling).
    staff_login_ip_max_failures
        Failed logins per address, whatever the user name, before its next try waits.
    staff_login_window_min
        A failure count is forgotten this long after its last failure (minutes); the longest
        wait.
    staff_session_hours
        How long a staff login lasts, in hours.
    trusted_proxies
        Comma-separated addresses or networks of reverse proxies whose ``X-Forwarded-For`` is
        believed; empty (the default) believes none.
    public_base_url
        Where residents reach the web app; board QR codes point to ``<url>/b/<board id>``.
    upload_max_mb
        Largest sheet staff may upload on the web, in MB.
    sheet_max_rows, sheet_max_columns, sheet_max_cell_chars
        Largest sheet read: rows with data, columns, characters in one cell.
    sheet_max_unzipped_mb, sheet_max_zip_entries
        Largest XLSX read: its parts unzipped (MB) and how many parts.
    geojson_max_depth
        Deepest nesting of lists and objects read from a GeoJSON file.
    import_time_limit_s, import_memory_mb
        Budget of one web sheet import (run in its own process): seconds and memory (MB).
    import_max_running
        Web sheet imports that may run at once (others are asked to try again).
    desk_config_path
        The grid desk's own categories, time limits and departments (a TOML file); empty means
        the packaged ``data/desk.toml``.
    desk_photo_max_mb
        Largest photo the grid desk accepts, in megabytes.
    desk_outside_grid_max_m
        A case this far or farther outside every grid is refused (nearer: the nearest grid).
    desk_soon_overdue_hours
        Open cases due within this many hours are listed as soon overdue.
    desk_retention_days
        Closed cases older than this many days lose their personal details (statistics stay).
    care_key_path
        The welfare register's key file (outside the database; ``lifecircle care init-key``
        makes one). The care commands refuse to start without it.
    care_config_path
        The register's own visit intervals, urgent-check steps and reasons (a TOML file);
        empty means the packaged ``data/care.toml``.
    care_retention_days
        People who left the register longer ago than this are anonymised (counts stay).
    care_check_retention_days
        Urgent checks closed longer ago than this lose the raiser's name, phone and words.
    care_access_log_days
        Access-log rows older than this are deleted (``lifecircle care purge``).
    """

    database_url: str = ""
    taxonomy_path: str = ""
    language: str = "zh"
    network_buffer_m: float = 1500.0
    snap_max_m: float = 300.0
    outside_margin_m: float = 2000.0
    floor_area_per_person_m2: float = 35.0
    default_building_levels: int = 3
    build_workers: int = 2
    plan_time_limit_s: float = 60.0
    serve_host: str = "127.0.0.1"
    serve_port: int = 8000
    tile_url: str = ""
    timezone: str = "Asia/Shanghai"
    staff_max_move_m: float = 500.0
    staff_edit_near_m: float = 300.0
    staff_login_max_failures: int = 5
    staff_login_window_min: float = 15.0
    staff_login_ip_max_failures: int = 50
    staff_session_hours: float = 12.0
    trusted_proxies: str = ""
    public_base_url: str = "http://127.0.0.1:8000"
    upload_max_mb: int = 20
    sheet_max_rows: int = 100_000
    sheet_max_columns: int = 100
    sheet_max_cell_chars: int = 32_767
    sheet_max_unzipped_mb: int = 100
    sheet_max_zip_entries: int = 1_000
    geojson_max_depth: int = 32
    import_time_limit_s: float = 600.0
    import_memory_mb: int = 2_048
    import_max_running: int = 1
    # --- grid desk (issue 14) ---
    desk_config_path: str = ""
    desk_photo_max_mb: float = 8.0
    desk_outside_grid_max_m: float = 1000.0
    desk_soon_overdue_hours: float = 24.0
    desk_retention_days: int = 730
    # --- welfare visits (issue 15) ---
    care_key_path: str = ""
    care_config_path: str = ""
    care_retention_days: int = 365
    care_check_retention_days: int = 180
    care_access_log_days: int = 1095


SETTING_HELP: Mapping[str, str] = {
    "database_url": (
        "Store URL (sqlite:///… or postgresql+psycopg://…); default: the project's lifecircle.db"
    ),
    "taxonomy_path": "Your own taxonomy TOML file instead of the packaged one",
    "language": "User-facing language: zh or en",
    "network_buffer_m": "Walkable ways kept this far beyond the area boundary (m)",
    "snap_max_m": "Points farther than this from any walkable way are reported (m)",
    "outside_margin_m": "Points farther than this outside the area are rejected (m)",
    "floor_area_per_person_m2": "Floor area per resident for building-based estimates (m²)",
    "default_building_levels": "Levels of a residential building with no levels/height tag",
    "build_workers": "Processes `lifecircle build` may use for the profiles of a large network",
    "plan_time_limit_s": "Longest time `lifecircle plan` gives the exact solver (s)",
    "serve_host": "Address `lifecircle serve` listens on",
    "serve_port": "Port `lifecircle serve` listens on",
    "tile_url": "Online map tiles URL template ({z}/{x}/{y}); empty: offline base map from OSM",
    "timezone": "Time zone of the area (IANA name), for opening hours",
    "staff_max_move_m": "Farthest a community/sub-district editor may move a facility at once (m)",
    "staff_edit_near_m": (
        "Community/sub-district editors add barriers, links and gates this near their compounds (m)"
    ),
    "staff_login_max_failures": (
        "Failed logins per address and user name before each next try waits (30 s, doubling)"
    ),
    "staff_login_ip_max_failures": "Failed logins per address (any user name) before it waits",
    "staff_login_window_min": "Failures are forgotten this long after the last (min); longest wait",
    "staff_session_hours": "How long a staff login lasts (hours)",
    "trusted_proxies": (
        "Reverse proxies (comma-separated addresses/networks) whose X-Forwarded-For is believed"
    ),
    "public_base_url": "Public address of the web app; board QR codes open <url>/b/<board id>",
    "upload_max_mb": "Largest sheet staff may upload on the web (MB)",
    "sheet_max_rows": "Most rows with data a sheet may have",
    "sheet_max_columns": "Most columns a sheet may have",
    "sheet_max_cell_chars": "Most characters in one cell of a sheet",
    "sheet_max_unzipped_mb": "Largest an XLSX file may be once unzipped (MB)",
    "sheet_max_zip_entries": "Most parts an XLSX file may hold",
    "geojson_max_depth": "Deepest nesting of lists/objects in a GeoJSON file",
    "import_time_limit_s": "Longest a web sheet import may run (s); it is stopped after that",
    "import_memory_mb": "Most memory a web sheet import may use (MB)",
    "import_max_running": "Web sheet imports that may run at once",
    "desk_config_path": "Grid desk categories, time limits and departments (TOML); empty: packaged",
    "desk_photo_max_mb": "Largest photo the grid desk accepts (MB)",
    "desk_outside_grid_max_m": "Cases this far outside every grid are refused (m)",
    "desk_soon_overdue_hours": "Open cases due within this many hours are listed as soon overdue",
    "desk_retention_days": "Closed cases older than this lose their personal details (days)",
    "care_key_path": "Welfare register key file, kept outside the database (care init-key)",
    "care_config_path": "Welfare visit intervals, urgent steps, reasons (TOML); empty: packaged",
    "care_retention_days": "People off the welfare register this long are anonymised (days)",
    "care_check_retention_days": "Urgent checks closed this long ago lose the raiser's data (days)",
    "care_access_log_days": "Welfare register access-log rows older than this are deleted (days)",
}


def _coerce(name: str, raw: Any, origin: str | Msg) -> Any:
    default = getattr(Settings(), name)
    try:
        if isinstance(default, bool):
            return str(raw).lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        return str(raw)
    except (TypeError, ValueError):
        kind = Msg(
            "error.config.kind_int" if isinstance(default, int) else "error.config.kind_float"
        )
        raise ConfigError(
            "error.config.wrong_type", origin=origin, name=name, kind=kind, value=repr(raw)
        ) from None


def _validated(settings: Settings) -> Settings:
    if settings.language not in ("zh", "en"):
        raise ConfigError("error.config.language", value=settings.language)
    positive = (
        "network_buffer_m",
        "snap_max_m",
        "outside_margin_m",
        "floor_area_per_person_m2",
        "plan_time_limit_s",
        "staff_max_move_m",
        "staff_edit_near_m",
        "staff_login_max_failures",
        "staff_login_ip_max_failures",
        "staff_login_window_min",
        "staff_session_hours",
        "upload_max_mb",
        "sheet_max_rows",
        "sheet_max_columns",
        "sheet_max_cell_chars",
        "sheet_max_unzipped_mb",
        "sheet_max_zip_entries",
        "geojson_max_depth",
        "import_time_limit_s",
        "import_memory_mb",
        "import_max_running",
        "desk_photo_max_mb",
        "desk_outside_grid_max_m",
        "desk_soon_overdue_hours",
        "desk_retention_days",
        "care_retention_days",
        "care_check_retention_days",
        "care_access_log_days",
    )
    for name in positive:
        if getattr(settings, name) <= 0:
            raise ConfigError("error.config.not_positive", name=name, value=getattr(settings, name))
    if settings.build_workers < 1:
        raise ConfigError(
            "error.config.not_positive", name="build_workers", value=settings.build_workers
        )
    if not 0 < settings.serve_port < 65536:
        raise ConfigError("error.config.port", value=settings.serve_port)
    if settings.timezone not in available_timezones():
        raise ConfigError("error.config.timezone", value=settings.timezone)
    if settings.default_building_levels < 1:
        raise ConfigError("error.config.levels")
    proxy_networks(settings.trusted_proxies)
    return settings


def proxy_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Parse the ``trusted_proxies`` setting: comma-separated addresses or networks.

    >>> [str(n) for n in proxy_networks("127.0.0.1, 10.0.0.0/8")]
    ['127.0.0.1/32', '10.0.0.0/8']
    >>> proxy_networks("")
    ()
    """
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError("error.config.proxy", value=part) from None
    return tuple(networks)


def apply_overrides(
    settings: Settings, values: Mapping[str, Any], *, origin: str | Msg
) -> Settings:
    """Return ``settings`` with ``values`` applied; unknown names are a :class:`ConfigError`.

    ``origin`` names where the values came from in error messages (a file, the environment).

    >>> apply_overrides(Settings(), {"snap_max_m": "150"}, origin="test").snap_max_m
    150.0
    """
    known = {f.name for f in fields(Settings)}
    changes: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in known:
            raise ConfigError(
                "error.config.unknown", origin=origin, name=name, known=tuple(sorted(known))
            )
        changes[name] = _coerce(name, raw, origin)
    return _validated(replace(settings, **changes))


def read_project_file(project_dir: Path) -> dict[str, Any]:
    """Parse ``lifecircle.toml`` of a project folder (``{}`` when absent)."""
    path = project_dir / PROJECT_FILE
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("error.config.bad_toml", path=path, detail=str(exc)) from None


def environment_overrides(environ: Mapping[str, str]) -> dict[str, str]:
    """Collect the settings given as ``LIFECIRCLE_<NAME>`` environment variables.

    >>> environment_overrides({"LIFECIRCLE_LANGUAGE": "en", "HOME": "/root"})
    {'language': 'en'}
    """
    known = {f.name for f in fields(Settings)}
    found = {}
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX) :].lower()
            if name in known:
                found[name] = value
    return found


def load_settings(
    project_dir: Path | None,
    *,
    cli_overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: defaults → ``[settings]`` of the project file → environment → CLI."""
    settings = Settings()
    if project_dir is not None:
        table = read_project_file(project_dir).get("settings", {})
        if not isinstance(table, dict):
            raise ConfigError("error.config.settings_table", path=project_dir / PROJECT_FILE)
        settings = apply_overrides(settings, table, origin=str(project_dir / PROJECT_FILE))
    env = environ if environ is not None else os.environ
    settings = apply_overrides(
        settings, environment_overrides(env), origin=Msg("error.config.from_environment")
    )
    if cli_overrides:
        settings = apply_overrides(
            settings, cli_overrides, origin=Msg("error.config.from_command_line")
        )
    return settings
