"""Hostile test files made on the fly: an XLSX that unzips to gigabytes, deep JSON, wide rows.

Invented data for the size-limit tests. The zip is written by hand: one deflate block of a
repeated unit is compressed once and repeated, so a 2 GB member costs ~2 MB and milliseconds
to make. Its CRC is left 0: a reader that stops before unpacking never gets to check it.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
SMALL_PARTS = {
    "[Content_Types].xml": CONTENT_TYPES,
    "_rels/.rels": ROOT_RELS,
    "xl/workbook.xml": WORKBOOK,
    "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
}


def _block(data: bytes) -> bytes:
    """Raw deflate of ``data`` ending byte-aligned with a fresh dictionary (repeatable)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)


def _member(name: str, packed: bytes, size: int, crc: int, offset: int) -> tuple[bytes, bytes]:
    encoded = name.encode()
    fixed = (20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fixed, 0) + encoded + packed
    central = (
        struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fixed, 0, 0, 0, 0, 0, offset) + encoded
    )
    return local, central


def _crc(head: bytes, body: bytes, repeats: int, tail: bytes) -> int:
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(body, crc)
    return zlib.crc32(tail, crc)


def write_xlsx(path: Path, *, unit: str, repeats: int, first: str = "", crc: bool = True) -> Path:
    """Write an XLSX whose first sheet is ``first`` then ``unit`` (XML of rows) ``repeats`` times.

    ``crc=False`` leaves the sheet's checksum 0 (a bomb never read to its end).
    """
    parts: list[tuple[str, bytes, int, int]] = [
        (name, _block(text.encode()) + b"\x03\x00", len(text.encode()), zlib.crc32(text.encode()))
        for name, text in SMALL_PARTS.items()
    ]
    head, body, tail = (s.encode() for s in (SHEET_HEAD + first, unit, SHEET_TAIL))
    packed = _block(head) + _block(body) * repeats + _block(tail) + b"\x03\x00"
    size = len(head) + len(body) * repeats + len(tail)
    checksum = _crc(head, body, repeats, tail) if crc else 0
    parts.append(("xl/worksheets/sheet1.xml", packed, size, checksum))
    locals_, centrals, offset = [], [], 0
    for name, data, size, crc in parts:
        local, central = _member(name, data, size, crc, offset)
        locals_.append(local)
        centrals.append(central)
        offset += len(local)
    directory = b"".join(centrals)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), offset, 0
    )
    path.write_bytes(b"".join(locals_) + directory + end)
    return path


def rows_xml(cells_per_row: int, text: str = "1") -> str:
    """One row of inline-string cells, the unit of :func:`write_xlsx`."""
    cell = f'<c t="inlineStr"><is><t>{text}</t></is></c>'
    return "<row>" + cell * cells_per_row + "</row>"


def add_part(path: Path, name: str, data: bytes, method: int = zipfile.ZIP_BZIP2) -> None:
    """Append one more part to an existing zip (for odd compressions and part counts)."""
    with zipfile.ZipFile(path, "a", compression=method) as archive:
        archive.writestr(name, data)
