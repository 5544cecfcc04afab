"""Tests for lifecircle.io.osm: OSM extracts into walk ways, nodes, facilities and buildings."""

from __future__ import annotations

import collections
import doctest
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import osmium
import pytest
import shapely
from osmium.osm.mutable import Node, Way

from lifecircle.errors import LocationError, OsmFileError
from lifecircle.geo import local_metric_transformer
from lifecircle.io import osm as osm_module
from lifecircle.io import osm_geom as _osm_geom
from lifecircle.io import osm_tags as _osm_tags
from lifecircle.io.osm import OsmExtract, read_osm
from lifecircle.jobs.demo import demo_file

DATA = Path(__file__).parents[1] / "data" / "osm"
HELSINKI = demo_file("helsinki.osm.pbf")  # the packaged demo extract (real OSM)
FINLAND = DATA / "test.osm.pbf"
HEXI = DATA / "hexi_synthetic.osm"


def fake_match(tags: Mapping[str, str]) -> str | None:
    """A stand-in for the taxonomy: the amenity/shop/leisure value is the type code."""
    for key in ("amenity", "shop", "leisure"):
        if key in tags:
            return tags[key]
    return "bus_stop" if tags.get("highway") == "bus_stop" else None


_CACHE: dict[str, OsmExtract] = {}


def read(path: Path) -> OsmExtract:
    """Read each fixture once per test session (the files are read-only)."""
    if str(path) not in _CACHE:
        _CACHE[str(path)] = read_osm(path, match_type=fake_match)
    return _CACHE[str(path)]


@pytest.fixture
def write_osm(tmp_path: Path) -> Callable[..., Path]:
    """Factory: write a tiny OSM file from (id, lon, lat, tags) nodes and (id, refs, tags) ways."""

    def write(
        name: str,
        nodes: list[tuple[int, float, float, dict[str, str]]],
        ways: Sequence[tuple[int, list[int], dict[str, str]]] = (),
        header: dict[str, str] | None = None,
    ) -> Path:
        path = tmp_path / name
        head = osmium.io.Header()
        for key, value in (header or {}).items():
            head.set(key, value)
        writer = osmium.SimpleWriter(str(path), header=head)
        for node_id, lon, lat, tags in nodes:
            writer.add_node(Node(id=node_id, location=(lon, lat), tags=tags))
        for way_id, refs, tags in ways:
            writer.add_way(Way(id=way_id, nodes=refs, tags=tags))
        writer.close()
        return path

    return write


# --------------------------------------------------------------------------- hand-made Hexi


def test_hexi_keeps_walkable_ways_and_drops_motorway_and_construction() -> None:
    extract = read(HEXI)
    ids = {w.osm_id for w in extract.ways}
    assert ids == {100, 101, 102, 103, 104, 105, 110, 111, 112, 113, 114, 121, 122, 151, 172}
    assert 170 not in ids and 171 not in ids  # motorway, construction
    assert extract.bounds == (117.2, 39.1, 117.21, 39.11)
    assert extract.osm_timestamp == "2024-06-15T08:30:00Z"
    assert not extract.clipped_to_boundary


def test_hexi_footbridge_and_steps_keep_the_tags_profiles_need() -> None:
    ways = {w.osm_id: w for w in read(HEXI).ways}
    assert ways[112].tags == {
        "highway": "footway",
        "bridge": "yes",
        "layer": "1",
        "name": "试验大道人行天桥",
    }
    assert ways[111].tags == {
        "highway": "steps",
        "step_count": "28",
        "handrail": "yes",
        "ramp": "no",
        "ramp:wheelchair": "no",
        "incline": "up",
    }
    assert ways[113].tags["ramp:stroller"] == "yes"
    # the bridge never shares a node with the arterial it crosses
    assert not set(ways[112].node_ids) & set(ways[100].node_ids)
    assert ways[100].tags["lanes"] == "6" and "source" not in ways[100].tags
    assert ways[112].coords == ((117.203, 39.1047), (117.203, 39.1053))


def test_hexi_restricted_ways_are_kept_with_their_restriction() -> None:
    ways = {w.osm_id: w for w in read(HEXI).ways}
    assert ways[172].tags == {"highway": "cycleway", "foot": "no"}
    assert ways[121].tags == {"highway": "service", "access": "private"}


