from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from lifecircle.errors import TaxonomyError, UnknownTypeError
from lifecircle.taxonomy import (
    SHAPES,
    Taxonomy,
    load_taxonomy,
    parse_osm_rule,
)

DATA = Path(__file__).parents[1] / "data" / "taxonomy"
MINIMAL = DATA / "minimal.toml"
AREA_CODES = [
    "elderly", "health", "education", "culture", "sports",
    "transport", "convenience", "shopping", "government", "safety",
]  # fmt: skip
AREA_NAMES_ZH = [
    "养老",
    "健康",
    "教育",
    "文化",
    "体育",
    "交通",
    "便民",
    "购物",
    "政务服务",
    "应急安全",
]


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture
def user_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a variant of minimal.toml with one piece of text replaced; return its path."""

    def factory(old: str = "", new: str = "", *, text: str | None = None) -> Path:
        base = MINIMAL.read_text(encoding="utf-8") if text is None else text
        if old:
            assert old in base, f"test setup: {old!r} not in the file"
            base = base.replace(old, new, 1)
        path = tmp_path / "my_taxonomy.toml"
        path.write_text(base, encoding="utf-8")
        return path

    return factory


# ── the packaged file ───────────────────────────────────────────────────────────────────────


def test_packaged_file_has_the_ten_areas_in_order(tax: Taxonomy) -> None:
    assert [a.code for a in tax.areas] == AREA_CODES
    assert [a.name_zh for a in tax.areas] == AREA_NAMES_ZH
    assert [a.order for a in tax.areas] == list(range(1, 11))


def test_packaged_file_has_enough_types_each_in_a_known_area(tax: Taxonomy) -> None:
    assert len(tax.types) >= 40
    for ftype in tax.types:
        assert tax.area(ftype.area).code == ftype.area
        assert ftype.level_min in (5, 10, 15)
        assert ftype.dimension in ("government", "welfare", "convenience")
    assert all(tax.types_in_area(code) for code in AREA_CODES), "every area has types"


def test_version_is_a_hash_of_the_file_bytes(tax: Taxonomy, tmp_path: Path) -> None:
    packaged = Path(tax.path).read_bytes()
    copy = tmp_path / "copy.toml"
    copy.write_bytes(packaged)
    assert load_taxonomy(copy).version == tax.version
    copy.write_bytes(packaged + b"\n# a comment changes the version\n")
    changed = load_taxonomy(copy)
    assert changed.version != tax.version and len(changed.version) == 12
    assert changed.types == tax.types


def _lab(color: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB hex colour, computed here independently of the package."""

    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(color[i : i + 2], 16)) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_lab_helper_matches_known_values() -> None:
    assert _lab("#ffffff")[0] == pytest.approx(100, abs=0.1)
    assert _lab("#000000")[0] == pytest.approx(0, abs=0.1)
    assert _lab("#777777")[0] == pytest.approx(50.0, abs=0.5)  # mid grey is L* ≈ 50


def test_area_colours_separate_in_greyscale_and_in_colour(tax: Taxonomy) -> None:
    labs = {a.code: _lab(a.color) for a in tax.areas}
    for (one, lab1), (two, lab2) in itertools.combinations(labs.items(), 2):
        assert abs(lab1[0] - lab2[0]) >= 6, f"{one} and {two} look alike in greyscale"
        assert math.dist(lab1, lab2) >= 20, f"{one} and {two} look alike in colour"


def test_area_markers_differ_in_shape_and_icons_are_names(tax: Taxonomy) -> None:
    shapes = [a.shape for a in tax.areas]
    assert len(set(shapes)) == len(shapes) and set(shapes) <= set(SHAPES)
    assert all(a.icon.replace("-", "").isalnum() and a.icon.islower() for a in tax.areas)


