"""Safe cells for every table lifecircle writes: text that looks like a formula stays text.

A facility or compound name comes from a sheet anyone may have edited, and a name such as
``=HYPERLINK("http://…","点击")`` must never become a live formula in the XLSX or CSV a
街道 officer opens (CSV injection, OWASP). Every writer of XLSX and CSV goes through here:
:func:`put_row` writes such text as a text cell (with Excel's quote prefix), :func:`csv_value`
prefixes it with ``'`` and :func:`write_csv` quotes every text field, so a separator inside a
value cannot start a new cell. Numbers stay numbers. Nothing here decides what a table holds.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

#: A cell starting with one of these is read as a formula by Excel, WPS or LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet would run as a formula.

    >>> looks_like_formula('=HYPERLINK("http://x","y")'), looks_like_formula("-3")
    (True, True)
    >>> looks_like_formula(-3)
    False
    >>> looks_like_formula("药店"), looks_like_formula("")
    (False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    """Return ``value`` as a CSV field: formula-looking text gets a leading ``'`` (OWASP).

    >>> csv_value("=1+1"), csv_value("@SUM(A1)"), csv_value(5), csv_value(None)
    ("'=1+1", "'@SUM(A1)", 5, '')
    """
    if value is None:
        return ""
    return f"'{value}" if looks_like_formula(value) else value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write rows as UTF-8-with-BOM CSV (Excel shows Chinese), every text field quoted and safe."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow([csv_value(h) for h in header])
        for row in rows:
            writer.writerow([csv_value(v) for v in row])
    return path


def put_row(sheet: Worksheet, values: Sequence[Any]) -> int:
    """Append ``values`` as a row of ``sheet``; formula-looking text is written as text.

    Returns the new row's number. openpyxl stores any string starting with ``=`` as a formula;
    this marks it (and every other formula-looking string) as a text cell with the quote
    prefix, so Excel neither runs it nor turns it into a formula when the cell is edited.
    """
    sheet.append(list(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if looks_like_formula(value):
            cell = sheet.cell(row, column)
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True
    return row
