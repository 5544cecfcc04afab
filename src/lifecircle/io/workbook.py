"""Write an XLSX workbook of plain sheets, safely: text stays text, the file appears whole.

Text that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) is stored as a
string cell, never a formula, so a resident's text cannot become one (CSV/formula injection).
The workbook is written to a temporary file and moved into place.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: Longest text kept in a cell (Excel's own limit is 32,767 characters).
MAX_CELL_CHARS = 32_000


@dataclass(frozen=True)
class SheetData:
    """One sheet: its title, header, rows, and number formats by column (``"0.0%"``)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    formats: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None) -> Cell:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value[:MAX_CELL_CHARS])
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def write_workbook(path: Path, sheets: Sequence[SheetData]) -> Path:
    """Write ``sheets`` to an XLSX file at ``path`` (replacing it whole); return the path.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "r.xlsx"
    >>> _ = write_workbook(out, [SheetData("总览", ["项目", "值"], [["=1+1", 0.5]], {1: "0%"})])
    >>> from openpyxl import load_workbook
    >>> cell = load_workbook(out)["总览"]["A2"]
    >>> cell.value, cell.data_type  # text, not a formula
    ('=1+1', 's')
    """
    book = Workbook(write_only=True)
    for data in sheets:
        sheet = book.create_sheet(data.title[:31])
        for column, width in data.widths.items():
            sheet.column_dimensions[_letter(column)].width = width
        header = [WriteOnlyCell(sheet, value=h) for h in data.header]
        for cell in header:
            cell.font = Font(bold=True)
        sheet.append(header)
        for row in data.rows:
            sheet.append([_cell(sheet, v, data.formats.get(i)) for i, v in enumerate(row)])
        sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    book.save(temporary)
    os.replace(temporary, path)
    return path


def _letter(column: int) -> str:
    """Spreadsheet letters of a 0-based column (0 → A, 26 → AA)."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
