"""Size limits of the sheets lifecircle reads, checked before and while a file is parsed.

A 6 MB XLSX can unzip to gigabytes and a GeoJSON can nest lists ten thousand deep: such a file
is refused with a clear message before it costs memory or time. An XLSX is checked from its
zip directory (parts, their unzipped sizes, the compression used) and its worksheets are
scanned as a byte stream (cells per row; shared strings against cells) before openpyxl opens
it. Rows of every format pass through :func:`limited_rows`. Nothing here maps headers or
judges values.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifecircle.config import Settings
from lifecircle.errors import InputFileError

#: Rows of a worksheet as Excel numbers them go no higher than this.
EXCEL_MAX_ROW = 1_048_576
_MB = 1 << 20
_WORKSHEET_TYPE = "spreadsheetml.worksheet+xml"
_SHARED_STRINGS = "xl/sharedStrings.xml"
_SPARE_STRINGS = 10_000
#: Start tags of rows, cells and shared strings, with any namespace prefix (``<x:c …>``).
_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_SHARED = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
_PART_NAME = re.compile(r'PartName="/?([^"]+)"[^>]*ContentType="[^"]*' + re.escape(_WORKSHEET_TYPE))


@dataclass(frozen=True)
class SheetLimits:
    """The largest sheet read: rows with data, columns, characters per cell; XLSX and JSON.

    Defaults are those of :class:`lifecircle.config.Settings`.
    """

    max_rows: int = Settings.sheet_max_rows
    max_columns: int = Settings.sheet_max_columns
    max_cell_chars: int = Settings.sheet_max_cell_chars
    max_unzipped_mb: int = Settings.sheet_max_unzipped_mb
    max_zip_entries: int = Settings.sheet_max_zip_entries
    max_json_depth: int = Settings.geojson_max_depth

    @classmethod
    def from_settings(cls, settings: Settings) -> SheetLimits:
        """Take the limits from the ``sheet_max_*`` and ``geojson_max_depth`` settings."""
        return cls(
            max_rows=settings.sheet_max_rows,
            max_columns=settings.sheet_max_columns,
            max_cell_chars=settings.sheet_max_cell_chars,
            max_unzipped_mb=settings.sheet_max_unzipped_mb,
            max_zip_entries=settings.sheet_max_zip_entries,
            max_json_depth=settings.geojson_max_depth,
        )


def _too_long(file: str, row: int, column: int, limits: SheetLimits) -> InputFileError:
    return InputFileError(
        "error.sheet.cell_too_long", file=file, row=row, column=column, n=limits.max_cell_chars
    )


def limited_rows(
    rows: Iterable[tuple[int, Sequence[Any]]], *, file: str, limits: SheetLimits
) -> Iterator[tuple[int, Sequence[Any]]]:
    """Pass rows on, refusing the file at the first row past a limit.

    Counts rows with any value against ``max_rows`` (blank rows are free but a row number
    past Excel's last row is refused), cells against ``max_columns`` and the text of each cell
    against ``max_cell_chars``.

    >>> list(limited_rows([(1, ["a", ""])], file="x.csv", limits=SheetLimits()))
    [(1, ['a', ''])]
    >>> list(limited_rows([(1, ["a"] * 3)], file="x.csv", limits=SheetLimits(max_columns=2)))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lifecircle.errors.InputFileError: x.csv: row 1 has 3 columns; a sheet may have at most 2 ...
    """
    filled = 0
    for number, cells in rows:
        if number > EXCEL_MAX_ROW + 1:
            raise InputFileError("error.sheet.too_many_rows", file=file, n=limits.max_rows)
        if len(cells) > limits.max_columns:
            raise InputFileError(
                "error.sheet.too_many_columns",
                file=file,
                row=number,
                got=len(cells),
                n=limits.max_columns,
            )
        lengths = [len(cell) if cell.__class__ is str else 0 for cell in cells]
        if lengths and max(lengths) > limits.max_cell_chars:
            column = next(i for i, n in enumerate(lengths, 1) if n > limits.max_cell_chars)
            raise _too_long(file, number, column, limits)
        # any() decides most rows at C speed; a row of zeros still counts as filled
        if any(cells) or any(cell is not None and cell != "" for cell in cells):
            filled += 1
            if filled > limits.max_rows:
                raise InputFileError("error.sheet.too_many_rows", file=file, n=limits.max_rows)
        yield number, cells


def check_xlsx(path: Path, limits: SheetLimits) -> None:
    """Refuse an XLSX whose zip or worksheets exceed the limits, before anything is unpacked.

    Raises
    ------
    InputFileError
        Too many parts, a compression other than deflate, too much once unzipped, or a
        worksheet with too many rows, too many cells in a row or too long a cell.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_directory(path.name, infos, limits)
            cells = sum(
                _scan_worksheet(path.name, archive, part, limits)
                for part in _worksheet_parts(archive, infos)
            )
            # every shared string serves some cell: more strings than cells is no sheet
            if _SHARED_STRINGS in {i.filename for i in infos}:
                strings = _count_strings(archive)
                if strings > cells + _SPARE_STRINGS:
                    raise InputFileError("error.sheet.too_many_strings", file=path.name, n=strings)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise InputFileError(
            "error.sheet.xlsx_unreadable", file=path.name, detail=str(exc)
        ) from None


def _check_directory(file: str, infos: Sequence[zipfile.ZipInfo], limits: SheetLimits) -> None:
    if len(infos) > limits.max_zip_entries:
        raise InputFileError(
            "error.sheet.zip_entries", file=file, got=len(infos), n=limits.max_zip_entries
        )
    # bzip2 and lzma members decompress a whole read at once, unbounded: XLSX uses deflate
    odd = [
        i.filename
        for i in infos
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
    ]
    if odd:
        raise InputFileError("error.sheet.zip_method", file=file, part=odd[0])
    unzipped = sum(i.file_size for i in infos)
    if unzipped > limits.max_unzipped_mb * _MB:
        raise InputFileError(
            "error.sheet.unzipped_too_big",
            file=file,
            got_mb=round(unzipped / _MB),
            n=limits.max_unzipped_mb,
        )


def _worksheet_parts(archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo]) -> list[str]:
    """Name every worksheet part: those the content types declare, and xl/worksheets/*.xml."""
    names = {i.filename for i in infos}
    found = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    if "[Content_Types].xml" in names:
        manifest = archive.read("[Content_Types].xml").decode("utf-8", "replace")
        found |= {m for m in _PART_NAME.findall(manifest) if m in names}
    return sorted(found)


