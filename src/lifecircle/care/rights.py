"""Data-subject rights and retention: export a person's record, forget them, the access report.

Forgetting anonymises: the sealed fields of the person, their visits and their urgent checks are
deleted, and the compound with them; what the statistics need stays (grid, community, level,
when registered and left, each visit's time, mode and outcome), so past monthly rates and counts
do not change. Export and forget need a head (社区 or above); both are logged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from lifecircle.care.access import check_reason, require_care_role
from lifecircle.care.context import Care
from lifecircle.care.records import compound_names
from lifecircle.care.register import get_row, open_person
from lifecircle.errors import CareError
from lifecircle.staff.accounts import User
from lifecircle.store.care import AccessEntry, Row
from lifecircle.store.care_schema import CHECK_SECRETS, PERSON_SECRETS, VISIT_SECRETS


def _open_visit(care: Care, row: Row) -> dict[str, Any]:
    uid = str(row["uid"])
    opened = {
        name: care.keys.decrypt(row[f"{name}_enc"], f"visit:{uid}:{name}")
        if row.get(f"{name}_enc")
        else ""
        for name in VISIT_SECRETS
    }
    at = dt.datetime.fromtimestamp(int(row["at"]), care.zone).isoformat(timespec="minutes")
    return {
        "id": row["id"],
        "at": at,
        "mode": row["mode"],
        "outcome": row["outcome"],
        "by": row["by_user"],
        "case_id": row.get("case_id"),
        **opened,
    }


def export_person(care: Care, user: User, person_id: int, *, reason: str) -> dict[str, Any]:
    """Return everything held on a person (record, visits, who read it), for a 查阅复制 request.

    Raises
    ------
    CareError
        No such person, or no reason.
    AccessDenied
        Not the user's person, or a role below head.
    """
    row = get_row(care, person_id)
    require_care_role(user, row, need="head")
    why = check_reason(care.config, reason)
    person = open_person(care, row)
    record = dataclasses.asdict(person)
    record["compound"] = compound_names(care).get(person.compound_key or "", "")
    visits = [_open_visit(care, v) for v in care.tables.visits(person_ids=[person_id])]
    reads = [
        {
            "at": dt.datetime.fromtimestamp(int(a["at"]), care.zone).isoformat(timespec="minutes"),
            "user": a["user_name"],
            "action": a["action"],
            "reason": a["reason"],
        }
        for a in care.tables.access_log(person_id=person_id)
    ]
    entry = AccessEntry(user.name, "export", why, person_id, {})
    care.tables.log([entry], now_s=care.now())
    return {"person": record, "visits": visits, "access_log": reads}


def _blank(names: tuple[str, ...]) -> dict[str, None]:
    return {f"{name}_enc": None for name in names}


def forget_person(care: Care, user: User, person_id: int, *, reason: str) -> None:
    """Anonymise a person on request or after retention: counts stay, the person does not.

    Raises
    ------
    CareError
        No such person, or no reason.
    AccessDenied
        Not the user's person, or a role below head.
    """
    row = get_row(care, person_id)
    require_care_role(user, row, need="head")
    why = check_reason(care.config, reason)
    _forget(care, user.name, row, why)


def _forget(care: Care, by: str, row: Row, why: str, *, compact: bool = True) -> None:
    now = care.now()
    person_id = int(row["id"])
    values = {
        **_blank(PERSON_SECRETS),
        "compound_key": None,
        "consent_by": "",
        "left_at": row.get("left_at") or now,
        "forgotten_at": now,
    }
    visits = {
        int(v["id"]): _blank(VISIT_SECRETS) for v in care.tables.visits(person_ids=[person_id])
    }
    checks = {int(c["id"]): _blank(CHECK_SECRETS) for c in care.tables.checks(person_id=person_id)}
    entry = AccessEntry(by, "forget", why, person_id, {"visits": len(visits)})
    care.tables.update_person(person_id, values, [entry], now_s=now, visits=visits, checks=checks)
    if compact:
        care.tables.purge()


def apply_retention(
    care: Care, *, by: str, dry_run: bool = False, compact: bool = True
) -> list[int]:
    """Forget everyone who left the register more than ``care_retention_days`` ago.

    Returns the ids forgotten (or, ``dry_run``, that would be). ``compact`` ``False`` leaves
    compacting the database files to the caller (:func:`lifecircle.care.retention.purge`).
    """
    cutoff = care.now() - care.desk.settings.care_retention_days * 86400
    old = [
        r
        for r in care.tables.people()
        if r.get("forgotten_at") is None and r.get("left_at") is not None and r["left_at"] < cutoff
    ]
    if not dry_run:
        for row in old:
            _forget(care, by, row, "retention", compact=False)
        if old and compact:
            care.tables.purge()
    return [int(r["id"]) for r in old]


def access_report(care: Care, *, since_s: int, until_s: int) -> list[dict[str, Any]]:
    """Return the access log between two times, for the privacy officer (no personal fields).

    Raises
    ------
    CareError
        ``until_s`` is not after ``since_s``.
    """
    if until_s <= since_s:
        raise CareError("error.care.period", field="until")
    return [
        {
            "at": dt.datetime.fromtimestamp(int(a["at"]), care.zone).isoformat(timespec="seconds"),
            "user": a["user_name"],
            "action": a["action"],
            "reason": a["reason"],
            "person_id": a.get("person_id"),
            "detail": a["detail"],
        }
        for a in care.tables.access_log(since_s=since_s, until_s=until_s)
    ]
