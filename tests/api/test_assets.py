"""The pages' static files: versioned addresses kept for a year, the rest revalidated, gzip.

MapLibre was sent as 1.1 MB uncompressed with no cache header; a phone on a slow line paid
that on every visit.
"""

from __future__ import annotations

import json
import re

from lifecircle.api.app import web_dir
from lifecircle.api.assets import IMMUTABLE, REVALIDATE, folder_digest, package_version

VERSIONED = re.compile(r"^/static/[0-9a-f]{12}/|^/vendor/maplibre/\d+\.\d+\.\d+/")


def _page_addresses(client) -> list[str]:
    page = client.get("/").text
    return re.findall(r'(?:src|href|content)="(/(?:static|vendor)/[^"]+)"', page)


def test_the_page_asks_for_its_files_at_versioned_addresses_kept_for_a_year(demo_client):
    addresses = _page_addresses(demo_client)
    assert len(addresses) >= 6  # icons, styles, scripts, MapLibre
    assert all(VERSIONED.match(a) for a in addresses), addresses
    assert f"/static/{folder_digest(web_dir('resident'))}/app.js" in addresses
    for address in addresses:
        answer = demo_client.get(address)
        assert answer.status_code == 200, address
        assert answer.headers["cache-control"] == IMMUTABLE
    # the page itself is asked again each time (it names the versions)
    assert demo_client.get("/b/demo-gate-1").headers["cache-control"] == "no-cache"


def test_maplibre_goes_gzipped_and_not_again_when_the_browser_has_it(demo_client):
    (script,) = [a for a in _page_addresses(demo_client) if a.endswith("maplibre-gl.mjs")]
    plain = demo_client.get(script, headers={"Accept-Encoding": "identity"})
    zipped = demo_client.get(script, headers={"Accept-Encoding": "gzip, deflate"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx unzips it
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3
    assert "javascript" in zipped.headers["content-type"]
    again = demo_client.get(script, headers={"If-None-Match": zipped.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    # the worker MapLibre starts, next to it, is served the same way
    worker = demo_client.get(script.replace("maplibre-gl.mjs", "maplibre-gl-worker.mjs"))
    assert worker.status_code == 200 and worker.headers["content-encoding"] == "gzip"


def test_unversioned_addresses_still_answer_and_are_revalidated(demo_client):
    # the staff pages import the resident page's api.js and MapLibre without a version
    for address in ("/static/api.js", "/vendor/maplibre/maplibre-gl.mjs"):
        first = demo_client.get(address)
        assert first.status_code == 200
        assert first.headers["cache-control"] == REVALIDATE and first.headers["etag"]
        again = demo_client.get(address, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304


def test_another_version_or_a_path_outside_the_folder_is_not_found(demo_client):
    assert demo_client.get("/static/000000000000/app.js").status_code == 404
    assert demo_client.get("/static/%2e%2e/api/app.py").status_code == 404
    assert demo_client.get("/vendor/maplibre/0.0.1/maplibre-gl.mjs").status_code == 404
    assert demo_client.get("/static/no-such-file.js").status_code == 404


def test_the_icons_are_served(demo_client):
    icon = demo_client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    svg = [a for a in _page_addresses(demo_client) if a.endswith("favicon.svg")]
    assert svg and demo_client.get(svg[0]).headers["content-type"] == "image/svg+xml"


def test_the_version_of_the_pages_changes_with_any_byte(tmp_path):
    (tmp_path / "app.js").write_text("let a = 1;\n")
    first = folder_digest(tmp_path)
    assert first == folder_digest(tmp_path) and len(first) == 12
    (tmp_path / "app.js").write_text("let a = 2;\n")
    assert folder_digest(tmp_path) != first


def test_package_version_reads_the_npm_package_beside_its_dist(tmp_path):
    dist = tmp_path / "maplibre-gl" / "dist"
    dist.mkdir(parents=True)
    assert package_version(dist) == ""
    (dist.parent / "package.json").write_text(json.dumps({"version": "6.17.0"}))
    assert package_version(dist) == "6.17.0"


# ---- the staff's pages: the map, the grid desk, welfare visits and their shared module ----

STAFF_VERSIONED = re.compile(
    r"^/(?:static|staff|desk|care|shared)/[0-9a-f]{12}/|^/vendor/maplibre/\d+\.\d+\.\d+/"
)
IMPORTS = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["'](/[^"']+)["']""")


def _module_graph(client, page: str) -> dict[str, str]:
    """Every address a staff page and the modules it imports ask for, with its Cache-Control."""
    html = client.get(page).text
    todo = re.findall(r'(?:src|href)="(/[^"]+)"', html)
    seen: dict[str, str] = {}
    while todo:
        address = todo.pop()
        if address in seen:
            continue
        answer = client.get(address)
        assert answer.status_code == 200, address
        seen[address] = answer.headers["cache-control"]
        if address.endswith(".js"):
            todo.extend(IMPORTS.findall(answer.text))
    return seen


def test_staff_pages_and_every_module_they_import_are_versioned_and_kept_for_a_year(
    demo_client,
):
    version = folder_digest(web_dir(""))
    for page in ("/staff/", "/desk/", "/care/"):
        answer = demo_client.get(page)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == REVALIDATE and answer.headers["etag"]
        assert "default-src 'self'" in answer.headers["content-security-policy"]
        graph = _module_graph(demo_client, page)
        assert len(graph) >= 4, graph  # styles, the page's module, the shared one, api.js
        assert all(STAFF_VERSIONED.match(a) for a in graph), sorted(graph)
        assert set(graph.values()) == {IMMUTABLE}, graph
        # one shared module for all three pages, at the version naming every page folder
        assert f"/shared/{version}/core.js" in graph
        assert f"/shared/{version}/status.css" in graph
        assert f"/static/{folder_digest(web_dir('resident'))}/api.js" in graph
        again = demo_client.get(page, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304


def test_a_staff_module_at_its_plain_address_is_revalidated_and_imports_versioned_ones(
    demo_client,
):
    plain = demo_client.get("/desk/desk.js")
    assert plain.headers["cache-control"] == REVALIDATE
    assert 'from "/shared/' in plain.text
    assert all(STAFF_VERSIONED.match(a) for a in IMPORTS.findall(plain.text))
    # a link to a page is not an import: it keeps its plain address
    assert 'history.replaceState(null, "", "/desk/")' in plain.text
    assert demo_client.get("/shared/000000000000/core.js").status_code == 404
