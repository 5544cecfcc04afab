"""Noto Sans CJK SC cut down to the characters of a batch of boards, once per batch.

WeasyPrint subsets every font it embeds, which takes ~5 s per document for the full CJK font;
subsetting it here once to the few thousand characters the boards print makes that step nearly
free. Writes only into the project's cache folder; renders nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterable
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
