"""Import the register from a sheet (staff keep it in Excel today): every bad field, or all rows.

Headers in Chinese or English (姓名/name, 小区/compound, 楼号/building, 单元/unit, 类别/
categories, 风险等级/level, 定级依据/level_rule, 电话/phones, 家属联系人/contacts, 健康状况/health,
备注/note, 处理依据/consent_basis, 同意日期/consent_on, 同意记录人/consent_by). Read with the
sheet readers and their size limits (:mod:`lifecircle.io.sheets`); a problem names file, row and
column; when any row is bad nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lifecircle.care.access import OPERATOR
from lifecircle.care.context import Care
from lifecircle.care.register import (
    Contact,
    PersonIn,
    new_row,
    open_person,
    person_problems,
    route_person,
)
from lifecircle.errors import BadRowsError, CareError, InputFileError, Msg, RowProblem
from lifecircle.io.sheet_limits import SheetLimits
from lifecircle.io.sheets import Sheet, SheetRow, normalise_header, read_sheet
from lifecircle.store.care import AccessEntry

#: Our field → (the canonical field ``read_sheet`` may have mapped it to, other headers).
FIELDS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "name": ("name", ("姓名", "老人姓名", "服务对象")),
    "compound": ("compound", ("小区", "居住小区", "住址小区", "小区名称")),
    "building": ("", ("building", "楼号", "楼栋", "楼栋号")),
    "unit": ("", ("unit", "单元", "单元门牌", "门牌号", "单元室号", "房号")),
    "categories": ("type", ("categories", "人员类别", "对象类别")),
    "level": ("", ("level", "风险等级", "等级", "风险", "关爱等级")),
    "level_rule": ("", ("level rule", "定级依据", "风险依据")),
    "phones": ("phone", ("phones", "备案电话", "本人电话")),
    "contacts": ("", ("contacts", "家属联系人", "紧急联系人", "家属", "联系人")),
    "health": ("", ("health", "健康状况", "健康备注", "身体状况")),
    "note": ("note", ()),
    "consent_basis": ("", ("consent basis", "处理依据", "同意依据", "依据")),
    "consent_on": ("", ("consent on", "同意日期", "签署日期")),
    "consent_by": ("", ("consent by", "同意记录人", "经办人", "登记人")),
}
BASES: Mapping[str, str] = {
    normalise_header(text): code
    for code, texts in {
        "consent": ("consent", "单独同意", "同意", "本人同意", "书面同意"),
        "legal_duty": ("legal duty", "legal_duty", "法定职责", "履行法定职责"),
        "vital_interest": ("vital interest", "vital_interest", "紧急情况", "保护生命健康"),
    }.items()
    for text in texts
}
_SPLIT = re.compile(r"[、，,;；/\n]+")
_CONTACT = re.compile(
    r"^\s*([^()（）\d]+?)\s*[(（]\s*([^()（）]+?)\s*[)）]\s*([+\d][\d \-]+\d)\s*$"
)
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


@dataclass(frozen=True)
class Imported:
    """What an import did (or, dry run, would do): people read, ids stored."""

    file: str
    people: int
    ids: tuple[int, ...]


def _headers(sheet: Sheet) -> dict[str, tuple[str, str]]:
    """Map each of our fields to (how to read it: canonical or extra, the header as written)."""
    found: dict[str, tuple[str, str]] = {}
    for name, (canonical, aliases) in FIELDS.items():
        if canonical and canonical in sheet.columns:
            found[name] = ("canonical", canonical)
            continue
        wanted = {normalise_header(a) for a in (name, *aliases)}
        extra = next((h for h in sheet.extra_columns if normalise_header(h) in wanted), None)
        if extra is not None:
            found[name] = ("extra", extra)
    return found


def _header_text(sheet: Sheet, where: tuple[str, str] | None, name: str) -> str:
    if where is None:
        return name
    return sheet.columns.get(where[1], where[1]) if where[0] == "canonical" else where[1]


def _cell(row: SheetRow, where: tuple[str, str] | None) -> str:
    if where is None:
        return ""
    how, key = where
    return (row.values.get(key, "") if how == "canonical" else row.extra.get(key, "")).strip()


def _level(care: Care, text: str) -> str:
    for level in care.config.levels:
        names = {level.code, level.name_zh, level.name_en, level.name_zh.removesuffix("风险")}
        if normalise_header(text) in {normalise_header(n) for n in names}:
            return level.code
    return text


def _date(text: str) -> str:
    found = _DATE.match(text.strip())
    if found is None:
        return text.strip()
    year, month, day = (int(g) for g in found.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def _contacts(text: str) -> tuple[tuple[Contact, ...], list[str]]:
    """Read ``张红(女儿) 13800000001；李强（邻居）13900000002``; return contacts and bad parts."""
    found, bad = [], []
    for part in (p for p in re.split(r"[;；\n]+", text) if p.strip()):
        match = _CONTACT.match(part)
        if match is None:
            bad.append(part.strip())
        else:
            found.append(
                Contact(match.group(1), match.group(2), re.sub(r"[ \-]", "", match.group(3)))
            )
    return tuple(found), bad


def row_person(
    care: Care, sheet: Sheet, row: SheetRow, headers: Mapping[str, tuple[str, str]]
) -> tuple[PersonIn, list[tuple[str, str, Msg]]]:
    """Read one row into a person; return it with the problems of fields it could not read."""
    text = {name: _cell(row, headers.get(name)) for name in FIELDS}
    contacts, bad = _contacts(text["contacts"])
    problems = [("contacts", part, Msg("care.problem.contact")) for part in bad]
    basis_text = text["consent_basis"]
    basis = BASES.get(normalise_header(basis_text), basis_text) if basis_text else ""
    person = PersonIn(
        name=text["name"],
        compound=text["compound"],
        building=text["building"],
        unit=text["unit"],
        categories=tuple(p.strip() for p in _SPLIT.split(text["categories"]) if p.strip()),
        level=_level(care, text["level"]),
        level_rule=text["level_rule"],
        phones=tuple(re.sub(r"[ \-]", "", p) for p in _SPLIT.split(text["phones"]) if p.strip()),
        contacts=contacts,
        health=text["health"],
        note=text["note"],
        consent_basis=basis,
        consent_on=_date(text["consent_on"]),
        consent_by=text["consent_by"],
    )
    return person, problems


def _read(care: Care, path: Path) -> tuple[Sheet, dict[str, tuple[str, str]]]:
    try:
        sheet = read_sheet(path, limits=SheetLimits.from_settings(care.desk.settings))
    except InputFileError as exc:
        if exc.msg.key == "error.sheet.no_header":
            raise InputFileError("error.care.no_header", file=path.name) from None
        raise
    headers = _headers(sheet)
    if "name" not in headers or "compound" not in headers:
        raise InputFileError("error.care.no_header", file=path.name)
    return sheet, headers


def _known(care: Care) -> dict[tuple[str, str, str, str], int]:
    """Index the people on the register by name, compound, building and unit."""
    found = {}
    for row in care.tables.people(active_only=True):
        person = open_person(care, row)
        key = (person.name, person.compound_key or "", person.building, person.unit)
        found[key] = person.id
    return found


def import_register(
    care: Care, path: Path, *, by: str = OPERATOR.name, dry_run: bool = False
) -> Imported:
    """Check a register sheet and, when every row is good, add its people as one write.

    Raises
    ------
    BadRowsError
        Rows with problems, each naming file, row, column and value; nothing is stored.
    InputFileError
        The file cannot be read as a table, or has no 姓名 and 小区 columns.
    """
    sheet, headers = _read(care, path)
    problems: list[RowProblem] = []
    rows = []
    known = _known(care)
    seen: dict[tuple[str, str, str, str], int] = {}
    for sheet_row in sheet.rows:
        person, found = row_person(care, sheet, sheet_row, headers)
        found += person_problems(care, person)
        try:
            compound, route = route_person(care, person.compound)
        except CareError as exc:
            found.append(("compound", person.compound, exc.msg))
            compound = None
        if compound is not None:
            key = (person.name, compound.key, person.building, person.unit)
            if key in known or key in seen:
                what = Msg(
                    "care.problem.duplicate",
                    where=f"#{known[key]}" if key in known else f"{seen[key]}",
                )
                found.append(("name", person.name, what))
            seen.setdefault(key, sheet_row.number)
        for name, value, what in found:
            column = _header_text(sheet, headers.get(name), name)
            problems.append(RowProblem(path.name, sheet_row.number, column, value, what))
        if not found and compound is not None:
            rows.append(new_row(care, person, route, compound, source=f"sheet:{path.name}"))
    if not sheet.rows:
        problems.append(RowProblem(path.name, 1, "", "", Msg("care.problem.empty")))
    if problems:
        raise BadRowsError(problems)
    if dry_run:
        return Imported(path.name, len(rows), ())
    entry = AccessEntry(by, "import", "register", None, {"file": path.name, "people": len(rows)})
    ids = care.tables.add_people(rows, [entry], now_s=care.now())
    return Imported(path.name, len(rows), tuple(ids))
