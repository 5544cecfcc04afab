"""What a project holds: area, data version, counts per content area and type, and their sources.

Builds one JSON-ready dict (``lifecircle status --json``); rendering it as a table is the CLI's job.
It says which facility types are collected, from which source, and which are not (未采集).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import numpy as np
from sqlalchemy.engine import make_url

from lifecircle.errors import UnknownTypeError
from lifecircle.jobs.build import cached_results
from lifecircle.jobs.collection import read_collection
from lifecircle.jobs.duplicates import review, stored_decisions
from lifecircle.jobs.residents import MARK
from lifecircle.model import Compound, Facility, FacilityMatch, WalkWay
from lifecircle.project import Project
from lifecircle.store import Store
from lifecircle.taxonomy import Taxonomy

_EARTH_RADIUS_M = 6_371_008.8


def walk_length_km(ways: list[WalkWay]) -> float:
    """Total length of the ways in kilometres (great-circle segments).

    >>> round(walk_length_km([WalkWay(1, (1, 2), ((24.0, 60.0), (24.0, 60.01)))]), 3)
    1.112
    """
    total = 0.0
    for way in ways:
        xy = np.radians(np.asarray(way.coords, dtype=float))
        if len(xy) < 2:
            continue
        dlon, dlat = np.diff(xy[:, 0]), np.diff(xy[:, 1])
        lat1, lat2 = xy[:-1, 1], xy[1:, 1]
        a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
        total += float(np.sum(2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(a))))
    return total / 1000.0


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _facility_counts(facilities: list[Facility], taxonomy: Taxonomy) -> dict[str, Any]:
    by_type = Counter(f.type_code for f in facilities)
    by_area: dict[str, dict[str, Any]] = {
        area.code: {"name_zh": area.name_zh, "name_en": area.name_en, "count": 0}
        for area in taxonomy.areas
    }
    unknown = 0
    for code, count in by_type.items():
        try:
            by_area[taxonomy.type(code).area]["count"] += count
        except UnknownTypeError:
            unknown += count
    return {
        "total": len(facilities),
        "by_status": dict(Counter(f.status for f in facilities)),
        "by_area": by_area,
        "by_type": dict(sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))),
        "not_in_taxonomy": unknown,
    }


def _people(compounds: list[Compound]) -> dict[str, Any]:
    def total(attr: str) -> int | None:
        values = [getattr(c, attr) for c in compounds if getattr(c, attr) is not None]
        return sum(values) if values else None

    return {
        "count": len(compounds),
        "entrances": sum(len(c.entrances) for c in compounds),
        "residents": total("residents"),
        "residents_estimated_compounds": sum(1 for c in compounds if c.estimate_method),
        "residents_calibrated_compounds": sum(
            1 for c in compounds if MARK in (c.estimate_method or "")
        ),
        "households": total("households"),
        "elderly": total("elderly"),
        "children": total("children"),
    }


def _version(store: Store) -> dict[str, Any] | None:
    latest = store.latest_version()
    if latest is None:
        return None
    return {
        "id": latest.id,
        "created_at": latest.created_at,
        "action": latest.action,
        "source": latest.source,
        "author": latest.author,
        "versions": len(store.versions()),
    }


def _duplicates(facilities: list[Facility], decisions: list[FacilityMatch]) -> dict[str, int]:
    """How many OSM × sheet pairs count once, and how many wait for staff to decide."""
    pairs = review(facilities, decisions)
    return {
        "counted_once": sum(p.counts_once for p in pairs),
        "to_review": sum(p.status == "suggested" for p in pairs),
    }


def _attachment(project: Project) -> dict[str, Any]:
    """Say what the last build found about the points: far off, on islands, cut off.

    Counts owners (facilities, compounds, boards) from the results cached for the current
    data; ``built`` is false when ``lifecircle build`` has not run since the last change.
    """
    results = cached_results(project)
    if not results:
        return {"built": False}
    first = next(iter(results.values()))

    def counts(by_kind: dict[str, list[str]]) -> dict[str, int]:
        return {kind: len(ids) for kind, ids in by_kind.items() if ids}

    return {
        "built": True,
        "far": counts(first.issues.get("far", {})),
        "island": counts(first.issues.get("island", {})),
        "island_ids": first.issues.get("island", {}),
        "closed": counts(first.issues.get("closed", {})),
        "impassable": {
            name: counts(result.issues.get("impassable", {})) for name, result in results.items()
        },
    }


def project_status(project: Project) -> dict[str, Any]:
    """Everything ``lifecircle status`` shows, as plain JSON-ready values."""
    taxonomy = project.taxonomy()
    with project.open_store() as store:
        ways = [w for w in store.records("walk_way") if isinstance(w, WalkWay)]
        facilities = [f for f in store.records("facility") if isinstance(f, Facility)]
        compounds = [c for c in store.records("compound") if isinstance(c, Compound)]
        return {
            "area": {"name": project.area_name, "code": project.area_code, "demo": project.demo},
            "project_dir": str(project.root),
            "store": {
                "url": _redacted(project.database_url),
                "dialect": store.dialect,
                "postgis": store.has_postgis,
            },
            "taxonomy": {
                "path": taxonomy.path,
                "version": taxonomy.version,
                "types": len(taxonomy.types),
            },
            "data_version": _version(store),
            "osm": {
                "file": store.get_meta("osm_file"),
                "timestamp": store.get_meta("osm_timestamp"),
                "clipped_to_boundary": bool(store.get_meta("boundary_wkt")),
            },
            "walk_network": {
                "ways": len(ways),
                "tagged_nodes": store.count("walk_node"),
                "length_km": round(walk_length_km(ways), 1),
            },
            "facilities": _facility_counts(facilities, taxonomy),
            "duplicates": _duplicates(facilities, stored_decisions(store)),
            "compounds": _people(compounds),
            "boards": {"count": store.count("board")},
            "attachment": _attachment(project),
            "local_edits": {"count": store.count("local_edit")},
            "collection": [dataclasses.asdict(c) for c in read_collection(project, store)],
            "sources": {
                kind: store.scopes(kind)
                for kind in ("walk_way", "walk_node", "facility", "compound", "board", "local_edit")
            },
        }
