"""``lifecircle boards``: printable service-circle boards (PDF + PNG preview + index).

Parse, call :func:`lifecircle.boards.make_boards` with a rich progress bar, print a summary.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lifecircle.boards import PAPERS, make_boards
from lifecircle.boards.printing import PrintOptions
from lifecircle.cli.base import Context, handled
from lifecircle.cli.options import BOARD_PROFILE
from lifecircle.i18n import t

#: ``--paper``, for every command that prints boards.
PAPER_OPTION = click.option(
    "--paper",
    type=click.Choice(list(PAPERS)),
    default="A1",
    show_default=True,
    help="Paper size (portrait).",
)


@click.command("boards")
@click.option("--board", "board_ids", multiple=True, help="Board id (repeatable).")
@click.option("--all", "all_boards", is_flag=True, help="Every board of the project.")
@PAPER_OPTION
@BOARD_PROFILE
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("boards"),
    show_default=True,
    help="Folder for the PDFs, PNG previews and index.",
)
@click.option("--workers", type=int, default=None, help="Processes (default: build_workers).")
@click.option(
    "--draft",
    is_flag=True,
    help="Preview only: skip the print checks' refusal and stamp every board 草稿 (draft).",
)
@click.option("--bleed", is_flag=True, help="Add a 3 mm bleed with crop marks for a print shop.")
@click.option("--cmyk", is_flag=True, help="Write colours as CMYK (DeviceCMYK) instead of RGB.")
@click.pass_obj
@handled
def boards_command(
    obj: Context,
    board_ids: tuple[str, ...],
    all_boards: bool,
    paper: str,
    profile: str,
    out: Path,
    workers: int | None,
    draft: bool,
    bleed: bool,
    cmyk: bool,
) -> None:
    """One vector PDF per board (QR code, map, numbered list), a PNG preview and an index.

    Before printing, every board is checked: the public address must open on a resident's
    phone, each QR code must read back to its board's address, and text must be at least
    the paper's sizes. A board that fails is not written (use --draft to preview anyway).
    """
    if all_boards == bool(board_ids):
        raise click.UsageError("give --board ID (repeatable) or --all")
    project = obj.project()
    lang = obj.language(project)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=obj.out, transient=True) as bar:
        task = bar.add_task(t("boards.running", lang), total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=t("boards.progress", lang))

        run = make_boards(
            project,
            out,
            board_ids=board_ids,
            paper=paper,
            profile=profile,
            lang=lang,
            workers=workers,
            progress=progress,
            printing=PrintOptions(bleed=bleed, cmyk=cmyk, draft=draft),
        )
    seconds = run.prepare_s + run.font_s + run.render_s
    obj.out.print(
        t(
            "boards.done",
            lang,
            n=len(run.boards),
            paper=paper,
            profile=profile,
            seconds=seconds,
            path=out,
        ),
        markup=False,
        highlight=False,
    )
    obj.out.print(
        t("boards.index_written", lang, csv=run.index_csv, html=run.index_html),
        markup=False,
        highlight=False,
    )
    for board_id, problem in run.problems:
        where = f"{board_id}: " if board_id else ""
        obj.out.print(f"⚠ {where}{problem.render(lang)}", markup=False, highlight=False)
    if run.draft:
        obj.out.print(t("boards.draft_done", lang), markup=False, highlight=False)
