"""The bundled demo areas: real OSM extracts set up as lifecircle projects, labelled as demos.

``nanjing`` (the default, what ``make run`` shows): real OSM of Xinjiekou, Nanjing, with Chinese
names, plus a small sheet of **invented** community facilities OSM lacks there (every name says
【示例】, the note column says it is not real), declared complete for three types so the gap report
shows real gaps beside types not collected. ``helsinki``: real OSM of central Helsinki, the
test fixture. Everything goes through the importers a user calls; the project is marked as a
demo (:attr:`~lifecircle.project.Project.demo`), so every face says what its data is.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
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
#: Dataset name of the sample sheet (records ``sheet:sample_facilities:S1`` …).
SAMPLE_DATASET = "sample_facilities"


@dataclass(frozen=True)
class DemoArea:
    """One bundled demo: its OSM extract, its sample sheet and what the sheet declares."""

    osm_file: str
    samples_file: str
    name_key: str  # the project's name (catalogue key)
    source_note: str  # printed by ``lifecircle demo`` (catalogue key)
    complete_types: tuple[str, ...] = ()  # types the sample sheet is declared to hold fully


DEMOS: dict[str, DemoArea] = {
    "nanjing": DemoArea(
        osm_file="nanjing_xinjiekou.osm.pbf",
        samples_file="nanjing_sample_facilities.csv",
        name_key="demo.name",
        source_note="demo.source_note",
        complete_types=("community_health_station", "breakfast_shop", "community_service_station"),
    ),
    "helsinki": DemoArea(
        osm_file="helsinki.osm.pbf",
        samples_file="helsinki_sample_facilities.csv",
        name_key="demo.name_helsinki",
        source_note="demo.source_note_helsinki",
    ),
}


def demo_file(name: str) -> Path:
    """Path of a bundled demo file (``nanjing_xinjiekou.osm.pbf``, ``helsinki.osm.pbf`` …)."""
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
                "note": "demo board at a community/culture centre, not a real board",
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
    root: Path, *, fresh: bool = False, lang: str = "zh", area: str = "nanjing"
) -> tuple[Project, list[ImportReport]]:
    """Create the demo project of ``area`` in ``root`` and import everything; return the reports.

    Imports the extract, then the sample sheet (declaring its complete types), then boards at
    community-centre-like places and at the gates of the largest derived compounds.
    """
    if area not in DEMOS:
        raise ConfigError("error.project.bad_demo", demo=area, path=root, known=tuple(DEMOS))
    demo = DEMOS[area]
    if (root / PROJECT_FILE).exists():
        if not fresh:
            raise ConfigError(t("demo.exists", lang, path=root))
        shutil.rmtree(root)
    project = init_project(root, name=t(demo.name_key, "zh"), code="", demo=area)
    reports = [
        import_osm(project, demo_file(demo.osm_file), author="demo"),
        import_sheet(
            project,
            "facilities",
            demo_file(demo.samples_file),
            dataset=SAMPLE_DATASET,
            complete_types=demo.complete_types,
            author="demo",
        ),
    ]
    reports.append(import_sheet(project, "boards", write_demo_boards(project), author="demo"))
    return project, reports
