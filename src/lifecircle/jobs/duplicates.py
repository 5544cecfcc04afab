"""Facilities that OSM and a staff sheet both hold: find the pairs, let staff decide, count once.

The same canteen mapped in OSM and listed in a community's sheet must count once in the
5/10/15-minute counts. Pairs are found by type, distance and name (Chinese characters or
pinyin); a pair above a clear threshold counts once unless staff split it, others wait for staff
to confirm. Decisions are records (``facility_match``) keyed by both source ids, so they survive
re-imports; every decision is one data version. :func:`counted_once` is what the build reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

from lifecircle.cache.entries import load_entry, save_entry
from lifecircle.errors import EditError
from lifecircle.geo import local_metric_transformer
from lifecircle.io.osm_merge import name_key
from lifecircle.model import Facility, FacilityMatch, MatchDecision
from lifecircle.project import Project
from lifecircle.store import DataVersion, Snapshot, Store
from lifecircle.store.accounts import AuditEntry
from lifecircle.version import __version__

#: OSM and sheet facilities of one type this close are compared at all (metres).
MATCH_RADIUS_M = 150.0
#: A pair counts once without asking when the names agree this well (0–1) ...
AUTO_SIMILARITY = 0.85
#: ... the two points lie this close (metres), and each is the other's best match.
AUTO_DISTANCE_M = 100.0
#: Pairs whose names agree this well are shown to staff to confirm or split.
SUGGEST_SIMILARITY = 0.5
#: An unnamed OSM facility of the type this close to a sheet's is shown too (metres).
UNNAMED_NEAR_M = 30.0
#: Scope of the stored decisions.
DECISIONS = "decisions"
#: Cache kind of the pairs found (``cache/review/pairs-<key>.npz``).
REVIEW = "review"


@dataclass(frozen=True)
class Pair:
    """An OSM facility and a staff facility that may be one place, and what is known of it.

    ``status``: ``auto`` (counts once; staff may split it), ``suggested`` (waits for staff),
    ``same`` / ``different`` (staff decided), ``orphaned`` (a decided record is gone).
    """

    osm_id: str
    sheet_id: str
    type_code: str
    osm_name: str
    sheet_name: str
    distance_m: float | None
    similarity: float | None
    status: str
    decided_by: str = ""
    decided_at: str = ""
    note: str = ""

    @property
    def counts_once(self) -> bool:
        """Whether the build counts the two as one facility."""
        return self.status in ("auto", "same")


@lru_cache(maxsize=4096)
def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin  # the import is slow: only when names are compared

    return name_key("".join(lazy_pinyin(name)))


def name_similarity(a: str, b: str) -> float:
    """How alike two facility names are, 0–1, in characters or in pinyin.

    A shared ending (大药房, 幼儿园 …) says only what the type already says, so names are
    compared without it; a name contained in the other (a branch's longer name) scores at
    least 0.9; an empty name scores 0.

    >>> name_similarity("老人家食堂", "Laorenjia Shitang")
    1.0
    >>> name_similarity("老百姓大药房", "老百姓大药房（中山路店）")
    0.9
    >>> name_similarity("益丰大药房", "老百姓大药房") < SUGGEST_SIMILARITY  # two brands
    True
    >>> name_similarity("", "药店")
    0.0
    """
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    sa, sb = _without_common_ending(ka, kb)
    best = max(
        SequenceMatcher(None, sa, sb).ratio(),
        SequenceMatcher(None, _pinyin(sa), _pinyin(sb)).ratio(),
    )
    for x, y in ((ka, kb), (sa, sb)):
        short, long_ = sorted((x, y), key=len)
        if len(short) >= 2 and short in long_:
            best = max(best, 0.9)
    return round(best, 4)


def _without_common_ending(a: str, b: str) -> tuple[str, str]:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return (a[:-n], b[:-n]) if n and n < len(a) and n < len(b) else (a, b)


def is_osm(facility: Facility) -> bool:
    """Whether a facility came from OSM (else from a sheet or a staff edit)."""
    return facility.source_id.startswith("osm:")


def find_pairs(facilities: Sequence[Facility]) -> list[Pair]:
    """Every OSM × staff pair of one type within :data:`MATCH_RADIUS_M`, auto or suggested.

    Closed and planned facilities take no part. A pair is ``auto`` when its names agree to
    :data:`AUTO_SIMILARITY`, it lies within :data:`AUTO_DISTANCE_M` and each is the other's
    best-scoring match; ``suggested`` when its names agree to :data:`SUGGEST_SIMILARITY`, or
    the OSM one is unnamed and within :data:`UNNAMED_NEAR_M`; other pairs are not listed.
    """
    live = [f for f in facilities if f.status == "open"]
    osm = [f for f in live if is_osm(f)]
    staff = [f for f in live if not is_osm(f)]
    if not osm or not staff:
        return []
    lon = np.array([f.lon for f in live])
    metric = local_metric_transformer(float(lon.mean()), float(np.mean([f.lat for f in live])))

    def spots(group: list[Facility]) -> np.ndarray:
        x, y = metric.to_metres(np.array([f.lon for f in group]), np.array([f.lat for f in group]))
        return np.asarray(shapely.points(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])))

    a, b = spots(osm), spots(staff)
    j, i = shapely.STRtree(a).query(b, predicate="dwithin", distance=MATCH_RADIUS_M)
    found = []
    for si, oi in zip(j.tolist(), i.tolist(), strict=True):
        o, s = osm[oi], staff[si]
        if o.type_code != s.type_code:
            continue
        dist = float(shapely.distance(a[oi], b[si]))
        found.append((o, s, dist, name_similarity(o.name, s.name)))
    return _classify(found)


def _classify(found: list[tuple[Facility, Facility, float, float]]) -> list[Pair]:
    best_of: dict[str, tuple[float, float]] = {}
    for o, s, dist, sim in found:
        for side in (o.source_id, s.source_id):
            best_of[side] = max(best_of.get(side, (-1.0, 0.0)), (sim, -dist))
    pairs = []
    for o, s, dist, sim in found:
        mutual = best_of[o.source_id] == best_of[s.source_id] == (sim, -dist)
        if sim >= AUTO_SIMILARITY and dist <= AUTO_DISTANCE_M and mutual:
            status = "auto"
        elif sim >= SUGGEST_SIMILARITY or (not name_key(o.name) and dist <= UNNAMED_NEAR_M):
            status = "suggested"
        else:
            continue
        ids, names = (o.source_id, s.source_id), (o.name, s.name)
        pairs.append(Pair(*ids, o.type_code, *names, round(dist, 1), sim, status))
    return sorted(pairs, key=lambda p: (p.type_code, p.sheet_id, p.osm_id))


def found_pairs(facilities: Sequence[Facility], *, cache_dir: Path | None = None) -> list[Pair]:
    """Return :func:`find_pairs`, kept in ``cache_dir`` by a digest of what it compares.

    Comparing names (in pinyin too) takes about 0.4 s for a district's 18,000 facilities, and
    every process that reads the area needs the pairs; an import has just found them.
    """
    if cache_dir is None:
        return find_pairs(facilities)
    key = _pairs_key(facilities)
    found = load_entry(cache_dir, REVIEW, "pairs", key)
    if found is not None:
        try:
            return [Pair(**pair) for pair in found[1]["pairs"]]
        except (KeyError, TypeError):
            pass  # an older or damaged entry: found again below
    pairs = find_pairs(facilities)
    info = {"pairs": [asdict(pair) for pair in pairs]}
    save_entry(cache_dir, REVIEW, "pairs", key, arrays={}, info=info)
    return pairs


def _pairs_key(facilities: Sequence[Facility]) -> str:
    """Digest of the code and of every facility field :func:`find_pairs` reads."""
    digest = hashlib.sha256(__version__.encode())
    for f in facilities:
        digest.update(
            f"{f.source_id}\t{f.status}\t{f.type_code}\t{f.name}\t{f.lon!r}\t{f.lat!r}\n".encode()
        )
    return digest.hexdigest()[:16]


def review(
    facilities: Sequence[Facility],
    decisions: Sequence[FacilityMatch],
    *,
    cache_dir: Path | None = None,
) -> list[Pair]:
    """List the pairs found with staff's decisions applied, and decisions on pairs not found.

    A decided pair keeps its decision even when its records moved or were renamed since;
    a decision whose record is gone is ``orphaned`` (it changes nothing). ``cache_dir``: the
    project's, where the pairs found are kept (see :func:`found_pairs`).
    """
    by_id = {f.source_id: f for f in facilities}
    decided = {(d.osm_id, d.sheet_id): d for d in decisions}
    out = []
    for pair in found_pairs(facilities, cache_dir=cache_dir):
        d = decided.pop((pair.osm_id, pair.sheet_id), None)
        out.append(pair if d is None else _decided(pair, d))
    for d in decided.values():
        o, s = by_id.get(d.osm_id), by_id.get(d.sheet_id)
        status = d.decision if o is not None and s is not None else "orphaned"
        pair = Pair(d.osm_id, d.sheet_id, d.type_code, d.osm_name, d.sheet_name, None, None, "")
        out.append(replace(_decided(pair, d), status=status))
    return out


def _decided(pair: Pair, d: FacilityMatch) -> Pair:
    return replace(
        pair, status=d.decision, decided_by=d.author, decided_at=d.decided_at, note=d.note
    )


def counted_once(
    facilities: Sequence[Facility],
    decisions: Sequence[FacilityMatch],
    *,
    cache_dir: Path | None = None,
) -> tuple[tuple[Facility, ...], list[Pair]]:
    """Fold every pair that counts once into its staff record (the OSM record goes).

    The staff record stays (it is the one staff keep current) and takes the OSM record's
    outline and entrances when it has none; the OSM record is dropped. Returns the kept
    facilities, in their order, and the pairs folded. ``cache_dir`` as for :func:`review`.
    """
    pairs = [p for p in review(facilities, decisions, cache_dir=cache_dir) if p.counts_once]
    index = {f.source_id: i for i, f in enumerate(facilities)}
    folded = [p for p in pairs if p.osm_id in index and p.sheet_id in index]
    dropped = {index[p.osm_id] for p in folded}
    kept = list(facilities)
    for p in folded:
        osm, staff_i = facilities[index[p.osm_id]], index[p.sheet_id]
        mine = kept[staff_i]
        same = ";".join(x for x in (mine.extra.get("same_as", ""), osm.source_id) if x)
        kept[staff_i] = replace(
            mine,
            outline_wkt=mine.outline_wkt or osm.outline_wkt,
            entrances=mine.entrances or (osm.entrances if not mine.outline_wkt else ()),
            extra={**mine.extra, "same_as": same},
        )
    return tuple(f for i, f in enumerate(kept) if i not in dropped), folded


def stored_decisions(store: Store) -> list[FacilityMatch]:
    """Return staff's decisions as stored."""
    return [d for d in store.records("facility_match") if isinstance(d, FacilityMatch)]


def duplicate_pairs(project: Project) -> list[Pair]:
    """Every pair to show staff (``lifecircle duplicates``, ``GET /api/staff/duplicates``)."""
    with project.open_store() as store:
        facilities = [f for f in store.records("facility") if isinstance(f, Facility)]
        return review(facilities, stored_decisions(store), cache_dir=project.cache_dir)


def decide(
    project: Project,
    osm_id: str,
    sheet_id: str,
    decision: MatchDecision | None,
    *,
    author: str,
    note: str = "",
    audit: AuditEntry | None = None,
) -> DataVersion | None:
    """Record (or, with ``decision`` None, forget) staff's decision on a pair: one version.

    Raises
    ------
    EditError
        Either id names no stored facility of its side (OSM, staff), or nothing to forget.
    """
    with project.open_store() as store:
        decisions = {d.key: d for d in stored_decisions(store)}
        osm, staff = store.get_record("facility", osm_id), store.get_record("facility", sheet_id)
        key = FacilityMatch(osm_id, sheet_id, "same").key
        if decision is None:
            if decisions.pop(key, None) is None:
                raise EditError("error.duplicates.not_decided", osm=osm_id, sheet=sheet_id)
        else:
            if not isinstance(osm, Facility) or not is_osm(osm):
                raise EditError("error.duplicates.not_osm", id=osm_id)
            if not isinstance(staff, Facility) or is_osm(staff):
                raise EditError("error.duplicates.not_staff", id=sheet_id)
            decisions[key] = FacilityMatch(
                osm_id, sheet_id, decision, osm.type_code, osm.name, staff.name, author,
                dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), note.strip(),
            )  # fmt: skip
        outcome = store.commit(
            [Snapshot("facility_match", DECISIONS, list(decisions.values()))],
            action="decide duplicates",
            source=f"{osm_id} | {sheet_id}",
            author=author,
            audit=audit,
        )
    return outcome.version
