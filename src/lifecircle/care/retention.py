"""Retention of the register (``lifecircle care purge``): what is past its time goes, logged.

Three periods, all project settings (``lifecircle.toml``; defaults in ``docs/pia-care.md``):

- ``care_retention_days`` (365): people who left the register longer ago are forgotten
  (:func:`lifecircle.care.rights.apply_retention`: anonymised, the counts stay);
- ``care_check_retention_days`` (180): urgent checks closed longer ago lose what the raiser
  gave (name, phone, relation, their words); the times, steps and outcome stay for the figures;
- ``care_access_log_days`` (1095): access-log rows older than this are deleted.

The purge writes its own access-log row (who, when, the cut-off times and the numbers) in the
same transaction as the deletions, then compacts the database files so the deleted values do
not stay in free pages. ``serve`` has no periodic housekeeping: run it daily from cron (the
README shows the line).
"""

from __future__ import annotations

from dataclasses import dataclass

from lifecircle.care.context import Care
from lifecircle.care.rights import apply_retention
from lifecircle.store.care import AccessEntry

DAY_S = 86400


@dataclass(frozen=True)
class Purge:
    """What a purge did (or, dry run, would do), with the cut-off times (epoch seconds)."""

    people: tuple[int, ...]
    checks: tuple[int, ...]
    access_rows: int
    people_before_s: int
    checks_before_s: int
    access_before_s: int
    dry_run: bool

    @property
    def changed(self) -> bool:
        """Whether anything was (or would be) deleted."""
        return bool(self.people or self.checks or self.access_rows)


def purge(care: Care, *, by: str, dry_run: bool = False) -> Purge:
    """Delete or anonymise everything of the register past its retention period.

    People first (each forgetting is logged as such), then the old checks' details and the old
    access-log rows with the purge's own log row, in one transaction; then compaction.
    """
    settings = care.desk.settings
    now = care.now()
    people_before = now - settings.care_retention_days * DAY_S
    checks_before = now - settings.care_check_retention_days * DAY_S
    access_before = now - settings.care_access_log_days * DAY_S
    people = apply_retention(care, by=by, dry_run=dry_run, compact=False)
    cutoffs = {"people_before": people_before, "checks_before": checks_before}

    def record(check_ids: list[int], rows: int) -> list[AccessEntry]:
        detail = {
            **cutoffs,
            "access_before": access_before,
            "people": len(people),
            "checks": check_ids,
            "access_rows": rows,
        }
        return [AccessEntry(by, "purge", "retention", None, detail)]

    checks, rows = care.tables.expire(
        checks_closed_before=checks_before,
        access_before=access_before,
        access=record,
        now_s=now,
        dry_run=dry_run,
    )
    done = Purge(
        tuple(people), tuple(checks), rows, people_before, checks_before, access_before, dry_run
    )
    if done.changed and not dry_run:
        care.tables.purge()
    return done
