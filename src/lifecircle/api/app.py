"""The web app factory: JSON API under /api, the resident page at / and /b/<board>, staff pages.

Wires routers, error handlers, static files and the served area together; it holds no
request logic itself (that is in one router module per resource).
"""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from lifecircle.api import staff
from lifecircle.api.assets import (
    AssetFiles,
    folder_digest,
    package_version,
    read_asset,
    versioned_page,
)
from lifecircle.api.errors import install_error_handlers
from lifecircle.api.fastpath import CachedAnswers
from lifecircle.api.state import AreaState
from lifecircle.api.warmup import lifespan
from lifecircle.project import Project, open_project
from lifecircle.version import __version__

#: The environment variable naming the project folder, for ``uvicorn --factory`` workers.
PROJECT_ENV = "LIFECIRCLE_SERVE_PROJECT"
MAPLIBRE_DIST = Path("node_modules") / "maplibre-gl" / "dist"
#: Swagger UI from npm, so /docs works on an offline intranet too.
SWAGGER_DIST = Path("node_modules") / "swagger-ui-dist"


def web_dir(name: str) -> Path:
    """Folder of one set of static pages (``resident`` or ``staff``) inside the package."""
    return Path(str(resources.files("lifecircle").joinpath("web", name)))


def npm_dir(project: Project, dist: Path, probe: str) -> Path | None:
    """Where an npm package's files are: beside the project, the source checkout, or cwd."""
    checkout = Path(__file__).resolve().parents[3]
    for base in (project.root, checkout, Path.cwd()):
        if (base / dist / probe).is_file():
            return base / dist
    return None


def maplibre_dir(project: Project) -> Path | None:
    """Where MapLibre GL JS from npm is (``None`` when ``npm ci`` has not run)."""
    return npm_dir(project, MAPLIBRE_DIST, "maplibre-gl.mjs")


def _mount_docs(app: FastAPI, project: Project) -> None:
    vendor = npm_dir(project, SWAGGER_DIST, "swagger-ui-bundle.js")
    if vendor is None:
        return
    app.mount("/vendor/swagger-ui", StaticFiles(directory=vendor), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="lifecircle API",
            swagger_js_url="/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/vendor/swagger-ui/favicon-32x32.png",
        )


def content_security_policy(tile_url: str = "") -> str:
    """Return the pages' Content-Security-Policy: all from this server (plus the tile host).

    >>> policy = content_security_policy("https://t0.tianditu.gov.cn/img_w/wmts?x={x}&y={y}&l={z}")
    >>> policy.startswith("default-src 'self'; img-src 'self' data: blob: https://t0.tianditu")
    True
    """
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url)
        tiles = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return (
        "default-src 'self'; "
        f"img-src 'self' data: blob:{tiles}; "
        f"connect-src 'self'{tiles}; "
        "worker-src 'self' blob:; "
        "style-src 'self' 'unsafe-inline'; "  # MapLibre positions its markers with inline styles
        "object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
    )


def _public_routers() -> list[object]:
    from lifecircle.api import public

    return list(public.ROUTERS)


def _resident_page(
    resident: Path, vendor: Path | None, name: str = "index.html"
) -> tuple[bytes, str, str]:
    """Return a resident page with versioned addresses, and the two versions it names.

    Its files are asked for under ``/static/<digest of the folder>/`` and MapLibre under
    ``/vendor/maplibre/<package version>/``, so browsers may keep them for a year.
    """
    static_version = folder_digest(resident)
    prefixes = {"/static/": f"/static/{static_version}/"}
    vendor_version = package_version(vendor) if vendor is not None else ""
    if vendor_version:
        prefixes["/vendor/maplibre/"] = f"/vendor/maplibre/{vendor_version}/"
    html = versioned_page((resident / name).read_text(encoding="utf-8"), prefixes)
    return html.encode(), static_version, vendor_version


def _include_desk(app: FastAPI) -> None:
    """Include the grid desk's JSON API under /api and its Open311 face at /open311/v2."""
    from lifecircle.api import desk, open311

    for router in desk.ROUTERS:
        app.include_router(router, prefix="/api")
    app.include_router(desk.public.pages)
    app.include_router(open311.router)


