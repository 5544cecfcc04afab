"""Decoding sheets: legacy encodings GB18030 would garble are read as what they are (issue 12).

Through :func:`lifecircle.io.sheets.read_sheet`, as staff's files arrive.
"""

from __future__ import annotations

import pytest

from lifecircle.errors import InputFileError
from lifecircle.io.sheets import read_sheet
from tests.io.test_sheets import write_csv

FRENCH = [
    ["name", "type", "lon", "lat", "address"],
    ["Crêperie Hélène", "catering", "2.35", "48.85", "Rue de l'Église"],
    ["Pharmacie Saint-Étienne", "pharmacy", "2.36", "48.86", "Place Ségur"],
]
#: Traditional Chinese as a Hong Kong or Taipei office saves it (Big5), with English headers.
TAIPEI = [
    ["name", "type", "lon", "lat", "address"],
    ["友誼里衛生站", "社區衛生服務站", "121.5", "25.04", "台北市中正區忠孝西路一段"],
    ["幸福藥局", "藥店", "121.52", "25.05", "台北市大同區"],
]


def test_a_windows_1252_sheet_is_not_read_as_garbled_chinese(tmp_path):
    path = write_csv(tmp_path / "paris.csv", FRENCH, encoding="cp1252")
    path.read_bytes().decode("gb18030")  # GB18030 accepts these bytes, as mojibake
    sheet = read_sheet(path)
    assert sheet.encoding == "cp1252"
    assert [r.values["name"] for r in sheet.rows] == [FRENCH[1][0], FRENCH[2][0]]
    assert sheet.rows[0].values["address"] == "Rue de l'Église"


def test_a_big5_sheet_is_read_as_big5(tmp_path):
    path = write_csv(tmp_path / "taipei.csv", TAIPEI, encoding="big5")
    path.read_bytes().decode("gb18030")  # readable as GB18030 too, but as nonsense
    sheet = read_sheet(path)
    assert sheet.encoding == "big5"
    assert [r.values["name"] for r in sheet.rows] == ["友誼里衛生站", "幸福藥局"]
    assert sheet.rows[1].values["address"] == "台北市大同區"


def test_big5_headers_in_traditional_characters_are_refused_naming_the_encoding(tmp_path):
    rows = [["名稱", "類型", "經度", "緯度"], *(r[:4] for r in TAIPEI[1:])]
    path = write_csv(tmp_path / "taipei.csv", rows, encoding="big5")
    with pytest.raises(InputFileError) as caught:
        read_sheet(path)
    text = caught.value.message("zh")
    assert "找不到表头行" in text and "'名稱'" in text  # the headers as read, not mojibake
    assert "按 big5 编码读取" in text and "CSV UTF-8" in text


def test_a_gbk_sheet_with_rare_name_characters_stays_gb18030(tmp_path):
    rows = [["名称", "类型", "经度", "纬度"], ["堃喆早餐店", "早餐店", "117.2", "39.1"]]
    rows += [[f"友谊里第{n}早餐店", "早餐店", "117.2", "39.1"] for n in range(5)]
    sheet = read_sheet(write_csv(tmp_path / "gbk.csv", rows, encoding="gbk"))
    assert sheet.encoding == "gb18030" and sheet.rows[0].values["name"] == "堃喆早餐店"


def test_no_header_names_the_encoding_it_was_read_in(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes("甲,乙,丙\n1,2,3\n".encode("gbk"))
    with pytest.raises(InputFileError) as caught:
        read_sheet(path)
    assert "read as gb18030" in str(caught.value) and "CSV UTF-8" in str(caught.value)
    assert "按 gb18030 编码读取" in caught.value.message("zh")


def test_an_unrecognisable_encoding_is_refused_with_how_to_save_utf8(tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(b"name,lon\n" + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 3 + b",1\n")
    with pytest.raises(InputFileError) as caught:
        read_sheet(path)
    text = caught.value.message("zh")
    assert "无法识别文本编码" in text and "GB18030" in text and "CSV UTF-8" in text
