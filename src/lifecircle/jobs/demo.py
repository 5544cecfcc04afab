"""The bundled demo area: real OSM data of central Helsinki, set up as a lifecircle project.

Creates the project, imports the extract, a labelled sample sheet and demo boards through the same
importers a user calls; it never presents the sample rows or demo boards as real.
"""

from __future__ import annotations

import csv
import shutil
from importlib import resources
from pathlib import Path

from lifecircle.config import PROJECT_FILE
from lifecircle.errors import ConfigError
from lifecircle.i18n import t
from lifecircle.jobs.imports import ImportReport, import_osm, import_sheet
from lifecircle.model import Compound, Facility
from lifecircle.project import Project, init_project

#: Facility types whose locations host a "community centre" board in the demo.
CENTRE_TYPES = ("community_service_station", "culture_centre", "culture_station")
MAX_GATE_BOARDS = 12


def demo_file(name: str) -> Path:
    """Path of a bundled demo file (``helsinki.osm.pbf``, ``sample_facilities.csv``)."""
    return Path(str(resources.files("lifecircle.data").joinpath("demo", name)))


def _board_rows(project: Project) -> list[dict[str, str]]:
    with project.open_store() as store:
        facilities = [f for f in store.records("facility") if isinstance(f, Facility)]
        compounds = [c for c in store.records("compound") if isinstance(c, Compound)]
    rows = []
    centres = sorted(
        (f for f in facilities if f.type_code in CENTRE_TYPES), key=lambda f: f.source_id
    )
    for n, facility in enumerate(centres, start=1):
        rows.append(
            {
                "id": f"demo-centre-{n}",
                "name": f"【演示展板】{facility.name or facility.type_code}",
                "kind": "centre",
                "lon": f"{facility.lon:.7f}",
                "lat": f"{facility.lat:.7f}",
                "compound": "",
                "note": "demo board at an OSM community/culture centre, not a real board",
            }
        )
    biggest = sorted(
        (c for c in compounds if c.entrances), key=lambda c: (-(c.residents or 0), c.source_id)
    )[:MAX_GATE_BOARDS]
    for n, compound in enumerate(biggest, start=1):
        lon, lat = compound.entrances[0]
        rows.append(
            {
                "id": f"demo-gate-{n}",
                "name": f"【演示展板】{compound.name} 出入口",
                "kind": "gate",
                "lon": f"{lon:.7f}",
                "lat": f"{lat:.7f}",
                "compound": compound.name,
                "note": "demo board at the first gate of an OSM-derived compound, not a real board",
            }
        )
    return rows


def write_demo_boards(project: Project) -> Path:
    """Write ``demo_boards.csv`` in the project from what the store holds, and return its path."""
    path = project.root / "demo_boards.csv"
    header = {
        "id": "编号",
        "name": "名称",
        "kind": "展板类型",
        "lon": "经度",
        "lat": "纬度",
        "compound": "所属小区",
        "note": "备注",
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header))
        writer.writerow(header)
        writer.writerows(_board_rows(project))
    return path


def build_demo(
    root: Path, *, fresh: bool = False, lang: str = "zh"
) -> tuple[Project, list[ImportReport]]:
    """Create the demo project in ``root`` and import everything; returns the import reports."""
    if (root / PROJECT_FILE).exists():
        if not fresh:
            raise ConfigError(t("demo.exists", lang, path=root))
        shutil.rmtree(root)
    project = init_project(root, name=t("demo.name", "zh"), code="")
    reports = [
        import_osm(project, demo_file("helsinki.osm.pbf"), author="demo"),
        import_sheet(project, "facilities", demo_file("sample_facilities.csv"), author="demo"),
    ]
    reports.append(import_sheet(project, "boards", write_demo_boards(project), author="demo"))
    return project, reports
