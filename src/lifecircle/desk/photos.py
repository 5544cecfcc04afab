"""Case photos as files next to the store: checked, re-encoded without metadata, safely named.

A photo is refused when it is larger than ``desk_photo_max_mb``, is not a JPEG, PNG or WebP
image Pillow can read, or has more than :data:`MAX_PIXELS` pixels (a decompression bomb). An
accepted photo is turned upright, scaled to at most :data:`MAX_SIDE_PX` and saved as JPEG with
no EXIF (no GPS position, camera or owner), under the hash of its content: the name never
comes from the sender. The database keeps only names.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
import warnings
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from lifecircle.errors import DeskError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "MPO")
MAX_PIXELS = 50_000_000
MAX_SIDE_PX = 2560
JPEG_QUALITY = 85
_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


def photo_path(folder: Path, name: str) -> Path:
    """Return where a photo of this name lives (``<folder>/<first two hex>/<name>``).

    >>> photo_path(Path("/p"), "0123456789abcdef0123456789abcdef.jpg").as_posix()
    '/p/01/0123456789abcdef0123456789abcdef.jpg'

    Raises
    ------
    DeskError
        The name is not one this module makes (so it cannot point outside the folder).
    """
    if not _NAME.match(name):
        raise DeskError("error.desk.unknown_photo", field="photos", value=name[:80])
    return folder / name[:2] / name


def require_photo(folder: Path, name: str) -> Path:
    """Return a stored photo's path, refusing an unknown or malformed name."""
    path = photo_path(folder, name)
    if not path.is_file():
        raise DeskError("error.desk.unknown_photo", field="photos", value=name)
    return path


def _open(data: bytes) -> Image.Image:
    """Read an image's header only (size and format): nothing is decoded yet."""
    try:
        with warnings.catch_warnings():
            # the size is checked below, against our own (lower) limit
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise DeskError("error.desk.photo_pixels", field="photo", width="?", height="?") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DeskError("error.desk.photo_unreadable", field="photo") from None


def _decode(data: bytes) -> Image.Image:
    image = _open(data)
    if image.format not in ACCEPTED_FORMATS:
        known = ACCEPTED_FORMATS
        raise DeskError(
            "error.desk.photo_type", field="photo", found=str(image.format), known=known
        )
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise DeskError("error.desk.photo_pixels", field="photo", width=width, height=height)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError):
        raise DeskError("error.desk.photo_unreadable", field="photo") from None
    return image


def encode_photo(data: bytes, *, max_bytes: int) -> bytes:
    """Check a photo and return it as an upright JPEG without metadata.

    Raises
    ------
    DeskError
        Too large, not an accepted image, unreadable, or too many pixels.
    """
    if len(data) > max_bytes:
        raise DeskError(
            "error.desk.photo_too_large",
            field="photo",
            mb=round(len(data) / 1e6, 1),
            max_mb=round(max_bytes / 1e6, 1),
        )
    image = ImageOps.exif_transpose(_decode(data))
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def save_photo(folder: Path, data: bytes, *, max_bytes: int) -> str:
    """Check, re-encode and store a photo; return its name (the same photo: the same name)."""
    encoded = encode_photo(data, max_bytes=max_bytes)
    name = hashlib.sha256(encoded).hexdigest()[:32] + ".jpg"
    path = photo_path(folder, name)
    if path.is_file():
        return name
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{name}.{os.getpid()}.tmp")
    temporary.write_bytes(encoded)
    os.replace(temporary, path)
    return name


def remove_photos(folder: Path, names: Iterable[str]) -> int:
    """Delete stored photos by name; return how many files went."""
    removed = 0
    for name in names:
        path = photo_path(folder, name)
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def unreferenced(folder: Path, referenced: set[str], *, older_than_s: float) -> list[str]:
    """List stored photos no case refers to that are older than ``older_than_s`` seconds."""
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than_s
    return sorted(
        p.name
        for p in folder.glob("??/*.jpg")
        if _NAME.match(p.name) and p.name not in referenced and p.stat().st_mtime < cutoff
    )
