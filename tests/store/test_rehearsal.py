"""The rehearsal store: a case filed through it runs every write and keeps nothing, on both
databases; the real store goes on filing cases as before."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, inspect, select, table

from lifecircle.desk.context import Desk
from lifecircle.desk.intake import file_case
from lifecircle.desk.lifecycle import Actor
from lifecircle.store.rehearsal import fill_pool, rehearsal_store
from tests.desk.conftest import clock, desk, desk_project, file, intake  # noqa: F401 (fixtures)


def _row_counts(opened: Desk) -> dict[str, int]:
    engine = opened.store._engine
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in inspect(engine).get_table_names()
        }


def test_a_rehearsed_case_runs_every_write_and_keeps_nothing(desk):  # noqa: F811
    first = file(desk)
    before = _row_counts(desk)
    dry = replace(desk, store=rehearsal_store(desk.store))
    filed = file_case(dry, intake(), actor=Actor("wang", "worker"))
    assert filed.case is not None and filed.case.id > first.id  # inserted, then undone
    assert filed.case.grid == first.grid and len(filed.events) == len(
        desk.store.cases.events(first.id)
    )
    assert _row_counts(desk) == before
    assert desk.store.cases.get(filed.case.id) is None
    after = file(desk)
    assert after.id > first.id and desk.store.cases.get(after.id) is not None
    assert _row_counts(desk)["desk_cases"] == before["desk_cases"] + 1


def test_fill_pool_leaves_the_pool_s_connections_open_and_idle(desk):  # noqa: F811
    engine = desk.store._engine
    engine.dispose()  # an empty pool, as at a start
    opened = fill_pool(desk.store)
    assert opened == engine.pool.size() and engine.pool.checkedin() == opened
    assert engine.pool.checkedout() == 0
