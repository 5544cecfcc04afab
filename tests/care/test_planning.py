"""Planning sees the register only as counts per compound, none below five (no key needed)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import openpyxl
from rich.console import Console

from lifecircle.care.context import Care
from lifecircle.care.planning import vulnerable_counts
from lifecircle.care.records import leave_person
from lifecircle.care.register import PersonIn, add_person
from lifecircle.cli.gaps_view import print_top_missing
from lifecircle.engine.coverage import coverage_by_type
from lifecircle.engine.gaps import CompoundAccessTable, GapRow, gap_rows, top_missing
from lifecircle.engine.profiles import STANDARD
from lifecircle.io.tables import GapReport, write_gap_report
from lifecircle.plan.sites import compound_weights, gap_weight
from lifecircle.taxonomy import load_taxonomy
from tests.care.conftest import PEOPLE
from tests.desk.conftest import COMPOUNDS

TAX = load_taxonomy()
TYPES = ("kindergarten", "pharmacy")  # both ▲ 5 minutes


def add_neighbours(care: Care, n: int) -> list[int]:
    """Add ``n`` more invented people to 桃园里 (which already holds 王桂兰)."""
    base = PEOPLE["王桂兰"].__dict__
    return [
        add_person(care, PersonIn(**{**base, "name": f"示例老人{i}", "unit": f"{i}01"}), by="t")
        for i in range(n)
    ]


def test_counts_below_five_are_suppressed(care: Care) -> None:
    assert vulnerable_counts(care.desk.store, min_count=5) == {}  # 1 + 1 + 1 people
    added = add_neighbours(care, 4)
    assert vulnerable_counts(care.desk.store, min_count=5) == {"sheet:test:C1": 5}
    leave_person(care, care_user(care), added[0], reason="correct")
    assert vulnerable_counts(care.desk.store, min_count=5) == {}  # 4 left: hidden again


def test_plan_weights_come_from_the_suppressed_counts_only(care: Care) -> None:
    add_neighbours(care, 4)
    data = SimpleNamespace(compounds=COMPOUNDS)
    project = care.desk.project
    assert compound_weights(project, data, "vulnerable") == [5.0, None, None]  # type: ignore[arg-type]
    assert compound_weights(project, data, "residents") == [None, None, None]  # type: ignore[arg-type]


def care_user(care: Care):
    from lifecircle.care.access import OPERATOR

    return OPERATOR


def gap_rows_of_the_area() -> list[GapRow]:
    """桃园里 (1000 residents) lacks a kindergarten, 桃园西里 (200) a pharmacy, 华苑 nothing."""
    people = {"sheet:test:C1": 1000, "sheet:test:C3": 200, "sheet:test:C2": None}
    compounds = [replace(c, residents=people[c.key]) for c in COMPOUNDS]
    cost = np.array([[np.inf, 60.0], [60.0, np.inf], [60.0, 60.0]])  # seconds
    within = {level: (cost <= level * 60).astype(int) for level in (5, 10, 15)}
    table = CompoundAccessTable(STANDARD, TYPES, cost, np.full(cost.shape, -1), within)
    return gap_rows(
        table, compounds=compounds, facilities=[], taxonomy=TAX, collected=frozenset(TYPES)
    )


def test_gaps_weighted_by_the_register_rank_by_the_suppressed_counts(care: Care) -> None:
    add_neighbours(care, 3)  # 桃园里: 4 people, below five: counts 0
    base = PEOPLE["李秀英"].__dict__
    for i in range(5):  # 桃园西里: 6 people
        add_person(care, PersonIn(**{**base, "name": f"示例西里{i}", "unit": f"{i}02"}), by="t")
    data = SimpleNamespace(compounds=COMPOUNDS)
    weight = gap_weight(care.desk.project, data, "vulnerable")  # type: ignore[arg-type]
    assert weight is not None and weight.suppressed_below == 5
    assert dict(weight.values) == {
        "sheet:test:C1": None,
        "sheet:test:C3": 6.0,
        "sheet:test:C2": None,
    }
    rows = gap_rows_of_the_area()
    plain = [(m.type, m.residents) for m in top_missing(rows)]
    assert plain == [("kindergarten", 1000), ("pharmacy", 200)]  # by residents
    ranked = [(m.type, m.residents, m.weighted) for m in top_missing(rows, weight=weight)]
    assert ranked == [("pharmacy", 200, 6), ("kindergarten", 1000, 0)]
    assert gap_weight(care.desk.project, data, "residents") is None  # type: ignore[arg-type]


def test_the_weighted_report_says_its_weight_and_the_suppression(care: Care, tmp_path) -> None:
    add_neighbours(care, 5)  # 桃园里: 6 people
    data = SimpleNamespace(compounds=COMPOUNDS)
    weight = gap_weight(care.desk.project, data, "vulnerable")  # type: ignore[arg-type]
    rows = gap_rows_of_the_area()
    report = GapReport(
        rows=rows, by_type=coverage_by_type(rows), by_type_community=[], coverage=[],
        coverage_by_subdistrict=[], top_missing=top_missing(rows, weight=weight),
        not_collected=[], circles={}, profiles=[STANDARD], data_date="2026-11-01", taxonomy=TAX,
        weight=weight,
    )  # fmt: skip
    [path] = write_gap_report(report, tmp_path / "gaps.xlsx", compounds=COMPOUNDS)
    book = openpyxl.load_workbook(path)
    notes = "\n".join(str(c.value) for c in book.worksheets[0]["A"])
    assert "关爱名册人数（不足 5 人的小区不计）" in notes and "不足 5 人的小区不显示人数" in notes
    top = list(book["缺项排名"].iter_rows(values_only=True))
    column = top[0].index("受影响的关爱对象")
    assert [(r[2], r[column]) for r in top[1:]] == [("幼儿园", 6), ("药店", 0)]
    console = Console(record=True, width=200)
    print_top_missing(console, report, taxonomy=TAX, collection=[], lang="zh")
    shown = console.export_text()
    assert "按受影响的关爱名册人数" in shown and "受影响的关爱对象" in shown
    assert "不足 5 人的小区不显示人数" in shown
    plain = replace(report, weight=None, top_missing=top_missing(rows))
    assert "受影响的关爱对象" not in _top_header(plain, tmp_path)


def _top_header(report: GapReport, tmp_path) -> tuple[object, ...]:
    [path] = write_gap_report(report, tmp_path / "plain.xlsx", compounds=COMPOUNDS)
    return next(openpyxl.load_workbook(path)["缺项排名"].iter_rows(values_only=True))
