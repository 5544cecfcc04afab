"""One facility per place in an OSM extract: a point mapped inside (or beside) its own area.

OSM often maps one pharmacy twice — a node for the shop and its building tagged the same — and
one bus stop as a stop node beside its platform. Counting both inflates the 5/10/15-minute
counts. This module folds such a point into the area: records in, records out; no files.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely

from lifecircle.geo import local_metric_transformer
from lifecircle.model import Facility

#: A point this close to the outline of an area of its type (a stop node on the road beside its
#: platform) is the same facility as the area; inside it always is.
NEAR_AREA_M = 20.0
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
#: The fields that make one record of a facility richer than another.
_FIELDS = ("name", "address", "phone", "opening_hours")


@dataclass(frozen=True)
class MergedPair:
    """A point folded into an area: the kept record's id, the dropped one's, and the type."""

    kept: str
    dropped: str
    type_code: str


def name_key(name: str) -> str:
    """Normalise a name for comparison: full-width to half-width, no spaces or punctuation.

    >>> name_key("老百姓大药房（新街口店）"), name_key(" Apteekki  Kamppi ")
    ('老百姓大药房新街口店', 'apteekkikamppi')
    """
    return _PUNCT.sub("", unicodedata.normalize("NFKC", name)).lower()


def names_agree(a: str, b: str) -> bool:
    """Whether two names may be one facility: either is empty, or one contains the other.

    >>> names_agree("中国银行", "中国银行(新街口支行)"), names_agree("", "药店")
    (True, True)
    >>> names_agree("老百姓大药房", "益丰大药房")
    False
    """
    ka, kb = name_key(a), name_key(b)
    return not ka or not kb or ka in kb or kb in ka


def merge_points_into_areas(
    facilities: Sequence[Facility],
) -> tuple[tuple[Facility, ...], tuple[MergedPair, ...]]:
    """Fold every point facility into the area facility of its type it lies in (or beside).

    A point (no outline) joins an area of the same type that contains it or whose outline lies
    within :data:`NEAR_AREA_M` metres, the nearest if several, when their names agree
    (:func:`names_agree`). An area takes several points only when those agree with one another
    too (else they are different facilities sharing a building, and all stay). The merged
    facility keeps the richer record (more of name, address, phone and opening hours; the area
    on a tie) with its id, fills its empty fields from the other, and keeps the area's outline,
    entrances and location; ``extra["merged"]`` names the records folded in.

    Examples
    --------
    >>> shop = Facility("osm:node/1", "大药房", "pharmacy", 118.78, 32.04, phone="025-1")
    >>> box = shapely.box(118.7799, 32.0399, 118.7801, 32.0401).wkt
    >>> building = Facility("osm:way/2", "", "pharmacy", 118.78, 32.04, outline_wkt=box)
    >>> merged, pairs = merge_points_into_areas([shop, building])
    >>> [(f.source_id, f.name, f.outline_wkt is not None) for f in merged], len(pairs)
    ([('osm:node/1', '大药房', True)], 1)
    """
    areas = [i for i, f in enumerate(facilities) if f.outline_wkt]
    points = [i for i, f in enumerate(facilities) if not f.outline_wkt and f.status != "closed"]
    if not areas or not points:
        return tuple(facilities), ()
    by_area = _nearest_areas(facilities, points, areas)
    out: dict[int, Facility] = {}
    dropped: set[int] = set()
    pairs: list[MergedPair] = []
    for area, found in sorted(by_area.items()):
        group = [p for p in found if names_agree(facilities[p].name, facilities[area].name)]
        if not group or not all(
            names_agree(facilities[a].name, facilities[b].name) for a in group for b in group
        ):
            continue
        merged = _merged(facilities[area], [facilities[p] for p in group])
        out[area] = merged
        dropped.update(group)
        pairs += [
            MergedPair(merged.source_id, facilities[p].source_id, merged.type_code)
            for p in [area, *group]
            if facilities[p].source_id != merged.source_id
        ]
    kept = tuple(out.get(i, f) for i, f in enumerate(facilities) if i not in dropped)
    return kept, tuple(pairs)


def _nearest_areas(
    facilities: Sequence[Facility], points: list[int], areas: list[int]
) -> dict[int, list[int]]:
    """For each area, the points of its type that lie in or near it (each point once)."""
    lon = np.array([facilities[i].lon for i in points])
    lat = np.array([facilities[i].lat for i in points])
    metric = local_metric_transformer(float(lon.mean()), float(lat.mean()))
    x, y = metric.to_metres(lon, lat)
    spots = shapely.points(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]))
    outlines = np.array(
        [metric.geometry_to_metres(shapely.from_wkt(facilities[i].outline_wkt)) for i in areas]
    )
    hit, which = shapely.STRtree(outlines).query(spots, predicate="dwithin", distance=NEAR_AREA_M)
    kinds = np.array([facilities[i].type_code for i in points], dtype=object)
    area_kinds = np.array([facilities[i].type_code for i in areas], dtype=object)
    same = kinds[hit] == area_kinds[which]
    hit, which = hit[same], which[same]
    gap = shapely.distance(spots[hit], outlines[which])
    by_area: dict[int, list[int]] = defaultdict(list)
    order = np.lexsort((which, gap, hit))  # each point: its nearest area first
    first = order[np.r_[True, hit[order][1:] != hit[order][:-1]]] if len(order) else order
    for k in first.tolist():
        by_area[areas[int(which[k])]].append(points[int(hit[k])])
    return by_area


def _richness(f: Facility) -> int:
    return sum(bool(getattr(f, name)) for name in _FIELDS)


def _merged(area: Facility, points: list[Facility]) -> Facility:
    """Keep the richer record, its gaps filled from the others, on the area's outline."""
    best = max(points, key=_richness)
    base, others = (best, [area, *[p for p in points if p is not best]])
    if _richness(area) >= _richness(best):
        base, others = area, points

    def first(name: str) -> str:
        return next((str(getattr(f, name)) for f in [base, *others] if getattr(f, name)), "")

    extra = {k: v for f in reversed([base, *others]) for k, v in f.extra.items()}
    extra["merged"] = ";".join(f.source_id for f in others)
    return replace(
        base,
        name=first("name"),
        address=first("address"),
        phone=first("phone"),
        opening_hours=first("opening_hours"),
        lon=area.lon,
        lat=area.lat,
        outline_wkt=area.outline_wkt,
        entrances=area.entrances,
        extra=extra,
    )
