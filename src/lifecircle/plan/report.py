"""Turn a solved :class:`~lifecircle.plan.sites.SitePlan` into the rows people read.

Chosen sites with who they cover, the compounds each serves (people, minutes), coverage per
community before and after, and a summary of the solve. Plain values: no files, no printing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from lifecircle.engine.profiles import plain_rule, rule_details
from lifecircle.engine.rules import shown_value
from lifecircle.plan.problem import SHARE_TOL
from lifecircle.plan.sites import SitePlan


@dataclass(frozen=True)
class SiteRow:
    """One chosen site: where it is and whom it covers (``walk``: shown minutes, or metres)."""

    rank: int
    candidate_id: str
    name: str
    address: str
    lon: float
    lat: float
    compounds: int
    people: float
    walk_nearest: int | None
    walk_farthest: int | None
    capacity: float | None
    cost: float | None
    source: str


@dataclass(frozen=True)
class ServedRow:
    """One compound served by one chosen site (``share`` below 1 only under a capacity)."""

    rank: int
    site: str
    compound_id: str
    compound_name: str
    community: str
    people: float
    share: float
    walk: int | None


@dataclass(frozen=True)
class CommunityRow:
    """Coverage of one community before and after the plan (people in the plan's weight)."""

    community: str
    compounds_total: int
    compounds_before: int
    compounds_after: int
    people_total: float
    people_before: float
    people_after: float


@dataclass(frozen=True)
class PlanSummary:
    """What was asked and what the solver proved, exact and greedy side by side."""

    type: str
    type_name: str
    goal: str
    n_sites: int | None
    profile: str
    convention: str  # the walking rule in plain words
    rule_details: str  # every setting of the walk, for staff
    minutes: int
    weight: str
    candidates: int
    candidates_unreached: int
    existing: int
    status: str
    optimal: bool
    gap: float | None
    seconds: float
    sites_exact: int
    sites_greedy: int
    people_exact: float
    people_greedy: float
    feasible_exact: bool
    feasible_greedy: bool
    uncoverable: int
    unknown_weight: int
    data_date: str


@dataclass(frozen=True)
class PlanReport:
    """Everything the plan outputs show."""

    summary: PlanSummary
    sites: tuple[SiteRow, ...]
    served: tuple[ServedRow, ...]
    communities: tuple[CommunityRow, ...]
    uncoverable: tuple[str, ...]

    @property
    def short_of_all(self) -> bool:
        """Whether a plan to cover every compound leaves some no candidate can reach."""
        return self.summary.goal == "cover_all" and self.summary.uncoverable > 0


def site_rows(plan: SitePlan) -> tuple[list[SiteRow], list[ServedRow]]:
    """One row per chosen site, and one per (site, compound) it serves."""
    assigned = plan.result.exact.assigned.tocsc()
    cost = plan.problem.walk_cost.tocsc()
    weights, walker = plan.problem.weights, plan.profile
    sites, served = [], []
    for rank, j in enumerate(plan.result.chosen, start=1):
        site = plan.candidates[j]
        col = assigned[:, j].tocoo()
        walk = {int(i): float(cost[i, j]) for i in col.row}
        order = sorted(
            zip(col.row.tolist(), col.data.tolist(), strict=True), key=lambda x: walk[x[0]]
        )
        for i, share in order:
            c = plan.data.compounds[i]
            served.append(
                ServedRow(
                    rank, site.name, c.source_id, c.name, c.community,
                    round(weights[i] * share, 1), round(share, 4),
                    shown_value(walk[i], walker),
                )
            )  # fmt: skip
        sites.append(
            SiteRow(
                rank, site.source_id, site.name, site.address, site.lon, site.lat,
                len(col.row), round(float(weights[col.row] @ col.data), 1),
                shown_value(min(walk.values()), walker) if walk else None,
                shown_value(max(walk.values()), walker) if walk else None,
                site.capacity, site.cost, site.source,
            )
        )  # fmt: skip
    return sites, served


def community_rows(plan: SitePlan) -> list[CommunityRow]:
    """Compounds and people covered per community, before and after the plan."""
    result, weights = plan.result, plan.problem.weights
    after_share = np.where(result.covered_before, 1.0, result.exact.served)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(plan.data.compounds):
        groups[c.community or "—"].append(i)
    rows = []
    for name in sorted(groups):
        idx = np.array(groups[name])
        rows.append(
            CommunityRow(
                community=name,
                compounds_total=len(idx),
                compounds_before=int(result.covered_before[idx].sum()),
                compounds_after=int((after_share[idx] >= 1.0 - SHARE_TOL).sum()),
                people_total=round(float(weights[idx].sum()), 1),
                people_before=round(float(weights[idx] @ result.covered_before[idx]), 1),
                people_after=round(float(weights[idx] @ after_share[idx]), 1),
            )
        )
    return rows


def plan_summary(plan: SitePlan, n_sites: int | None, *, lang: str = "zh") -> PlanSummary:
    """Summarise the request and the solve (the walking rule said in ``lang``)."""
    r, w = plan.result, plan.problem.weights
    return PlanSummary(
        type=plan.ftype.code,
        type_name=plan.ftype.name_zh,
        goal=r.goal,
        n_sites=n_sites,
        profile=plan.profile.name,
        convention=plain_rule(plan.profile, lang),
        rule_details=rule_details(plan.profile, lang),
        minutes=plan.minutes,
        weight=plan.weight,
        candidates=len(plan.candidates),
        candidates_unreached=len(plan.candidates_unreached),
        existing=len(plan.existing),
        status=r.status,
        optimal=r.optimal,
        gap=r.gap,
        seconds=round(r.seconds, 3),
        sites_exact=len(r.exact.chosen),
        sites_greedy=len(r.greedy.chosen),
        people_exact=round(r.exact.people(w), 1),
        people_greedy=round(r.greedy.people(w), 1),
        feasible_exact=r.exact.feasible,
        feasible_greedy=r.greedy.feasible,
        uncoverable=len(r.uncoverable),
        unknown_weight=len(plan.unknown_weight),
        data_date=plan.data.data_date,
    )


def plan_report(plan: SitePlan, *, n_sites: int | None, lang: str = "zh") -> PlanReport:
    """Build every table of the plan's outputs (its words in ``lang``)."""
    sites, served = site_rows(plan)
    return PlanReport(
        summary=plan_summary(plan, n_sites, lang=lang),
        sites=tuple(sites),
        served=tuple(served),
        communities=tuple(community_rows(plan)),
        uncoverable=tuple(plan.data.compounds[i].name for i in plan.result.uncoverable),
    )
