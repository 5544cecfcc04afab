"""Planning sees the register only as counts per compound, none below five (no key needed)."""

from __future__ import annotations

from types import SimpleNamespace

from lifecircle.care.context import Care
from lifecircle.care.planning import vulnerable_counts
from lifecircle.care.records import leave_person
from lifecircle.care.register import PersonIn, add_person
from lifecircle.plan.sites import compound_weights
from tests.care.conftest import PEOPLE
from tests.desk.conftest import COMPOUNDS


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
