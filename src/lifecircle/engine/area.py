"""The area's data as the engine reads it: streets, facilities, compounds, boards, versions.

A frozen value read from the store once per build (:func:`lifecircle.jobs.area.read_area`);
the engine never opens the store itself. :func:`area_from_streets` makes a small one by hand
for examples and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from lifecircle.engine.graph import LocalRules
from lifecircle.errors import Msg
from lifecircle.model import Board, Compound, Facility, LonLat, WalkNode, WalkWay


@dataclass(frozen=True, eq=False)
class AreaData:
    """Everything the engine reads from the store, read once per build."""

    ways: tuple[WalkWay, ...]
    nodes: tuple[WalkNode, ...]
    facilities: tuple[Facility, ...]
    compounds: tuple[Compound, ...]
    boards: tuple[Board, ...]
    type_codes: tuple[str, ...]
    data_version: int
    data_date: str
    taxonomy_version: str
    #: Staff's local edits as graph rules (the same for every profile).
    rules: LocalRules = field(default_factory=LocalRules)
    #: Newest data version that changed the walking network (ways, nodes, local edits).
    network_version: int = 0
    #: Orphaned local edits (render in the user's language; ``str()`` is English).
    warnings: tuple[Msg, ...] = ()
    #: Types a sheet was declared to hold completely (:class:`~lifecircle.model.CompleteType`).
    complete_types: frozenset[str] = frozenset()

    @cached_property
    def collected_types(self) -> frozenset[str]:
        """Types the data holds: some open or closed facility, or a sheet declared complete.

        A type outside this set is *not collected* (未采集): with nothing of it reached, the
        faces say so instead of "missing" (:func:`lifecircle.engine.rules.verdict`). Planned
        facilities are proposals, not survey data, and do not count.

        >>> area = area_from_streets(
        ...     [(0.0, 0.0), (0.01, 0.0)],
        ...     facilities=[Facility("f", "药店", "pharmacy", 0.0, 0.0),
        ...                 Facility("p", "规划", "kindergarten", 0.0, 0.0, status="planned")],
        ... )
        >>> sorted(area.collected_types)
        ['pharmacy']
        """
        found = {f.type_code for f in self.facilities if f.status != "planned"}
        return frozenset(found | self.complete_types)

    @cached_property
    def _compound_rows(self) -> dict[str, int]:
        rows: dict[str, int] = {}
        names: dict[str, list[int]] = {}
        for i, compound in enumerate(self.compounds):
            rows.setdefault(compound.source_id, i)
            names.setdefault(compound.name, []).append(i)
        for name, found in names.items():
            if len(found) == 1:
                rows.setdefault(name, found[0])
        return rows

    def board_compound(self, board: int) -> int | None:
        """Return the compound a board serves (its row in ``compounds``), if it names one.

        A board's ``compound`` field holds a compound's id or its (unique) name; a community
        centre's board serves no compound.

        >>> area = area_from_streets(
        ...     [(0.0, 0.0), (0.01, 0.0)],
        ...     compounds=[Compound("c1", "友谊里", 0.0, 0.0)],
        ...     boards=[Board("b1", "门口", 0, 0, compound="友谊里"), Board("b2", "中心", 0, 0)],
        ... )
        >>> area.board_compound(0), area.board_compound(1)
        (0, None)
        """
        name = self.boards[board].compound
        return self._compound_rows.get(name) if name else None


def area_from_streets(
    street: Sequence[LonLat],
    *,
    facilities: Sequence[Facility] = (),
    compounds: Sequence[Compound] = (),
    boards: Sequence[Board] = (),
    type_codes: Sequence[str] | None = None,
) -> AreaData:
    """Make a small area by hand: one footway along ``street`` and the given points.

    >>> area = area_from_streets([(0.0, 0.0), (0.001, 0.0), (0.002, 0.0)])
    >>> len(area.ways), area.ways[0].node_ids
    (1, (1, 2, 3))
    """
    way = WalkWay(1, tuple(range(1, len(street) + 1)), tuple(street), {"highway": "footway"})
    codes = (
        tuple(type_codes)
        if type_codes is not None
        else tuple(sorted({f.type_code for f in facilities}))
    )
    return AreaData(
        ways=(way,),
        nodes=(),
        facilities=tuple(facilities),
        compounds=tuple(compounds),
        boards=tuple(boards),
        type_codes=codes,
        data_version=1,
        data_date="",
        taxonomy_version="",
    )