def test_hexi_walk_nodes_are_tagged_nodes_on_walk_ways_only() -> None:
    nodes = {n.osm_id: n for n in read(HEXI).nodes}
    assert set(nodes) == {4, 6, 44, 47, 53, 56, 57}  # gate 58 lies on no way
    assert nodes[44].tags == {"barrier": "gate", "name": "西门"}
    assert nodes[56].tags == {"barrier": "bollard"}
    assert nodes[57].tags == {"barrier": "kerb", "kerb": "raised"}
    assert nodes[6].tags == {
        "highway": "traffic_signals",
        "crossing": "traffic_signals",
        "crossing:island": "yes",
    }
    assert (nodes[44].lon, nodes[44].lat) == (117.2005, 39.1075)


def test_hexi_point_facility_has_name_address_phone_hours() -> None:
    facilities = {f.source_id: f for f in read(HEXI).facilities}
    pharmacy = facilities["osm:node/50"]
    assert (pharmacy.name, pharmacy.type_code) == ("示例大药房", "pharmacy")
    assert (pharmacy.lon, pharmacy.lat) == (117.204, 39.1057)
    assert pharmacy.address == "试验大道8号"
    assert pharmacy.phone == "+86 22 0000 0000"
    assert pharmacy.opening_hours == "08:00-21:00"
    assert pharmacy.extra == {"amenity": "pharmacy", "name:en": "Demo Pharmacy (synthetic)"}
    assert pharmacy.source == "osm:hexi_synthetic.osm"
    assert pharmacy.outline_wkt is None and pharmacy.entrances == ()
    assert facilities["osm:node/52"].type_code == "bus_stop"
    assert list(facilities) == [
        "osm:node/50",
        "osm:node/51",
        "osm:node/52",
        "osm:node/55",
        "osm:way/150",
        "osm:relation/200",
    ]


def test_hexi_area_facility_has_outline_entrance_and_inner_point() -> None:
    facilities = {f.source_id: f for f in read(HEXI).facilities}
    school = facilities["osm:way/150"]
    outline = shapely.from_wkt(school.outline_wkt)
    assert outline.geom_type == "Polygon"
    assert outline.bounds == (117.206, 39.1065, 117.209, 39.109)
    assert school.entrances == ((117.206, 39.1075),)
    assert outline.contains(shapely.Point(school.lon, school.lat))
    assert school.extra["isced:level"] == "1"
    kindergarten = facilities["osm:relation/200"]  # a multipolygon relation
    assert kindergarten.name == "示例幼儿园"
    assert shapely.from_wkt(kindergarten.outline_wkt).bounds == (
        117.2035,
        39.1015,
        117.2045,
        39.1025,
    )


def test_hexi_buildings_and_residential_areas() -> None:
    extract = read(HEXI)
    buildings = {b.osm_id: b for b in extract.buildings}
    assert set(buildings) == {f"osm:way/{i}" for i in (130, 131, 132, 133, 134, 135, 141, 142, 143)}
    assert buildings["osm:way/131"].tags == {
        "building": "apartments",
        "building:levels": "18",
        "name": "3号楼",
    }
    assert shapely.from_wkt(buildings["osm:way/130"].outline_wkt).bounds == (
        117.2008,
        39.1063,
        117.2012,
        39.107,
    )
    areas = {a.osm_id: a for a in extract.residential_areas}
    assert set(areas) == {"osm:way/120", "osm:way/140"}
    assert areas["osm:way/120"].name == "示例花园"
    assert areas["osm:way/120"].tags["name:en"] == "Demo Garden (synthetic)"
    assert areas["osm:way/140"].name == ""


def test_match_type_sees_plain_tags_and_its_errors_are_not_file_errors() -> None:
    seen: list[dict[str, str]] = []

    def spy(tags: Mapping[str, str]) -> str | None:
        seen.append(dict(tags))
        return None

    extract = read_osm(HEXI, match_type=spy)
    assert extract.facilities == ()
    assert {"amenity": "school", "name": "示例小学", "isced:level": "1"} in seen

    def broken(tags: Mapping[str, str]) -> str | None:
        raise RuntimeError("bug in the matcher")

    with pytest.raises(RuntimeError, match="bug in the matcher"):
        read_osm(HEXI, match_type=broken)


# --------------------------------------------------------------------------- real extracts


