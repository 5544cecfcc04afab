"""lifecircle: the 15-minute community life circle (15分钟社区生活圈) from real walking networks.

The public surface is what ``__all__`` lists: open or create a project, import data, build the
walking access, read the gap report and the access of one compound, plan new sites, and the
rules that turn a walking cost into the minutes every face shows::

    import lifecircle

    project = lifecircle.open_project("taoyuan")
    area, results = lifecircle.build(project)
    report = lifecircle.gap_report(area, results, taxonomy=project.taxonomy())
    plan = lifecircle.plan_sites(project, "老年人食堂", n_sites=3)

Names are imported on first use, so ``import lifecircle`` reads no files and loads no
numerical library. The package is layered; a module imports only its own layer or lower
ones, never in a circle (``tests/test_layers.py`` holds the rule)::

    api  cli                        faces: parse, call one job, render
    staff  boards  plan  desk  care the staff, boards, planning, the grid desk, welfare visits
    jobs                            use cases: build, imports, local edits, status, reports, demo
    io                              readers and writers of files (OSM, sheets, tables)
    engine                          the walk: profiles, graph, access, walksheds, gaps, rules
    cache                           derived files next to the store
    project                         a project folder: settings, store, taxonomy
    taxonomy  store                 the facility types; the versioned data store
    version i18n errors config model geo opening_hours bulk   the kernel
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lifecircle.version import __version__

if TYPE_CHECKING:
    from lifecircle.engine.area import AreaData
    from lifecircle.engine.profiles import PROFILES, WalkProfile, get_profile
    from lifecircle.engine.results import ProfileResult
    from lifecircle.engine.rules import LEVELS_MIN, Verdict, is_missing, shown_value, verdict
    from lifecircle.engine.walk import build_walk
    from lifecircle.errors import LifecircleError
    from lifecircle.jobs.area import read_area
    from lifecircle.jobs.build import build
    from lifecircle.jobs.imports import import_osm, import_sheet
    from lifecircle.jobs.reports import access_lines, find_compound, gap_report
    from lifecircle.plan.sites import SitePlan, plan_sites, save_plan
    from lifecircle.project import Project, init_project, open_project

#: Where each public name lives (imported on first use).
_HOMES = {
    "Project": "lifecircle.project",
    "init_project": "lifecircle.project",
    "open_project": "lifecircle.project",
    "import_osm": "lifecircle.jobs.imports",
    "import_sheet": "lifecircle.jobs.imports",
    "read_area": "lifecircle.jobs.area",
    "build": "lifecircle.jobs.build",
    "AreaData": "lifecircle.engine.area",
    "ProfileResult": "lifecircle.engine.results",
    "build_walk": "lifecircle.engine.walk",
    "gap_report": "lifecircle.jobs.reports",
    "access_lines": "lifecircle.jobs.reports",
    "find_compound": "lifecircle.jobs.reports",
    "plan_sites": "lifecircle.plan.sites",
    "save_plan": "lifecircle.plan.sites",
    "SitePlan": "lifecircle.plan.sites",
    "PROFILES": "lifecircle.engine.profiles",
    "WalkProfile": "lifecircle.engine.profiles",
    "get_profile": "lifecircle.engine.profiles",
    "LEVELS_MIN": "lifecircle.engine.rules",
    "Verdict": "lifecircle.engine.rules",
    "verdict": "lifecircle.engine.rules",
    "shown_value": "lifecircle.engine.rules",
    "is_missing": "lifecircle.engine.rules",
    "LifecircleError": "lifecircle.errors",
}

__all__ = [
    "LEVELS_MIN",
    "PROFILES",
    "AreaData",
    "LifecircleError",
    "ProfileResult",
    "Project",
    "SitePlan",
    "Verdict",
    "WalkProfile",
    "__version__",
    "access_lines",
    "build",
    "build_walk",
    "find_compound",
    "gap_report",
    "get_profile",
    "import_osm",
    "import_sheet",
    "init_project",
    "is_missing",
    "open_project",
    "plan_sites",
    "read_area",
    "save_plan",
    "shown_value",
    "verdict",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'lifecircle' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
