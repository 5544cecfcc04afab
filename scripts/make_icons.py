"""Draw the page icons (favicon.ico, apple-touch-icon.png) from the same shapes as favicon.svg.

``python scripts/make_icons.py`` writes both into ``src/lifecircle/web/resident/``; run it after
changing the SVG's shapes. Needs Pillow (installed with WeasyPrint).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "src" / "lifecircle" / "web" / "resident"
BLUE, WHITE, HALF_WHITE, YELLOW = "#1f4e79", "#ffffff", "#8ea6bc", "#ffd166"
SCALE = 16  # draw big, then shrink: smooth edges without an SVG renderer


def draw(size: int, *, rounded: bool = True) -> Image.Image:
    """The icon at ``size`` pixels: the 64-unit design of favicon.svg, scaled."""
    unit = size * SCALE / 64
    big = Image.new("RGBA", (size * SCALE, size * SCALE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(big)
    pen.rounded_rectangle((0, 0, big.width - 1, big.height - 1), 14 * unit if rounded else 0, BLUE)
    for radius, colour in ((22, HALF_WHITE), (12, WHITE)):
        box = tuple(v * unit for v in (32 - radius, 32 - radius, 32 + radius, 32 + radius))
        pen.ellipse(box, outline=colour, width=round(5 * unit))
    pen.ellipse(tuple(v * unit for v in (27, 27, 37, 37)), fill=YELLOW)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write favicon.ico (16, 32, 48 px) and apple-touch-icon.png (180 px, square)."""
    draw(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    draw(180, rounded=False).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
