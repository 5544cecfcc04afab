"""The build use case: from the stored data to access results for each walking profile.

Reads the store once (:func:`~lifecircle.jobs.area.read_area`), computes each profile's
results on its walk (:func:`~lifecircle.engine.results.compute_profile`) — in worker processes
for a large network — and caches them by data version. It renders nothing; the CLI and web
read the :class:`~lifecircle.engine.results.ProfileResult` values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack

from lifecircle.bulk import paused_gc
from lifecircle.cache.entries import entry_path, load_entry, save_entry
from lifecircle.engine.area import AreaData
from lifecircle.engine.profiles import DEFAULT_PROFILES, WalkProfile, get_profile
from lifecircle.engine.results import ProfileResult, compute_profile
from lifecircle.jobs.area import read_area
from lifecircle.jobs.build_parallel import BuildWorkers
from lifecircle.project import Project
from lifecircle.store.versions import DataVersion
from lifecircle.version import __version__

#: Below this many walkable ways, starting worker processes costs more than it saves.
PARALLEL_MIN_WAYS = 20_000
#: Cache kind of the build results (``cache/results/<profile>-<key>.npz``).
RESULTS = "results"
Progress = Callable[[str], None]


def cache_key(data: AreaData, profile: WalkProfile, project: Project) -> str:
    """Results are reused while data version, taxonomy, profile and snapping stay the same."""
    return _key(data.data_version, data.taxonomy_version, profile, project)


def _key(data_version: int, taxonomy_version: str, profile: WalkProfile, project: Project) -> str:
    basis = {
        "code": __version__,
        "data_version": data_version,
        "taxonomy": taxonomy_version,
        "profile": repr(profile),
        "snap_max_m": project.settings.snap_max_m,
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def cached_results(
    project: Project, profiles: Sequence[str] = DEFAULT_PROFILES
) -> dict[str, ProfileResult]:
    """Return the profiles' results cached for the store's current data, computing nothing.

    A profile not built for the current data version is absent (run :func:`build`).
    """
    with project.open_store() as store:
        keys = _current_keys(project, store.latest_version(), profiles)
    found = {}
    for name, key in keys.items():
        result = load_results(project, key, get_profile(name))
        if result is not None:
            found[name] = result
    return found


def _current_keys(
    project: Project, latest: DataVersion | None, profiles: Sequence[str]
) -> dict[str, str]:
    """Each profile's results cache key for the store's newest data version."""
    version, taxonomy = (latest.id if latest is not None else 0), project.taxonomy().version
    return {name: _key(version, taxonomy, get_profile(name), project) for name in profiles}


def load_results(project: Project, key: str, profile: WalkProfile) -> ProfileResult | None:
    """Return a profile's cached results, or ``None`` when absent, stale or damaged."""
    found = load_entry(project.cache_dir, RESULTS, profile.name, key)
    if found is None:
        return None
    try:
        return ProfileResult.from_arrays(*found, profile)
    except (KeyError, TypeError, ValueError):
        return None


def save_results(project: Project, key: str, result: ProfileResult) -> None:
    """Cache a profile's results (dropping that profile's older results)."""
    arrays, info = result.to_arrays()
    save_entry(project.cache_dir, RESULTS, result.profile.name, key, arrays=arrays, info=info)


def compute_results(
    data: AreaData,
    profiles: Sequence[WalkProfile],
    project: Project,
    workers: BuildWorkers | None = None,
) -> Iterator[ProfileResult]:
    """Compute profiles one after another, or in the ``workers`` already started.

    Each result is yielded as soon as it is done (from workers: in the order they finish).
    """
    if workers is not None:
        yield from workers.compute(data, profiles)
        return
    settings = project.settings
    for profile in profiles:
        yield compute_profile(
            data, profile, snap_max_m=settings.snap_max_m, cache_dir=project.cache_dir
        )


def build(
    project: Project,
    profiles: Sequence[str] = DEFAULT_PROFILES,
    *,
    force: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
) -> tuple[AreaData, dict[str, ProfileResult]]:
    """Build (or load from the cache) the results of each profile for the project.

    Profiles not in the cache are computed in up to ``workers`` processes (default: the
    ``build_workers`` setting) when the network is large enough for that to pay off
    (:data:`PARALLEL_MIN_WAYS` walkable ways); results are the same either way. The workers
    start before the store is read here, and read it themselves meanwhile.
    """
    with ExitStack() as stack:
        # the area's records, the network and the results are hundreds of thousands of objects
        # alive to the end, and none form cycles: a full collection walked them all, half a
        # second each time (see lifecircle.bulk)
        stack.enter_context(paused_gc())
        count = _worker_count(project, profiles, force=force, workers=workers)
        pool = stack.enter_context(BuildWorkers(project, count)) if count > 1 else None
        data = read_area(project)
        results: dict[str, ProfileResult] = {}
        todo: list[tuple[WalkProfile, str]] = []
        for name in profiles:
            profile = get_profile(name)
            key = cache_key(data, profile, project)
            cached = None if force else load_results(project, key, profile)
            if cached is not None:
                results[name] = cached
            else:
                todo.append((profile, key))
        if progress and todo:
            progress(", ".join(profile.name for profile, _ in todo))
        keys = {profile.name: key for profile, key in todo}
        for result in compute_results(data, [profile for profile, _ in todo], project, pool):
            save_results(project, keys[result.profile.name], result)  # while workers go on
            results[result.profile.name] = result
    return data, {name: results[name] for name in profiles}


def _worker_count(
    project: Project, profiles: Sequence[str], *, force: bool, workers: int | None
) -> int:
    """How many worker processes to start, decided before the area is read (1: none).

    None when every profile is cached for the store's current data; else ``workers`` or
    the ``build_workers`` setting, once the network has :data:`PARALLEL_MIN_WAYS` ways.
    """
    with project.open_store() as store:
        latest = store.latest_version()
        ways = store.count("walk_way")
    if workers is None:
        workers = project.settings.build_workers if ways >= PARALLEL_MIN_WAYS else 1
    if workers <= 1:
        return 1
    keys = _current_keys(project, latest, profiles)
    cached = [entry_path(project.cache_dir, RESULTS, name, key) for name, key in keys.items()]
    return 1 if not force and all(path.exists() for path in cached) else workers