def test_unverified_evidence_is_never_marked_verified(tax: Taxonomy) -> None:
    for ftype in tax.types:
        assert ftype.verified == (ftype.evidence in ("V", "V3")), ftype.code
    # §1.2 of the notes is a reconstruction [B]: most GB rows must stay unverified.
    assert tax.type("nursing_home").evidence == "B" and not tax.type("nursing_home").verified
    assert tax.type("kindergarten").verified  # ≤300 m and 基础保障型 are [V3]
    assert sum(f.verified for f in tax.types) < len(tax.types) / 2


def test_amap_codes_are_six_digits_with_the_notes_marks(tax: Taxonomy) -> None:
    codes = {c.code: (f.code, c.evidence) for f in tax.types for c in f.amap_codes}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert codes["141203"] == ("primary_school", "V")  # ✓ in the notes
    assert codes["141204"] == ("kindergarten", "V3")  # ✓(V3)
    assert codes["150500"] == ("metro_station", "B")  # ? in the notes


def test_named_circles(tax: Taxonomy) -> None:
    names = {c.name_zh: c for c in tax.circles}
    assert set(names) == {
        "居家养老15分钟服务圈",
        "15分钟卫生服务圈",
        "15分钟健身圈",
        "一刻钟便民生活圈",
    }
    assert "elderly_canteen" in tax.circle("home_care_15min").type_codes
    assert "breakfast_shop" in names["一刻钟便民生活圈"].type_codes
    assert all(c.minutes == 15 for c in tax.circles)
    with pytest.raises(TaxonomyError, match="unknown service circle 'nope'"):
        tax.circle("nope")


# ── resolve_type ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("kindergarten", "kindergarten"),  # code
        ("幼儿园", "kindergarten"),  # Chinese name
        (" 托老所 ", "day_care_centre"),  # alias, stray spaces
        ("社区食堂", "elderly_canteen"),
        ("长者食堂", "elderly_canteen"),
        ("Nursing-Home", "nursing_home"),  # English name, case and hyphen ignored
        ("ＫＩＮＤＥＲＧＡＲＴＥＮ", "kindergarten"),  # full-width letters
        ("社区服务中心(街道级)", "subdistrict_service_centre"),  # ASCII brackets for （）
        ("141204", "kindergarten"),  # AMap code
        ("050101", "catering"),  # unknown 小类 falls back to the 大类 050000
        ("141203|141202", "primary_school"),  # several AMap codes: the first that resolves
        ("科教文化服务;学校;小学", "primary_school"),  # AMap type text
        ("医疗保健服务;综合医院;卫生院", "community_health_station"),
        ("购物服务;综合市场;果品市场", "fresh_market"),  # last part unknown, middle part known
        ("餐饮服务;快餐厅;肯德基", "catering"),  # a fast-food chain is no breakfast shop
        ("医疗保健服务;医药保健销售店;药房", "pharmacy"),
        ("购物服务;便民商店/便利店;便民商店/便利店", "convenience_store"),
    ],
)
def test_resolve_type(tax: Taxonomy, text: str, code: str) -> None:
    assert tax.resolve_type(text).code == code


def test_resolve_type_unknown_suggests_close_names(tax: Taxonomy) -> None:
    with pytest.raises(UnknownTypeError) as caught:
        tax.resolve_type("幼儿圆")
    assert caught.value.value == "幼儿圆"
    assert caught.value.suggestions[0] == "幼儿园 (kindergarten)"
    assert "幼儿园 (kindergarten)" in str(caught.value)

    with pytest.raises(UnknownTypeError) as caught:
        tax.resolve_type("社区服务中心")  # ambiguous on purpose: no type owns the bare name
    assert caught.value.suggestions[0] == "社区服务中心（街道级） (subdistrict_service_centre)"
    assert "社区服务站 (community_service_station)" in caught.value.suggestions
    assert len(caught.value.suggestions) <= 5

    with pytest.raises(UnknownTypeError) as caught:
        tax.resolve_type("kindergarden")
    assert caught.value.suggestions[0] == "幼儿园 (kindergarten)"

    with pytest.raises(UnknownTypeError) as caught:
        tax.resolve_type("clinic")  # part of a code
    assert caught.value.suggestions == ("门诊部 (outpatient_clinic)",)

    with pytest.raises(UnknownTypeError) as caught:
        tax.resolve_type("河西区第二幼儿园")  # a facility's name typed into the type column
    assert "幼儿园 (kindergarten)" in caught.value.suggestions


