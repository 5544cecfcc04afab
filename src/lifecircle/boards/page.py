"""The board page as HTML/CSS for WeasyPrint: title band, map, the list's place, foot strip.

Every part has its height in millimetres from the :class:`~lifecircle.boards.options.Paper`;
the list prints exactly the columns :mod:`lifecircle.boards.listing` measured (one line
of text per row, fixed row heights), drawn into the PDF by :mod:`lifecircle.boards.listpdf`,
so a page is filled, never overflowed. The foot strip
holds the QR code, the few gaps residents should know with how to give feedback, and the
notes (data date, walking rule in plain words, attribution). It only builds strings.
"""

from __future__ import annotations

import base64
import math
from dataclasses import replace

import segno

from lifecircle.boards.content import BoardContent
from lifecircle.boards.fonts import FAMILY
from lifecircle.boards.listing import (
    balanced_columns,
    list_geometry,
    units_of,
)
from lifecircle.boards.options import Paper
from lifecircle.boards.symbols import PT_MM, esc, text_width_em
from lifecircle.i18n import t

BAND = "#17494d"
#: Room kept below a list shorter than its box (mm at A1, scaled by the paper's margin).
LIST_SLACK_MARGINS = 0.25
#: Share of the foot strip (beside the QR code) the "附近还缺" note takes.
NOTE_SHARE = 0.6


def fitted_paper(content: BoardContent, paper: Paper) -> Paper:
    """Give the height a short list leaves unused to the map, so no empty band is printed.

    The list holds at most the paper's most useful facilities; when they need less than the
    list's box, the map grows by the difference (the QR strip stays where it is).
    """
    if not content.items:
        return paper
    geo = list_geometry(paper, minute_columns=len(content.minute_heads) or 1)
    groups = units_of([i.area for i in content.items], [bool(i.detail) for i in content.items], geo)
    filled = balanced_columns(groups, geo)
    if filled is None:
        return paper
    tallest = max(sum(u.height_mm for u in column) for column in filled)
    spare = geo.height_mm - geo.header_mm - tallest - LIST_SLACK_MARGINS * paper.margin_mm
    return replace(paper, map_mm=paper.map_mm + spare) if spare > 0 else paper


def map_size_mm(paper: Paper) -> tuple[float, float]:
    """Width and height of the map on the page."""
    return paper.inner_mm, paper.map_mm


def map_top_mm(paper: Paper) -> float:
    """Distance of the map's top edge from the trimmed page's top."""
    return paper.band_mm + paper.gap_mm


def qr_box_mm(paper: Paper) -> tuple[float, float, float, float]:
    """Where the QR code is on the trimmed page: left, top, right, bottom (mm), with a margin."""
    top = paper.band_mm + paper.map_mm + paper.list_mm + 3 * paper.gap_mm + paper.gap_mm * 0.6
    pad = paper.gap_mm
    left = paper.margin_mm
    return (left - pad, top - pad, left + paper.qr_mm + pad, top + paper.qr_mm + pad)


def svg_uri(svg: str) -> str:
    """Return an SVG document as a data URI (WeasyPrint then parses it as XML, not HTML).

    >>> svg_uri("<svg/>")
    'data:image/svg+xml;base64,PHN2Zy8+'
    """
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _css(paper: Paper, font_css: str, *, title: str, bleed_mm: float) -> str:
    m, gap = paper.margin_mm, paper.gap_mm
    # one line: a long place name makes the title smaller rather than wrap
    fit_pt = paper.inner_mm / (text_width_em(title) * PT_MM) * 0.98
    title_pt = min(paper.title_pt, fit_pt)
    detail, fine = paper.detail_pt, paper.fine_pt
    b = bleed_mm
    marks = f"bleed: {b}mm; marks: crop;" if b else ""
    return f"""{font_css}
@page {{ size: {paper.width_mm}mm {paper.height_mm}mm; margin: 0; {marks} }}
* {{ box-sizing: border-box }}
body {{ margin: 0; font-family: "{FAMILY}"; color: #1f1f1f; font-size: {detail}pt;
  line-height: 1.2 }}
.band {{ background: {BAND}; color: #fff; height: {paper.band_mm + b:.2f}mm;
  margin: -{b:.2f}mm -{b:.2f}mm 0; padding: {paper.band_mm * 0.1 + b:.2f}mm {m + b:.2f}mm 0;
  overflow: hidden }}
h1 {{ font-size: {title_pt:.1f}pt; font-weight: 700; margin: 0; line-height: 1.2;
  white-space: nowrap }}
.sub {{ font-size: {detail}pt; margin-top: {paper.band_mm * 0.03:.2f}mm; line-height: 1.15 }}
.notice {{ font-weight: 700; color: #ffd27a }}
.map {{ margin: {gap:.2f}mm {m:.2f}mm 0; height: {paper.map_mm:.2f}mm; line-height: 0 }}
.map img {{ width: {paper.inner_mm:.2f}mm; height: {paper.map_mm:.2f}mm }}
.list {{ position: relative; margin: {gap:.2f}mm {m:.2f}mm 0; height: {paper.list_mm:.2f}mm }}
.strip {{ margin: {gap:.2f}mm {m:.2f}mm 0; height: {paper.strip_mm:.2f}mm;
  width: {paper.inner_mm:.2f}mm; border-collapse: collapse; table-layout: fixed;
  border-top: {detail * 0.08:.2f}pt solid #8a8a8a }}
.strip td {{ vertical-align: top; padding: {gap * 0.6:.2f}mm {gap:.2f}mm 0 0 }}
.strip td.qr {{ width: {paper.qr_mm + gap:.2f}mm }}
.strip td.gaps {{ width: {(paper.inner_mm - paper.qr_mm - 3 * gap) * NOTE_SHARE:.2f}mm }}
.qr img {{ width: {paper.qr_mm:.2f}mm; height: {paper.qr_mm:.2f}mm }}
.cap {{ font-size: {detail}pt; font-weight: 700; margin-bottom: {gap * 0.4:.2f}mm }}
.note {{ font-size: {detail}pt; line-height: 1.2; padding: 0 {detail * 0.5:.1f}pt;
  border-left: {detail * 0.3:.1f}pt solid #b3261e; background: #f7efe9 }}
.note b {{ font-size: {detail * 1.1:.1f}pt }}
.fb {{ font-size: {detail}pt; font-weight: 700; margin-top: {gap * 0.5:.2f}mm }}
.meta {{ font-size: {fine}pt; color: #333; margin-bottom: {fine * 0.25:.1f}pt }}
.url {{ font-size: {fine}pt; color: #333; word-break: break-all }}
"""


