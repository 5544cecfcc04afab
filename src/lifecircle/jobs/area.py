"""Read the project's store into the engine's :class:`~lifecircle.engine.area.AreaData`.

Every job that walks (build, boards, plan, the web app) starts here, so they all see the same
records, local rules and versions. It computes nothing.
"""

from __future__ import annotations

from lifecircle.bulk import paused_gc
from lifecircle.engine.area import AreaData
from lifecircle.jobs.duplicates import counted_once, stored_decisions
from lifecircle.jobs.local_edits import local_rules
from lifecircle.model import Board, CompleteType, Compound, Facility, WalkNode, WalkWay
from lifecircle.project import Project

#: Record kinds the walk graph is built from: a change to any of them means a new graph.
NETWORK_KINDS = ("walk_way", "walk_node", "local_edit")


def read_area(project: Project) -> AreaData:
    """Read what the engine needs from the project's store (one read, one data version).

    A facility that OSM and a staff sheet both hold counts once: the staff record (see
    :func:`lifecircle.jobs.duplicates.counted_once`).
    """
    taxonomy = project.taxonomy()
    # a district's 280,000 records: no collector passes over them while more are made
    with paused_gc(), project.open_store() as store:
        ways = tuple(w for w in store.records("walk_way") if isinstance(w, WalkWay))
        latest = store.latest_version()
        rules, warnings = local_rules(store, ways=list(ways))
        facilities, _ = counted_once(
            [f for f in store.records("facility") if isinstance(f, Facility)],
            stored_decisions(store),
            cache_dir=project.cache_dir,
        )
        return AreaData(
            ways=ways,
            nodes=tuple(n for n in store.records("walk_node") if isinstance(n, WalkNode)),
            facilities=facilities,
            compounds=tuple(c for c in store.records("compound") if isinstance(c, Compound)),
            boards=tuple(b for b in store.records("board") if isinstance(b, Board)),
            type_codes=tuple(t.code for t in taxonomy.types),
            data_version=latest.id if latest else 0,
            data_date=latest.created_at if latest else "",
            taxonomy_version=taxonomy.version,
            rules=rules,
            warnings=tuple(warnings),
            network_version=store.last_change(NETWORK_KINDS),
            complete_types=frozenset(
                r.type_code for r in store.records("complete_type") if isinstance(r, CompleteType)
            ),
        )
