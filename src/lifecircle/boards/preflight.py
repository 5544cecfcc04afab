"""Print preflight: a board is only ready to print if its QR code works and its text is large.

Checks what a print shop and a resident would find out too late: a public address that no
phone can open (localhost, a private network, no real host name); a QR code that does not
decode, from the rendered page, to the board's own address (read with zxing-cpp); text in the
PDF smaller than the paper's sizes for its reading distance (sizes read back from the PDF
with PDFium). Each finding is a catalogue message (:class:`~lifecircle.errors.Msg`). Reads
the files it is given; changes nothing.
"""

from __future__ import annotations

import ctypes
import ipaddress
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium
import zxingcpp
from PIL import Image

from lifecircle.errors import Msg

#: Host names that only work on one machine or one local network.
LOCAL_SUFFIXES = (".local", ".lan", ".home", ".internal", ".intranet", ".localdomain", ".test")
#: Sizes read back from a PDF may differ from the CSS by rounding (points).
SIZE_TOLERANCE_PT = 0.05


def check_base_url(url: str) -> list[Msg]:
    """Why ``url`` cannot go into printed QR codes (empty when it can).

    >>> [m.key for m in check_base_url("http://127.0.0.1:8000")]
    ['error.boards.url_local']
    >>> [m.key for m in check_base_url("https://shequ.example.gov.cn")]
    []
    >>> [m.key for m in check_base_url("http://192.168.1.20")]
    ['error.boards.url_private']
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return [Msg("error.boards.url_form", url=url)]
    if host == "localhost" or host.endswith(".localhost"):
        return [Msg("error.boards.url_local", url=url)]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if "." not in host or host.endswith(LOCAL_SUFFIXES):
            return [Msg("error.boards.url_private", url=url)]
        return []
    if address.is_loopback or address.is_unspecified:
        return [Msg("error.boards.url_local", url=url)]
    if address.is_private or address.is_link_local or address.is_reserved:
        return [Msg("error.boards.url_private", url=url)]
    return []


def decode_qr(image: Image.Image) -> list[str]:
    """Every QR code's text found in ``image``."""
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    return [found.text for found in zxingcpp.read_barcodes(image, formats=formats)]


def check_qr(image: Image.Image, url: str) -> list[Msg]:
    """Check that the page holds one QR code and that it opens the board's address."""
    found = decode_qr(image)
    if not found:
        return [Msg("error.boards.qr_unreadable", url=url)]
    if found != [url]:
        return [Msg("error.boards.qr_wrong", url=url, found=found[0])]
    return []


#: Next characters of a printed text lie within this many of its size from the previous one.
NEXT_CHAR_EM = 1.9


@dataclass(frozen=True)
class PrintedText:
    """The characters of a PDF page: text, origin (points) and effective size (points).

    The order of characters read from a PDF is not the order of each text when labels are
    turned (PDFium interleaves nearby turned glyphs), so a text is found by position: each
    next character near the one before it.
    """

    chars: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    sizes: tuple[float, ...]

    @cached_property
    def _at(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for k, char in enumerate(self.chars):
            found.setdefault(char, []).append(k)
        return found

    def largest(self, text: str) -> float | None:
        """Return the size of ``text`` where it is printed largest (spaces ignored), or None.

        A text may be printed more than once (a name in the list and on the map); it is
        large enough if one of its prints is.
        """
        wanted = "".join(text.split())
        if not wanted:
            return None
        best = None
        for start in self._at.get(wanted[0], []):
            chain = self._chain(start, wanted[1:])
            if chain is not None:
                size = min(self.sizes[k] for k in chain)
                best = size if best is None else max(best, size)
        return best

    @cached_property
    def _where(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Each character's indices and origins, as arrays."""
        xs, ys = np.asarray(self.xs), np.asarray(self.ys)
        return {char: (np.asarray(found), xs[found], ys[found]) for char, found in self._at.items()}

    def _chain(self, start: int, rest: str) -> list[int] | None:
        chain = [start]
        for char in rest:
            last = chain[-1]
            reach = NEXT_CHAR_EM * self.sizes[last]
            if char not in self._where:
                return None
            ks, xs, ys = self._where[char]
            # only the prints within reach on both axes can be within reach (a cheap cut)
            box = (np.abs(xs - self.xs[last]) <= reach) & (np.abs(ys - self.ys[last]) <= reach)
            near = [
                (math.hypot(self.xs[k] - self.xs[last], self.ys[k] - self.ys[last]), k)
                for k in ks[box].tolist()
                if k not in chain
            ]
            near = [(d, k) for d, k in near if d <= reach]
            if not near:
                return None
            chain.append(min(near)[1])
        return chain


def printed_text(pdf: pypdfium2.PdfDocument, page: int | pypdfium2.PdfPage = 0) -> PrintedText:
    """Read the characters of a page, their origins and effective sizes (font × matrix).

    ``page`` is the page's number, or the page already loaded.
    """
    textpage = (pdf[page] if isinstance(page, int) else page).get_textpage()
    try:
        matrix = pdfium.FS_MATRIX()
        x, y = ctypes.c_double(), ctypes.c_double()
        chars, xs, ys, sizes = [], [], [], []
        for i in range(textpage.count_chars()):
            code = pdfium.FPDFText_GetUnicode(textpage.raw, i)
            char = chr(code) if code else ""
            if not char or char.isspace():
                continue
            size = pdfium.FPDFText_GetFontSize(textpage.raw, i)
            if pdfium.FPDFText_GetMatrix(textpage.raw, i, ctypes.byref(matrix)):
                size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
            pdfium.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(x), ctypes.byref(y))
            chars.append(char)
            xs.append(x.value)
            ys.append(y.value)
            sizes.append(round(size, 2))
        return PrintedText("".join(chars), tuple(xs), tuple(ys), tuple(sizes))
    finally:
        textpage.close()


def check_sizes(
    printed: PrintedText, wanted: Iterable[tuple[str, float]], *, fine_pt: float
) -> list[Msg]:
    """Check every character against ``fine_pt`` and each ``(text, at least)`` pair.

    Text that cannot be found is reported too: a label the checks cannot see is not checked.
    """
    problems: list[Msg] = []
    if printed.sizes and min(printed.sizes) < fine_pt - SIZE_TOLERANCE_PT:
        k = printed.sizes.index(min(printed.sizes))
        snippet = printed.chars[max(0, k - 4) : k + 6]
        problems.append(
            Msg("error.boards.text_small", text=snippet, size=min(printed.sizes), least=fine_pt)
        )
    for text, least in wanted:
        size = printed.largest(text)
        if size is None:
            problems.append(Msg("error.boards.text_missing", text=text))
        elif size < least - SIZE_TOLERANCE_PT:
            problems.append(Msg("error.boards.text_small", text=text, size=size, least=least))
    return problems


def first_problems(problems: Sequence[Msg], most: int = 3) -> Sequence[Msg]:
    """Return the first few findings (a report lists the rest by count)."""
    return problems[:most]