def _list(content: BoardContent) -> str:
    """Return the list's place on the page, or the words saying there is nothing to list.

    The list's lines are drawn into the PDF by :mod:`lifecircle.boards.listpdf`.
    """
    if not content.items:
        return f'<div class="list"><p>{esc(t("boards.nothing", content.lang))}</p></div>'
    return '<div class="list"></div>'


def _lines(text: str, room_em: float) -> int:
    return max(1, math.ceil(text_width_em(text) / room_em))


def note_lines(content: BoardContent, paper: Paper) -> list[str]:
    """Return the note's lines that fit its part of the foot strip, most important first."""
    lang = content.lang
    width_mm = (paper.inner_mm - paper.qr_mm - 3 * paper.gap_mm) * NOTE_SHARE
    room_em = width_mm / (paper.detail_pt * PT_MM) - 1.2
    line_mm = paper.detail_pt * PT_MM * 1.2
    budget = int((paper.strip_mm - paper.gap_mm) / line_mm) - 1  # the title
    budget -= _lines(content.feedback, room_em)
    lines: list[str] = []
    for m in content.note:
        key = "boards.note_line_nearest" if m.nearest else "boards.note_line"
        line = t(key, lang, name=m.name, level=m.level_min, walk=m.nearest)
        if _lines(line, room_em) > budget:
            break
        lines.append(line)
        budget -= _lines(line, room_em)
    extra = t("boards.not_collected_many", lang, n=len(content.not_collected))
    if content.not_collected and _lines(extra, room_em) <= budget:
        lines.append(extra)
    return lines


def _note(content: BoardContent, paper: Paper) -> str:
    lang = content.lang
    lines = note_lines(content, paper)
    if not lines:
        return f'<div class="note">{esc(t("boards.note_none", lang))}</div>'
    body = "<br>".join(esc(line) for line in lines)
    return f'<div class="note"><b>{esc(t("boards.missing_title", lang))}</b><br>{body}</div>'


def _strip(content: BoardContent, paper: Paper) -> str:
    lang = content.lang
    qr = segno.make(content.url, error="m").svg_data_uri(scale=4, border=2, dark="#1a1a1a")
    caption = (
        t("boards.qr_caption", lang, n=content.more)
        if content.more
        else t("boards.qr_caption_all", lang)
    )
    meta = [
        t("boards.data_date", lang, date=content.data_date or "—"),
        t("boards.convention", lang, text=content.convention),
        t("boards.osm_credit", lang),
    ]
    return (
        '<table class="strip"><tr>'
        f'<td class="qr"><img src="{qr}"></td>'
        f'<td><div class="cap">{esc(caption)}</div><div class="url">{esc(content.url)}</div>'
        + "".join(f'<div class="meta">{esc(line)}</div>' for line in meta)
        + f'</td><td class="gaps">{_note(content, paper)}'
        f'<div class="fb">{esc(content.feedback)}</div></td>'
        "</tr></table>"
    )


def _subtitle(content: BoardContent, street: str) -> str:
    parts = [esc(content.subtitle)]
    if street:
        parts.append(esc(t("boards.at_street", content.lang, street=street)))
    if content.notice:
        parts.append(f'<span class="notice">{esc(content.notice)}</span>')
    return " · ".join(parts)


def page_html(
    content: BoardContent,
    *,
    map_svg: str,
    paper: Paper,
    font_css: str,
    street: str = "",
    bleed_mm: float = 0.0,
) -> str:
    """Build the complete HTML document of one board."""
    css = _css(paper, font_css, title=content.title, bleed_mm=bleed_mm)
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if content.lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{esc(content.title)}</title>'
        f"<style>{css}</style></head><body>"
        f'<div class="band"><h1>{esc(content.title)}</h1>'
        f'<div class="sub">{_subtitle(content, street)}</div></div>'
        f'<div class="map"><img src="{svg_uri(map_svg)}"></div>'
        f"{_list(content)}{_strip(content, paper)}"
        "</body></html>"
    )
