"""What a print shop asks for: a 3 mm bleed with crop marks, and CMYK colours.

WeasyPrint (70) draws a bleed and crop marks from CSS (``@page { bleed: 3mm; marks: crop }``,
with TrimBox and BleedBox in the PDF), and writes ``device-cmyk()`` colours of CSS and SVG as
DeviceCMYK. It can also label a PDF as PDF/X-4, but a conformant PDF/X needs an output
intent: the print shop's CMYK ICC profile, which no free package ships. So ``--cmyk`` writes
every colour as DeviceCMYK through a plain conversion (grey component replacement) and no
PDF/X claim; the shop applies its own profile. Pure functions on strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Bleed print shops ask for (mm).
BLEED_MM = 3.0
_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
#: Where colours are: style sheets, style attributes, SVG paint attributes (never text).
_COLOURED = re.compile(
    r"(<style>.*?</style>|\sstyle=\"[^\"]*\"|\s(?:fill|stroke|stop-color|color)=\"[^\"]*\")",
    re.DOTALL,
)


@dataclass(frozen=True)
class PrintOptions:
    """How the PDF is written: bleed with crop marks, CMYK colours, a draft stamp."""

    bleed: bool = False
    cmyk: bool = False
    draft: bool = False

    @property
    def bleed_mm(self) -> float:
        """Bleed around the trimmed page (0 without)."""
        return BLEED_MM if self.bleed else 0.0


def cmyk_of(colour: str) -> tuple[float, float, float, float]:
    """Convert ``#rrggbb`` (or ``#rgb``) to CMYK with full grey component replacement.

    >>> cmyk_of("#17494d")
    (0.701, 0.052, 0.0, 0.698)
    >>> cmyk_of("#fff"), cmyk_of("#000000")
    ((0.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 1.0))
    """
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    k = 1.0 - max(r, g, b)
    if k >= 1.0:
        return (0.0, 0.0, 0.0, 1.0)
    c, m, y = ((1.0 - x - k) / (1.0 - k) for x in (r, g, b))
    return (round(c, 3), round(m, 3), round(y, 3), round(k, 3))


def to_cmyk(document: str) -> str:
    """Rewrite the ``#rrggbb`` colours of an HTML/SVG document as ``device-cmyk()``.

    Only colours in style sheets and paint attributes change; text stays as it is.

    >>> to_cmyk('<rect fill="#ffffff"/><text>#fff 号</text>')
    '<rect fill="device-cmyk(0.0 0.0 0.0 0.0)"/><text>#fff 号</text>'
    """

    def cmyk(match: re.Match[str]) -> str:
        c, m, y, k = cmyk_of(match.group(0))
        return f"device-cmyk({c} {m} {y} {k})"

    return _COLOURED.sub(lambda part: _HEX.sub(cmyk, part.group(0)), document)