class _Independent(osmium.SimpleHandler):
    """A second, simpler count straight from pyosmium's handler API."""

    def __init__(self) -> None:
        super().__init__()
        self.walk_ways: collections.Counter[str] = collections.Counter()
        self.facilities = 0
        self.buildings = 0
        self.residential = 0

    def way(self, w: osmium.osm.Way) -> None:
        highway = w.tags.get("highway")
        walkable = highway in _osm_tags.WALK_HIGHWAYS or (
            highway is None
            and ("platform" in (w.tags.get("railway"), w.tags.get("public_transport")))
        )
        located = sum(1 for n in w.nodes if n.location.valid())
        if walkable and located >= 2:
            self.walk_ways[highway or "platform"] += 1

    def node(self, n: osmium.osm.Node) -> None:
        self.facilities += fake_match(dict(n.tags)) is not None

    def area(self, a: osmium.osm.Area) -> None:
        tags = dict(a.tags)
        self.facilities += fake_match(tags) is not None
        self.buildings += tags.get("building", "no") != "no"
        self.residential += tags.get("landuse") == "residential"


@pytest.fixture(scope="module")
def helsinki_counts() -> _Independent:
    counter = _Independent()
    counter.apply_file(str(HELSINKI), locations=True)
    return counter


def test_helsinki_counts_match_an_independent_pass(helsinki_counts: _Independent) -> None:
    extract = read(HELSINKI)
    got = collections.Counter(w.tags.get("highway", "platform") for w in extract.ways)
    assert got == helsinki_counts.walk_ways
    assert len(extract.ways) == 2625
    assert got["footway"] == 1069  # PROVENANCE: 1,097 footway ways, 28 cut to < 2 nodes
    assert got["steps"] == 141  # PROVENANCE: 141 steps
    # an independent pass counts every tagged object; points inside their own area count once
    assert len(extract.facilities) + len(extract.merged) == helsinki_counts.facilities == 1718
    assert 0 < len(extract.merged) < 10
    assert len(extract.buildings) == helsinki_counts.buildings == 446
    assert len(extract.residential_areas) == helsinki_counts.residential == 13
    assert extract.osm_timestamp == "2019-04-21T09:50:14Z"


def test_helsinki_facility_types_match_provenance_for_complete_outlines() -> None:
    counts = collections.Counter(f.type_code for f in read(HELSINKI).facilities)
    # PROVENANCE counts features; outlines cut at the extract edge cannot be assembled
    # (5 of its 16 parks, its town hall, 1 of 2 marketplaces, 1 of 5 playgrounds), so they
    # are not facilities here.
    assert counts["pharmacy"] == 6 and counts["supermarket"] == 6
    assert counts["library"] == 7 and counts["convenience"] == 9
    assert counts["park"] == 12 and counts["townhall"] == 0
    assert counts["marketplace"] == 1 and counts["playground"] == 4


def test_helsinki_walk_nodes_lie_on_walk_ways_with_few_tags() -> None:
    extract = read(HELSINKI)
    on_ways = {node_id for way in extract.ways for node_id in way.node_ids}
    assert len(extract.nodes) == 1047
    assert all(n.osm_id in on_ways for n in extract.nodes)
    barriers = [n for n in extract.nodes if "barrier" in n.tags]
    assert len(barriers) >= 40
    allowed = _osm_tags.WALK_NODE_TAG_KEYS
    assert all(
        k in allowed or k.startswith(_osm_tags.WALK_NODE_TAG_PREFIXES)
        for n in extract.nodes
        for k in n.tags
    )


def test_helsinki_ways_cut_at_the_edge_keep_their_located_stretch() -> None:
    ways = read(HELSINKI).ways
    assert all(len(w.node_ids) == len(w.coords) >= 2 for w in ways)
    assert all(24.93 < lon < 24.96 and 60.16 < lat < 60.18 for w in ways for lon, lat in w.coords)


def test_helsinki_area_facilities_have_outlines_and_some_have_entrances() -> None:
    areas = [f for f in read(HELSINKI).facilities if f.outline_wkt]
    assert len(areas) == 103
    for facility in areas:
        outline = shapely.from_wkt(facility.outline_wkt)
        assert outline.intersects(shapely.Point(facility.lon, facility.lat))
        for lon, lat in facility.entrances:
            assert outline.boundary.distance(shapely.Point(lon, lat)) < 1e-9
    assert sum(1 for f in areas if f.entrances) == 22


