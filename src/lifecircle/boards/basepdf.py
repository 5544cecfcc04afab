"""The map's heavy layers (streets, buildings, walking bands, routes) as raw PDF drawing.

WeasyPrint parses SVG path data in Python, which took most of a board's time for the ten
thousand vertices of a city map. These layers are plain filled and stroked paths, so they are
written here directly as PDF operators (vertices projected with numpy) and put under the page
WeasyPrint made, with pikepdf (qpdf), without touching WeasyPrint's own drawing. Markers,
labels and the map furniture stay in SVG on top. Colours are RGB, or CMYK for print shops.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pikepdf
import shapely
from shapely.geometry.base import BaseGeometry

from lifecircle.boards.printing import cmyk_of
from lifecircle.boards.symbols import PT_MM


@dataclass(frozen=True)
class Layer:
    """Geometries (map millimetres) drawn alike: filled, stroked, or both.

    ``dash_mm`` is a dash pattern (empty: solid); ``evenodd`` fills polygons with holes.
    """

    geoms: Sequence[BaseGeometry]
    fill: str = ""
    fill_opacity: float = 1.0
    stroke: str = ""
    width_mm: float = 0.0
    dash_mm: tuple[float, ...] = ()
    round_ends: bool = True


@dataclass(frozen=True)
class Placement:
    """Where the map sits on the page: its top-left corner and size (mm), the page height."""

    left_mm: float
    top_mm: float
    width_mm: float
    height_mm: float
    page_height_mm: float


def colour_operator(colour: str, *, stroke: bool, cmyk: bool) -> str:
    """Return the operator setting ``colour`` (``#rrggbb``) for fills or strokes, RGB or CMYK."""
    if cmyk:
        c, m, y, k = cmyk_of(colour)
        return f"{c:g} {m:g} {y:g} {k:g} {'K' if stroke else 'k'}"
    digits = colour.lstrip("#")
    r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return f"{r:.3f} {g:.3f} {b:.3f} {'RG' if stroke else 'rg'}"


def _pieces(geoms: Sequence[BaseGeometry]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring (closed) and line (open) of some geometries, vectorised.

    Returns all their vertices, each piece's number of vertices and whether it is closed.
    """
    parts = shapely.get_parts(np.asarray(list(geoms), dtype=object))
    parts = parts[~shapely.is_empty(parts)]
    kinds = shapely.get_type_id(parts)
    rings = shapely.get_rings(parts[kinds == 3])  # polygons: exterior and holes
    lines = parts[(kinds == 1) | (kinds == 2)]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for pieces, closed in ((rings, True), (lines, False)):
        if not len(pieces):
            continue
        coords, index = shapely.get_coordinates(pieces, return_index=True)
        if not len(coords):
            continue
        starts = np.flatnonzero(np.r_[True, np.diff(index) != 0])
        counts = np.diff(np.r_[starts, len(coords)])
        found.append((coords, counts, np.full(len(counts), closed)))
    if not found:
        return np.empty((0, 2)), np.empty(0, dtype=np.int64), np.empty(0, dtype=bool)
    every, counts, shut = (np.concatenate(arrays) for arrays in zip(*found, strict=True))
    return every, counts, shut


def _path(layer: Layer, at: Placement) -> str:
    """PDF path operators of a layer's geometries, in points (origin at the page's foot)."""
    xy, counts, closed = _pieces(layer.geoms)
    drawn = counts >= 2
    if not drawn.any():
        return ""
    xy = xy[np.repeat(drawn, counts)]
    points = np.empty_like(xy)
    points[:, 0] = (at.left_mm + xy[:, 0]) / PT_MM
    points[:, 1] = (at.page_height_mm - at.top_mm - xy[:, 1]) / PT_MM
    # one %-format over every vertex ("%.2f" prints exactly as f"{v:.2f}")
    templates: dict[tuple[int, bool], str] = {}
    parts = []
    for key in zip(counts[drawn].tolist(), closed[drawn].tolist(), strict=True):
        if key not in templates:
            n, shut = key
            templates[key] = "%.2f %.2f m\n" + "%.2f %.2f l\n" * (n - 1) + ("h\n" if shut else "")
        parts.append(templates[key])
    return "".join(parts) % tuple(points.ravel().tolist())


def layer_operators(layer: Layer, at: Placement, *, cmyk: bool, state: str | None) -> str:
    """Return the operators drawing one layer (``state``: the ExtGState of its opacity)."""
    path = _path(layer, at)
    if not path:
        return ""
    ops = ["q"]
    if state:
        ops.append(f"/{state} gs")
    if layer.fill:
        ops.append(colour_operator(layer.fill, stroke=False, cmyk=cmyk))
    if layer.stroke:
        ops.append(colour_operator(layer.stroke, stroke=True, cmyk=cmyk))
        ops.append(f"{layer.width_mm / PT_MM:.3f} w")
        ops.append("1 J 1 j" if layer.round_ends else "0 J 0 j")
        if layer.dash_mm:
            ops.append(f"[{' '.join(f'{d / PT_MM:.2f}' for d in layer.dash_mm)}] 0 d")
    paint = "B*" if layer.fill and layer.stroke else ("f*" if layer.fill else "S")
    return "\n".join(ops) + "\n" + path + paint + "\nQ\n"


def base_stream(
    layers: Sequence[Layer], at: Placement, *, cmyk: bool
) -> tuple[bytes, dict[str, float]]:
    """Return every layer's drawing, clipped to the map, and the opacities it names."""
    states: dict[str, float] = {}
    parts = ["q"]
    x = at.left_mm / PT_MM
    y = (at.page_height_mm - at.top_mm - at.height_mm) / PT_MM
    parts.append(f"{x:.2f} {y:.2f} {at.width_mm / PT_MM:.2f} {at.height_mm / PT_MM:.2f} re W n")
    for layer in layers:
        state = None
        if layer.fill_opacity < 1.0:
            state = f"LcA{round(layer.fill_opacity * 100)}"
            states[state] = layer.fill_opacity
        parts.append(layer_operators(layer, at, cmyk=cmyk, state=state))
    parts.append("Q\n")
    return "\n".join(parts).encode("ascii"), states


def page_resources(pdf: pikepdf.Pdf, kind: str) -> pikepdf.Dictionary:
    """Return the first page's resources of ``kind`` (``/ExtGState``, ``/Font``), made if new."""
    page = pdf.pages[0]
    resources = page.obj.get("/Resources")
    if resources is None:
        resources = page.obj.Resources = pikepdf.Dictionary()
    found = resources.get(kind)
    if found is None:
        found = resources[kind] = pikepdf.Dictionary()
    assert isinstance(found, pikepdf.Dictionary)
    return found


def draw_under(pdf: pikepdf.Pdf, stream: bytes, states: dict[str, float]) -> None:
    """Put ``stream`` under the first page's drawing, with the opacities it names."""
    graphics = page_resources(pdf, "/ExtGState")
    for name, alpha in states.items():
        graphics[f"/{name}"] = pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=alpha)
    pdf.pages[0].contents_add(pikepdf.Stream(pdf, stream), prepend=True)
