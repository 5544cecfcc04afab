"""Decode a staff sheet's bytes: BOM, UTF-8, then GB18030, Big5 or Windows-1252, told apart.

Excel and WPS on a Chinese Windows save "CSV" as GBK/GB18030, which accepts almost any bytes: a
Windows-1252 (French accents) or Big5 (traditional Chinese) file read as GB18030 gives garbled
names instead of an error. Decoding only; what the text means is :mod:`lifecircle.io.sheets`'.
"""

from __future__ import annotations

import codecs

from lifecircle.errors import InputFileError

#: Legacy encodings a staff sheet may come in, after UTF-8: GB18030 (GBK's superset, what Excel
#: and WPS write on a Chinese Windows), Big5 (Hong Kong, Taiwan) and Windows-1252 (Western).
LEGACY_ENCODINGS = ("gb18030", "big5", "cp1252")
#: Text decoded as GB18030 is taken as such when this share of its non-ASCII characters are
#: common (GB2312) hanzi or Chinese punctuation; Big5 or Windows-1252 bytes read as GB18030
#: give rare or non-Chinese characters (measured: GBK sheets 0.95–1.0, Big5 0.2–0.4, cp1252 0).
_GB_PLAUSIBLE = 0.8


def _common_chinese_share(text: str) -> float:
    """Share of the non-ASCII characters that are GB2312 hanzi or Chinese punctuation.

    >>> _common_chinese_share("名称,类型"), _common_chinese_share("Cr阷erie H閘鑞e")
    (1.0, 0.0)
    """
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return 1.0
    common = 0
    for ch in wide:
        try:
            lead = ch.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        common += 0xB0 <= lead <= 0xF7 or 0xA1 <= lead <= 0xA3  # hanzi rows, punctuation
    return common / len(wide)


def decode_text(data: bytes, *, file: str) -> tuple[str, str]:
    r"""Return the text and its encoding: BOM, UTF-8, then GB18030, Big5 or Windows-1252.

    GB18030 is taken only when the text reads as common Chinese; otherwise the legacy
    encodings are weighed by ``charset_normalizer``. Text that none of them reads plausibly is
    refused (:class:`~lifecircle.errors.InputFileError` naming ``file``) with how to save UTF-8.

    >>> decode_text("名称,经度".encode("gbk"), file="a.csv")
    ('名称,经度', 'gb18030')
    >>> decode_text("name\nCafé Noël,2.35".encode("cp1252"), file="b.csv")[1]
    'cp1252'
    """
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _common_chinese_share(text) >= _GB_PLAUSIBLE:
        return text, "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None or best.encoding not in LEGACY_ENCODINGS:
        tried = ("UTF-8", "GB18030", "Big5", "Windows-1252")
        raise InputFileError("error.sheet.encoding", file=file, tried=tried)
    return str(best), str(best.encoding)