def test_clip_keeps_facilities_inside_and_ways_within_the_buffer() -> None:
    full = read(HELSINKI)
    lon_min, lat_min, lon_max, lat_max = full.bounds
    mid = (lon_min + lon_max) / 2
    west = shapely.box(lon_min - 0.01, lat_min - 0.01, mid, lat_max + 0.01)
    buffer_m = 150.0
    clipped = read_osm(HELSINKI, match_type=fake_match, boundary=west, network_buffer_m=buffer_m)
    assert clipped.clipped_to_boundary
    assert 0 < len(clipped.facilities) < len(full.facilities)
    assert all(f.lon <= mid for f in clipped.facilities)
    inside = [f for f in full.facilities if f.lon <= mid]
    assert {f.source_id for f in clipped.facilities} == {f.source_id for f in inside}
    assert all(
        shapely.from_wkt(b.outline_wkt).representative_point().x <= mid for b in clipped.buildings
    )
    assert 0 < len(clipped.buildings) < len(full.buildings)

    metric = local_metric_transformer(mid, (lat_min + lat_max) / 2)
    west_m = metric.geometry_to_metres(west)
    kept = {w.osm_id for w in clipped.ways}
    gaps_m = {
        w.osm_id: west_m.distance(metric.geometry_to_metres(shapely.LineString(w.coords)))
        for w in full.ways
    }
    assert max(gaps_m[i] for i in kept) <= buffer_m + 1.0  # nothing beyond the buffer
    assert any(gaps_m[i] > 50.0 for i in kept)  # but ways do reach beyond the line
    assert all(i in kept for i, gap in gaps_m.items() if gap < buffer_m - 1.0)
    assert len(kept) < len(full.ways)
    assert clipped.bounds[2] < lon_max
    on_ways = {n for w in clipped.ways for n in w.node_ids}
    assert all(n.osm_id in on_ways for n in clipped.nodes)


def test_clip_rejects_a_boundary_that_misses_or_is_not_lonlat() -> None:
    far = shapely.box(117.0, 39.0, 117.1, 39.1)
    with pytest.raises(OsmFileError, match=r"helsinki\.osm\.pbf.*misses the extract"):
        read_osm(HELSINKI, match_type=fake_match, boundary=far)
    projected = shapely.box(385000, 6670000, 386000, 6671000)
    with pytest.raises(LocationError, match="not WGS-84"):
        read_osm(HELSINKI, match_type=fake_match, boundary=projected)


@pytest.mark.parametrize("suffix", [".osm", ".osm.gz", ".osm.bz2", ".osm.pbf"])
def test_every_format_gives_the_same_result(tmp_path: Path, suffix: str) -> None:
    copy = tmp_path / f"finland{suffix}"
    writer = osmium.SimpleWriter(str(copy))
    for obj in osmium.FileProcessor(str(FINLAND)):
        writer.add(obj)
    writer.close()
    original, again = read(FINLAND), read_osm(copy, match_type=fake_match)
    found = len(original.facilities) + len(original.merged)
    assert (len(original.ways), found, len(original.buildings)) == (319, 62, 2171)
    assert again.ways == original.ways
    assert again.nodes == original.nodes
    assert [f.source_id for f in again.facilities] == [f.source_id for f in original.facilities]
    assert [f.source for f in again.facilities] == [f"osm:finland{suffix}"] * len(again.facilities)
    assert again.buildings == original.buildings
    assert again.residential_areas == original.residential_areas
    assert again.osm_timestamp == original.osm_timestamp == "2019-02-23T13:23:35Z"


def test_header_timestamp_when_objects_have_none(write_osm: Callable[..., Path]) -> None:
    path = write_osm(
        "tiny.osm.pbf",
        [(1, 117.2, 39.1, {}), (2, 117.201, 39.1, {})],
        [(1, [1, 2], {"highway": "footway"})],
        header={"osmosis_replication_timestamp": "2025-01-02T03:04:05Z"},
    )
    extract = read_osm(path, match_type=fake_match)
    assert extract.osm_timestamp == "2025-01-02T03:04:05Z"
    assert extract.bounds == (117.2, 39.1, 117.201, 39.1)


