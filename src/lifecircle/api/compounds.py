"""``GET /api/compounds`` (search by name or pinyin initials) and one compound.

Renders stored compounds; the search rule is :func:`lifecircle.jobs.reports.find_compound`'s.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifecircle.api.common import Crs, CrsParam, SnapshotDep, cached_json, require
from lifecircle.api.schemas import CompoundOut
from lifecircle.jobs.reports import compound_matches
from lifecircle.model import Compound

router = APIRouter(tags=["compounds"])


def compound_payload(compound: Compound) -> dict[str, Any]:
    """One compound as the API shows it (WGS-84)."""
    return {
        "id": compound.source_id,
        "name": compound.name,
        "community": compound.community,
        "subdistrict": compound.subdistrict,
        "lon": float(compound.lon),
        "lat": float(compound.lat),
        "entrances": [{"lon": float(x), "lat": float(y)} for x, y in compound.entrances],
        "households": compound.households,
        "residents": compound.residents,
        "elderly": compound.elderly,
        "children": compound.children,
        "estimated": compound.estimate_method is not None,
        "estimate_method": compound.estimate_method,
    }


@router.get("/compounds", response_model=list[CompoundOut])
def list_compounds(
    request: Request,
    snapshot: SnapshotDep,
    q: Annotated[
        str, Query(max_length=100, description="Name, part of it, or pinyin initials (ylq)")
    ] = "",
    crs: CrsParam = Crs.wgs84,
) -> Response:
    """Compounds, optionally those matching a search; sorted by name."""
    compounds = snapshot.data.compounds

    def render() -> list[dict[str, Any]]:
        hits = compound_matches(compounds, q) if q.strip() else range(len(compounds))
        found = sorted((compounds[i] for i in hits), key=lambda c: (c.name, c.source_id))
        return [compound_payload(c) for c in found]

    return cached_json(request, snapshot, render, crs=crs)


@router.get("/compounds/{compound_id:path}", response_model=CompoundOut)
def get_compound(
    request: Request, compound_id: str, snapshot: SnapshotDep, crs: CrsParam = Crs.wgs84
) -> Response:
    """One compound by id."""
    i = require(snapshot.compound_index.get(compound_id), "error.api.no_compound", id=compound_id)
    compound = snapshot.data.compounds[i]
    return cached_json(request, snapshot, lambda: compound_payload(compound), crs=crs)
