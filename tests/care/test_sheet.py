"""Importing the register from a sheet: every bad field by row, nothing stored unless all good."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from lifecircle.care.context import Care
from lifecircle.care.register import open_person
from lifecircle.care.sheet import import_register
from lifecircle.errors import BadRowsError, InputFileError

HEADER = [
    "序号", "姓名", "小区", "楼号", "单元", "类别", "风险等级", "电话", "家属联系人",
    "健康状况", "处理依据", "同意日期", "同意记录人",
]  # fmt: skip
GOOD = [
    [1, "刘桂芝", "桃园里", "4号楼", "1单元201", "独居、失能", "高风险", 13811112222,
     "刘明(儿子) 13922223333；王芳（邻居）13633334444", "糖尿病", "单独同意", "2026/9/30", "wang"],
    [2, "陈玉兰", "华苑", "2号楼", "2单元102", "空巢", "一般", "022-2735 0002", "", "",
     "法定职责", "", ""],
]  # fmt: skip


def sheet(tmp_path: Path, rows: list[list[object]], name: str = "名册.xlsx") -> Path:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_a_good_sheet_is_imported_sealed_and_routed(care: Care, tmp_path: Path) -> None:
    done = import_register(care, sheet(tmp_path, GOOD))
    assert done.people == 2 and len(done.ids) == 2
    liu = open_person(care, care.tables.person(done.ids[0]) or {})
    assert liu.categories == ("独居", "失能") and liu.level == "high"
    assert liu.phones == ("13811112222",) and liu.consent_on == "2026-09-30"
    assert [(c.name, c.relation, c.phone) for c in liu.contacts] == [
        ("刘明", "儿子", "13922223333"),
        ("王芳", "邻居", "13633334444"),
    ]
    assert (liu.grid, liu.microgrid) == ("G1", "G1-1")


def test_bad_rows_are_named_and_nothing_is_stored(care: Care, tmp_path: Path) -> None:
    before = len(care.tables.people())
    bad = [
        GOOD[0],
        [3, "孙大娘", "桃园里", "", "", "独居", "高风险", "call me", "", "", "单独同意", "", ""],
        [4, "周大爷", "无此小区", "", "", "孤寡", "特高", "", "", "", "", "", ""],
    ]
    with pytest.raises(BadRowsError) as caught:
        import_register(care, sheet(tmp_path, bad))
    found = {(p.row, p.column) for p in caught.value.problems}
    assert {(3, "电话"), (3, "同意记录人"), (3, "同意日期")} <= found
    assert {(4, "小区"), (4, "类别"), (4, "风险等级"), (4, "处理依据")} <= found
    assert all(p.file == "名册.xlsx" for p in caught.value.problems)
    assert len(care.tables.people()) == before


def test_a_person_already_on_the_register_is_a_bad_row(care: Care, tmp_path: Path) -> None:
    import_register(care, sheet(tmp_path, GOOD))
    with pytest.raises(BadRowsError, match="already on the register"):
        import_register(care, sheet(tmp_path, GOOD[:1], "again.xlsx"))


def test_a_dry_run_stores_nothing(care: Care, tmp_path: Path) -> None:
    before = len(care.tables.people())
    assert import_register(care, sheet(tmp_path, GOOD), dry_run=True).people == 2
    assert len(care.tables.people()) == before


def test_a_sheet_without_name_and_compound_columns_is_refused(care: Care, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("电话,备注\n138,\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="姓名"):
        import_register(care, path)
