"""gaps.xlsx of the Nanjing demo, opened as an officer would: its matrix is the engine's answer."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from lifecircle.io.gaps_xlsx import VERDICT_STYLE
from lifecircle.io.tables import write_gap_report
from lifecircle.jobs.build import build
from lifecircle.jobs.demo import build_demo
from lifecircle.jobs.reports import access_lines, gap_report

#: Compounds checked cell by cell: the block by the sample canteen, and a few others.
CHECKED = ("街坊 28", "街坊 1", "街坊 15", "街坊 43")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory):
    project, _ = build_demo(tmp_path_factory.mktemp("gaps_xlsx") / "demo")
    area, results = build(project, ("standard", "elderly"))
    taxonomy = project.taxonomy()
    report = gap_report(area, results, taxonomy=taxonomy)
    out: Path = tmp_path_factory.mktemp("gaps_xlsx_out") / "gaps.xlsx"
    [path] = write_gap_report(report, out, compounds=area.compounds)
    return openpyxl.load_workbook(path), area, results, taxonomy


@pytest.mark.parametrize(("profile", "sheet"), [("standard", "一般步行"), ("elderly", "老年人")])
@pytest.mark.slow
def test_the_matrix_holds_the_engines_minutes_and_verdicts(workbook, profile, sheet):
    book, area, results, taxonomy = workbook
    matrix = book[f"矩阵（{sheet}）"]
    header = [c.value for c in matrix[3]]
    column = {str(h).split("\n")[0]: k for k, h in enumerate(header) if h}
    rows = {r[0].value: r for r in matrix.iter_rows(min_row=4)}
    names = [c.name for c in area.compounds]
    assert len(rows) == len(area.compounds) == 50
    checked = 0
    for name in CHECKED:
        lines = access_lines(results[profile], names.index(name), data=area, taxonomy=taxonomy)
        for line in (x for x in lines if x.required):
            cell = rows[name][column[line.type_name]]
            if line.reach == "not_collected":
                assert cell.value == "未采集", (name, line.type_name)
            elif line.nearest is None:
                assert cell.value == "无", (name, line.type_name)
            else:
                assert cell.value == line.nearest, (name, line.type_name)
            fill, _ = VERDICT_STYLE[line.reach]
            assert cell.fill.start_color.rgb.endswith(fill), (name, line.type_name, line.reach)
            checked += 1
    assert checked >= 4 * 10
