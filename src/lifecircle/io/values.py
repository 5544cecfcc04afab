"""Value parsers for sheet cells: degrees, gates, counts, status, dates, board ids, phones, hours.

Text in, value out, :class:`FieldValueError` on nonsense; the record readers turn that into a
RowProblem. Nothing here knows about rows or files.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from lifecircle.errors import Msg
from lifecircle.model import LonLat


class FieldValueError(ValueError):
    """A field value cannot be used (raised by the ``parse_*`` helpers, never by the readers).

    Carries what is wrong and how to fix it as catalogue messages (``str()`` is the English
    text); the sheet readers turn it into a RowProblem.
    """

    def __init__(self, what: Msg, fix: Msg | None = None) -> None:
        super().__init__(what.render("en"))
        self.what, self.fix = what, fix


# -- value parsers (text in, value out, FieldValueError on nonsense) ----------------------------

_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DMS = re.compile(r"(\d+(?:\.\d+)?)[°度](?:(\d+(?:\.\d+)?)['分])?(?:(\d+(?:\.\d+)?)[\"秒])?")
_COUNT_UNITS = "人户床张个座位"
_STATUS = {
    "open": ("open", "开放", "正常", "营业", "正常营业", "运营", "运营中", "在用", "使用中"),
    "closed": ("closed", "关闭", "已关闭", "停业", "停用", "暂停营业", "撤销"),
    "planned": ("planned", "规划", "规划中", "拟建", "在建", "筹建"),
}
_BOARD_KINDS = {
    "centre": ("centre", "center", "社区中心", "中心", "服务中心", "社区服务中心", "党群服务中心"),
    "gate": ("gate", "门口", "小区门口", "大门", "小区大门", "出入口", "小区出入口"),
}
_BOARD_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
#: Compass words for a board's facing, clockwise from north.
_COMPASS = {
    word: 45.0 * k
    for k, words in enumerate(
        (
            ("n", "north", "北", "朝北", "正北"),
            ("ne", "northeast", "东北", "朝东北"),
            ("e", "east", "东", "朝东", "正东"),
            ("se", "southeast", "东南", "朝东南"),
            ("s", "south", "南", "朝南", "正南"),
            ("sw", "southwest", "西南", "朝西南"),
            ("w", "west", "西", "朝西", "正西"),
            ("nw", "northwest", "西北", "朝西北"),
        )
    )
    for word in words
}


def norm_text(text: str) -> str:
    """NFKC-normalise (full-width → ASCII) and strip a cell's text."""
    return unicodedata.normalize("NFKC", text).strip()


def key_text(text: str) -> str:
    """Normalise a name for keys: NFKC, case-folded, all whitespace removed."""
    return "".join(norm_text(text).casefold().split())


def parse_degrees(text: str) -> float:
    """Read decimal degrees (``117.2``, ``117.2°E``) or 度分秒 (``117°12′30″``).

    >>> parse_degrees("117°12′E"), parse_degrees(" ３９.１ "), parse_degrees("33.9 S")
    (117.2, 39.1, -33.9)
    >>> round(parse_degrees("39度6分36秒"), 6)
    39.11
    """
    value = norm_text(text).upper().replace(" ", "")
    # NFKC turns ″ into ′′; accept ASCII ' and " too
    value = value.replace("′′", '"').replace("''", '"').replace("″", '"').replace("′", "'")
    sign = -1.0 if value[-1:] in ("W", "S") or value.startswith(("西经", "南纬")) else 1.0
    value = value.strip("ENWS").removeprefix("东经").removeprefix("北纬")
    value = value.removeprefix("西经").removeprefix("南纬").rstrip("°度")
    if _DECIMAL.fullmatch(value):
        return sign * float(value)
    if match := _DMS.fullmatch(value):
        deg, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
        if minutes < 60 and seconds < 60:
            return sign * (deg + minutes / 60 + seconds / 3600)
    raise FieldValueError(Msg("error.value.degrees"), Msg("error.value.degrees_fix"))


