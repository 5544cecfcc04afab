"""``lifecircle areas cut``: one project per boundary feature, cut from one big OSM extract.

For each feature of a boundaries file (a district's 街道, a city's districts) it makes a project
folder named ``<code>-<name>`` (or ``<name>``) in the areas folder, holding: the feature as the
area boundary (``boundary.geojson``), the extract cut to the feature grown by ``buffer_m``
(``osm/area.osm.pbf``: walks across the line count) and the import of that cut, with the
``network_buffer_m`` setting equal to the buffer. The extract is read once for all areas
(:func:`lifecircle.io.osm_cut.cut_extract`).

Each project is made in a hidden ``.<folder>.part`` and renamed when its import is done, so an
area folder is whole or absent; areas already there are kept as they are (``fresh`` remakes
them). An area whose import fails (e.g. no walkable way inside) is reported and the others go on.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lifecircle.config import PROJECT_FILE
from lifecircle.errors import ConfigError, LifecircleError
from lifecircle.io.boundary import BoundaryFeature, read_boundaries, write_boundary
from lifecircle.io.osm_cut import buffered, cut_extract
from lifecircle.jobs.imports import import_osm
from lifecircle.project import init_project, open_project

BOUNDARY_FILE = "boundary.geojson"
CUT_FILE = Path("osm") / "area.osm.pbf"


@dataclass(frozen=True)
class CutOutcome:
    """One area of a cut: its folder, ``made``, ``kept`` (already there) or ``failed``."""

    folder: str
    name: str
    code: str
    status: str
    error: str = ""
    ways: int = 0
    facilities: int = 0
    compounds: int = 0


def folder_name(feature: BoundaryFeature) -> str:
    """``<code>-<name>`` (or the name), with path separators and leading dots replaced."""
    text = f"{feature.code}-{feature.name}" if feature.code else feature.name
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in text).lstrip(".") or "area"


def _make_area(feature: BoundaryFeature, cut: Path, final: Path, buffer_m: float) -> CutOutcome:
    """Make the area's project in a hidden ``.part`` folder, import its cut, then rename it."""
    part = final.with_name(f".{final.name}.part")
    shutil.rmtree(part, ignore_errors=True)
    init_project(part, name=feature.name, code=feature.code)
    with (part / PROJECT_FILE).open("a", encoding="utf-8") as handle:
        handle.write(f"network_buffer_m = {float(buffer_m)!r}\n")
    boundary = write_boundary(
        part / BOUNDARY_FILE, feature.geometry, {"name": feature.name, "code": feature.code}
    )
    (part / CUT_FILE).parent.mkdir()
    shutil.move(cut, part / CUT_FILE)
    report = import_osm(
        open_project(part), part / CUT_FILE, boundary_path=boundary, author="areas cut"
    )
    if final.exists():  # remade with ``fresh``: the old area goes only now
        shutil.rmtree(final)
    part.rename(final)
    added = {kind: n["added"] for kind, n in report.summary.counts().items()}
    return CutOutcome(
        final.name, feature.name, feature.code, "made", ways=added.get("walk_way", 0),
        facilities=added.get("facility", 0), compounds=added.get("compound", 0),
    )  # fmt: skip


def cut_areas(
    extract: Path, boundaries: Path, out_dir: Path, *, buffer_m: float = 1500.0,
    name_field: str = "name", code_field: str = "", fresh: bool = False, lang: str = "zh",
    on_outcome: Callable[[CutOutcome], None] | None = None,
) -> list[CutOutcome]:  # fmt: skip
    """Make one project per feature of ``boundaries`` in ``out_dir``; return every outcome.

    The boundaries file is read (and checked) whole before anything is written; ``buffer_m``
    must be positive (it becomes each area's ``network_buffer_m``).
    """
    if not buffer_m > 0:
        raise ConfigError("error.cut.buffer", value=buffer_m)
    features = read_boundaries(boundaries, name_field=name_field, code_field=code_field)
    out_dir.mkdir(parents=True, exist_ok=True)
    folders = {f.number: out_dir / folder_name(f) for f in features}
    outcomes: dict[int, CutOutcome] = {}
    todo: list[BoundaryFeature] = []
    for feature in features:
        folder = folders[feature.number]
        if (folder / PROJECT_FILE).is_file() and not fresh:
            outcomes[feature.number] = CutOutcome(folder.name, feature.name, feature.code, "kept")
            if on_outcome is not None:
                on_outcome(outcomes[feature.number])
        else:
            todo.append(feature)
    with tempfile.TemporaryDirectory(prefix=".cut-", dir=out_dir) as tmp:
        cuts = cut_extract(
            extract, {str(f.number): buffered(f.geometry, buffer_m) for f in todo}, Path(tmp)
        ) if todo else {}  # fmt: skip
        for feature in todo:
            cut = cuts[str(feature.number)]
            outcomes[feature.number] = _one(feature, cut, folders[feature.number], buffer_m, lang)
            if on_outcome is not None:
                on_outcome(outcomes[feature.number])
    return [outcomes[f.number] for f in features]


def _one(
    feature: BoundaryFeature, cut: Path, final: Path, buffer_m: float, lang: str
) -> CutOutcome:
    """Make one area; bad data (nothing walkable inside, say) fails this area only."""
    try:
        return _make_area(feature, cut, final, buffer_m)
    except LifecircleError as exc:
        shutil.rmtree(final.with_name(f".{final.name}.part"), ignore_errors=True)
        return CutOutcome(final.name, feature.name, feature.code, "failed", error=exc.message(lang))
