"""The facts cache: the report's figures are the same from the store, from memory and from the
cache file, and follow every write made after the cache was filled."""

from __future__ import annotations

from lifecircle.desk import facts
from lifecircle.desk.facts import CASE_COLUMNS, Facts, FactSource, load_facts
from lifecircle.desk.machine import OPEN_STATES
from lifecircle.desk.report import build_report
from tests.desk.conftest import file, step


def _read(desk):
    def read(since, horizon):
        return desk.store.cases.facts_since(
            CASE_COLUMNS, since=since, horizon=horizon, open_states=OPEN_STATES
        )

    return read


def _source(desk, horizon: int = 0) -> FactSource:
    return FactSource(desk.store_url, desk.project.cache_dir, _read(desk), desk.now(), horizon)


def _fresh(desk) -> Facts:
    return Facts.from_chunks(_read(desk)(None, 0), CASE_COLUMNS)


def _same(a: Facts, b: Facts) -> None:
    assert len(a) == len(b)
    for name in CASE_COLUMNS:
        if name in facts.TEXT:
            assert [a.vocab[name][c] for c in a.codes[name]] == [
                b.vocab[name][c] for c in b.codes[name]
            ], name
        else:
            assert a[name].tolist() == b[name].tolist(), name


def test_the_cache_follows_every_later_write(desk, user, clock):
    first = file(desk, category="sanitation")
    file(desk, category="noise", compound="华苑")
    _same(load_facts(_source(desk)), _fresh(desk))
    clock.advance(hours=2)
    step(desk, user("wang"), first, "visit")
    step(desk, user("wang"), first, "finish", note="已清运")
    file(desk, category="streetlight")
    cached = load_facts(_source(desk))  # from memory, refreshed
    _same(cached, _fresh(desk))
    assert cached.vocab["state"][cached.codes["state"][0]] == "done"
    facts._MEMORY.clear()  # a new process: the cache file, refreshed
    clock.advance(hours=1)
    step(desk, user("sun"), first, "close", note="结案")
    _same(load_facts(_source(desk)), _fresh(desk))


def test_the_report_is_the_same_with_or_without_the_cache(desk, user, clock):
    case = file(desk, category="sanitation")
    clock.set("2026-11-04 09:00")
    step(desk, user("wang"), case, "finish", note="已清运")
    clock.set("2026-12-01 09:00")
    warm = build_report(desk, "2026-11")
    facts._MEMORY.clear()
    for path in (desk.project.cache_dir / "desk").glob("*.npz"):
        path.unlink()
    cold = build_report(desk, "2026-11")
    assert warm.overall == cold.overall and warm.overall["on_time_rate"].numerator == 1
    assert [r.figures for r in warm.cuts["grid"]] == [r.figures for r in cold.cuts["grid"]]


def test_a_damaged_cache_file_is_rebuilt(desk):
    file(desk, category="sanitation")
    source = _source(desk)
    facts.REWRITE_AFTER, keep = 0, facts.REWRITE_AFTER
    try:
        load_facts(source)
    finally:
        facts.REWRITE_AFTER = keep
    (path,) = (desk.project.cache_dir / "desk").glob("facts-*.npz")
    path.write_bytes(b"not a zip")
    facts._MEMORY.clear()
    _same(load_facts(_source(desk)), _fresh(desk))


def test_the_cache_holds_what_a_report_may_count_and_reaches_back_when_asked(desk, user, clock):
    from tests.desk.conftest import at

    old = file(desk, category="sanitation")  # received 11-02
    clock.set("2026-11-20 09:00")
    new = file(desk, category="noise")
    horizon = at("2026-11-10 00:00")
    cached = load_facts(_source(desk, horizon))
    assert sorted(cached["id"].tolist()) == [old.id, new.id]  # the old one is still open
    step(desk, user("wang"), old, "finish", note="已清运")
    step(desk, user("sun"), old, "close", note="结案")
    assert sorted(load_facts(_source(desk, horizon))["id"].tolist()) == [old.id, new.id]
    facts._MEMORY.clear()
    for path in (desk.project.cache_dir / "desk").glob("*.npz"):
        path.unlink()
    clock.set("2026-11-21 09:00")
    fresh = load_facts(_source(desk, at("2026-11-21 00:00")))  # closed before: not counted
    assert fresh["id"].tolist() == [new.id]
    wider = load_facts(_source(desk, at("2026-11-01 00:00")))  # reaches back: read again
    assert sorted(wider["id"].tolist()) == [old.id, new.id]