def check_lonlat(lon: float, lat: float) -> LonLat:
    """Check a lon/lat pair is on Earth, hinting when the two look swapped."""
    swapped = abs(lat) <= 180 and abs(lon) <= 90
    if not -90 <= lat <= 90:
        hint = Msg("error.value.swapped") if swapped else None
        raise FieldValueError(Msg("error.value.lat_range", lat=lat), hint)
    if not -180 <= lon <= 180:
        raise FieldValueError(Msg("error.value.lon_range", lon=lon))
    return lon, lat


def parse_pair(text: str) -> LonLat:
    """Read ``"117.2,39.1"`` (or with a space / full-width comma) as a lon/lat pair."""
    parts = [p for p in re.split(r"[,\s]+", norm_text(text)) if p]
    if len(parts) != 2:
        raise FieldValueError(Msg("error.value.pair"), Msg("error.value.pair_fix"))
    return check_lonlat(parse_degrees(parts[0]), parse_degrees(parts[1]))


def parse_entrances(text: str) -> tuple[LonLat, ...]:
    """Read gates as ``"lon,lat; lon,lat"`` or ``"lon lat | lon lat"`` (full-width too).

    >>> parse_entrances("117.2,39.1；117.21，39.11")
    ((117.2, 39.1), (117.21, 39.11))
    """
    chunks = [c for c in re.split(r"[;|\n、]+", norm_text(text)) if c.strip()]
    pairs = []
    for chunk in chunks:
        numbers = [p for p in re.split(r"[,\s]+", chunk) if p]
        if len(numbers) > 2 and len(numbers) % 2 == 0:
            raise FieldValueError(Msg("error.value.gates"), Msg("error.value.gates_fix"))
        pairs.append(parse_pair(chunk))
    return tuple(pairs)


def parse_count(text: str) -> int:
    """Read a whole non-negative number: ``1,234``, ``1 234``, ``1234.0``, ``1234人``.

    >>> parse_count("1,234"), parse_count("1 234"), parse_count("1234.0"), parse_count("56户")
    (1234, 1234, 1234, 56)
    """
    value = norm_text(text).rstrip(_COUNT_UNITS)
    value = re.sub(r"(?<=\d)[,\s'](?=\d{3}\b)", "", value)
    if not _DECIMAL.fullmatch(value):
        raise FieldValueError(Msg("error.value.count"), Msg("error.value.count_fix"))
    number = float(value)
    if number < 0:
        raise FieldValueError(Msg("error.value.negative"))
    if not number.is_integer():
        raise FieldValueError(Msg("error.value.not_whole"))
    return int(number)


def parse_status(text: str) -> str:
    """Map open/closed/planned and their Chinese words (开放, 停业, 规划中 …)."""
    key = key_text(text)
    for status, words in _STATUS.items():
        if key in words:
            return status
    raise FieldValueError(Msg("error.value.status"), Msg("error.value.status_fix"))


def parse_board_kind(text: str) -> str:
    """Map centre/gate and their Chinese words (社区中心, 小区门口 …)."""
    key = key_text(text)
    for kind, words in _BOARD_KINDS.items():
        if key in words:
            return kind
    raise FieldValueError(Msg("error.value.board_kind"), Msg("error.value.board_kind_fix"))


def parse_bearing(text: str) -> float:
    """Read the way a board's reader faces: degrees clockwise from north, or a compass word.

    >>> parse_bearing("45"), parse_bearing("135°"), parse_bearing("西北"), parse_bearing("SE")
    (45.0, 135.0, 315.0, 135.0)
    """
    value = key_text(text).rstrip("°度")
    if value in _COMPASS:
        return _COMPASS[value]
    if _DECIMAL.fullmatch(value) and 0.0 <= float(value) <= 360.0:
        return float(value) % 360.0
    raise FieldValueError(Msg("error.value.bearing"), Msg("error.value.bearing_fix"))


