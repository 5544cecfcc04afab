"""Noto Sans CJK SC cut down to the characters of a batch of boards, once per batch.

WeasyPrint subsets every font it embeds, which takes ~5 s per document for the full CJK font;
subsetting it here once to the few thousand characters the boards print makes that step nearly
free. Writes only into the project's cache folder; renders nothing. :func:`subset_glyphs`
cuts the batch font further, to the glyphs one board draws itself (its map's words).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import io
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from lifecircle.cache.files import write_atomically
from lifecircle.errors import ConfigError

FAMILY = "NotoSansCJK-SC-Board"
#: Always kept: ASCII, Latin-1 and the punctuation boards use, so labels never fall back.
BASE_CHARS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x100))
    + "·—–…‘’“”•→←↑↓★☎℃、。，：；！？（）《》【】「」『』〈〉—～－＋／％＃＆＊＝"
)
_DEBIAN = {
    "400": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "700": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
}


@dataclass(frozen=True)
class BoardFonts:
    """The subset font files and the ``@font-face`` rules that use them."""

    regular: Path
    bold: Path

    def css(self) -> str:
        """``@font-face`` rules for :data:`FAMILY` (weights 400 and 700)."""
        return "".join(
            f'@font-face{{font-family:"{FAMILY}";src:url("{path.resolve().as_uri()}");'
            f"font-weight:{weight};font-style:normal}}"
            for weight, path in (("400", self.regular), ("700", self.bold))
        )


def find_font(weight: str) -> tuple[str, int]:
    """File and face index of Noto Sans CJK SC of ``weight`` (``400``/``700``) via fontconfig."""
    pattern = "Noto Sans CJK SC" + (":bold" if weight == "700" else "")
    if shutil.which("fc-match"):
        done = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}|%{family}", pattern],
            capture_output=True,
            text=True,
            check=False,
        )
        file, _, rest = done.stdout.partition("|")
        index, _, family = rest.partition("|")
        if done.returncode == 0 and "Noto Sans CJK SC" in family and Path(file).exists():
            return file, int(index or 0)
    fallback, face = _DEBIAN[weight]
    if not Path(fallback).exists():
        raise ConfigError("error.boards.no_font", font=pattern)
    return fallback, face


def subset_fonts(cache_dir: Path, texts: Iterable[str]) -> BoardFonts:
    """Subset Regular and Bold to the characters of ``texts`` (cached by that character set)."""
    chars = "".join(sorted(set(BASE_CHARS).union(*map(set, texts)) - {"\n", "\r", "\t"}))
    key = hashlib.sha256(chars.encode("utf-8")).hexdigest()[:12]
    folder = cache_dir / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for weight, name in (("400", "Regular"), ("700", "Bold")):
        path = folder / f"NotoSansCJKsc-{name}-{key}.otf"
        if not path.exists():
            _subset(*find_font(weight), chars=chars, path=path)
        paths[weight] = path
    return BoardFonts(paths["400"], paths["700"])


def _subset(file: str, index: int, *, chars: str, path: Path) -> None:
    font = TTFont(file, fontNumber=index, lazy=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    write_atomically(path, lambda tmp: font.save(str(tmp)))


#: harfbuzz-subset flags: keep glyph ids (a PDF's codes are the batch font's ids), no hinting,
#: plain CFF charstrings, and the .notdef outline.
_HB_FLAGS = 0x01 | 0x02 | 0x04 | 0x40


@functools.cache
def _harfbuzz() -> ctypes.CDLL | None:
    """libharfbuzz-subset (WeasyPrint's own dependency), or None where it is not installed."""
    name = ctypes.util.find_library("harfbuzz-subset") or "libharfbuzz-subset.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    p = ctypes.c_void_p
    for func, res, args in (
        ("hb_blob_create", p, [ctypes.c_char_p, ctypes.c_uint, ctypes.c_int, p, p]),
        ("hb_face_create", p, [p, ctypes.c_uint]),
        ("hb_subset_input_create_or_fail", p, []),
        ("hb_subset_input_glyph_set", p, [p]),
        ("hb_set_add", None, [p, ctypes.c_uint32]),
        ("hb_subset_input_set_flags", None, [p, ctypes.c_uint]),
        ("hb_subset_or_fail", p, [p, p]),
        ("hb_face_reference_blob", p, [p]),
        ("hb_blob_get_data", p, [p, ctypes.POINTER(ctypes.c_uint)]),
        ("hb_blob_destroy", None, [p]),
        ("hb_face_destroy", None, [p]),
        ("hb_subset_input_destroy", None, [p]),
    ):
        getattr(lib, func).restype = res
        getattr(lib, func).argtypes = args
    return lib


@functools.lru_cache(maxsize=4)
def _hb_face(path: Path) -> tuple[int, bytes]:
    """Open a harfbuzz face of ``path`` kept for the process (its bytes kept alive beside it)."""
    lib = _harfbuzz()
    assert lib is not None
    data = path.read_bytes()
    blob = lib.hb_blob_create(data, len(data), 1, None, None)  # 1: read-only, not copied
    face = lib.hb_face_create(blob, 0)
    lib.hb_blob_destroy(blob)  # the face holds its own reference
    return int(face), data


def subset_glyphs(path: Path, glyphs: Iterable[int]) -> bytes:
    """Cut the font file ``path`` down to ``glyphs``, each keeping its glyph id.

    Uses libharfbuzz-subset (milliseconds), else fontTools (tens of milliseconds).
    """
    wanted = sorted({0, *glyphs})
    lib = _harfbuzz()
    if lib is None:
        return _fonttools_glyphs(path, wanted)
    face, _ = _hb_face(path)
    plan = lib.hb_subset_input_create_or_fail()
    try:
        chosen = lib.hb_subset_input_glyph_set(plan)
        for glyph in wanted:
            lib.hb_set_add(chosen, glyph)
        lib.hb_subset_input_set_flags(plan, _HB_FLAGS)
        cut = lib.hb_subset_or_fail(face, plan)
    finally:
        lib.hb_subset_input_destroy(plan)
    if not cut:
        return _fonttools_glyphs(path, wanted)
    blob = lib.hb_face_reference_blob(cut)
    length = ctypes.c_uint()
    data = ctypes.string_at(lib.hb_blob_get_data(blob, ctypes.byref(length)), length.value)
    lib.hb_blob_destroy(blob)
    lib.hb_face_destroy(cut)
    return data


def _fonttools_glyphs(path: Path, glyphs: Sequence[int]) -> bytes:
    font = TTFont(io.BytesIO(path.read_bytes()))
    options = subset.Options()
    options.retain_gids = True
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=list(glyphs))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
