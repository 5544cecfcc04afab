"""Keyed cache entries: arrays plus a small JSON document in one ``.npz`` file per entry.

An entry is named by its kind (``graphs``, ``results``), a name (the profile) and a key (a
digest of everything it was derived from). Saving an entry drops the older entries of the same
kind and name; a missing, unreadable or damaged entry reads as ``None`` and is rebuilt.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lifecircle.cache.files import read_npz, write_npz

#: The array holding the entry's JSON document (UTF-8 bytes), beside the data arrays.
INFO = "__info__"

Entry = tuple[dict[str, np.ndarray], dict[str, Any]]


def entry_path(cache_dir: Path, kind: str, name: str, key: str) -> Path:
    """Where the entry ``kind/name-key`` lives under ``cache_dir``."""
    return cache_dir / kind / f"{name}-{key}.npz"


def write_entry(path: Path, arrays: Mapping[str, np.ndarray], info: Mapping[str, Any]) -> None:
    """Write arrays and a JSON-able dict to one ``.npz`` file, atomically and uncompressed.

    Uncompressed because loading must stay faster than rebuilding (zlib took ~3 s per profile
    of a district).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "e.npz"
    >>> write_entry(path, {"a": np.arange(3)}, {"note": "好"})
    >>> arrays, info = read_entry(path)
    >>> arrays["a"].tolist(), info
    ([0, 1, 2], {'note': '好'})
    """
    if INFO in arrays:
        raise ValueError(f"an entry's arrays may not be named {INFO!r}")
    document = np.frombuffer(json.dumps(info, ensure_ascii=False).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_npz(path, {**arrays, INFO: document})


def read_entry(path: Path) -> Entry | None:
    """Read an entry written by :func:`write_entry`; ``None`` when absent or damaged."""
    if not path.exists():
        return None
    try:
        arrays = read_npz(path)
        info = json.loads(arrays.pop(INFO).tobytes().decode())
    except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile):
        return None
    return arrays, info if isinstance(info, dict) else {}


def save_entry(
    cache_dir: Path,
    kind: str,
    name: str,
    key: str,
    *,
    arrays: Mapping[str, np.ndarray],
    info: Mapping[str, Any],
) -> Path:
    """Write the entry ``kind/name-key`` and remove the older entries of ``kind/name``."""
    path = entry_path(cache_dir, kind, name, key)
    write_entry(path, arrays, info)
    for old in path.parent.glob(f"{name}-*.npz"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def load_entry(cache_dir: Path, kind: str, name: str, key: str) -> Entry | None:
    """Read the entry ``kind/name-key``; ``None`` when there is none or it is damaged."""
    return read_entry(entry_path(cache_dir, kind, name, key))