# --------------------------------------------------------------------------- errors


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(OsmFileError, match=r"not found: .*nowhere\.osm\.pbf.*check the path"):
        read_osm(tmp_path / "nowhere.osm.pbf", match_type=fake_match)


def test_truncated_pbf_is_a_file_error(tmp_path: Path) -> None:
    half = tmp_path / "half.osm.pbf"
    data = HELSINKI.read_bytes()
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        OsmFileError, match=r"half\.osm\.pbf.*truncated.*download the extract again"
    ):
        read_osm(half, match_type=fake_match)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("sheet.osm.pbf", "name,lon,lat\n药店,117.2,39.1\n".encode()),
        ("noise.osm.pbf", bytes(range(256)) * 20),
        ("noise.osm.bz2", b"BZh9" + bytes(range(200))),
        ("broken.osm", b"<osm version='0.6'><node id='1' lat='1' lon='1'>"),
    ],
)
def test_non_osm_content_is_a_file_error(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(OsmFileError, match=re.escape(name) + " is not a readable"):
        read_osm(path, match_type=fake_match)


def test_unknown_suffix_empty_file_and_folder(tmp_path: Path) -> None:
    text = tmp_path / "map.txt"
    text.write_bytes(HELSINKI.read_bytes())
    with pytest.raises(OsmFileError, match=r"map\.txt.*must end in \.osm\.pbf"):
        read_osm(text, match_type=fake_match)
    empty = tmp_path / "empty.osm.pbf"
    empty.touch()
    with pytest.raises(OsmFileError, match="empty"):
        read_osm(empty, match_type=fake_match)
    with pytest.raises(OsmFileError, match="is a folder"):
        read_osm(tmp_path, match_type=fake_match)


def test_extract_without_walkable_ways_is_a_file_error(write_osm: Callable[..., Path]) -> None:
    path = write_osm(
        "pois.osm",
        [(1, 117.2, 39.1, {"amenity": "pharmacy"}), (2, 117.3, 39.1, {}), (3, 117.31, 39.1, {})],
        [(5, [2, 3], {"highway": "motorway"})],
    )
    with pytest.raises(OsmFileError, match=r"pois\.osm has no walkable ways.*right extract"):
        read_osm(path, match_type=fake_match)


# --------------------------------------------------------------------------- helpers


def test_tag_rules_examples() -> None:
    assert _osm_tags.is_walkable({"highway": "steps"})
    assert _osm_tags.is_walkable({"public_transport": "platform"})
    assert not _osm_tags.is_walkable({"highway": "proposed"})
    assert not _osm_tags.is_walkable({"area:highway": "footway"})
    assert not _osm_tags.WALK_HIGHWAYS & _osm_tags.EXCLUDED_HIGHWAYS
    assert (
        _osm_tags.address({"addr:full": " 河西区友谊路1号 ", "addr:street": "x"})
        == "河西区友谊路1号"
    )
    assert _osm_tags.display_name({"name": "Apteekki"}) == "Apteekki"
    assert _osm_tags.phone({"phone": "1", "contact:phone": "2"}) == "1"


def test_docstring_examples_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parents[2])  # examples use repo-relative paths
    for module in (osm_module, _osm_tags, _osm_geom):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__


# --------------------------------------------------------------------------- with the taxonomy


def test_reading_with_the_real_taxonomy() -> None:
    from lifecircle.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()

    def match(tags: Mapping[str, str]) -> str | None:
        return t.code if (t := taxonomy.match_osm(tags)) else None

    hexi = {f.source_id: f.type_code for f in read_osm(HEXI, match_type=match).facilities}
    assert hexi == {
        "osm:node/50": "pharmacy",
        "osm:node/51": "convenience_store",
        "osm:node/52": "bus_stop",
        "osm:node/55": "playground",
        "osm:way/150": "primary_school",  # amenity=school + isced:level=1
        "osm:relation/200": "kindergarten",
    }
    helsinki = collections.Counter(
        f.type_code for f in read_osm(HELSINKI, match_type=match).facilities
    )
    # the same objects the fake matcher found by tag value
    assert (helsinki["pharmacy"], helsinki["supermarket"], helsinki["library"]) == (6, 6, 7)
    assert helsinki["convenience_store"] == 9
    assert "bench" not in helsinki and sum(helsinki.values()) < 1718