def test_resolve_type_refuses_nonsense(tax: Taxonomy) -> None:
    for text in ("", "   ", "风景名胜;公园广场;公园", "999999", "xyzzy"):
        with pytest.raises(UnknownTypeError):
            tax.resolve_type(text)


def test_type_and_area_lookups_fail_clearly(tax: Taxonomy) -> None:
    with pytest.raises(UnknownTypeError) as caught:
        tax.type("kindergarden")
    assert "kindergarten" in str(caught.value)
    with pytest.raises(TaxonomyError, match=r"unknown content area 'parks'.*elderly"):
        tax.area("parks")
    with pytest.raises(TaxonomyError):
        tax.types_in_area("parks")
    assert [t.code for t in tax.types_in_area("education")] == [
        "nursery", "kindergarten", "primary_school", "junior_middle_school",
    ]  # fmt: skip


# ── match_osm ───────────────────────────────────────────────────────────────────────────────

# Hand-made tag dictionaries in the style of Chinese OSM data (not copied from real objects).
HAND_MADE_TAGS = [
    (
        {
            "amenity": "social_facility",
            "social_facility": "nursing_home",
            "social_facility:for": "senior",
            "name": "河西区第一养老院",
        },
        "nursing_home",
    ),
    ({"amenity": "nursing_home", "name": "天津市老年养护院"}, "long_term_care_home"),
    (
        {"amenity": "social_facility", "social_facility": "nursing_home", "name": "老年养护院"},
        "long_term_care_home",
    ),
    (
        {
            "amenity": "social_facility",
            "social_facility": "day_care",
            "social_facility:for": "senior",
        },
        "day_care_centre",
    ),
    (
        {
            "amenity": "social_facility",
            "social_facility": "outreach",
            "social_facility:for": "diseased",
        },
        None,
    ),
    (
        {
            "amenity": "social_facility",
            "social_facility": "day_care",
            "social_facility:for": "child",
        },
        None,
    ),
    ({"amenity": "restaurant", "name": "友谊路街老人家食堂"}, "elderly_canteen"),
    ({"name": "马场街助餐点"}, "elderly_canteen"),
    ({"amenity": "restaurant", "name": "狗不理包子"}, "catering"),
    ({"amenity": "fast_food", "name": "桃园早点铺"}, "breakfast_shop"),
    ({"amenity": "kindergarten", "name": "河西区第二幼儿园"}, "kindergarten"),
    ({"amenity": "school", "name": "天津市第四十一中学"}, "junior_middle_school"),
    ({"amenity": "school", "name": "闽侯路小学"}, "primary_school"),
    ({"amenity": "pharmacy", "healthcare": "pharmacy", "name": "老百姓大药房"}, "pharmacy"),
    (
        {"amenity": "clinic", "healthcare": "clinic", "name": "越秀路街社区卫生服务中心"},
        "community_health_centre",
    ),
    (
        {"amenity": "clinic", "healthcare": "clinic", "name": "平山道社区卫生服务站"},
        "community_health_station",
    ),
    ({"amenity": "clinic", "healthcare": "clinic", "name": "口腔门诊部"}, "outpatient_clinic"),
    ({"highway": "bus_stop", "name": "围堤道"}, "bus_stop"),
    ({"railway": "subway_entrance", "ref": "A"}, "metro_station"),
    ({"railway": "station", "station": "subway", "name": "土城"}, "metro_station"),
    ({"shop": "convenience", "name": "好德便利"}, "convenience_store"),
    (
        {"amenity": "community_centre", "name": "桃园街社区党群服务中心"},
        "community_service_station",
    ),
    ({"amenity": "community_centre", "name": "社区活动室"}, "culture_station"),
    ({"amenity": "police", "name": "友谊路派出所"}, "police_station"),
    ({"amenity": "police", "name": "柳林社区警务室"}, "police_post"),
    ({"leisure": "pitch", "sport": "basketball;soccer"}, "medium_sports_ground"),
    ({"craft": "key_cutter", "name": "配钥匙"}, "repair_point"),
    ({"emergency": "assembly_point", "assembly_point:earthquake": "yes"}, "emergency_shelter"),
    ({"amenity": "bench"}, None),
    ({"leisure": "park", "name": "水上公园"}, None),
]


