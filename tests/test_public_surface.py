"""The public surface: what ``import lifecircle`` offers, held by a test as httpx does."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import lifecircle

PUBLIC = {
    "__version__",
    # a project and its data
    "Project",
    "init_project",
    "open_project",
    "import_osm",
    "import_sheet",
    "read_area",
    "AreaData",
    # the walk and its results
    "build",
    "build_walk",
    "ProfileResult",
    "PROFILES",
    "WalkProfile",
    "get_profile",
    # the one set of rules every face shows
    "LEVELS_MIN",
    "Verdict",
    "verdict",
    "shown_value",
    "is_missing",
    # gaps, one compound's access, planning
    "gap_report",
    "access_lines",
    "find_compound",
    "plan_sites",
    "save_plan",
    "SitePlan",
    "LifecircleError",
}


def test_all_is_the_public_surface_and_every_name_resolves():
    assert set(lifecircle.__all__) == PUBLIC
    for name in lifecircle.__all__:
        assert getattr(lifecircle, name) is not None
    assert sorted(dir(lifecircle)) == sorted(PUBLIC)


def test_an_unknown_name_is_an_attribute_error():
    try:
        _ = lifecircle.no_such_thing
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_the_package_loads_no_numerical_library():
    code = "import sys, lifecircle; print('numpy' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_version_is_the_installed_distributions():
    assert lifecircle.__version__ == importlib.metadata.version("lifecircle")


def test_a_small_area_can_be_walked_through_the_public_surface():
    from lifecircle.engine.area import area_from_streets
    from lifecircle.model import Compound, Facility

    area = area_from_streets(
        [(0.0, 0.0), (0.02, 0.0)],
        facilities=[Facility("f", "Shop", "pharmacy", 0.009, 0.0)],
        compounds=[Compound("c", "Home", 0.0, 0.0, entrances=((0.0, 0.0),))],
    )
    walk = lifecircle.build_walk(area, lifecircle.PROFILES["standard"])
    assert len(walk.facility_nodes) == 1
    standard = lifecircle.get_profile("standard")
    shown = lifecircle.verdict(900.0, standard, level_min=15, required=True, collected=True)
    assert (shown.value, shown.missing) == (15, False)
