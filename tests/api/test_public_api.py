"""The public JSON API on the Nanjing demo: every endpoint, filters, crs, ETags and bad input.

The demo is real OSM of Xinjiekou, Nanjing (inside China, so GCJ-02 and BD-09 really move
points) plus the invented 【示例】 sample sheet: its three elderly-care samples are the only
elderly facilities, as OSM holds none there.
"""

from __future__ import annotations

import re

import pytest

from lifecircle.api.schemas import (
    AccessOut,
    AreaOut,
    BoardOut,
    CompoundOut,
    FacilityOut,
    GapsOut,
    MessagesOut,
    RouteOut,
    TaxonomyOut,
)
from lifecircle.engine.profiles import PROFILES
from lifecircle.geo import haversine_m, wgs84_to_gcj02

COMPOUND = "街坊 29"  # a street block 200 m from the sample canteen (【示例】老人家食堂)
CANTEEN = "sheet:sample_facilities:S1"
ELDERLY_SAMPLES = {CANTEEN, "sheet:sample_facilities:S2", "sheet:sample_facilities:S3"}


@pytest.fixture(scope="module")
def compound(demo_client):
    found = demo_client.get("/api/compounds", params={"q": COMPOUND}).json()
    assert [c["name"] for c in found] == [COMPOUND]
    return found[0]


def test_area_says_what_is_served_and_how_old_the_data_is(demo_client):
    (area,) = demo_client.get("/api/areas").json()
    AreaOut.model_validate(area)
    assert area["name"].startswith("演示区域")
    assert area["notice"] == "演示：南京新街口真实 OSM 数据，非天津数据"
    assert area["code"] == ""  # Nanjing has no Tianjin code: the project has a name only
    assert area["data_version"] > 0 and area["data_date"].startswith("20")
    west, south, east, north = area["bbox"]
    assert 118.7 < west < east < 118.81 and 32.0 < south < north < 32.07
    english = demo_client.get("/api/areas", params={"lang": "en"}).json()[0]
    assert english["notice"] == "Demo: real OSM data of Xinjiekou, Nanjing — not Tianjin data"
    assert area["profiles"] == list(PROFILES)
    assert area["tile_url"] == ""  # offline by default


def test_taxonomy_has_the_ten_content_areas(demo_client):
    body = demo_client.get("/api/taxonomy").json()
    TaxonomyOut.model_validate(body)
    assert len(body["areas"]) == 10
    assert body["areas"][0]["name_zh"] == "养老"
    assert all(t["area"] in {a["code"] for a in body["areas"]} for t in body["types"])


