"""Terminal rendering of results (import reports, status, history) with rich, in zh or en.

Only formats values it is given; it never reads files or the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from lifecircle.errors import RowProblem
from lifecircle.i18n import t
from lifecircle.jobs.history import change_label, field_changes

if TYPE_CHECKING:
    from lifecircle.jobs.imports import ImportReport
    from lifecircle.store import Change, DataVersion

_KINDS = ("walk_way", "walk_node", "facility", "compound", "board", "local_edit", "complete_type")
_STATES = ("complete", "collected", "not_collected")
MAX_LISTED_ROWS = 20
MAX_LISTED_CHANGES = 200


def print_problems(console: Console, problems: Sequence[RowProblem], lang: str) -> None:
    """List up to :data:`MAX_LISTED_ROWS` bad rows, one per line, in ``lang``."""
    for problem in problems[:MAX_LISTED_ROWS]:
        line = f"  • {problem.render(lang)}"
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if len(problems) > MAX_LISTED_ROWS:
        console.print("  " + t("error.more_rows", lang, n=len(problems) - MAX_LISTED_ROWS))


def print_import(console: Console, report: ImportReport, lang: str) -> None:
    """Print the change table of one import, then skipped rows, far points and notes."""
    table = Table(title=t("import.table_title", lang, what=report.what, path=report.path))
    for key in ("import.col_kind", "import.col_added", "import.col_changed", "import.col_removed"):
        table.add_column(t(key, lang), justify="left" if key.endswith("kind") else "right")
    for kind in report.summary.kinds:
        table.add_row(
            t(f"kind.{kind.kind}", lang),
            str(len(kind.added)),
            str(len(kind.changed)),
            str(len(kind.removed)),
        )
    console.print(table)
    if report.dry_run:
        console.print(t("import.dry_run", lang))
    elif report.version is not None:
        console.print(
            t("import.version", lang, id=report.version.id, created_at=report.version.created_at)
        )
    else:
        console.print(t("import.no_change", lang))
    if report.skipped:
        console.print(t("import.skipped", lang, n=len(report.skipped)))
        print_problems(console, report.skipped, lang)
    if report.removals_held:
        console.print(t("import.removals_held", lang))
    if report.dry_run and report.needs_replace:
        text = t(
            "import.needs_replace",
            lang,
            dataset=report.dataset,
            n=report.removed_rows,
            stored=report.stored_rows,
        )
        console.print(text, style="bold")
    if report.far:
        console.print(t("import.far", lang, n=len(report.far), max_m=report.far_limit_m))
        for far in report.far[:MAX_LISTED_ROWS]:
            console.print(
                "  • " + t("import.far_row", lang, row=far.row, label=far.label, dist_m=far.dist_m),
                markup=False,
            )
    if report.free_hours:
        console.print(t("import.free_hours", lang, n=len(report.free_hours)))
        for free in report.free_hours[:MAX_LISTED_ROWS]:
            line = t("import.free_hours_row", lang, row=free.row, label=free.label, text=free.text)
            console.print("  • " + line, markup=False)
    if report.merged:
        console.print(t("import.osm_merged", lang, n=report.merged))
    if report.to_review:
        console.print(t("import.duplicates_to_review", lang, n=report.to_review))
    for note in report.notes:
        console.print(t(f"import.{note}", lang))


def print_status(console: Console, status: dict[str, Any], lang: str) -> None:
    """Print the human-readable ``lifecircle status``."""
    area = status["area"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    version = status["data_version"]
    grid.add_row(
        t("status.area", lang), f"{area['name']}  ({t('status.code', lang)} {area['code'] or '—'})"
    )
    grid.add_row(
        t("status.version", lang),
        t("status.version_value", lang, **version) if version else t("status.no_data", lang),
    )
    grid.add_row(t("status.store", lang), status["store"]["url"])
    osm = status["osm"]
    if osm["file"]:
        stamp = osm["timestamp"] or t("status.unknown", lang)
        grid.add_row(
            t("status.osm", lang), t("status.osm_value", lang, file=osm["file"], timestamp=stamp)
        )
    walk = status["walk_network"]
    grid.add_row(
        t("status.walk", lang),
        t(
            "status.walk_value",
            lang,
            ways=walk["ways"],
            km=walk["length_km"],
            nodes=walk["tagged_nodes"],
        ),
    )
    people = status["compounds"]
    text = t(
        "status.compounds_value",
        lang,
        count=people["count"],
        entrances=people["entrances"],
        residents=f"{people['residents']:,}" if people["residents"] is not None else "—",
    )
    if people["residents_estimated_compounds"]:
        text += t("status.estimated", lang, n=people["residents_estimated_compounds"])
    if people["residents_calibrated_compounds"]:
        text += t("status.calibrated", lang, n=people["residents_calibrated_compounds"])
    grid.add_row(t("status.compounds", lang), text)
    grid.add_row(t("status.boards", lang), str(status["boards"]["count"]))
    grid.add_row(t("status.attachment", lang), _attachment_text(status["attachment"], lang))
    grid.add_row(t("status.local_edits", lang), str(status["local_edits"]["count"]))
    console.print(t("status.title", lang, name=area["name"]), style="bold")
    if area.get("demo"):
        notice = t(f"demo.notice.{area['demo']}", lang)
        console.print(t("status.notice", lang, notice=notice), style="bold yellow")
    console.print(grid)
    if osm["file"]:
        console.print(t("osm.credit", lang))
    _print_areas(console, status, lang)
    _print_sources(console, status, lang)
    print_collection(console, status["collection"], lang)


def _source_label(scope: str, lang: str) -> str:
    return t("status.source_osm", lang) if scope == "osm" else scope.removeprefix("sheet:")


def print_collection(console: Console, collection: Sequence[dict[str, Any]], lang: str) -> None:
    """Print the facility types by state: declared complete, collected (with sources), not."""
    console.print(t("status.collection", lang), style="bold")
    name_key = "name_zh" if lang == "zh" else "name_en"
    sep = t("boards.list_sep", lang)
    for state in _STATES:
        parts = []
        for c in (c for c in collection if c["state"] == state):
            mark = "▲" if c["required"] else "△"
            sources = ", ".join(
                f"{_source_label(scope, lang)} {n}" for scope, n in c["sources"].items()
            )
            where = ", ".join(c["complete_in"]) if state == "complete" else sources
            bracket = f"（{where}）" if lang == "zh" else f" ({where})"
            parts.append(f"{mark}{c[name_key]}" + (bracket if where else ""))
        if parts:
            line = f"  {t(f'status.state_{state}', lang)}: {sep.join(parts)}"
            console.print(line, markup=False, highlight=False)


def _attachment_text(found: dict[str, Any], lang: str) -> str:
    """One line on how the gates, facilities and boards join the walk network."""
    if not found.get("built"):
        return t("status.attach_unbuilt", lang)

    def listed(counts: dict[str, int]) -> str:
        return t("status.list_sep", lang).join(
            t("status.attach_count", lang, n=n, kind=t(f"build.kind_{kind}", lang))
            for kind, n in counts.items()
        )

    parts = [
        t(f"status.attach_{issue}", lang, items=listed(found[issue]))
        for issue in ("far", "island", "closed")
        if found.get(issue)
    ]
    parts += [
        t("status.attach_impassable", lang, profile=profile, items=listed(counts))
        for profile, counts in found["impassable"].items()
        if counts
    ]
    return t("status.list_sep", lang).join(parts) if parts else t("status.attach_ok", lang)


def _print_areas(console: Console, status: dict[str, Any], lang: str) -> None:
    table = Table(title=t("status.facilities", lang))
    table.add_column(t("status.col_area", lang))
    table.add_column(t("status.col_count", lang), justify="right")
    name_key = "name_zh" if lang == "zh" else "name_en"
    for area in status["facilities"]["by_area"].values():
        table.add_row(area[name_key], str(area["count"]))
    table.add_row(t("status.total", lang), str(status["facilities"]["total"]), style="bold")
    console.print(table)
    found = status["duplicates"]
    if found["counted_once"] or found["to_review"]:
        console.print(t("status.duplicates", lang, **found), markup=False)


def _print_sources(console: Console, status: dict[str, Any], lang: str) -> None:
    lines = []
    for kind in _KINDS:
        scopes = status["sources"].get(kind) or {}
        if scopes:
            parts = ", ".join(f"{scope} ({count})" for scope, count in scopes.items())
            lines.append(f"  {t(f'kind.{kind}', lang)}: {parts}")
    if lines:
        console.print(t("status.sources", lang), style="bold")
        console.print("\n".join(lines), markup=False, highlight=False)


def print_versions(console: Console, versions: Sequence[DataVersion], lang: str) -> None:
    """Print the data version history, newest first."""
    table = Table(title=t("versions.title", lang))
    for key in ("col_id", "col_time", "col_action", "col_source", "col_author", "col_changes"):
        table.add_column(t(f"versions.{key}", lang))
    for version in sorted(versions, key=lambda v: -v.id):
        changes = ", ".join(
            f"{t(f'kind.{kind}', lang)} "
            f"+{c.get('added', 0)} ~{c.get('changed', 0)} -{c.get('removed', 0)}"
            for kind, c in version.counts.items()
            if any(c.values())
        )
        table.add_row(
            str(version.id),
            version.created_at,
            version.action,
            version.source,
            version.author,
            changes,
        )
    console.print(table)


def print_changes(console: Console, version_id: int, changes: Sequence[Change], lang: str) -> None:
    """Print the records one version added, changed or removed, with the changed fields."""
    table = Table(title=t("changes.title", lang, id=version_id, n=len(changes)))
    for key in ("col_kind", "col_action", "col_record", "col_fields"):
        table.add_column(t(f"changes.{key}", lang))
    for change in changes[:MAX_LISTED_CHANGES]:
        fields = "; ".join(
            f"{f.field}: {f.before!r} → {f.after!r}"
            for f in field_changes(change.before, change.after)
        )
        table.add_row(
            t(f"kind.{change.kind}", lang),
            t(f"changes.{change.action}", lang),
            change_label(change),
            fields,
        )
    console.print(table)
    if len(changes) > MAX_LISTED_CHANGES:
        console.print(t("changes.more", lang, n=len(changes) - MAX_LISTED_CHANGES))
