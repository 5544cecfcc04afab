"""The per-area jobs of ``lifecircle batch build`` and ``batch gaps``: the single-area use cases.

Each job runs in one Dask worker (one thread): the build there uses one process (``workers=1``;
a worker may not start processes of its own), and writes the same cache as ``lifecircle build``.
Options: ``profiles`` (names), ``lang`` (of the gap report).
"""

from __future__ import annotations

from pathlib import Path

from lifecircle.engine.profiles import DEFAULT_PROFILES
from lifecircle.io.tables import write_gap_report
from lifecircle.jobs.batch import AreaJob, Options, stamp_current, write_stamp
from lifecircle.jobs.build import build, cached_results
from lifecircle.jobs.reports import gap_report
from lifecircle.project import Project

#: Where ``batch gaps`` writes each area's gap report, inside the area folder.
GAPS_FILE = Path("gaps") / "gaps.xlsx"


def _profiles(options: Options) -> tuple[str, ...]:
    return tuple(options.get("profiles") or DEFAULT_PROFILES)


def build_finished(project: Project, options: Options) -> bool:
    """Whether every profile asked for is built for the area's current data (the build cache)."""
    return len(cached_results(project, _profiles(options))) == len(_profiles(options))


def build_area(project: Project, options: Options) -> dict[str, int]:
    """Build the area as ``lifecircle build`` does (in this one process); count what it holds."""
    data, results = build(project, _profiles(options), workers=1)
    unreached = sum(len(v) for r in results.values() for v in r.unreached.values())
    return {
        "compounds": len(data.compounds),
        "facilities": len(data.facilities),
        "boards": len(data.boards),
        "unreached": unreached,
    }


def gaps_finished(project: Project, options: Options) -> bool:
    """Whether the area's gap report was written for its current data and these options."""
    return (project.root / GAPS_FILE).is_file() and stamp_current(project, "gaps", options)


def gaps_area(project: Project, options: Options) -> dict[str, int]:
    """Build (or load) the area and write its gap report to :data:`GAPS_FILE` (XLSX)."""
    lang = str(options.get("lang", "zh"))
    data, results = build(project, _profiles(options), workers=1)
    report = gap_report(
        data, results, taxonomy=project.taxonomy(), notice=project.notice(lang), lang=lang
    )
    write_gap_report(report, project.root / GAPS_FILE, compounds=data.compounds, lang=lang)
    summary = {
        "compounds": len(data.compounds),
        "missing": sum(1 for row in report.rows if row.missing),
    }
    write_stamp(project, "gaps", options, summary)
    return summary


BUILD = AreaJob("build", build_finished, build_area)
GAPS = AreaJob("gaps", gaps_finished, gaps_area)
