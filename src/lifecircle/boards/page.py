"""The board page as HTML/CSS for WeasyPrint: title band, map, numbered list, legend, QR code.

Sizes come from the :class:`~lifecircle.boards.options.Paper`, so each paper gets its own type
sizes and list columns rather than a scaled A1. It only builds strings; rendering is elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping

import segno

from lifecircle.boards.content import BoardContent, ListedFacility
from lifecircle.boards.fonts import FAMILY
from lifecircle.boards.layout import text_width_em
from lifecircle.boards.mapsvg import WALK_TINT
from lifecircle.boards.options import Paper
from lifecircle.boards.symbols import esc, ink_on, shape_path
from lifecircle.i18n import t
from lifecircle.taxonomy import ContentArea

HEADER_SHARE = 0.07


def map_size_mm(paper: Paper) -> tuple[float, float]:
    """Width and height of the map on the page."""
    return paper.width_mm - 2 * paper.margin_mm, paper.height_mm * paper.map_share


def _css(paper: Paper, font_css: str, *, title: str) -> str:
    m, pt = paper.margin_mm, paper.text_pt
    # one line: a long place name makes the title smaller rather than wrap
    fit_pt = (paper.width_mm - 2 * m) / (text_width_em(title) * 25.4 / 72) * 0.98
    title_pt = min(paper.title_pt, fit_pt)
    return f"""{font_css}
@page {{ size: {paper.width_mm}mm {paper.height_mm}mm; margin: 0 }}
* {{ box-sizing: border-box }}
body {{ margin: 0; font-family: "{FAMILY}"; color: #1f1f1f; font-size: {pt}pt;
  line-height: 1.25 }}
.band {{ background: #17494d; color: #fff; padding: {m * 0.55:.1f}mm {m:.1f}mm {m * 0.45:.1f}mm;
  height: {paper.height_mm * HEADER_SHARE:.1f}mm }}
h1 {{ font-size: {title_pt:.1f}pt; font-weight: 700; margin: 0; line-height: 1.15;
  letter-spacing: 0.02em }}
