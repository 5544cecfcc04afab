"""Calibrate estimated residents to a known total — of the whole area, a 街道 or a 社区.

Staff know the census (or 网格) total; the building-footprint estimate only knows where homes
stand and how big they are. Calibration scales the estimated compounds of a scope in proportion
so they add up to the known total less the residents sheets already give, says so in each
compound's ``estimate_method``, and is remembered in the store so a later OSM import applies it
again. Each calibration is one data version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from lifecircle.errors import ConfigError
from lifecircle.model import Compound
from lifecircle.project import Project
from lifecircle.store import DataVersion, Snapshot, Store

#: Meta key of the calibrations to apply again after every OSM import (a JSON list).
CALIBRATIONS_META = "residents_calibrations"
#: The paragraph a calibration adds to ``estimate_method`` starts with this (replaced next time).
MARK = "【校准】"


@dataclass(frozen=True)
class Calibration:
    """A known number of residents of the area, or of one 街道 or 社区 in it, and its source."""

    total: int
    community: str = ""
    subdistrict: str = ""
    source: str = ""

    @property
    def scope(self) -> str:
        """Which compounds it covers: ``community:名``, ``subdistrict:名`` or ``area``."""
        if self.community:
            return f"community:{self.community}"
        return f"subdistrict:{self.subdistrict}" if self.subdistrict else "area"

    def covers(self, compound: Compound) -> bool:
        """Whether the compound lies in this calibration's 街道 / 社区 (any, for the area)."""
        if self.community and compound.community != self.community:
            return False
        return not self.subdistrict or compound.subdistrict == self.subdistrict


@dataclass(frozen=True)
class CalibrationReport:
    """What one calibration did: compounds scaled, their sum before, the fixed part, the factor.

    ``unknown`` counts the estimated compounds with no homes mapped (no figure to scale).
    """

    calibration: Calibration
    scaled: int
    estimated_before: int
    known: int
    unknown: int
    factor: float
    version: DataVersion | None = None


def calibrate(
    compounds: Sequence[Compound], calibration: Calibration
) -> tuple[tuple[Compound, ...], CalibrationReport]:
    """Scale the estimated compounds in the calibration's scope to its total (pure).

    Residents from sheets (no ``estimate_method``) stay and count towards the total; the
    estimated ones share the rest in proportion to their estimates, rounded so the sum is exact
    (largest remainders).

    Raises
    ------
    ConfigError
        The total is not positive, is smaller than the residents sheets give, or no compound
        of the scope has an estimate to scale.

    Examples
    --------
    >>> a = Compound("a", "甲", 0, 0, residents=300, estimate_method="估算")
    >>> b = Compound("b", "乙", 0, 0, residents=100, estimate_method="估算")
    >>> c = Compound("c", "丙", 0, 0, residents=500)
    >>> scaled, report = calibrate([a, b, c], Calibration(total=1300, source="普查"))
    >>> [x.residents for x in scaled], report.factor
    ([600, 200, 500], 2.0)
    """
    if calibration.total <= 0:
        raise ConfigError("error.config.not_positive", name="total", value=calibration.total)
    inside = [i for i, c in enumerate(compounds) if calibration.covers(c)]
    estimated = [i for i in inside if compounds[i].estimate_method is not None]
    with_figure = [i for i in estimated if compounds[i].residents]
    known = sum(compounds[i].residents or 0 for i in inside if i not in set(estimated))
    if not with_figure:
        raise ConfigError("error.residents.nothing_to_scale", scope=calibration.scope)
    target = calibration.total - known
    if target <= 0:
        raise ConfigError(
            "error.residents.known_exceeds", total=calibration.total, known=known,
            scope=calibration.scope,
        )  # fmt: skip
    before = sum(compounds[i].residents or 0 for i in with_figure)
    shares = _shares([compounds[i].residents or 0 for i in with_figure], target)
    report = CalibrationReport(
        calibration, len(with_figure), before, known, len(estimated) - len(with_figure),
        factor=target / before,
    )  # fmt: skip
    out = list(compounds)
    for i, residents in zip(with_figure, shares, strict=True):
        out[i] = replace(
            out[i], residents=residents, estimate_method=_noted(out[i], calibration, residents)
        )
    return tuple(out), report


def _shares(weights: Sequence[int], total: int) -> list[int]:
    """Split ``total`` in proportion to ``weights`` into integers that add up to it exactly."""
    raw = np.asarray(weights, dtype=float) * total / float(sum(weights))
    whole = np.floor(raw).astype(np.int64)
    extra = total - int(whole.sum())
    order = np.argsort(-(raw - whole), kind="stable")
    whole[order[:extra]] += 1
    return [int(v) for v in whole]


def _noted(compound: Compound, calibration: Calibration, residents: int) -> str:
    """Describe the estimate with this calibration's paragraph (replacing an older one).

    The paragraph names the total, its source and scope and this compound's figure only, so
    calibrating again to the same total, or re-importing, describes it the same way.
    """
    method = (compound.estimate_method or "").split(f"\n{MARK}")[0]
    total, scope = f"{calibration.total:,}", calibration.scope
    return (
        f"{method}\n{MARK}已按「{scope}」已知总人口 {total} 人"
        f"（{calibration.source or '未注明来源'}）按比例校准为约 {residents:,} 人（台账人口不变），"
        f"仍为估计值。 Calibrated in proportion to a known total of {total} residents for "
        f"{scope} ({calibration.source or 'source not given'}): about {residents:,} here "
        "(residents from sheets unchanged), still an estimate."
    )


def saved_calibrations(store: Store) -> list[Calibration]:
    """Return the calibrations the store remembers (applied again after each OSM import)."""
    text = store.get_meta(CALIBRATIONS_META)
    return [Calibration(**row) for row in json.loads(text)] if text else []


def remembered(saved: Sequence[Calibration], new: Calibration) -> str:
    """Return the saved calibrations, ``new`` replacing one of its scope, as JSON."""
    kept = [c for c in saved if c.scope != new.scope] + [new]
    return json.dumps([asdict(c) for c in kept], ensure_ascii=False)


def apply_calibrations(
    compounds: Sequence[Compound], calibrations: Sequence[Calibration]
) -> tuple[Compound, ...]:
    """Apply saved calibrations in order, skipping one whose scope has nothing to scale now."""
    out = tuple(compounds)
    for calibration in calibrations:
        try:
            out, _ = calibrate(out, calibration)
        except ConfigError:
            continue  # e.g. the 社区 has no estimated compound after this import
    return out


def calibrate_residents(
    project: Project, calibration: Calibration, *, author: str = "cli", dry_run: bool = False
) -> CalibrationReport:
    """Calibrate the stored compounds as one data version and remember the calibration."""
    with project.open_store() as store:
        by_scope = {
            scope: [c for c in store.records("compound", scope=scope) if isinstance(c, Compound)]
            for scope in store.scopes("compound")
        }
        everything = [c for group in by_scope.values() for c in group]
        scaled, report = calibrate(everything, calibration)
        if dry_run:
            return report
        new = {c.source_id: c for c in scaled}
        snapshots = [
            Snapshot("compound", scope, [new[c.source_id] for c in group])
            for scope, group in by_scope.items()
        ]
        outcome = store.commit(
            snapshots,
            action="calibrate residents",
            source=f"{calibration.scope} = {calibration.total} ({calibration.source})",
            author=author,
            meta_values={CALIBRATIONS_META: remembered(saved_calibrations(store), calibration)},
        )
    return replace(report, version=outcome.version)
