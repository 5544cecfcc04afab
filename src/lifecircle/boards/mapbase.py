"""The map's base layers as :class:`~lifecircle.boards.basepdf.Layer` values, bottom first.

Background, walking bands, green and water, buildings, rail, the area beyond the map data,
streets, the board's own compound, the bands' edges and the walking routes: everything under
the signs and labels, drawn straight into the PDF (:mod:`lifecircle.boards.basepdf`). Sizes
in map millimetres; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from lifecircle.boards.basepdf import Layer
from lifecircle.boards.mapstyle import (
    BACKGROUND,
    BAND_EDGES,
    BAND_FILLS,
    OUTSIDE,
    ROUTE,
    STREET_STYLE,
    ComposedMap,
)
from lifecircle.boards.scenery import MapScenery

#: Base-map layers: fill colour and opacity (buildings darken what lies under them).
SCENERY_STYLE = {
    "green": ("#a9d18e", 0.55),
    "water": ("#8fc3e0", 1.0),
    "buildings": ("#4a3c28", 0.16),
}


def _dash(pattern: str, k: float) -> tuple[float, ...]:
    return tuple(float(v) * k for v in pattern.split())


def base_layers(composed: ComposedMap, scenery: MapScenery) -> list[Layer]:
    """Every base layer of a composed map, in drawing order."""
    frame, k = composed.layout.frame, composed.sizes.line
    box = shapely.box(0.0, 0.0, frame.width_mm, frame.height_mm)
    layers = [Layer([box], fill=BACKGROUND)]
    for area, fill in zip(reversed(scenery.walk_areas), reversed(BAND_FILLS), strict=False):
        layers.append(Layer([area], fill=fill))
    for name, (fill, opacity) in SCENERY_STYLE.items():
        layers.append(Layer(list(scenery.layers.get(name, ())), fill=fill, fill_opacity=opacity))
    layers.append(
        Layer(
            list(scenery.layers.get("rail", ())), stroke="#7d7d7d", width_mm=0.45 * k,
            dash_mm=(1.6 * k, 0.9 * k), round_ends=False,
        )
    )  # fmt: skip
    layers += _outside(scenery, k)
    layers += _streets(scenery, k)
    if composed.home is not None and not composed.home.is_empty:
        layers.append(
            Layer([composed.home], stroke="#17494d", width_mm=0.8 * k, dash_mm=(2.0 * k, 1.0 * k))
        )
    for area, (colour, dash) in zip(scenery.walk_areas, BAND_EDGES, strict=False):
        layers.append(Layer([area], stroke=colour, width_mm=0.7 * k, dash_mm=_dash(dash, k)))
    layers += _routes(composed.routes, k)
    return layers


def _outside(scenery: MapScenery, k: float) -> list[Layer]:
    """Grey with diagonal hatching where the frame reaches beyond the map data."""
    if scenery.outside.is_empty:
        return []
    x0, y0, x1, y1 = scenery.outside.bounds
    steps = np.arange(0.0, x1 - x0 + y1 - y0, 3.0 * k)
    hatch = shapely.multilinestrings([[(x0 + d, y0), (x0 + d - (y1 - y0), y1)] for d in steps])
    lines = shapely.intersection(hatch, scenery.outside)
    return [
        Layer([scenery.outside], fill=OUTSIDE),
        Layer([lines], stroke="#b9b5ac", width_mm=0.25 * k),
    ]


def _streets(scenery: MapScenery, k: float) -> list[Layer]:
    casing, fill = [], []
    for name, (case_color, case_w, color, width) in STREET_STYLE.items():
        lines = list(scenery.streets.get(name, ()))
        if not lines:
            continue
        if case_color:
            casing.append(Layer(lines, stroke=case_color, width_mm=case_w * k))
        dash = (0.9 * k, 0.6 * k) if name == "path" else ()
        fill.append(Layer(lines, stroke=color, width_mm=width * k, dash_mm=dash))
    return casing + fill


def _routes(routes: Sequence[tuple[BaseGeometry, int]], k: float) -> list[Layer]:
    """Route stretches, wider where more routes share them (the main walking routes)."""
    casing, lines = [], []
    for most in (1, 2, 3):
        group = [g for g, n in routes if min(n, 3) == most]
        if not group:
            continue
        width = (0.9 + 0.45 * (most - 1)) * k
        casing.append(Layer(group, stroke="#ffffff", width_mm=width + 0.8 * k))
        lines.append(Layer(group, stroke=ROUTE, width_mm=width))
    return casing + lines