.sub {{ font-size: {pt * 1.15:.1f}pt; margin-top: {m * 0.15:.1f}mm; opacity: 0.9 }}
.notice {{ font-weight: 700; color: #ffd27a; opacity: 1 }}
.map {{ margin: {m * 0.5:.1f}mm {m:.1f}mm 0; line-height: 0 }}
.lower {{ margin: {m * 0.5:.1f}mm {m:.1f}mm 0; width: {paper.width_mm - 2 * m:.1f}mm;
  table-layout: fixed; border-collapse: collapse }}
.lower td {{ vertical-align: top; padding: 0 {m * 0.3:.1f}mm }}
.lower td:first-child {{ padding-left: 0 }}
.lower td.side {{ width: {(paper.width_mm - 2 * m) * 0.25:.1f}mm; font-size: {pt * 0.9:.1f}pt;
  padding-right: 0 }}
.ghead {{ font-weight: 700; font-size: {pt * 1.05:.1f}pt; margin: {pt * 0.25:.1f}pt 0
  {pt * 0.2:.1f}pt; padding-bottom: {pt * 0.1:.1f}pt; border-bottom: {pt * 0.08:.2f}pt solid
  #8a8a8a; break-after: avoid }}
.item {{ margin-bottom: {pt * 0.3:.1f}pt; padding-left: {pt * 2.0:.1f}pt }}
.no {{ display: inline-block; width: {pt * 1.6:.1f}pt; text-align: center;
  margin-left: -{pt * 2.0:.1f}pt; margin-right: {pt * 0.4:.1f}pt;
  font-weight: 700; font-size: {pt * 0.85:.1f}pt; border-radius: {pt * 0.3:.1f}pt;
  padding: 0 {pt * 0.15:.1f}pt; border: {pt * 0.06:.2f}pt solid #1a1a1a }}
.name {{ font-weight: 700 }}
.walk {{ float: right; font-weight: 700; white-space: nowrap; color: #17494d;
  margin-left: {pt * 0.4:.1f}pt }}
.more {{ font-size: {pt * 0.78:.1f}pt; color: #555 }}
.side h2 {{ font-size: {pt * 1.05:.1f}pt; margin: 0 0 {pt * 0.3:.1f}pt; font-weight: 700 }}
.legend {{ margin-bottom: {pt * 0.6:.1f}pt }}
.legend div {{ display: inline-block; width: 49%; margin-bottom: {pt * 0.2:.1f}pt }}
.legend.wide div {{ width: 100% }}
.note {{ margin: {pt * 0.5:.1f}pt 0; padding: {pt * 0.35:.1f}pt {pt * 0.5:.1f}pt;
  border-left: {pt * 0.25:.1f}pt solid #b3261e; background: #f7efe9 }}
.qr {{ margin: {pt * 0.6:.1f}pt 0; border-collapse: collapse }}
.qr td {{ vertical-align: middle; padding: 0 {pt * 0.5:.1f}pt 0 0 }}
.qr img {{ width: {paper.width_mm * 0.075:.1f}mm; height: {paper.width_mm * 0.075:.1f}mm }}
.url {{ font-size: {pt * 0.7:.1f}pt; color: #555; word-break: break-all }}
.meta {{ font-size: {pt * 0.72:.1f}pt; color: #444; margin-top: {pt * 0.3:.1f}pt }}
svg.icon {{ vertical-align: middle }}
"""


def _icon(area: ContentArea, size_pt: float) -> str:
    return (
        f'<svg class="icon" width="{size_pt:.1f}pt" height="{size_pt:.1f}pt" '
        f'viewBox="-1.3 -1.3 2.6 2.6"><path d="{shape_path(area.shape)}" fill="{area.color}" '
        f'stroke="#1a1a1a" stroke-width="0.12"/></svg>'
    )


def _item(item: ListedFacility, area: ContentArea, lang: str) -> str:
    more = []
    if item.walk_other:
        more.append(t("boards.elderly_walk", lang, walk=item.walk_other))
    if item.hours:
        more.append(t("boards.hours", lang, hours=item.hours))
    if item.phone:
        more.append(t("boards.phone", lang, phone=item.phone))
    more_html = f'<div class="more">{esc(" · ".join(more))}</div>' if more else ""
    style = f"background:{area.color};color:{ink_on(area.color)}"
    return (
        f'<div class="item"><span class="walk">{esc(item.walk)}</span>'
        f'<span class="no" style="{style}">{item.number}</span>'
        f'<span class="name">{esc(item.name)}</span>{more_html}</div>'
    )


def _units(content: BoardContent, paper: Paper) -> list[tuple[str, float, str, bool]]:
    """Cut the list into units (area code, height in lines, HTML, starts a group).

    A group's head travels with its first item so no column ends with a lone head.
    """
    name_key = "name_zh" if content.lang == "zh" else "name_en"
    width_em = (
        (paper.width_mm - 2 * paper.margin_mm)
        * 0.72
        / paper.list_columns
        / (paper.text_pt * 25.4 / 72)
    )
    units = []
    for area in content.areas:
        items = [i for i in content.items if i.area == area.code]
        for n, item in enumerate(items):
            lines = 1.3 + int(text_width_em(item.name) // max(width_em - 6, 4))
            extra = len(item.hours) + len(item.phone) + len(item.walk_other)
            lines += 0.85 * (1 + extra // max(int((width_em - 2) * 1.6), 8)) if extra else 0
            html = _item(item, area, content.lang)
            if n == 0:
                html, lines = _head(area, paper, name_key) + html, lines + 1.5
            units.append((area.code, lines, html, n == 0))
    return units


def _head(area: ContentArea, paper: Paper, name_key: str) -> str:
    return f'<div class="ghead">{_icon(area, paper.text_pt)} {esc(getattr(area, name_key))}</div>'


def _columns(content: BoardContent, paper: Paper) -> list[str]:
    """Fill the list columns in order, each about as tall; a group split repeats its head."""
    units = _units(content, paper)
    if not units:
        return [f"<p>{esc(t('boards.nothing', content.lang))}</p>"]
    name_key = "name_zh" if content.lang == "zh" else "name_en"
    areas = {a.code: a for a in content.areas}
    target = sum(u[1] for u in units) / paper.list_columns
    columns: list[list[str]] = [[]]
    height = 0.0
    for code, lines, html, starts in units:
        if height + lines / 2 > target and len(columns) < paper.list_columns and columns[-1]:
            columns.append([])
            height = 0.0
            if not starts:
                columns[-1].append(_head(areas[code], paper, name_key))
                height += 1.5
        columns[-1].append(html)
        height += lines
    return ["".join(c) for c in columns]


def _missing(content: BoardContent, paper: Paper) -> str:
    if not content.missing and not content.not_collected:
        return ""
    lang = content.lang
    lines = []
    # a long note would push the page over; the index CSV lists every missing type
    most = 4 if paper.width_mm < 300 else 6
    for level in (5, 10, 15):
        names = [
            t("boards.missing_nearest", lang, name=m.name, walk=m.nearest) if m.nearest else m.name
            for m in content.missing
            if m.level_min == level
        ]
        if len(names) > most:
            names = [*names[:most], t("boards.missing_more", lang, n=len(names) - most)]
        if names:
            lines.append(
                t(
                    "boards.missing_level",
                    lang,
                    level=level,
                    names=t("boards.list_sep", lang).join(names),
                )
            )
    unknown = content.not_collected
    if 0 < len(unknown) <= most:
        joined = t("boards.list_sep", lang).join(unknown)
        lines.append(t("boards.not_collected", lang, names=joined))
    elif unknown:  # residents need the fact, not a list of forty type names
        lines.append(t("boards.not_collected_many", lang, n=len(unknown)))
    body = "<br>".join(esc(line) for line in lines)
    return f'<div class="note"><b>{esc(t("boards.missing_title", lang))}</b><br>{body}</div>'


def _notice(content: BoardContent) -> str:
    """Return the project's label (a demo says it is one) for the title band, or nothing."""
    return f' · <span class="notice">{esc(content.notice)}</span>' if content.notice else ""


def _side(content: BoardContent, paper: Paper) -> str:
    lang = content.lang
    name_key = "name_zh" if lang == "zh" else "name_en"
    legend = "".join(
        f"<div>{_icon(a, paper.text_pt * 0.95)} {esc(getattr(a, name_key))}</div>"
        for a in content.areas
    )
    tints = "".join(
        f'<div><svg class="icon" width="{paper.text_pt * 1.6:.1f}pt" '
        f'height="{paper.text_pt:.1f}pt">'
        f'<rect width="100%" height="100%" fill="{WALK_TINT}" fill-opacity="{o}" '
        f'stroke="{WALK_TINT}" stroke-width="0.6"/></svg> '
        f"{esc(t('boards.walk_legend', lang, walk=walk))}</div>"
        for walk, o in zip(content.walk_levels, (0.32, 0.19, 0.09), strict=False)
    )
    qr = segno.make(content.url, error="m").svg_data_uri(scale=4, border=2, dark="#1a1a1a")
    meta = [
        t("boards.data_date", lang, date=content.data_date or "—"),
        t("boards.convention", lang, text=content.convention),
        t("boards.osm_credit", lang),
    ]
    return (
        f'<td class="side"><h2>{esc(t("boards.legend_title", lang))}</h2>'
        f'<div class="legend">{legend}</div><div class="legend wide">{tints}</div>'
        f"{_missing(content, paper)}"
        f'<table class="qr"><tr><td><img src="{qr}"></td><td>{esc(t("boards.qr_caption", lang))}'
        f'<div class="url">{esc(content.url)}</div></td></tr></table>'
        + "".join(f'<div class="meta">{esc(line)}</div>' for line in meta)
        + "</td>"
    )


def page_html(
    content: BoardContent,
    *,
    map_svg: str,
    paper: Paper,
    areas: Mapping[str, ContentArea],
    font_css: str,
) -> str:
    """Build the complete HTML document of one board."""
    columns = _columns(content, paper)
    columns += [""] * (paper.list_columns - len(columns))
    cells = "".join(f"<td>{c}</td>" for c in columns)
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if content.lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{esc(content.title)}</title>'
        f"<style>{_css(paper, font_css, title=content.title)}</style></head><body>"
        f'<div class="band"><h1>{esc(content.title)}</h1>'
        f'<div class="sub">{esc(content.subtitle)}{_notice(content)}</div></div>'
        f'<div class="map">{map_svg}</div>'
        f'<table class="lower"><tr>{cells}{_side(content, paper)}</tr></table>'
        "</body></html>"
    )
