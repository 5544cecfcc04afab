"""Personal data on cases (PIPL, GB/T 35273): logged reads, logged reveals, and retention.

Every read of a case's private details by staff writes an audit row (who, when, which case);
revealing a reporter's phone or e-mail needs a reason and writes another. Retention takes the
personal details out of cases closed longer ago than ``desk_retention_days`` — reporter,
details, notes, photos, building and unit, the exact point — and keeps what the statistics
need (category, grid, times, states, the 回访 answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lifecircle.desk import photos
from lifecircle.desk.access import require_role
from lifecircle.desk.context import Desk
from lifecircle.desk.steps import clean_text
from lifecircle.desk.views import staff_case
from lifecircle.errors import DeskError
from lifecircle.i18n import t
from lifecircle.staff.accounts import User
from lifecircle.store.accounts import AuditEntry
from lifecircle.store.case_queries import CaseQuery
from lifecircle.store.case_rows import CaseRow

#: Event data fields that hold personal details (cleared by retention).
PERSONAL_DATA = ("people_met", "parties", "agreement")
#: States a case must be in, for the time given, before retention anonymises it.
FINAL_STATES = frozenset({"closed", "duplicate"})


def get_case(desk: Desk, case_id: int) -> CaseRow:
    """Return a case, or refuse with 404 when there is none.

    Raises
    ------
    DeskError
        There is no such case.
    """
    case = desk.store.cases.get(case_id)
    if case is None:
        raise DeskError("error.desk.no_case", case_id=case_id)
    return case


def read_case(desk: Desk, user: User, case_id: int, lang: str) -> dict[str, Any]:
    """Return a case as the user may see it, and log the read of its private details.

    Raises
    ------
    DeskError
        There is no such case.
    AccessDenied
        The case is not the user's.
    """
    case = get_case(desk, case_id)
    role = require_role(user, case)
    store = desk.store
    store.accounts.add_audit(
        AuditEntry(user.name, "desk.case.read", f"case:{case.id}", {"private": case.is_private})
    )
    duplicates = [c.id for c in store.cases.find(CaseQuery(duplicate_of=case.id, limit=50))]
    return staff_case(
        desk,
        case,
        role,
        lang,
        events=store.cases.events(case.id),
        summons=store.cases.summons(case.id),
        links=store.cases.links(case_id=case.id),
        duplicates=duplicates,
    )


def reveal_contact(desk: Desk, user: User, case_id: int, reason: str) -> dict[str, str | None]:
    """Return a reporter's phone and e-mail in clear, logging who asked, when and why.

    Only a 网格员 or a head may (a 微网格长 volunteer may not).

    Raises
    ------
    DeskError
        No such case, or no reason given.
    AccessDenied
        Not the user's case, or the role is too weak.
    """
    case = get_case(desk, case_id)
    require_role(user, case, "whistle")  # the weakest role that handles a case fully: 网格员
    why = clean_text(reason, "reason", max_chars=200, required=True)
    detail = {"reason": why, "phone": case.reporter_phone is not None}
    desk.store.accounts.add_audit(
        AuditEntry(user.name, "desk.contact.reveal", f"case:{case.id}", detail)
    )
    return {"phone": case.reporter_phone, "email": case.reporter_email}


@dataclass(frozen=True)
class Retention:
    """What a retention run did (or would do): cases anonymised, photo files removed."""

    cases: tuple[int, ...]
    photos_removed: int
    cutoff_s: int


def _anonymised(case: CaseRow, now: int) -> dict[str, Any]:
    def coarse(value: float | None) -> float | None:
        return None if value is None else round(value, 3)  # ~100 m: the statistics' grid level

    return {
        "details": "",
        "reporter_name": None,
        "reporter_phone": None,
        "reporter_email": None,
        "channel_ref": None,
        "building": "",
        "unit": "",
        "place": "",
        "lon": coarse(case.lon),
        "lat": coarse(case.lat),
        "photos": (),
        "callback_comment": None,
        "anonymised_at": now,
    }


def anonymise_old_cases(desk: Desk, *, by: str, dry_run: bool = False) -> Retention:
    """Take the personal details out of cases closed more than the retention period ago.

    Photos no remaining case refers to are deleted (and, a day after upload, photos never
    attached to any case).
    """
    now = desk.now()
    cutoff = now - desk.settings.desk_retention_days * 86400
    store = desk.store
    old = [
        c
        for c in store.cases.find(CaseQuery(states=FINAL_STATES, limit=1_000_000))
        if c.anonymised_at is None and (c.closed_at or c.updated_at) < cutoff
    ]
    if dry_run:
        return Retention(tuple(c.id for c in old), 0, cutoff)
    gone = t("desk.anonymised", desk.settings.language)

    def scrub(note: str, data: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
        clean = {k: v for k, v in data.items() if k not in PERSONAL_DATA}
        return (gone if note else ""), clean

    updates = [(c.id, _anonymised(c, now)) for c in old]
    audit = AuditEntry(by, "desk.retention", "cases", {"n": len(old), "cutoff": cutoff})
    store.cases.rewrite(updates, scrub, now_s=now, audit=audit)
    referenced = store.cases.photo_names()
    names = {n for c in old for n in c.photos} - referenced
    names |= set(photos.unreferenced(desk.photo_dir, referenced, older_than_s=86400))
    return Retention(tuple(c.id for c in old), photos.remove_photos(desk.photo_dir, names), cutoff)
