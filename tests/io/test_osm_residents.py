"""Which OSM buildings are homes, and how their residents are estimated (hand-made, then real)."""

from __future__ import annotations

import dataclasses
import doctest

import pytest

from lifecircle.io import osm_residents
from lifecircle.io.osm import read_osm
from lifecircle.io.osm_compounds import derive_compounds
from lifecircle.io.osm_residents import building_levels, is_home
from lifecircle.jobs.demo import demo_file
from lifecircle.taxonomy import load_taxonomy


@pytest.mark.parametrize(
    ("tags", "on_land", "in_grounds", "home"),
    [
        ({"building": "apartments"}, False, False, True),
        ({"building": "dormitory"}, False, True, True),  # students live on campus
        ({"building": "yes"}, True, False, True),
        ({"building": "yes"}, False, False, False),
        ({"building": "yes"}, True, True, False),  # a school building on residential land
        ({"building": "yes", "shop": "supermarket"}, True, False, False),
        ({"building": "yes", "amenity": "kindergarten"}, True, False, False),
        ({"building": "residential", "office": "government"}, True, False, False),
        ({"building": "yes", "amenity": "no"}, True, False, True),
        ({"building": "yes", "name": "长发中心C座"}, True, False, False),
        ({"building": "yes", "name": "科巷新寓"}, True, False, True),
        ({"building": "commercial", "building:use": "residential"}, False, False, True),
        ({"building": "apartments", "building:use": "commercial"}, True, False, False),
        ({"building": "retail"}, True, False, False),
    ],
)
def test_is_home(tags, on_land, in_grounds, home):
    assert is_home(tags, on_residential_land=on_land, in_grounds=in_grounds) is home


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"building:levels": "18"}, (18.0, "levels")),
        ({"building:levels": "5;6"}, (5.0, "levels")),
        ({"building:levels": "0", "height": "9"}, (3.0, "height")),
        ({"height": "20 m"}, (7.0, "height")),
        ({"height": "1"}, (1.0, "height")),
        ({"building:levels": "999"}, (3.0, "default")),
        ({}, (3.0, "default")),
    ],
)
def test_building_levels(tags: dict[str, str], expected: tuple[float, str]) -> None:
    assert building_levels(tags) == expected


def _match(tags):
    found = load_taxonomy().match_osm(tags)
    return found.code if found is not None else None


@pytest.mark.slow
def test_nanjing_counts_no_school_or_market_building_as_a_home():
    """Real Nanjing 新街口: buildings on residential land that are not homes are left out."""
    extract = read_osm(demo_file("nanjing_xinjiekou.osm.pbf"), match_type=_match)
    compounds = derive_compounds(extract)
    text = " ".join(c.estimate_method or "" for c in compounds)
    assert "none tagged with a shop, office, school" in text
    # tags decide first: 长发中心 A/B are commercial, C/D are mapped as apartments
    towers = {b.tags["name"]: b for b in extract.buildings if "长发中心" in b.tags.get("name", "")}
    homes = {name for name, b in towers.items() if is_home(b.tags, on_residential_land=True)}
    assert homes == {"长发中心C座", "长发中心D座"} and len(towers) == 4
    # without the school and market grounds, 18 of their buildings passed as homes
    no_grounds = dataclasses.replace(extract, facilities=())
    before = sum(c.residents or 0 for c in derive_compounds(no_grounds))
    after = sum(c.residents or 0 for c in compounds)
    assert 0.9 * before < after < 0.99 * before


def test_docstring_examples_hold():
    assert doctest.testmod(osm_residents).failed == 0
