"""The resident page's map in headless Chromium at 360×640: street names drawn offline with the
phone's own fonts, markers a thumb can hit (a 44 px target), crowded markers clustered.

The map object is found on its container (``#map.areaMap``) to read where things are drawn.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web_fixtures import wait_true

#: Browser stories in Chromium: run in CI (LIFECIRCLE_TEST_ALL=1), not by a plain `make test`.
pytestmark = pytest.mark.slow

BOARD = "demo-gate-1"
HIT_PX = 22  # half the 44 px target


def _ready(page: Any, live_url: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_url}/b/{BOARD}")
    page.wait_for_selector("body[data-map-drawn='1']")
    page.requests = requests


def _drawn(page: Any, layer: str) -> int:
    return int(page.evaluate(f"document.getElementById('map').areaMap.drawn('{layer}')"))


def test_street_names_are_drawn_without_asking_anyone_for_glyphs(phone: Any, live_url: str) -> None:
    page = phone
    _ready(page, live_url)
    assert _drawn(page, "street-names") + _drawn(page, "street-names-minor") >= 3
    labels = page.evaluate(
        """() => document.getElementById("map").areaMap.map
            .queryRenderedFeatures({ layers: ["street-names", "street-names-minor"] })
            .map((f) => f.properties.name)"""
    )
    assert any("巷" in name or "街" in name or "路" in name for name in labels), labels
    # no glyph files: every label is drawn locally; nothing but this server was asked
    assert not [url for url in page.requests if ".pbf" in url or "font" in url], page.requests
    assert not page.outside, page.outside
    assert not page.errors, page.errors


def _lonely_marker(page: Any) -> dict[str, Any] | None:
    """A facility marker on screen with no other marker or cluster within 3 targets' reach."""
    return page.evaluate(
        """(hit) => {
            const m = document.getElementById("map").areaMap;
            const frame = m.map.getContainer().getBoundingClientRect();
            const all = m.map.queryRenderedFeatures({ layers: ["facilities", "clusters"] })
                .map((f) => ({ f, p: m.map.project(f.geometry.coordinates) }));
            for (const { f, p } of all) {
                if (f.layer.id !== "facilities") continue;
                if (p.x < 3 * hit || p.y < 3 * hit || p.x > frame.width - 3 * hit
                    || p.y > frame.height - 3 * hit) continue;
                const near = (o) => Math.hypot(o.p.x - p.x, o.p.y - p.y) < 3 * hit;
                if (all.some((o) => o.f !== f && near(o))) continue;
                return { id: f.properties.id, x: frame.left + p.x, y: frame.top + p.y };
            }
            return null;
        }""",
        HIT_PX,
    )


def test_a_tap_beside_a_marker_still_opens_it(phone: Any, live_url: str) -> None:
    page = phone
    _ready(page, live_url)
    page.evaluate("document.getElementById('map').areaMap.map.jumpTo({ zoom: 17 })")
    page.wait_for_timeout(300)
    marker = _lonely_marker(page)
    assert marker is not None
    radius = page.evaluate(
        "document.getElementById('map').areaMap.map.getPaintProperty('facilities', 'circle-radius')"
    )
    assert radius < HIT_PX - 6  # the dot drawn is smaller than the target it answers to
    # 16 px right and 14 px down of the dot's centre: outside the dot, inside the 44 px target
    page.mouse.click(marker["x"] + 16, marker["y"] + 14)
    page.wait_for_selector("#sheet:not([hidden])")
    assert page.locator("#sheet").get_attribute("data-facility") == marker["id"]


def test_crowded_markers_are_clustered_and_a_tap_on_a_cluster_zooms_in(
    phone: Any, live_url: str
) -> None:
    page = phone
    _ready(page, live_url)
    page.evaluate("document.getElementById('map').areaMap.map.jumpTo({ zoom: 14.5 })")
    page.wait_for_timeout(300)
    cluster = page.evaluate(
        """() => {
            const m = document.getElementById("map").areaMap;
            const frame = m.map.getContainer().getBoundingClientRect();
            const found = m.map.queryRenderedFeatures({ layers: ["clusters"] })
                .map((f) => ({
                    n: f.properties.point_count, p: m.map.project(f.geometry.coordinates) }))
                .filter(({ p }) => p.x > 30 && p.y > 30
                    && p.x < frame.width - 70 && p.y < frame.height - 30)
                .sort((a, b) => b.n - a.n)[0];
            return found && { n: found.n, x: frame.left + found.p.x, y: frame.top + found.p.y,
                              zoom: m.map.getZoom() };
        }"""
    )
    assert cluster is not None and cluster["n"] >= 2
    page.mouse.click(cluster["x"], cluster["y"])
    wait_true(
        page,
        "(zoom) => document.getElementById('map').areaMap.map.getZoom() > zoom",
        arg=cluster["zoom"] + 0.9,  # at least a step closer
    )
    assert page.locator("#sheet").is_hidden()  # a cluster zooms in; it opens nothing