def test_page_strings_come_in_the_asked_language(demo_client):
    zh = demo_client.get("/api/i18n", params={"lang": "zh"}).json()
    en = demo_client.get("/api/i18n", headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    MessagesOut.model_validate(zh)
    assert zh["messages"]["web.profile.elderly"] == "老年人"
    assert en["lang"] == "en" and en["messages"]["web.profile.elderly"] == "Older person"
    assert set(zh["messages"]) == set(en["messages"])


def test_compound_search_by_part_of_the_name_and_by_pinyin_initials(demo_client, compound):
    by_part = demo_client.get("/api/compounds", params={"q": "街坊"}).json()
    assert len(by_part) == 47  # every derived street block; the 48th is a named OSM compound
    by_initials = demo_client.get("/api/compounds", params={"q": "jf"}).json()
    assert {c["id"] for c in by_initials} == {c["id"] for c in by_part}
    assert demo_client.get("/api/compounds", params={"q": "没有这个"}).json() == []
    one = demo_client.get(f"/api/compounds/{compound['id']}").json()
    CompoundOut.model_validate(one)
    assert one["name"] == COMPOUND and one["entrances"]
    assert one["estimated"] is True  # residents of OSM-derived blocks are estimates


def test_facilities_filter_by_area_type_bbox_and_text(demo_client):
    elderly = demo_client.get("/api/facilities", params={"area": "elderly"}).json()
    for f in elderly:
        FacilityOut.model_validate(f)
    assert {f["id"] for f in elderly} == ELDERLY_SAMPLES
    assert all(f["name"].startswith("【示例】") for f in elderly)
    typed = demo_client.get("/api/facilities", params={"type": "elderly_canteen"}).json()
    assert [f["id"] for f in typed] == [CANTEEN]
    canteen = typed[0]
    lon, lat = canteen["lon"], canteen["lat"]
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    boxed = demo_client.get("/api/facilities", params={"bbox": box}).json()
    assert CANTEEN in {f["id"] for f in boxed} and len(boxed) < 100
    texted = demo_client.get("/api/facilities", params={"q": "老人家食堂"}).json()
    assert [f["id"] for f in texted] == [CANTEEN]
    one = demo_client.get(f"/api/facilities/{CANTEEN}").json()
    assert one["opening_hours"] == "Mo-Su 10:30-13:00"
    assert one["open_now"] in ("open", "closed")


def test_boards_and_a_board_by_its_qr_id(demo_client):
    boards = demo_client.get("/api/boards").json()
    assert len(boards) == 18  # 12 at compound gates, 6 at community and culture centres
    board = demo_client.get("/api/boards/demo-gate-1").json()
    BoardOut.model_validate(board)
    assert board["kind"] == "gate" and "演示展板" in board["name"]


def test_compound_access_lists_services_by_minutes_with_walking_areas(demo_client, compound):
    body = demo_client.get(f"/api/access/compound/{compound['id']}").json()
    AccessOut.model_validate(body)
    minutes = [f["minutes"] for f in body["facilities"]]
    assert minutes == sorted(minutes) and 0 < max(minutes) <= 15
    assert [f["properties"]["minutes"] for f in body["areas"]["features"]] == [15, 10, 5]
    types = {t["type"]: t for t in body["types"]}
    assert types["elderly_canteen"]["facility_id"] == CANTEEN
    assert body["origin"] == {
        "kind": "compound",
        "id": compound["id"],
        "name": COMPOUND,
        "lon": compound["lon"],
        "lat": compound["lat"],
    }


def test_elderly_walkers_need_more_minutes_and_reach_fewer_places(demo_client, compound):
    def get(profile):
        url = f"/api/access/compound/{compound['id']}"
        body = demo_client.get(url, params={"profile": profile}).json()
        return {f["id"]: f["minutes"] for f in body["facilities"]}

    standard, elderly = get("standard"), get("elderly")
    assert len(elderly) < len(standard)
    assert elderly[CANTEEN] > standard[CANTEEN]


def test_board_access_and_point_access(demo_client):
    board = demo_client.get("/api/access/board/demo-gate-1").json()
    assert board["origin"]["kind"] == "board" and board["facilities"]
    assert [f["properties"]["minutes"] for f in board["areas"]["features"]] == [15, 10, 5]
    where = board["origin"]
    point = demo_client.get(
        "/api/access/point", params={"lon": where["lon"], "lat": where["lat"]}
    ).json()
    assert point["areas"]["features"] == []
    near_board = {f["id"]: f["minutes"] for f in board["facilities"]}
    near_point = {f["id"]: f["minutes"] for f in point["facilities"]}
    assert near_point == near_board  # the same place gives the same minutes


def test_route_minutes_equal_the_access_minutes(demo_client, compound):
    access = demo_client.get(
        f"/api/access/compound/{compound['id']}", params={"profile": "elderly"}
    ).json()
    listed = {f["id"]: f["minutes"] for f in access["facilities"]}
    route = demo_client.get(
        "/api/route", params={"compound": compound["id"], "facility": CANTEEN, "profile": "elderly"}
    ).json()
    RouteOut.model_validate(route)
    assert route["properties"]["minutes"] == listed[CANTEEN]
    assert route["geometry"]["type"] == "LineString" and len(route["geometry"]["coordinates"]) > 2
    board = demo_client.get("/api/route", params={"board": "demo-gate-1", "facility": CANTEEN})
    assert board.status_code == 200


def test_route_between_two_points(demo_client):
    board = demo_client.get("/api/boards/demo-gate-1").json()
    canteen = demo_client.get(f"/api/facilities/{CANTEEN}").json()
    params = {
        "from_lon": board["lon"],
        "from_lat": board["lat"],
        "to_lon": canteen["lon"],
        "to_lat": canteen["lat"],
    }
    route = demo_client.get("/api/route", params=params).json()
    end = route["geometry"]["coordinates"][-1]
    assert haversine_m(end[0], end[1], canteen["lon"], canteen["lat"]) < 1.0
    straight = haversine_m(board["lon"], board["lat"], canteen["lon"], canteen["lat"])
    assert route["properties"]["length_m"] >= straight


def test_gap_summaries(demo_client):
    body = demo_client.get("/api/gaps", params={"profile": "elderly"}).json()
    GapsOut.model_validate(body)
    assert body["profile"] == "elderly" and body["missing_rows"] > 0
    assert body["top_missing"] and body["coverage"]
    assert body["notice"].startswith("演示：南京新街口")
    assert demo_client.get("/api/gaps", params={"level": 5}).status_code == 200


def test_gap_summaries_say_what_is_not_collected_per_type(demo_client):
    body = demo_client.get("/api/gaps").json()
    by_type = {c["type"]: c for c in body["by_type"]}
    declared = by_type["community_health_station"]  # the sample sheet is declared complete
    assert declared["collected"] and 0 < declared["compounds_within"] < declared["compounds"]
    assert 0 < declared["share_residents"] < 1
    kindergarten = by_type["kindergarten"]  # OSM has none here and no sheet says otherwise
    assert not kindergarten["collected"] and kindergarten["share_residents"] is None
    unknown = {u["type"] for u in body["not_collected"]}
    assert "kindergarten" in unknown and "community_health_station" not in unknown
    assert "kindergarten" not in {m["type"] for m in body["top_missing"]}
    health = next(c for c in body["coverage"] if c["content_area"] == "education")
    assert health["not_collected"] == ["kindergarten"]


def test_access_types_say_not_collected_where_the_data_holds_nothing(demo_client, compound):
    body = demo_client.get(f"/api/access/compound/{compound['id']}").json()
    types = {t["type"]: t for t in body["types"]}
    assert types["kindergarten"]["reach"] == "not_collected"
    assert types["kindergarten"]["missing"] is False and types["kindergarten"]["minutes"] is None
    assert types["breakfast_shop"]["reach"] in ("within", "missing")  # declared complete


def test_basemap_streets_are_light_classed_geojson(demo_client):
    streets = demo_client.get("/api/basemap/streets").json()
    classes = {f["properties"]["class"] for f in streets["features"]}
    assert classes == {"major", "minor", "path"}
    coords = streets["features"][0]["geometry"]["coordinates"]
    assert all(len(str(x).split(".")[1]) <= 6 for xy in coords for x in xy)
    # buildings and water come from the base map the OSM import wrote beside the store
    for layer in ("buildings", "water"):
        features = demo_client.get(f"/api/basemap/{layer}").json()["features"]
        assert features and {f["geometry"]["type"] for f in features} <= {
            "Polygon",
            "MultiPolygon",
        }


# -- coordinate systems ---------------------------------------------------------------------


def test_crs_gcj02_converts_output_coordinates(demo_client):
    wgs = demo_client.get("/api/boards/demo-gate-1").json()
    gcj = demo_client.get("/api/boards/demo-gate-1", params={"crs": "gcj02"}).json()
    expected = wgs84_to_gcj02(wgs["lon"], wgs["lat"])
    assert (gcj["lon"], gcj["lat"]) == pytest.approx(expected)
    # Nanjing is in China: an AMap/WeChat client gets the point some hundreds of metres off
    assert 100 < haversine_m(gcj["lon"], gcj["lat"], wgs["lon"], wgs["lat"]) < 1000
    bd = demo_client.get("/api/boards/demo-gate-1", params={"crs": "bd09"}).json()
    assert haversine_m(bd["lon"], bd["lat"], wgs["lon"], wgs["lat"]) > 100  # BD-09 shifts anyway


def test_crs_converts_geojson_and_reads_input_points(demo_client):
    wgs = demo_client.get("/api/access/board/demo-gate-1").json()
    bd = demo_client.get("/api/access/board/demo-gate-1", params={"crs": "bd09"}).json()
    ring_wgs = wgs["areas"]["features"][0]["geometry"]["coordinates"]
    ring_bd = bd["areas"]["features"][0]["geometry"]["coordinates"]
    assert ring_bd != ring_wgs
    # a point given in BD-09 lands where the WGS-84 one does
    o = bd["origin"]
    again = demo_client.get(
        "/api/access/point", params={"lon": o["lon"], "lat": o["lat"], "crs": "bd09"}
    ).json()
    assert {f["id"] for f in again["facilities"]} == {f["id"] for f in wgs["facilities"]}


def test_crs_conversion_in_china_moves_points(demo_client):
    from lifecircle.api.common import convert_coords

    value = {"lon": 117.2, "lat": 39.1, "geometry": {"coordinates": [[117.2, 39.1]]}}
    out = convert_coords(value, "gcj02")
    assert 100 < haversine_m(out["lon"], out["lat"], 117.2, 39.1) < 1000
    assert out["geometry"]["coordinates"][0] == [out["lon"], out["lat"]]


# -- caching --------------------------------------------------------------------------------


def test_etag_answers_304_and_changes_with_the_parameters(demo_client):
    first = demo_client.get("/api/access/board/demo-gate-1")
    tag = first.headers["etag"]
    again = demo_client.get("/api/access/board/demo-gate-1", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    other = demo_client.get(
        "/api/access/board/demo-gate-1",
        params={"profile": "elderly"},
        headers={"If-None-Match": tag},
    )
    assert other.status_code == 200 and other.headers["etag"] != tag
    english = demo_client.get("/api/i18n", params={"lang": "en"}).headers["etag"]
    assert english != demo_client.get("/api/i18n", params={"lang": "zh"}).headers["etag"]


# -- pages ----------------------------------------------------------------------------------


def test_pages_and_vendor_files_are_served(demo_client):
    page = demo_client.get("/")
    assert page.status_code == 200 and 'src="/static/app.js"' in page.text
    assert demo_client.get("/b/demo-gate-1").text == page.text
    script = demo_client.get("/vendor/maplibre/maplibre-gl.mjs")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert demo_client.get("/static/app.js").status_code == 200
    assert "/api/access/compound/{compound_id}" in demo_client.get("/openapi.json").json()["paths"]


def test_pages_allow_only_their_own_server(demo_client):
    for path in ("/", "/b/demo-gate-1", "/staff/"):
        policy = demo_client.get(path).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        assert "http" not in policy  # no online tile source set: nothing outside is allowed


def test_api_docs_work_offline(demo_client):
    docs = demo_client.get("/docs")
    assert docs.status_code == 200
    # every script and style of the docs page comes from this server (swagger-ui-dist from npm)
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/vendor/swagger-ui/") for a in assets)
    for asset in assets:
        assert demo_client.get(asset).status_code == 200
    assert demo_client.get("/redoc").status_code == 404


def test_an_unnamed_facility_is_called_by_its_type_in_the_asked_language(demo_client):
    zh = demo_client.get("/api/facilities", params={"type": "bicycle_parking"}).json()
    en = demo_client.get("/api/facilities", params={"type": "bicycle_parking", "lang": "en"}).json()
    unnamed = [i for i, f in enumerate(zh) if f["name"] == f["type_name_zh"]]
    assert unnamed
    assert all(en[i]["name"] == en[i]["type_name_en"] for i in unnamed)
