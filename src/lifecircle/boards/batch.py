"""The ``lifecircle boards`` use case: build results, choose content, render boards in parallel.

Reads the build results (building what is not cached), computes each board's content and map
extras (routes, street, landmarks) in this process, subsets the CJK font once for the batch,
then renders and checks the boards in worker processes and writes an index (CSV and HTML).
A board not fit to print (a public address no phone opens, a QR code that does not read
back, text below the paper's sizes) stops the batch unless it is a draft. It prints nothing;
progress goes to a callback.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from lifecircle.boards.content import BEYOND_FACTOR, BoardContent, ContentInputs, board_content
from lifecircle.boards.fonts import subset_fonts
from lifecircle.boards.options import PAPERS, BoardOptions, read_board_options
from lifecircle.boards.places import map_extras
from lifecircle.boards.preflight import check_base_url
from lifecircle.boards.printing import PrintOptions
from lifecircle.boards.render import BoardJob, RenderedBoard, Scene, render_board
from lifecircle.boards.routes import RouteIndex, Routes
from lifecircle.boards.scenery import StreetNet
from lifecircle.boards.symbols import esc
from lifecircle.cache.basemap import load_basemap
from lifecircle.engine.access import facility_costs
from lifecircle.engine.area import AreaData
from lifecircle.engine.attach import Walk
from lifecircle.engine.results import ProfileResult
from lifecircle.engine.rules import level_limit
from lifecircle.engine.walk import build_walk
from lifecircle.errors import ConfigError, Msg, PrintCheckError
from lifecircle.i18n import catalogue, t
from lifecircle.io.cells import write_csv
from lifecircle.jobs.build import build
from lifecircle.project import Project

Progress = Callable[[int, int], None]
#: Boards below this many are rendered in this process (starting workers costs ~2 s).
PARALLEL_MIN_BOARDS = 4


@dataclass(frozen=True)
class BoardsRun:
    """What :func:`make_boards` wrote, and how long the parts took (seconds)."""

    boards: tuple[RenderedBoard, ...]
    contents: tuple[BoardContent, ...]
    index_csv: Path
    index_html: Path
    paper: str
    profile: str
    prepare_s: float
    font_s: float
    render_s: float
    #: Findings of the print checks: the public address's, then each board's (id, finding).
    problems: tuple[tuple[str, Msg], ...] = ()
    #: Whether the boards are drafts (stamped 草稿, kept even when a check fails).
    draft: bool = False


@dataclass(frozen=True)
class Prepared:
    """Everything decided before rendering: the jobs and the scene they share."""

    jobs: tuple[BoardJob, ...]
    scene: Scene
    font_s: float


def _rows(data: AreaData, board_ids: Sequence[str]) -> list[int]:
    ids = [b.board_id for b in data.boards]
    if not ids:
        raise ConfigError("error.boards.no_boards")
    if not board_ids:
        return list(range(len(ids)))
    for board_id in board_ids:
        if board_id not in ids:
            raise ConfigError("error.boards.no_such_board", board=board_id, known=tuple(ids[:8]))
    return [ids.index(board_id) for board_id in dict.fromkeys(board_ids)]


def _other_profile(profile: str, results: dict[str, ProfileResult]) -> ProfileResult | None:
    main = results[profile]
    if profile == "elderly" or main.profile.convention == "distance":
        return None
    return results.get("elderly")


@dataclass(frozen=True, eq=False)
class Chosen:
    """The boards' contents and options, the area, and the walk their minutes come from."""

    contents: list[BoardContent]
    options: dict[str, BoardOptions]
    data: AreaData
    walk: Walk
    rows: list[int]


def board_contents(
    project: Project,
    *,
    board_ids: Sequence[str] = (),
    paper: str = "A1",
    profile: str = "standard",
    lang: str = "zh",
) -> tuple[list[BoardContent], dict[str, BoardOptions], AreaData]:
    """Return the content of each chosen board (all when ``board_ids`` is empty), in board order."""
    chosen = choose_contents(project, board_ids=board_ids, paper=paper, profile=profile, lang=lang)
    return chosen.contents, chosen.options, chosen.data


