"""Cache files of build results: one ``.npz`` of arrays and one ``.json`` of the rest per profile.

Derived data, never the source of truth: a missing, stale or unreadable cache is rebuilt. Files
are written to a temporary name and renamed, so a killed build never leaves half a cache.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from lifecircle.access import AccessTable
from lifecircle.io.files import read_npz, write_atomically, write_npz
from lifecircle.profiles import WalkProfile

if TYPE_CHECKING:
    from lifecircle.build import ProfileResult

_TABLES = ("compounds", "boards")


def _paths(cache_dir: Path, key: str, profile: str) -> tuple[Path, Path]:
    folder = cache_dir / "results"
    return folder / f"{profile}-{key}.npz", folder / f"{profile}-{key}.json"


def _wkb(areas: list[list[Any]]) -> list[list[str]]:
    return [[str(shapely.to_wkb(a, hex=True)) for a in group] for group in areas]


def save(cache_dir: Path, key: str, result: ProfileResult) -> None:
    """Write one profile's results and drop older caches of the same profile."""
    npz, meta = _paths(cache_dir, key, result.profile.name)
    npz.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"heat": result.heat, "node_lonlat": result.node_lonlat}
    for name in _TABLES:
        table: AccessTable = getattr(result, name)
        arrays |= {
            f"{name}_cost": table.cost,
            f"{name}_nearest": table.nearest,
            f"{name}_counts": table.counts,
        }

    # uncompressed: zlib took ~3 s per profile of a district (a 76 MB heat layer)
    write_npz(npz, arrays)
    info = {
        "profile": dataclasses.asdict(result.profile),
        "type_codes": list(result.type_codes),
        "limits": list(result.compounds.limits),
        "unit": result.compounds.unit,
        "unreached": result.unreached,
        "seconds": result.seconds,
        "compound_areas": _wkb(result.compound_areas),
        "board_areas": _wkb(result.board_areas),
    }
    write_atomically(meta, lambda p: p.write_text(json.dumps(info), encoding="utf-8"))
    for old in npz.parent.glob(f"{result.profile.name}-*"):
        if old not in (npz, meta):
            old.unlink(missing_ok=True)


def load(cache_dir: Path, key: str, profile: WalkProfile) -> ProfileResult | None:
    """Read one profile's cached results, or ``None`` when absent or unreadable."""
    from lifecircle.build import ProfileResult

    npz, meta = _paths(cache_dir, key, profile.name)
    if not (npz.exists() and meta.exists()):
        return None
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        data = read_npz(npz)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    codes, limits, unit = tuple(info["type_codes"]), tuple(info["limits"]), info["unit"]
    tables = {
        name: AccessTable(
            codes,
            limits,
            data[f"{name}_cost"],
            data[f"{name}_nearest"],
            data[f"{name}_counts"],
            unit,
        )
        for name in _TABLES
    }
    return ProfileResult(
        profile=profile,
        type_codes=codes,
        compounds=tables["compounds"],
        boards=tables["boards"],
        heat=data["heat"],
        node_lonlat=data["node_lonlat"],
        compound_areas=[[shapely.from_wkb(h) for h in g] for g in info["compound_areas"]],
        board_areas=[[shapely.from_wkb(h) for h in g] for g in info["board_areas"]],
        unreached=info["unreached"],
        seconds=float(info["seconds"]),
    )