@pytest.mark.parametrize(("tags", "code"), HAND_MADE_TAGS)
def test_match_osm_hand_made(tax: Taxonomy, tags: dict[str, str], code: str | None) -> None:
    assert _matched(tax, tags) == code


# Real objects from tests/data/taxonomy/helsinki_tags.json, expectations checked by hand.
HELSINKI_EXPECTED = {
    "node/25389429": None,  # main-line railway station: not 轨道交通 (urban rail)
    "node/418089207": "metro_station",  # railway=station + station=subway
    "node/176233847": "metro_station",  # railway=subway_entrance
    "node/410088134": None,  # social_facility outreach for the diseased
    "node/6049453036": None,  # social_facility day_care for children
    "node/4751244150": None,  # jeweller (craft=jeweller is no repair point)
    "way/122872078": "medium_sports_ground",  # pitch sport=multi
    "way/138172979": "small_sports_ground",  # tennis courts
    "way/122872070": "small_sports_ground",  # plain pitch
    "way/596507272": "primary_school",  # ala-aste = primary school, no isced:level
    "node/1369465553": "pharmacy",
    "node/5011281376": "outpatient_clinic",  # amenity=clinic + healthcare=yes
    "node/1985597270": "outpatient_clinic",  # amenity=doctors
    "node/1324225776": "kindergarten",
    "way/369836420": "nursery",  # amenity=childcare
    "node/369550855": "library",
    "node/4989964863": "culture_station",  # plain amenity=community_centre
    "node/56431331": "post_office",
    "way/24337154": "subdistrict_office",  # amenity=townhall
    "way/570654271": "fresh_market",  # amenity=marketplace (a market hall)
    "node/92556620": "bank",
    "node/103678074": "public_toilet",
    "node/311101052": "bicycle_parking",
    "node/277398828": "car_parking",
    "node/56418307": "catering",
    "node/151006083": "catering",
    "node/60068035": "catering",
    "node/302562060": None,  # bench
    "node/60069304": "bus_terminal",
    "node/6049452999": "recycling",
    "relation/167018": "fire_station",
    "node/175881540": "bus_stop",
    "node/1369465540": "convenience_store",
    "node/288130404": "supermarket",
    "node/4542621189": "mall",
    "way/122595238": "mall",  # department store
    "node/474989232": "hair_beauty",
    "node/349041878": "hair_beauty",
    "node/4751244133": "laundry",
    "node/5918702949": "photo_print",
    "node/256198895": None,  # clothes shop
    "node/4433610190": "repair_point",  # craft=shoemaker
    "node/6139262617": "repair_point",  # craft=electronics_repair
    "way/29049709": "playground",
    "node/2927484673": "outdoor_fitness",
    "node/309713534": "gym",
    "node/1380976609": "sports_centre",  # swimming hall
    "way/8042256": None,  # park
    "node/612037371": None,  # fire hydrant
}


def test_match_osm_on_real_helsinki_objects(tax: Taxonomy) -> None:
    objects = json.loads((DATA / "helsinki_tags.json").read_text(encoding="utf-8"))
    assert {o["osm"] for o in objects} == set(HELSINKI_EXPECTED)
    found = {obj["osm"]: _matched(tax, obj["tags"]) for obj in objects}
    wrong = {osm: code for osm, code in found.items() if code != HELSINKI_EXPECTED[osm]}
    assert wrong == {}


