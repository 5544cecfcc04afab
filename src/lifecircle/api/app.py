"""The web app factory: JSON API under /api, the resident page at / and /b/<board>, staff pages.

Wires routers, error handlers, static files and the served area together; it holds no
request logic itself (that is in one router module per resource).
"""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from lifecircle import __version__
from lifecircle.api import staff
from lifecircle.api.errors import install_error_handlers
from lifecircle.api.fastpath import CachedAnswers
from lifecircle.api.state import AreaState
from lifecircle.project import Project, open_project

#: The environment variable naming the project folder, for ``uvicorn --factory`` workers.
PROJECT_ENV = "LIFECIRCLE_SERVE_PROJECT"
MAPLIBRE_DIST = Path("node_modules") / "maplibre-gl" / "dist"


def web_dir(name: str) -> Path:
    """Folder of one set of static pages (``resident`` or ``staff``) inside the package."""
    return Path(str(resources.files("lifecircle").joinpath("web", name)))


def maplibre_dir(project: Project) -> Path | None:
    """Where MapLibre GL JS from npm is: beside the project, the source checkout, or cwd."""
    checkout = Path(__file__).resolve().parents[3]
    for base in (project.root, checkout, Path.cwd()):
        if (base / MAPLIBRE_DIST / "maplibre-gl.mjs").is_file():
            return base / MAPLIBRE_DIST
    return None


def _public_routers() -> list[object]:
    from lifecircle.api import public

    return list(public.ROUTERS)


def _mount_pages(app: FastAPI, project: Project) -> None:
    resident = web_dir("resident")
    page = (resident / "index.html").read_bytes()
    etag = '"' + hashlib.blake2b(page, digest_size=12).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}

    def answer(request: Request) -> Response:
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)

    @app.get("/", include_in_schema=False)
    def resident_page(request: Request) -> Response:
        return answer(request)

    @app.get("/b/{board_id}", include_in_schema=False)
    def board_page(request: Request, board_id: str) -> Response:
        # the page reads the board id from its own address and asks /api/access/board/<id>
        return answer(request)

    app.mount("/static", StaticFiles(directory=resident), name="resident")
    vendor = maplibre_dir(project)
    if vendor is not None:
        app.mount("/vendor/maplibre", StaticFiles(directory=vendor), name="maplibre")
    staff_pages = web_dir("staff")
    if staff_pages.is_dir():
        app.mount("/staff", StaticFiles(directory=staff_pages, html=True), name="staff")


def create_app(project: Project, *, area: AreaState | None = None) -> FastAPI:
    """Build the app serving ``project`` (``area`` reuses already built results, e.g. in tests).

    Building the results (or loading them from the cache) happens here, before the first
    request, so requests never wait for a first build.
    """
    app = FastAPI(
        title="lifecircle",
        version=__version__,
        description="15-minute community life circle: walking access to services.",
    )
    app.state.area = area if area is not None else AreaState(project)
    app.add_middleware(CachedAnswers, area=lambda: app.state.area)
    install_error_handlers(app)
    for router in _public_routers():
        app.include_router(router, prefix="/api")  # type: ignore[arg-type]
    app.include_router(staff.router, prefix="/api/staff")

    _mount_pages(app, project)
    return app


def app_from_environment() -> FastAPI:
    """App factory for ``uvicorn --factory`` (several workers): the project from the environment."""
    return create_app(open_project(Path(os.environ.get(PROJECT_ENV, "."))))
