"""Printable service-circle boards (展板): one vector PDF per board, a PNG preview and an index.

Public entry point: :func:`make_boards`; the pieces (content, layout, map, page, render) are
modules of this package. Nothing happens at import time.
"""

from __future__ import annotations

from lifecircle.boards.batch import BoardsRun, board_contents, make_boards
from lifecircle.boards.options import BOARDS_FILE, PAPERS, BoardOptions, Paper

__all__ = [
    "BOARDS_FILE",
    "PAPERS",
    "BoardOptions",
    "BoardsRun",
    "Paper",
    "board_contents",
    "make_boards",
]