def _blocks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """Yield a part's bytes in ~1 MB blocks that never split a tag (a cut tag moves on)."""
    carry = b""
    with archive.open(part) as source:
        while chunk := source.read(_MB):
            data = carry + chunk
            cut = data.rfind(b"<")
            if cut == -1 or len(data) - cut > 256:
                cut = len(data)
            yield data[:cut]
            carry = data[cut:]
    yield carry


def _scan_worksheet(file: str, archive: zipfile.ZipFile, part: str, limits: SheetLimits) -> int:
    """Count a worksheet's cells as a byte stream, refusing a row with too many; return them.

    openpyxl builds a whole row in memory before it yields it, so a row of millions of cells
    must be caught here; rows, row numbers and long texts are checked while reading.
    """
    total, rows, filled, open_row = 0, 0, 0, 0
    for block in _blocks(archive, part):
        for i, segment in enumerate(_ROW.split(block)):
            if i:  # a row starts: the one before it is complete
                rows += 1
                filled += 1 if open_row else 0
                if filled > limits.max_rows or rows > EXCEL_MAX_ROW:
                    raise InputFileError("error.sheet.too_many_rows", file=file, n=limits.max_rows)
                open_row = 0
            found = len(_CELL.findall(segment))
            open_row += found
            total += found
            if open_row > limits.max_columns:
                raise InputFileError(
                    "error.sheet.too_many_columns",
                    file=file,
                    row=max(rows, 1),
                    got=open_row,
                    n=limits.max_columns,
                )
    return total


def _count_strings(archive: zipfile.ZipFile) -> int:
    return sum(len(_SHARED.findall(block)) for block in _blocks(archive, _SHARED_STRINGS))


def json_depth_ok(value: Any, max_depth: int) -> bool:
    """Tell whether lists and objects in ``value`` nest at most ``max_depth`` deep (iteratively).

    >>> json_depth_ok({"a": [[1]]}, 3), json_depth_ok({"a": [[1]]}, 2)
    (True, False)
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True
