"""Writing and reading the project's derived files safely: whole or not at all.

Every cache file (results, walk graphs, base map, board fonts) is written under a temporary
name and renamed into place, so a killed writer never leaves half a file. No formats here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file next to ``path``, then rename it to ``path``.

    The temporary name carries the process id: two processes (the CLI and the web app's
    background rebuild) may write the same file at once, and each renames a whole file.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_atomically(target, lambda tmp: tmp.write_text("whole"))
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('whole', ['a.txt'])
    """
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_npz(path: Path, arrays: Mapping[str, np.ndarray], *, compressed: bool = False) -> None:
    """Write arrays to one ``.npz`` file atomically (uncompressed unless asked)."""
    save = np.savez_compressed if compressed else np.savez

    def write(tmp: Path) -> None:
        with tmp.open("wb") as handle:
            save(handle, **arrays)  # type: ignore[arg-type]

    write_atomically(path, write)


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` file (no pickles).

    Raises whatever a damaged file raises (OSError, ValueError, zipfile.BadZipFile …); the
    file is closed either way — ``np.load`` of a path leaves it open when the zip is broken.
    """
    with path.open("rb") as handle, np.load(handle) as stored:
        return {name: stored[name] for name in stored.files}
