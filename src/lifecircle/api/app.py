"""The web app factory: JSON API under /api, the resident page at / and /b/<board>, staff pages.

Wires routers, error handlers, static files and the served area together; it holds no
request logic itself (that is in one router module per resource).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from lifecircle import __version__
from lifecircle.api import staff
from lifecircle.api.errors import install_error_handlers
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
    index = resident / "index.html"

    @app.get("/", include_in_schema=False)
    def resident_page() -> Response:
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    @app.get("/b/{board_id}", include_in_schema=False)
    def board_page(board_id: str) -> Response:
        # the page reads the board id from its own address and asks /api/boards/<id>
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

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
    install_error_handlers(app)
    for router in _public_routers():
        app.include_router(router, prefix="/api")  # type: ignore[arg-type]
    app.include_router(staff.router, prefix="/api/staff")

    _mount_pages(app, project)
    return app


def app_from_environment() -> FastAPI:
    """App factory for ``uvicorn --factory`` (several workers): the project from the environment."""
    return create_app(open_project(Path(os.environ.get(PROJECT_ENV, "."))))
