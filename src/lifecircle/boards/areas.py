"""The per-area job of ``lifecircle batch boards``: every board of an area, as ``boards --all``.

Runs :func:`~lifecircle.boards.batch.make_boards` in the Dask worker's own process
(``workers=1``: a worker may not start processes of its own) into ``<area>/boards``, then
stamps the area so that a re-run skips it while its data and the options stay the same.
Options: ``paper``, ``profile``, ``lang``, ``draft``.
"""

from __future__ import annotations

from lifecircle.boards.batch import make_boards
from lifecircle.boards.printing import PrintOptions
from lifecircle.jobs.batch import AreaJob, Options, stamp_current, write_stamp
from lifecircle.project import Project

#: Folder of each area's boards, inside the area folder.
BOARDS_DIR = "boards"


def boards_finished(project: Project, options: Options) -> bool:
    """Whether the area's boards were made for its current data and these options."""
    index = project.root / BOARDS_DIR / "index.csv"
    return index.is_file() and stamp_current(project, "boards", options)


def boards_area(project: Project, options: Options) -> dict[str, int]:
    """Make every board of the area; a board that fails its print checks fails the area."""
    run = make_boards(
        project,
        project.root / BOARDS_DIR,
        paper=str(options.get("paper", "A1")),
        profile=str(options.get("profile", "standard")),
        lang=str(options.get("lang", "zh")),
        workers=1,
        printing=PrintOptions(draft=bool(options.get("draft", False))),
    )
    summary = {"boards": len(run.boards), "problems": len(run.problems)}
    write_stamp(project, "boards", options, summary)
    return summary


BOARDS = AreaJob("boards", boards_finished, boards_area)