def _matched(tax: Taxonomy, tags: dict[str, str]) -> str | None:
    found = tax.match_osm(tags)
    return found.code if found is not None else None


def test_more_specific_rule_wins_then_file_order(user_file: Callable[..., Path]) -> None:
    tax = load_taxonomy(user_file())
    # canteen (1 condition) and restaurant (1 condition) tie: canteen is first in the file.
    assert _matched(tax, {"amenity": "canteen"}) == "canteen"
    # senior_canteen comes last but its rule has 2 conditions.
    senior = {"amenity": "canteen", "social_facility:for": "senior"}
    assert _matched(tax, senior) == "senior_canteen"
    assert _matched(tax, {"name": "老人家食堂"}) == "senior_canteen"  # the only rule that matches
    # The same tie goes the other way when the file order is reversed.
    reversed_tax = Taxonomy(path="x", version="x", areas=tax.areas, types=tax.types[::-1])
    assert _matched(reversed_tax, {"amenity": "canteen"}) == "restaurant"
    assert _matched(reversed_tax, senior) == "senior_canteen"


def test_candidate_rules_pick_possible_hosts(tax: Taxonomy) -> None:
    canteen = tax.type("elderly_canteen")
    assert canteen.could_host({"amenity": "restaurant", "name": "家常菜馆"})
    assert not canteen.could_host({"amenity": "bench"})
    assert not tax.type("pharmacy").could_host({"amenity": "restaurant"})


def test_rule_language() -> None:
    rule = parse_osm_rule("leisure=pitch + sport=soccer|multi + access!=private + name~球场$")
    assert rule.specificity == 4
    assert rule.matches({"leisure": "pitch", "sport": "tennis;multi", "name": "柳林球场"})
    assert not rule.matches(
        {"leisure": "pitch", "sport": "multi", "name": "柳林球场", "access": "private"}
    )
    assert not rule.matches({"leisure": "pitch", "sport": "multi"})  # name~ needs a name
    present = parse_osm_rule("amenity=* + shop!=*")
    assert present.matches({"amenity": "x"}) and not present.matches({"amenity": "x", "shop": "y"})


# ── user files with errors ──────────────────────────────────────────────────────────────────


def test_minimal_user_file_loads(user_file: Callable[..., Path]) -> None:
    path = user_file()
    tax = load_taxonomy(path)
    assert tax.path == str(path) and tax.name == "test taxonomy" and tax.meta_version == "t1"
    assert [t.code for t in tax.types] == ["canteen", "restaurant", "senior_canteen"]
    assert tax.resolve_type("助餐点").code == "canteen"
    assert tax.resolve_type("050000").code == "restaurant"
    assert load_taxonomy(user_file(text="\ufeff" + MINIMAL.read_text(encoding="utf-8"))).types


