"""What residents see about their compound on a board or the phone page: cases and answers.

"近30天本小区反映的问题 N 件，已办结 M 件" — counts only (duplicates once, nothing personal), for
a compound, or for a board (its compound, else its community).
"""

from __future__ import annotations

from typing import Any

from lifecircle.desk.context import Desk
from lifecircle.desk.intake import find_compound
from lifecircle.errors import DeskError
from lifecircle.i18n import t
from lifecircle.model import Board, Compound

SUMMARY_DAYS = 30
#: A case counts as answered once handled (办结) or closed.
DONE_STATES = frozenset({"done", "closed"})


def _summary(desk: Desk, column: str, value: str, name: str, lang: str) -> dict[str, Any]:
    since = desk.now() - SUMMARY_DAYS * 86400
    n, done = desk.store.cases.counts_since(column, value, since, DONE_STATES)
    key = "desk.summary.compound" if column == "compound_key" else "desk.summary.community"
    return {
        "scope": "compound" if column == "compound_key" else "community",
        "name": name,
        "days": SUMMARY_DAYS,
        "cases": n,
        "done": done,
        "text": t(key, lang, days=SUMMARY_DAYS, n=n, m=done),
    }


def compound_summary(desk: Desk, compound_key: str, lang: str) -> dict[str, Any]:
    """Count a compound's cases of the last 30 days and those handled.

    Raises
    ------
    DeskError
        There is no such compound.
    """
    found = desk.store.get_record("compound", compound_key)
    if not isinstance(found, Compound):
        raise DeskError("error.desk.no_compound", field="compound", value=compound_key)
    return _summary(desk, "compound_key", found.key, found.name, lang)


def board_summary(desk: Desk, board_id: str, lang: str) -> dict[str, Any]:
    """Count the cases of a board's compound (else its community) of the last 30 days.

    A board names its compound by id or by unique name, as in the boards sheet.

    Raises
    ------
    DeskError
        There is no such board, its compound is unknown or ambiguous, or it names neither a
        compound nor a community.
    """
    board = desk.store.get_record("board", board_id)
    if not isinstance(board, Board):
        raise DeskError("error.desk.no_board", field="board", value=board_id)
    compound = find_compound(desk, board.compound)
    if compound is not None:
        return _summary(desk, "compound_key", compound.key, compound.name, lang)
    if board.community:
        return _summary(desk, "community", board.community, board.community, lang)
    raise DeskError("error.desk.board_without_area", field="board", value=board_id)
