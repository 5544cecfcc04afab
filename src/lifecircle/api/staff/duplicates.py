"""Staff routes for facilities OSM and staff sheets both hold: list the pairs, decide on one.

Thin: parse, call :mod:`lifecircle.jobs.duplicates` / :mod:`lifecircle.staff.duplicates`,
answer, ask the served results to rebuild (a decision changes what counts once).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from lifecircle.api.staff.auth import StateDep, UserDep, api_errors
from lifecircle.jobs.duplicates import duplicate_pairs
from lifecircle.staff.duplicates import decide_pair

router = APIRouter(tags=["staff"])


class DecisionIn(BaseModel):
    """A decision on one pair: ``same`` (counts once), ``different``, or ``forget``."""

    model_config = ConfigDict(extra="forbid")
    osm_id: str = Field(min_length=1, max_length=100)
    sheet_id: str = Field(min_length=1, max_length=300)
    decision: Literal["same", "different", "forget"]
    note: str = Field("", max_length=200)


@router.get("/duplicates")
def list_duplicates(user: UserDep, state: StateDep) -> list[dict[str, Any]]:
    """Every pair found or decided, with its status (``auto``, ``suggested``, ``same`` …)."""
    del user  # any logged-in editor may read them
    return [dataclasses.asdict(p) | {"counts_once": p.counts_once}
            for p in duplicate_pairs(state.project)]  # fmt: skip


@router.post("/duplicates")
def decide_duplicate(body: DecisionIn, user: UserDep, state: StateDep) -> dict[str, Any]:
    """Record a decision (editors: only on pairs whose staff record is in their area)."""
    decision = None if body.decision == "forget" else body.decision
    with api_errors():
        version = decide_pair(
            state.project, user, body.osm_id, body.sheet_id, decision, note=body.note
        )
    state.refresh()
    return {"data_version": version.id if version is not None else None}