def parse_date(text: str) -> str:
    """Read ``2024-05-01``, ``2024/5/1``, ``2024.5.1``, ``2024年5月1日`` or ``20240501`` as ISO.

    >>> parse_date("2024年5月1日"), parse_date("20240501 ")
    ('2024-05-01', '2024-05-01')
    """
    value = norm_text(text)
    match = re.fullmatch(
        r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(:\d{2})?)?", value
    )
    match = match or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    try:
        if match:
            return dt.date(*(int(g) for g in match.groups()[:3])).isoformat()
    except ValueError:
        pass
    raise FieldValueError(Msg("error.value.date"), Msg("error.value.date_fix"))


def parse_board_id(text: str) -> str:
    """Check a board id works in a URL (``/b/<id>``): lowercase letters, digits, ``-``, ``_``."""
    value = norm_text(text)
    if _BOARD_ID.fullmatch(value):
        return value
    suggestion = re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-_")
    hint = (
        Msg("error.value.board_id_use", suggestion=suggestion)
        if _BOARD_ID.fullmatch(suggestion)
        else Msg("error.value.board_id_fix")
    )
    raise FieldValueError(Msg("error.value.board_id"), hint)


_PHONE_SEPARATORS = re.compile(r"\s*(?:[;,/、]|或)\s*")
_PHONE = re.compile(
    r"\+?[\d\s()\-]*\d[\d\s()\-]*(?:\s*(?:转|分机|ext\.?|x)\s*(\d{1,6}))?", re.IGNORECASE
)
_NOT_DIGIT = re.compile(r"\D")
_CLOCK = re.compile(r"(?<!\d)(\d{1,2})\s*:\s*(\d{2})(?!\d)")


def parse_phone(text: str) -> str:
    """Check one or more phone numbers; return them tidied (full-width → ASCII, one space).

    A number has 3 to 20 digits, written with ``+``, spaces, ``-`` and ``()``, and an
    extension after 转, 分机, ext or x; several are separated by ``;`` ``,`` ``/`` ``、`` or 或.

    >>> parse_phone("０２２－２３４５６７８９转１２"), parse_phone("110；13812345678")
    ('022-23456789转12', '110;13812345678')
    >>> parse_phone("(022) 2345 6789 ext. 5")
    '(022) 2345 6789 ext. 5'
    >>> parse_phone("请联系王主任")
    Traceback (most recent call last):
    ...
    lifecircle.io.values.FieldValueError: not a phone number
    """
    value = " ".join(norm_text(text).split())
    for number in _PHONE_SEPARATORS.split(value):
        found = _PHONE.fullmatch(number)
        main = number[: found.start(1)] if found and found.group(1) else number
        digits = len(_NOT_DIGIT.sub("", main))
        if not found or not 3 <= digits <= 20:
            raise FieldValueError(Msg("error.value.phone"), Msg("error.value.phone_fix"))
    return value


@lru_cache(maxsize=4096)  # a sheet repeats a few texts on thousands of rows
def check_opening_hours(text: str) -> str:
    """Accept opening hours as written, unless a time in them is impossible (25:00, 8:75).

    Hours need not be OSM syntax: they are stored as written; Chinese in the common forms
    (周一至周五 8:30-17:00) is understood, anything else is shown as written
    (:func:`lifecircle.opening_hours.machine_readable` says whether "open now" can be told).

    >>> check_opening_hours("周一至周五 8:30-17:30")
    '周一至周五 8:30-17:30'
    >>> check_opening_hours("Mo-Fr 08:00-25:00")
    Traceback (most recent call last):
    ...
    lifecircle.io.values.FieldValueError: 25:00 is not a time of day
    """
    value = text.strip()
    for hour, minute in _CLOCK.findall(unicodedata.normalize("NFKC", value)):
        h, m = int(hour), int(minute)
        if m > 59 or h > 24 or (h == 24 and m > 0):
            raise FieldValueError(
                Msg("error.value.hours_time", time=f"{hour}:{minute}"), Msg("error.value.hours_fix")
            )
    return value
