"""The gap report as an XLSX workbook a 街道 officer can act on.

Opens on its notes (说明: the data's label, the date, the walking rule in plain words and in
full, every rule of the verdicts, and what every column of every sheet means), then coverage
per type, a compound × type matrix per walking profile (minutes coloured by verdict, 未采集
shown as such), the content-area summaries, rankings and the detail rows. Shares are
percentages, people have thousands separators, estimated residents are flagged, and every
cell goes through :func:`lifecircle.io.cells.put_row` (formula-looking text stays text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lifecircle.engine.rules import Reach
from lifecircle.i18n import t
from lifecircle.io.cells import put_row
from lifecircle.io.report_tables import Matrix, Table, Words, matrix_text

#: Fill and font colour of a matrix cell by verdict (colour-blind safe with the words beside).
VERDICT_STYLE = {
    Reach.within.value: ("C6EFCE", "006100"),
    Reach.missing.value: ("FFC7CE", "9C0006"),
    Reach.beyond.value: ("FFEB9C", "7A5C00"),
    Reach.not_collected.value: ("EDEDED", "6F6F6F"),
}
FORMATS = {"people": "#,##0", "count": "#,##0", "share": "0%", "minutes": "0"}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


def _notes_sheet(
    book: Workbook, notes_text: Sequence[str], tables: Sequence[Table], *, lang: str, bold: bool
) -> None:
    notes = book.active
    assert notes is not None  # a new workbook has one sheet: the notes
    notes.title = t("gaps.sheet_notes", lang)
    for k, line in enumerate(notes_text):
        row = put_row(notes, [line])
        notes.cell(row, 1).font = Font(bold=k == 0 and bold)
    put_row(notes, [])
    put_row(notes, [t("gaps.notes_matrix", lang)])
    column_notes(notes, tables, lang)


def column_notes(notes: Worksheet, tables: Sequence[Table], lang: str) -> None:
    """Define each table's columns under its sheet's name (a key once), then wrap the notes."""
    put_row(notes, [t("gaps.notes_columns", lang)])
    notes.cell(notes.max_row, 1).font = BOLD
    for table in tables:
        row = put_row(notes, [t(f"gaps.sheet_{table.name}", lang)])
        notes.cell(row, 1).font = BOLD
        for key in dict.fromkeys(column.key for column in table.columns):
            put_row(notes, [t(f"col.{key}", lang), t(f"coldef.{key}", lang)])
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["B"].width = 100
    for cells in notes.iter_rows():
        for cell in cells:
            cell.alignment = WRAP


def _table_sheet(book: Workbook, table: Table, lang: str) -> Worksheet:
    sheet: Worksheet = book.create_sheet(t(f"gaps.sheet_{table.name}", lang))
    put_row(sheet, [t(f"col.{c.key}", lang) for c in table.columns])
    for cell in sheet[1]:
        cell.font, cell.alignment = BOLD, WRAP
    for values in table.rows:
        put_row(sheet, values)
    for k, column in enumerate(table.columns, start=1):
        number = FORMATS.get(column.kind)
        if number is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=k, max_col=k):
            cell.number_format = number
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions
    _widths(sheet)
    return sheet


def _widths(sheet: Worksheet, *, most: float = 40) -> None:
    for k, column in enumerate(sheet.columns, start=1):
        width = max(_text_width(c.value) for c in column[:200])
        sheet.column_dimensions[get_column_letter(k)].width = min(max(8.0, width), most)


def _text_width(value: object) -> float:
    text = "" if value is None else str(value)
    return sum(2.1 if ord(ch) >= 0x2E80 else 1.1 for ch in text) + 1


def _matrix_sheet(book: Workbook, matrix: Matrix, *, rule: str, words: Words) -> None:
    lang = words.lang
    who = words.profile(matrix.profile)
    sheet = book.create_sheet(t("gaps.sheet_matrix", lang, profile=who))
    put_row(sheet, [t("gaps.matrix_title", lang, profile=who, rule=rule)])
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    legend = [t("gaps.matrix_legend", lang)]
    legend += [t(f"gaps.matrix_{reach}", lang) for reach in VERDICT_STYLE if reach != "beyond"]
    put_row(sheet, legend)
    for k, reach in enumerate((r for r in VERDICT_STYLE if r != "beyond"), start=2):
        fill, ink = VERDICT_STYLE[reach]
        sheet.cell(2, k).fill, sheet.cell(2, k).font = _fill(fill), Font(color=ink)
    fixed = ["compound_name", "community", "residents", "residents_estimated"]
    header = [t(f"col.{key}", lang) for key in fixed]
    for code in matrix.type_codes:
        ftype = words.taxonomy.type(code)
        header.append(t("gaps.matrix_type", lang, name=words.type(code), level=ftype.level_min))
    put_row(sheet, header)
    for cell in sheet[3]:
        cell.font, cell.alignment = BOLD, Alignment(wrap_text=True, vertical="bottom")
    for first, cells in zip(matrix.compounds, matrix.cells, strict=True):
        estimated = words.yes(first.compound_id in words.estimated)
        values = [first.compound_name, first.community, first.residents, estimated]
        row = put_row(sheet, values + [matrix_text(c, lang) for c in cells])
        sheet.cell(row, 3).number_format = FORMATS["people"]
        for k, cell in enumerate(cells, start=len(fixed) + 1):
            fill, ink = VERDICT_STYLE[cell.reach]
            target = sheet.cell(row, k)
            target.fill, target.alignment = _fill(fill), Alignment(horizontal="center")
            target.font = Font(color=ink, italic=cell.reach == Reach.not_collected)
    sheet.row_dimensions[3].height = 64
    sheet.freeze_panes = sheet.cell(4, len(fixed) + 1)
    for k, width in enumerate((22, 14, 9, 9), start=1):
        sheet.column_dimensions[get_column_letter(k)].width = width
    for k in range(len(fixed) + 1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(k)].width = 8.5


def write_gap_xlsx(
    out: Path,
    *,
    notes: Sequence[str],
    notice: str,
    rules: Mapping[str, str],
    tables: Sequence[Table],
    matrices: Sequence[Matrix],
    words: Words,
) -> Path:
    """Write the workbook: notes, per-type coverage, matrices, the other tables.

    ``notes`` are the lines of the notes sheet (``notice`` first when there is one, in bold);
    ``rules`` the plain walking rule of each profile, named in its matrix's title.
    """
    lang = words.lang
    book = Workbook()
    _notes_sheet(book, notes, tables, lang=lang, bold=bool(notice))
    first, *rest = tables
    _table_sheet(book, first, lang)
    for matrix in matrices:
        _matrix_sheet(book, matrix, rule=rules[matrix.profile], words=words)
    for table in rest:
        _table_sheet(book, table, lang)
    book.properties.title = notice or t("gaps.sheet_rows", lang)
    book.save(out)
    return out