def choose_contents(
    project: Project,
    *,
    board_ids: Sequence[str] = (),
    paper: str = "A1",
    profile: str = "standard",
    lang: str = "zh",
    notice: str | None = None,
) -> Chosen:
    """Decide every chosen board's content (``notice``: the label, default the project's)."""
    wanted = (profile,) if profile in ("elderly", "planning") else (profile, "elderly")
    data, results = build(project, wanted)
    rows = _rows(data, board_ids)
    unreached = set(results[profile].unreached.get("boards", []))
    for row in rows:
        board_id = data.boards[row].board_id
        if board_id in unreached and board_ids:
            max_m = project.settings.snap_max_m
            raise ConfigError("error.boards.unreached", board=board_id, max_m=max_m)
    # with --all, a board off the walk network is left out (the build reports it)
    rows = [row for row in rows if data.boards[row].board_id not in unreached]
    taxonomy = project.taxonomy()
    options = read_board_options(
        project.root, board_ids=[b.board_id for b in data.boards], taxonomy=taxonomy
    )
    main, other = results[profile], _other_profile(profile, results)
    limit = level_limit(main.profile, 15) * BEYOND_FACTOR
    walk = _walk(project, data, main)
    costs = _board_costs(walk, rows, limit=limit)
    other_costs = (
        None if other is None else _board_costs(_walk(project, data, other), rows, limit=limit * 2)
    )
    inputs = ContentInputs(
        data=data,
        taxonomy=taxonomy,
        main=main,
        other=other,
        area_name=project.area_name,
        base_url=project.settings.public_base_url,
        lang=lang,
        paper=PAPERS[paper],
        notice=project.notice(lang) if notice is None else notice,
    )
    contents = [
        board_content(
            row,
            inputs=inputs,
            options=options[data.boards[row].board_id],
            costs=costs[k],
            other_costs=None if other_costs is None else other_costs[k],
        )
        for k, row in enumerate(rows)
    ]
    return Chosen(contents, options, data, walk, rows)


def _walk(project: Project, data: AreaData, result: ProfileResult) -> Walk:
    """Return the profile's walk, as the build measured it."""
    return build_walk(
        data, result.profile, snap_max_m=project.settings.snap_max_m, cache_dir=project.cache_dir
    )


def _board_costs(walk: Walk, rows: Sequence[int], *, limit: float) -> np.ndarray:
    """Cost from each board to every facility on the profile's walk (the build's own walk)."""
    return facility_costs(walk, walk.board_nodes[np.asarray(rows, dtype=np.int64)], limit=limit)


def _texts(contents: Sequence[BoardContent], data: AreaData, lang: str) -> list[str]:
    """Every string the boards may print, for the font subset."""
    texts = [w.tags.get("name", "") for w in data.ways]
    texts += [
        m.get(lang, "") for key, m in catalogue().items() if key.startswith(("boards.", "walk."))
    ]
    texts += [f.name for f in data.facilities]  # landmarks
    for content in contents:
        texts += [content.title, content.subtitle, content.convention, content.url]
        texts += [content.notice, content.feedback, *content.not_collected]
        texts += [a.name_zh + a.name_en for a in content.areas]
        texts += [f"{i.label}{i.name}{i.walk}{i.detail}" for i in content.items]
        texts += [m.name + m.nearest for m in content.missing]
    return texts


def prepare(
    project: Project,
    out_dir: Path,
    *,
    board_ids: Sequence[str] = (),
    paper: str = "A1",
    profile: str = "standard",
    lang: str = "zh",
    previews: bool = True,
    printing: PrintOptions | None = None,
) -> Prepared:
    """Decide every board's content, map extras and the shared scene; subset the font once."""
    printing = printing or PrintOptions()
    notice = project.notice(lang)
    if printing.draft:
        notice = " · ".join(x for x in (t("boards.draft", lang), notice) if x)
    chosen = choose_contents(
        project, board_ids=board_ids, paper=paper, profile=profile, lang=lang, notice=notice
    )
    contents, options, data = chosen.contents, chosen.options, chosen.data
    started = time.perf_counter()
    fonts = subset_fonts(project.cache_dir, _texts(contents, data, lang))
    font_s = time.perf_counter() - started
    taxonomy = project.taxonomy()
    net = StreetNet.from_ways(data.ways)
    wants_routes = any(options[c.board.board_id].routes for c in contents)
    index = RouteIndex.build(chosen.walk, data.ways, data.nodes) if wants_routes else None
    starts = chosen.walk.board_nodes[np.asarray(chosen.rows, dtype=np.int64)].tolist()
    extras = map_extras(contents, data=data, net=net, routes=index, starts=starts)
    scene = Scene(
        net=net,
        basemap=load_basemap(project.cache_dir),
        areas={a.code: a for a in taxonomy.areas},
        fonts=fonts,
    )
    jobs = tuple(
        BoardJob(
            content=c,
            paper=paper,
            frame_m=options[c.board.board_id].frame_m,
            pdf=out_dir / f"{c.board.board_id}.pdf",
            png=out_dir / f"{c.board.board_id}.png" if previews else None,
            extras=extra if options[c.board.board_id].routes else replace(extra, routes=Routes()),
            printing=printing,
        )
        for c, extra in zip(contents, extras, strict=True)
    )
    return Prepared(jobs, scene, font_s)


_SCENE: Scene | None = None


def _init_worker(scene: Scene) -> None:
    global _SCENE
    _SCENE = scene


def _render_in_worker(job: BoardJob) -> RenderedBoard:
    assert _SCENE is not None, "worker started without a scene"
    return render_board(job, _SCENE)


