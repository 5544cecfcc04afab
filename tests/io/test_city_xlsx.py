"""The city workbook: notes first, each table on its sheet with formats, the map last."""

from __future__ import annotations

from openpyxl import load_workbook
from shapely.geometry import box

from lifecircle.io.city_xlsx import write_city_xlsx
from lifecircle.io.report_tables import Column, Table
from lifecircle.plan.city_map import MapArea, write_city_map


def test_notes_tables_and_map(tmp_path):
    table = Table(
        "city_areas",
        (Column("area_name"), Column("residents", "people"), Column("share_full", "share")),
        (("甲街道", 12345, 0.5), ("=cmd()", None, None)),
    )
    png = write_city_map([MapArea("甲街道", box(117.2, 39.1, 117.21, 39.11), 0.5)],
                         tmp_path / "m.png", title="t", subtitle="s", lang="zh")  # fmt: skip
    out = write_city_xlsx(tmp_path / "c.xlsx", notes=["标题", "说明"], tables=[table],
                          lang="zh", map_png=png)  # fmt: skip
    book = load_workbook(out)
    assert book.sheetnames == ["说明", "区域", "地图"]
    notes = [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert notes[:2] == ["标题", "说明"] and "无缺项比例" in notes
    sheet = book["区域"]
    assert [c.value for c in sheet[1]] == ["区域", "居民", "无缺项比例"]
    assert sheet["B2"].value == 12345 and sheet["B2"].number_format == "#,##0"
    assert sheet["C2"].number_format == "0%"
    assert sheet["A3"].value == "=cmd()" and sheet["A3"].data_type == "s"  # text stays text
    assert len(book["地图"]._images) == 1
    assert not list(tmp_path.glob(".*.part"))
