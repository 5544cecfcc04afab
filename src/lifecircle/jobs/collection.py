"""Which facility types the data holds, from which source, and which a sheet covers completely.

OSM rarely maps community facilities in China, so a type with no facility at all is *not
collected* (未采集) — unknown, not missing — until staff import a sheet and declare it complete
(``lifecircle import facilities x.xlsx --complete-types 早餐店``). Declarations are records
(:class:`~lifecircle.model.CompleteType`) written as data versions; they survive re-imports of
the sheet and of OSM until withdrawn. This module decides nothing about walking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from lifecircle.errors import ConfigError
from lifecircle.model import CompleteType, Facility
from lifecircle.project import Project
from lifecircle.store import DataVersion, Snapshot, Store
from lifecircle.taxonomy import Taxonomy

CollectionState = Literal["complete", "collected", "not_collected"]


@dataclass(frozen=True)
class TypeCollection:
    """One type's data: facilities per source scope, datasets declared complete, the state.

    ``state`` is ``complete`` (a sheet is declared to hold every facility of the type),
    ``collected`` (some facility, from OSM or a sheet, but no declaration: a gap found is
    real, a gap not found may be missing data) or ``not_collected`` (nothing at all).
    """

    type: str
    name_zh: str
    name_en: str
    area: str
    required: bool
    sources: dict[str, int]  # scope (osm, sheet:<dataset>, staff …) -> open or closed facilities
    complete_in: tuple[str, ...]  # datasets declared complete for the type
    state: CollectionState


def sheet_scope(dataset: str) -> str:
    """Return the store scope of a sheet dataset's records (``sheet:<dataset>``)."""
    return f"sheet:{dataset}"


def type_collection(
    facilities_by_scope: Mapping[str, Sequence[Facility]],
    declarations: Iterable[CompleteType],
    taxonomy: Taxonomy,
) -> list[TypeCollection]:
    """Summarise every type of the taxonomy (in its order) from the stored records.

    >>> from lifecircle.taxonomy import load_taxonomy
    >>> tax = load_taxonomy()
    >>> found = type_collection(
    ...     {"osm": [Facility("osm:node/1", "", "pharmacy", 0, 0)]},
    ...     [CompleteType("breakfast_shop", "社区设施", "wang", "2026-12-01")],
    ...     tax,
    ... )
    >>> {c.type: c.state for c in found if c.type in ("pharmacy", "breakfast_shop", "aed")}
    {'pharmacy': 'collected', 'breakfast_shop': 'complete', 'aed': 'not_collected'}
    """
    sources: dict[str, dict[str, int]] = {}
    for scope, facilities in facilities_by_scope.items():
        for f in facilities:
            if f.status != "planned":
                counts = sources.setdefault(f.type_code, {})
                counts[scope] = counts.get(scope, 0) + 1
    complete: dict[str, list[str]] = {}
    for declaration in declarations:
        complete.setdefault(declaration.type_code, []).append(declaration.dataset)
    found = []
    for ftype in taxonomy.types:
        datasets = tuple(sorted(complete.get(ftype.code, ())))
        counts = sources.get(ftype.code, {})
        state: CollectionState = (
            "complete" if datasets else "collected" if counts else "not_collected"
        )
        found.append(
            TypeCollection(
                ftype.code,
                ftype.name_zh,
                ftype.name_en,
                ftype.area,
                ftype.required,
                dict(sorted(counts.items())),
                datasets,
                state,
            )
        )
    return found


def read_collection(project: Project, store: Store) -> list[TypeCollection]:
    """Read the facilities (per scope) and declarations from ``store`` and summarise them."""
    by_scope = {
        scope: [f for f in store.records("facility", scope=scope) if isinstance(f, Facility)]
        for scope in store.scopes("facility")
    }
    declared = [d for d in store.records("complete_type") if isinstance(d, CompleteType)]
    return type_collection(by_scope, declared, project.taxonomy())


def resolve_types(taxonomy: Taxonomy, names: Sequence[str]) -> tuple[str, ...]:
    """Type codes of names as staff write them (code, Chinese name, AMap code), in order.

    Raises :class:`~lifecircle.errors.UnknownTypeError` (with suggestions) for an unknown name.
    """
    codes = [taxonomy.resolve_type(name.strip()).code for name in names if name.strip()]
    return tuple(dict.fromkeys(codes))


def split_names(text: str) -> list[str]:
    """Split ``--complete-types`` text on commas (ASCII, Chinese) and 、.

    >>> split_names("社区卫生服务站,早餐店，菜市场、 药店")
    ['社区卫生服务站', '早餐店', '菜市场', '药店']
    """
    for sep in ("，", "、"):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def declaration_snapshot(
    store: Store,
    dataset: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    author: str,
    source: str = "",
) -> Snapshot:
    """Return the dataset's declarations after adding and removing types (others kept as stored)."""
    scope = sheet_scope(dataset)
    kept = {
        d.type_code: d
        for d in store.records("complete_type", scope=scope)
        if isinstance(d, CompleteType) and d.type_code not in remove
    }
    today = dt.date.today().isoformat()
    for code in add:
        kept.setdefault(code, CompleteType(code, dataset, author, today, source))
    return Snapshot("complete_type", scope, list(kept.values()))


def change_declarations(
    project: Project,
    dataset: str,
    *,
    declare: Sequence[str] = (),
    withdraw: Sequence[str] = (),
    author: str = "cli",
) -> DataVersion | None:
    """Declare types complete in an imported dataset, or withdraw that; one data version.

    ``None`` when nothing changes (already declared / not declared).

    Raises
    ------
    ConfigError
        No facilities sheet of that dataset was ever imported.
    UnknownTypeError
        A type name is not in the taxonomy.
    """
    taxonomy = project.taxonomy()
    add, remove = resolve_types(taxonomy, declare), resolve_types(taxonomy, withdraw)
    with project.open_store() as store:
        known = [
            s.removeprefix("sheet:") for s in store.scopes("facility") if s.startswith("sheet:")
        ]
        known += [d.dataset for d in store.records("complete_type") if isinstance(d, CompleteType)]
        if dataset not in known:
            raise ConfigError(
                "error.collection.no_dataset", dataset=dataset, known=tuple(sorted(set(known)))
            )
        snapshot = declaration_snapshot(store, dataset, add=add, remove=remove, author=author)
        outcome = store.commit(
            [snapshot],
            action="declare complete" if add else "withdraw complete",
            source=sheet_scope(dataset),
            author=author,
        )
    return outcome.version
