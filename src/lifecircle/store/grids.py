"""Stored grids (网格, 微网格) of the grid desk: replace the set in one write, read it back.

SQL only: checking a grid file and routing a case to a grid are :mod:`lifecircle.desk.grids`.
A grid absent from a new import is retired, never deleted, so old cases keep their grid.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection, RowMapping, insert, select

from lifecircle.store.accounts import AuditEntry, write_audit
from lifecircle.store.engine import utc_timestamp
from lifecircle.store.schema import desk_grids, meta
from lifecircle.store.tables import TableGroup, dumps

#: Meta key whose value changes with every grid import (routing caches key on it).
GRIDS_VERSION_META = "desk_grids_version"


@dataclass(frozen=True)
class GridRow:
    """One grid or micro-grid: where it is (outline or compounds) and what it belongs to."""

    code: str
    name: str
    kind: str  # grid | microgrid
    parent: str = ""
    community: str = ""
    subdistrict: str = ""
    district: str = ""
    outline_wkt: str | None = None
    compounds: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    source: str = ""
    retired: bool = False
    updated_at: int = 0

    def same_as(self, other: GridRow) -> bool:
        """Tell whether two rows hold the same grid (ignoring when each was written)."""
        return replace(self, updated_at=0) == replace(other, updated_at=0)


@dataclass(frozen=True)
class GridChanges:
    """What an import did to the stored grids."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    retired: tuple[str, ...]
    unchanged: int


def _row(row: RowMapping) -> GridRow:
    box = (row["min_lon"], row["min_lat"], row["max_lon"], row["max_lat"])
    return GridRow(
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        parent=row["parent"],
        community=row["community"],
        subdistrict=row["subdistrict"],
        district=row["district"],
        outline_wkt=row["outline_wkt"],
        compounds=tuple(json.loads(row["compounds"])),
        bbox=None if box[0] is None else (box[0], box[1], box[2], box[3]),
        source=row["source"],
        retired=bool(row["retired"]),
        updated_at=int(row["updated_at"]),
    )


def _values(grid: GridRow) -> dict[str, object]:
    box = grid.bbox or (None, None, None, None)
    return {
        "code": grid.code,
        "name": grid.name,
        "kind": grid.kind,
        "parent": grid.parent,
        "community": grid.community,
        "subdistrict": grid.subdistrict,
        "district": grid.district,
        "outline_wkt": grid.outline_wkt,
        "compounds": dumps(list(grid.compounds)),
        "min_lon": box[0],
        "min_lat": box[1],
        "max_lon": box[2],
        "max_lat": box[3],
        "source": grid.source,
        "retired": int(grid.retired),
        "updated_at": grid.updated_at,
    }


class Grids(TableGroup):
    """The desk_grids table of one store (get it as ``store.grids``)."""

    def all(self, *, include_retired: bool = False) -> list[GridRow]:
        """Return every grid, by code (retired ones only when asked)."""
        query = select(desk_grids).order_by(desk_grids.c.code)
        if not include_retired:
            query = query.where(desk_grids.c.retired == 0)
        with self.tx(write=False) as conn:
            return [_row(r) for r in conn.execute(query).mappings()]

    def get(self, code: str) -> GridRow | None:
        """Return one grid by code (retired ones too), or ``None``."""
        query = select(desk_grids).where(desk_grids.c.code == code)
        with self.tx(write=False) as conn:
            found = conn.execute(query).mappings().first()
        return None if found is None else _row(found)

    def version(self) -> str:
        """Return a value that changes with every import that changed the grids ("": none yet)."""
        query = select(meta.c.value).where(meta.c.key == GRIDS_VERSION_META)
        with self.tx(write=False) as conn:
            value = conn.execute(query).scalar()
        return "" if value is None else str(value)

    def replace_all(
        self, grids: Sequence[GridRow], *, now_s: int, audit: AuditEntry
    ) -> GridChanges:
        """Make the active grids exactly ``grids`` in one transaction; the rest are retired.

        The audit row (with the counts added to its detail) is written in the same transaction.
        """
        with self.tx(write=True) as conn:
            stored = {
                r.code: r for r in (_row(m) for m in conn.execute(select(desk_grids)).mappings())
            }
            added, changed = [], []
            for grid in grids:
                old = stored.get(grid.code)
                if old is None:
                    added.append(grid.code)
                    conn.execute(
                        insert(desk_grids).values(**_values(replace(grid, updated_at=now_s)))
                    )
                elif not old.same_as(grid):
                    changed.append(grid.code)
                    new = _values(replace(grid, updated_at=now_s, retired=False))
                    conn.execute(
                        desk_grids.update().where(desk_grids.c.code == grid.code).values(**new)
                    )
            keep = {g.code for g in grids}
            retired = sorted(c for c, r in stored.items() if c not in keep and not r.retired)
            if retired:
                conn.execute(
                    desk_grids.update()
                    .where(desk_grids.c.code.in_(retired))
                    .values(retired=1, updated_at=now_s)
                )
            result = GridChanges(
                tuple(added), tuple(changed), tuple(retired), len(grids) - len(added) - len(changed)
            )
            if added or changed or retired:
                _bump_version(conn)
            counts = {"added": len(added), "changed": len(changed), "retired": len(retired)}
            write_audit(conn, replace(audit, detail={**audit.detail, **counts}), version_id=None)
        return result


def _bump_version(conn: Connection) -> None:
    value = f"{utc_timestamp()}:{secrets.token_hex(6)}"
    conn.execute(meta.delete().where(meta.c.key == GRIDS_VERSION_META))
    conn.execute(insert(meta).values(key=GRIDS_VERSION_META, value=value))