BROKEN = [
    pytest.param(
        'name_en = "Canteen"', 'name_en = "Canteen', ["not valid TOML", "line 29"], id="toml"
    ),
    pytest.param(
        "level_min = 5",
        "level_min = 20",
        ["types[1] (code 'canteen', line 26)", "'level_min'", "5, 10 or 15", "20"],
        id="level",
    ),
    pytest.param(
        "level_min = 5",
        "level_min = true",
        ["types[1]", "'level_min'", "whole number"],
        id="level-bool",
    ),
    pytest.param(
        'standard = "hand-made"\n',
        "",
        ["types[1] (code 'canteen'", "missing field 'standard'"],
        id="missing",
    ),
    pytest.param(
        'icon = "home"',
        'icon = "home"\ncolour = "#ffffff"',
        ["areas[1] (code 'elderly', line 10)", "unknown field 'colour'", "did you mean 'color'"],
        id="unknown-field",
    ),
    pytest.param(
        "required = false",
        'required = "no"',
        ["types[1]", "'required'", "true or false"],
        id="wrong-type",
    ),
    pytest.param(
        'code = "restaurant"',
        'code = "canteen"',
        ["types[2] (code 'canteen', line 40)", "already used by types[1] (code 'canteen'"],
        id="duplicate-code",
    ),
    pytest.param(
        'name_zh = "老年食堂"',
        'name_zh = "助餐点"',
        ["types[3] (code 'senior_canteen'", "'助餐点'", "already used by types[1]"],
        id="duplicate-alias",
    ),
    pytest.param(
        'area = "shopping"',
        'area = "parks"',
        ["types[2]", "'area'", "'elderly', 'shopping'", "'parks'"],
        id="unknown-area",
    ),
    pytest.param(
        'color = "#f28732"',
        'color = "orange"',
        ["areas[1] (code 'elderly'", "#rrggbb", "'orange'"],
        id="colour",
    ),
    pytest.param(
        'shape = "diamond"',
        'shape = "heart"',
        ["areas[2] (code 'shopping'", "shape 'heart'", "already used"],
        id="duplicate-shape",
    ),
    pytest.param(
        'osm = ["amenity=canteen"]',
        'osm = ["amenity"]',
        ["types[1] (code 'canteen'", "'osm', rule 1 ('amenity')", "key=value"],
        id="rule-syntax",
    ),
    pytest.param(
        'osm = ["amenity=canteen"]',
        'osm = ["name~老人家(食堂"]',
        ["types[1]", "invalid regular expression '老人家(食堂'"],
        id="regex",
    ),
    pytest.param(
        'osm = ["amenity=canteen"]',
        'osm = ["amenity!=bench"]',
        ["types[1]", "only != conditions"],
        id="rule-negative-only",
    ),
    pytest.param(
        'code = "050000"',
        'code = "5000"',
        ["types[2] (code 'restaurant'", "amap_codes[1]", "6 digits", "'5000'"],
        id="amap",
    ),
    pytest.param(
        '"canteen", "senior_canteen"]',
        '"canteen", "senior_cantene"]',
        [
            "circles[1] (code 'meals'",
            "unknown type 'senior_cantene'",
            "did you mean 'senior_canteen'",
        ],
        id="circle-type",
    ),
    pytest.param(
        'evidence = "B"\nverified = false',
        'evidence = "B"\nverified = true',
        ["types[1]", "'verified' is true but evidence is 'B'"],
        id="verified-b",
    ),
    pytest.param("format = 1", "format = 2", ["[meta]", "'format'", "2"], id="format"),
    pytest.param("[meta]", "[extra]\nx = 1\n\n[meta]", ["unknown section 'extra'"], id="section"),
    pytest.param(
        'code = "canteen"',
        'code = "Canteen Type"',
        ["types[1]", "'code'", "lower-case"],
        id="code-style",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN)
def test_broken_user_file_is_refused_with_file_and_entry(
    user_file: Callable[..., Path], old: str, new: str, expected: list[str]
) -> None:
    path = user_file(old, new)
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in expected:
        assert fragment in message


def test_file_without_areas_or_types_is_refused(user_file: Callable[..., Path]) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    no_areas = text[: text.index("[[areas]]")] + text[text.index("[[types]]") :]
    with pytest.raises(TaxonomyError, match=r"no \[\[areas\]\] entries"):
        load_taxonomy(user_file(text=no_areas))
    no_types = text[: text.index("[[types]]")]
    with pytest.raises(TaxonomyError, match=r"no \[\[types\]\] entries"):
        load_taxonomy(user_file(text=no_types))
    with pytest.raises(TaxonomyError, match=r"missing \[meta\]"):
        load_taxonomy(
            user_file(
                text=text.replace("[meta]", "# no meta")
                .replace("format = 1", "")
                .replace('name = "test taxonomy"', "")
                .replace('version = "t1"', "")
            )
        )


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "missing.toml")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("name = 'caf\u00e9'".encode("latin-1"))
    with pytest.raises(TaxonomyError, match="not UTF-8"):
        load_taxonomy(latin1)
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path)