def render_all(
    prepared: Prepared, *, workers: int, progress: Progress | None = None
) -> list[RenderedBoard]:
    """Render every job, in ``workers`` processes when there are enough boards; board order."""
    jobs = prepared.jobs
    done: dict[int, RenderedBoard] = {}
    if workers <= 1 or len(jobs) < PARALLEL_MIN_BOARDS:
        for k, job in enumerate(jobs):
            done[k] = render_board(job, prepared.scene)
            if progress:
                progress(len(done), len(jobs))
        return [done[k] for k in range(len(jobs))]
    # spawn, not fork: a fresh interpreter shares no open database handle with this one
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=context,
        initializer=_init_worker,
        initargs=(prepared.scene,),
    ) as pool:
        futures = {pool.submit(_render_in_worker, job): k for k, job in enumerate(jobs)}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            if progress:
                progress(len(done), len(jobs))
    return [done[k] for k in range(len(jobs))]


def make_boards(
    project: Project,
    out_dir: Path,
    *,
    board_ids: Sequence[str] = (),
    paper: str = "A1",
    profile: str = "standard",
    lang: str = "zh",
    workers: int | None = None,
    progress: Progress | None = None,
    printing: PrintOptions | None = None,
) -> BoardsRun:
    """Make, check and index the PDF and PNG of each board (all when ``board_ids`` is empty).

    Unless ``printing.draft``, a public address no phone can open stops the batch before it
    starts, and a board whose QR code or text sizes fail their checks has its PDF removed
    (its preview stays) and raises :class:`~lifecircle.errors.PrintCheckError` once the
    batch is done. Drafts are stamped 草稿 and kept whatever the checks found.
    """
    printing = printing or PrintOptions()
    url = project.settings.public_base_url
    url_problems = check_base_url(url)
    if url_problems and not printing.draft:
        raise PrintCheckError("error.boards.preflight_url", reason=url_problems[0])
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    prepared = prepare(
        project, out_dir, board_ids=board_ids, paper=paper, profile=profile, lang=lang,
        printing=printing,
    )  # fmt: skip
    prepare_s = time.perf_counter() - started
    workers = project.settings.build_workers if workers is None else workers
    rendered = render_all(prepared, workers=workers, progress=progress)
    contents = tuple(board.content for board in rendered)
    index_csv, index_html = write_index(out_dir, rendered, lang=lang)
    problems = tuple(("", m) for m in url_problems)
    problems += tuple((b.board_id, m) for b in rendered for m in b.problems)
    run = BoardsRun(
        boards=tuple(rendered),
        contents=contents,
        index_csv=index_csv,
        index_html=index_html,
        paper=paper,
        profile=profile,
        prepare_s=prepare_s - prepared.font_s,
        font_s=prepared.font_s,
        render_s=time.perf_counter() - started - prepare_s,
        problems=problems,
        draft=printing.draft,
    )
    failed = [b for b in rendered if b.problems]
    if failed and not printing.draft:
        for board in failed:
            board.pdf.unlink(missing_ok=True)
        first = failed[0]
        raise PrintCheckError(
            "error.boards.preflight_failed", n=len(failed), board=first.board_id,
            reason=first.problems[0],
        )  # fmt: skip
    return run


def write_index(out_dir: Path, boards: Sequence[RenderedBoard], *, lang: str) -> tuple[Path, Path]:
    """Write ``index.csv`` and ``index.html`` listing every board, its files and its checks."""
    keys = (
        "col_id", "col_name", "col_facilities", "col_missing", "col_check", "col_pdf",
        "col_png", "col_url",
    )  # fmt: skip
    header = [t(f"boards.{key}", lang) for key in keys]
    sep = t("boards.list_sep", lang)
    rows = [
        [
            b.content.board.board_id,
            b.content.board.name,
            len(b.content.items),
            sep.join(m.name for m in b.content.missing),
            "；".join(m.render(lang) for m in b.problems) or t("boards.check_ok", lang),
            f"{b.board_id}.pdf" if b.pdf.exists() else "",
            f"{b.board_id}.png",
            b.content.url,
        ]
        for b in boards
    ]
    csv_path = write_csv(out_dir / "index.csv", header, rows)
    html_path = out_dir / "index.html"
    cells = "".join(_index_row([str(v) for v in row]) for row in rows)
    title = esc(t("boards.index_title", lang))
    html_path.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif;margin:2em}td,th{border-bottom:1px solid #ccc;"
        "padding:.3em .6em;text-align:left;vertical-align:top}</style></head><body>"
        f"<h1>{title}</h1><table><tr>{''.join(f'<th>{esc(h)}</th>' for h in header)}</tr>"
        f"{cells}</table></body></html>",
        encoding="utf-8",
    )
    return csv_path, html_path


def _index_row(row: Sequence[str]) -> str:
    pdf, png, url = row[5], row[6], row[7]
    return (
        "<tr>"
        + "".join(f"<td>{esc(v)}</td>" for v in row[:5])
        + (f'<td><a href="{esc(pdf)}">PDF</a></td>' if pdf else "<td>—</td>")
        + f'<td><a href="{esc(png)}"><img src="{esc(png)}" width="120"></a></td>'
        + f'<td><a href="{esc(url)}">{esc(url)}</a></td></tr>'
    )
