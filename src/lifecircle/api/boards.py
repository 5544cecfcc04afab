"""``GET /api/boards`` and one board (what a board's QR code resolves to).

Renders stored boards only; a board's access is in :mod:`lifecircle.api.access`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifecircle.api.common import Crs, CrsParam, SnapshotDep, cached_json, require
from lifecircle.api.schemas import BoardOut
from lifecircle.model import Board

router = APIRouter(tags=["boards"])


def board_payload(board: Board) -> dict[str, Any]:
    """One board as the API shows it (WGS-84)."""
    return {
        "id": board.board_id,
        "name": board.name,
        "kind": board.board_kind,
        "compound": board.compound,
        "community": board.community,
        "subdistrict": board.subdistrict,
        "lon": float(board.lon),
        "lat": float(board.lat),
    }


@router.get("/boards", response_model=list[BoardOut])
def list_boards(request: Request, snapshot: SnapshotDep, crs: CrsParam = Crs.wgs84) -> Response:
    """Every board."""
    boards = snapshot.data.boards
    return cached_json(request, snapshot, lambda: [board_payload(b) for b in boards], crs=crs)


@router.get("/boards/{board_id}", response_model=BoardOut)
def get_board(
    request: Request, board_id: str, snapshot: SnapshotDep, crs: CrsParam = Crs.wgs84
) -> Response:
    """One board by the id its QR code carries."""
    i = require(snapshot.board_index.get(board_id), "error.api.no_board", board=board_id)
    board = snapshot.data.boards[i]
    return cached_json(request, snapshot, lambda: board_payload(board), crs=crs)