def _include_care(app: FastAPI) -> None:
    """Include the welfare register's JSON API under /api/care (its phone page: _mount_pages)."""
    from lifecircle.api import care

    for router in care.ROUTERS:
        app.include_router(router, prefix="/api")


#: The staff's pages (the map, the grid desk, welfare visits) and the module they all import.
STAFF_PAGES = ("staff", "desk", "care", "shared")


def _mount_staff_pages(app: FastAPI, prefixes: dict[str, str], policies: dict[str, str]) -> None:
    """Mount the staff's pages at /staff/, /desk/, /care/ and their shared module at /shared/.

    One version names them all (the digest of every page folder, the resident page's whose
    api.js they import included): a page asks for its styles and scripts under
    ``/<folder>/<version>/``, each module imports the others there, and browsers keep them
    for a year; the pages themselves are revalidated.
    """
    version = folder_digest(web_dir(""))
    rewrite = dict(prefixes) | {f"/{name}/": f"/{name}/{version}/" for name in STAFF_PAGES}
    for name in STAFF_PAGES:
        folder = web_dir(name)
        if folder.is_dir():
            files = AssetFiles(
                directory=folder,
                version=version,
                rewrite=rewrite,
                html=True,
                policy=policies.get(name, policies["staff"]),
            )
            app.mount(f"/{name}", files, name=name)


def _mount_pages(app: FastAPI, project: Project) -> None:
    resident = web_dir("resident")
    vendor = maplibre_dir(project)
    page, static_version, vendor_version = _resident_page(resident, vendor)
    etag = '"' + hashlib.blake2b(page, digest_size=12).hexdigest() + '"'
    policy = content_security_policy(project.settings.tile_url)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Content-Security-Policy": policy}

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

    icon = read_asset(resident / "favicon.ico")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        # asked for by browsers and apps that do not read the page's <link rel="icon">
        cache = {"ETag": icon.etag, "Cache-Control": "public, max-age=86400"}
        return Response(icon.body, media_type=icon.media_type, headers=cache)

    case_page, _, _ = _resident_page(resident, vendor, "case.html")
    # /c/<token> (api/desk/public.py) answers a browser with this page, anyone else with JSON
    case_headers = {"Cache-Control": "no-cache", "Content-Security-Policy": policy}
    app.state.case_page = (case_page, case_headers)

    app.mount("/static", AssetFiles(directory=resident, version=static_version), name="resident")
    if vendor is not None:
        files = AssetFiles(directory=vendor, version=vendor_version)
        app.mount("/vendor/maplibre", files, name="maplibre")
    prefixes = {"/static/": f"/static/{static_version}/"}
    if vendor_version:
        prefixes["/vendor/maplibre/"] = f"/vendor/maplibre/{vendor_version}/"
    # the welfare page draws no map: no tile host
    _mount_staff_pages(app, prefixes, {"staff": policy, "care": content_security_policy()})


def create_app(project: Project, *, area: AreaState | None = None) -> FastAPI:
    """Build the app serving ``project`` (``area`` reuses already built results, e.g. in tests).

    Building the results (or loading them from the cache) happens here, before the first
    request, so requests never wait for a first build; the rest of what first requests would
    pay for is done by the app's lifespan (:mod:`lifecircle.api.warmup`) before it listens.
    """
    app = FastAPI(
        title="lifecircle",
        version=__version__,
        description="15-minute community life circle: walking access to services.",
        docs_url=None,  # served from npm's swagger-ui-dist below, not from a CDN
        redoc_url=None,
        lifespan=lifespan,  # ready before it listens: the first requests' one-time work
    )
    app.state.area = area if area is not None else AreaState(project)
    app.add_middleware(CachedAnswers, area=lambda: app.state.area)
    install_error_handlers(app)
    for router in _public_routers():
        app.include_router(router, prefix="/api")  # type: ignore[arg-type]
    app.include_router(staff.router, prefix="/api/staff")
    _include_desk(app)
    _include_care(app)

    _mount_pages(app, project)
    _mount_docs(app, project)
    return app


def app_from_environment() -> FastAPI:
    """App factory for ``uvicorn --factory`` (several workers): the project from the environment."""
    return create_app(open_project(Path(os.environ.get(PROJECT_ENV, "."))))
