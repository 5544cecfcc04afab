"""The city report (``lifecircle batch report``) as one XLSX workbook, with its overview map.

Opens on its notes (what the workbook holds, the walking rules, the verdicts' rules, every
column's meaning), then the areas, coverage per type per area, per type per 街道 (when any
area names its 街道), the top gaps ranked, and the map image on a sheet of its own. Sheets are
written as the gap report's (:mod:`lifecircle.io.gaps_xlsx`): same headers, formats, filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Font

from lifecircle.i18n import t
from lifecircle.io.cells import put_row
from lifecircle.io.gaps_xlsx import _table_sheet, column_notes
from lifecircle.io.report_tables import Table


def _notes(book: Workbook, lines: Sequence[str], tables: Sequence[Table], lang: str) -> None:
    notes = book.active
    assert notes is not None  # a new workbook has one sheet: the notes
    notes.title = t("gaps.sheet_notes", lang)
    for k, line in enumerate(lines):
        row = put_row(notes, [line])
        notes.cell(row, 1).font = Font(bold=k == 0)
    put_row(notes, [])
    column_notes(notes, tables, lang)


def write_city_xlsx(
    out: Path, *, notes: Sequence[str], tables: Sequence[Table], lang: str,
    map_png: Path | None = None,
) -> Path:  # fmt: skip
    """Write the workbook: notes, each table on its sheet, the map (when drawn) last."""
    out.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    _notes(book, notes, tables, lang)
    for table in tables:
        _table_sheet(book, table, lang)
    if map_png is not None:
        sheet = book.create_sheet(t("gaps.sheet_city_map", lang))
        image = Image(str(map_png))
        image.width, image.height = round(image.width * 0.6), round(image.height * 0.6)
        sheet.add_image(image, "A1")
    book.properties.title = t("city.title", lang)
    part = out.with_name(f".{out.name}.part")
    book.save(part)
    part.replace(out)
    return out
