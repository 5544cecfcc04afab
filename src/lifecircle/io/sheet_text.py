"""Text sheets before they are tables: what a file is, its encoding, its delimiter, its rows.

Tells a binary file (PDF, old Excel, image) from text by its first bytes, decodes text
(:mod:`lifecircle.io.encodings`) and numbers the rows a CSV reader yields, naming the line of a
broken one. Headers and fields are :mod:`lifecircle.io.sheets`' job.
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lifecircle.errors import InputFileError, Msg
from lifecircle.io import encodings
from lifecircle.io.sheet_limits import SheetLimits

_MAGIC = {
    b"%PDF": "error.filekind.pdf",
    b"PK\x03\x04": "error.filekind.zip",
    b"\xd0\xcf\x11\xe0": "error.filekind.old_office",
    b"\x89PNG": "error.filekind.png",
    b"\xff\xd8\xff": "error.filekind.jpeg",
    b"Rar!": "error.filekind.rar",
}


def binary_kind(data: bytes) -> Msg | None:
    """Name what a non-text file looks like from its first bytes (None for text)."""
    for magic, key in _MAGIC.items():
        if data.startswith(magic):
            return Msg(key)
    has_utf16_bom = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in data[:4096] and not has_utf16_bom:
        return Msg("error.filekind.binary")
    return None


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Return the text and its encoding; refuse a binary file by what it looks like.

    Which encoding: :func:`lifecircle.io.encodings.decode_text` (BOM, UTF-8, then GB18030 when
    it reads as common Chinese, else Big5 or Windows-1252).
    """
    kind = binary_kind(data)
    if kind:
        raise InputFileError("error.sheet.not_text", file=path.name, kind=kind)
    return encodings.decode_text(data, file=path.name)


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter that splits the first lines into the most rows of one width."""
    head = text.splitlines()[:20]
    best, best_score = ",", (0, 0)
    for delimiter in (",", "\t", ";"):
        try:
            rows = list(csv.reader(head, delimiter=delimiter))
        except csv.Error:  # an over-long field; reading the file reports it with its row
            continue
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if width > 1 and (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best


def csv_rows(path: Path, reader: Any, limits: SheetLimits) -> Iterator[tuple[int, list[str]]]:
    """Yield the rows of a CSV reader with their numbers; errors name the file and line."""
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):  # the csv module's own cap
                raise InputFileError(
                    "error.sheet.cell_too_long",
                    file=path.name,
                    row=reader.line_num,
                    column="?",
                    n=limits.max_cell_chars,
                ) from None
            raise InputFileError(
                "error.sheet.bad_csv", file=path.name, detail=f"line {reader.line_num}: {exc}"
            ) from None
        number += 1
        yield number, cells
