"""``GET /api/taxonomy``: the 10 content areas (colours, icons, shapes) and the facility types.

Reads the served snapshot's taxonomy only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifecircle.api.common import SnapshotDep, cached_json
from lifecircle.api.schemas import TaxonomyOut
from lifecircle.taxonomy import Taxonomy

router = APIRouter(tags=["taxonomy"])


def taxonomy_payload(taxonomy: Taxonomy) -> dict[str, Any]:
    """Content areas in display order and every type with its area and level."""
    return {
        "version": taxonomy.version,
        "areas": [
            {
                "code": a.code,
                "name_zh": a.name_zh,
                "name_en": a.name_en,
                "color": a.color,
                "icon": a.icon,
                "shape": a.shape,
                "order": a.order,
            }
            for a in taxonomy.areas
        ],
        "types": [
            {
                "code": t.code,
                "name_zh": t.name_zh,
                "name_en": t.name_en,
                "area": t.area,
                "level_min": t.level_min,
                "required": t.required,
            }
            for t in taxonomy.types
        ],
    }


@router.get("/taxonomy", response_model=TaxonomyOut)
def get_taxonomy(request: Request, snapshot: SnapshotDep) -> Response:
    """List the content areas and facility types."""
    return cached_json(request, snapshot, lambda: taxonomy_payload(snapshot.taxonomy))
