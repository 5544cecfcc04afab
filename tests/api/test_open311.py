"""Open311 GeoReport v2 at /open311/v2 against the spec (open311.org GeoReport/v2): the fields of
its examples, XML with an UTF-8 declaration and JSON arrays, the api_key on POST only, errors as
errors/error[], status open/closed with the desk's state in status_description, no personal
field ever read back, no private category listed."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from lifecircle.desk.open311 import add_api_key
from tests.desk_web import login, own_compound
from tests.web_fixtures import test_client

BASE = "/open311/v2"
#: The request fields of the spec's GET requests example, in its order.
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
#: What the desk answers: the spec's fields plus ``status_description`` (GeoReport Bulk's field
#: for the local state, as open311.github.io#61 decided), after ``status_notes``.
DESK_REQUEST_FIELDS = [*REQUEST_FIELDS[:3], "status_description", *REQUEST_FIELDS[3:]]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


@pytest.fixture(scope="module")
def key(desk_app) -> str:
    return add_api_key(desk_app.state.desk, "district-platform", by="test")


def _xml(answer) -> ET.Element:
    assert answer.headers["content-type"] == "text/xml; charset=utf-8"
    assert answer.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(answer.content)


def test_discovery_in_both_formats(desk_app):
    client = test_client(desk_app)
    body = client.get(f"{BASE}/discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert (
        endpoint["formats"] == ["text/xml", "application/json"] and endpoint["type"] == "production"
    )
    root = _xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "text/xml",
        "application/json",
    ]


def test_services_list_only_public_categories_with_the_spec_s_fields(desk_app):
    client = test_client(desk_app)
    services = client.get(f"{BASE}/services.json").json()
    assert isinstance(services, list) and all(list(s) == SERVICE_FIELDS for s in services)
    codes = {s["service_code"] for s in services}
    assert "water_leak" in codes and not codes & {"neighbour_dispute", "family_contact", "welfare"}
    leak = next(s for s in services if s["service_code"] == "water_leak")
    assert leak["metadata"] is False and leak["type"] == "realtime" and leak["group"] == "水电气热"
    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and root[0].tag == "service"
    assert [child.tag for child in root[0]] == SERVICE_FIELDS and root[0].find(
        "metadata"
    ).text == "false"
    definition = client.get(f"{BASE}/services/water_leak.json").json()
    assert definition == {"service_code": "water_leak", "attributes": []}
    assert client.get(f"{BASE}/services/family_contact.json").status_code == 404
    assert client.get(f"{BASE}/services.csv").status_code == 404


def test_post_needs_a_valid_key_and_answers_like_the_spec(desk_app, key):
    client = test_client(desk_app)
    compound = own_compound(desk_app)
    form = {
        "service_code": "streetlight",
        "lat": str(compound.lat),
        "long": str(compound.lon),
        "description": "三号灯杆一闪一闪",
        "phone": "13700001111",
        "first_name": "张",
        "last_name": "三",
        "email": "zhangsan@example.cn",
        "device_id": "abc",
    }
    refused = client.post(f"{BASE}/requests.json", data=form)
    assert refused.status_code == 403
    assert refused.json() == [
        {
            "code": 403,
            "description": "Invalid api_key received -- can't proceed with create_request.",
        }
    ]
    answer = client.post(f"{BASE}/requests.json", data={**form, "api_key": key})
    assert answer.status_code == 200, answer.text
    (made,) = answer.json()
    assert list(made) == ["service_request_id", "service_notice", "account_id"]
    assert "/c/" in made["service_notice"]
    case = desk_app.state.desk.store.cases.get(int(made["service_request_id"]))
    assert (case.source, case.reporter_phone, case.reporter_name, case.created_by) == (
        "open311",
        "13700001111",
        "张 三",
        "open311:district-platform",
    )
    # personal fields are written, never read back
    got = client.get(f"{BASE}/requests/{made['service_request_id']}.json").json()
    text = json.dumps(got, ensure_ascii=False)
    for secret in ("13700001111", "zhangsan", "张 三", "三号灯杆", "abc"):
        assert secret not in text
    (request,) = got
    assert list(request) == DESK_REQUEST_FIELDS
    assert (request["status"], request["status_description"]) == ("open", "已分派")
    assert request["requested_datetime"].endswith("+08:00") and request[
        "expected_datetime"
    ].endswith("+08:00")
    assert request["lat"] == pytest.approx(compound.lat, abs=1e-5)
    xml = _xml(client.post(f"{BASE}/requests.xml", data={**form, "api_key": key}))
    assert xml.tag == "service_requests" and xml.find("request/service_request_id").text.isdigit()


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"service_code": "streetlight"}, 400),  # no location
        ({"service_code": "no_such", "address_string": "x"}, 400),
        ({"service_code": "family_contact", "address_string": "x"}, 400),  # private
        ({"service_code": "streetlight", "lat": "north", "long": "1"}, 400),
        (
            {
                "service_code": "streetlight",
                "address_string": "x",
                "jurisdiction_id": "example.org",
            },
            404,
        ),
    ],
)
def test_bad_posts_are_spec_errors(desk_app, key, form, status):
    answer = test_client(desk_app).post(f"{BASE}/requests.json", data={**form, "api_key": key})
    assert answer.status_code == status
    (error,) = answer.json()
    assert set(error) == {"code", "description"} and error["code"] == status
    xml = _xml(test_client(desk_app).post(f"{BASE}/requests.xml", data={**form, "api_key": key}))
    assert xml.tag == "errors" and xml.find("error/code").text == str(status)


def test_get_requests_filters_and_maps_status(desk_app, key):
    client = test_client(desk_app)
    compound = own_compound(desk_app)
    worker = login(desk_app, "gw1")
    body = {
        "category": "sanitation",
        "source": "phone",
        "details": "x",
        "compound": compound.key,
        "not_duplicate": True,
    }
    done_id = worker.send("POST", "/api/desk/cases", json=body).json()["case_id"]
    for step in ({"action": "visit"}, {"action": "finish", "note": "已清运"}):
        worker.send("POST", f"/api/desk/cases/{done_id}/events", json=step)
    private_id = worker.send(
        "POST", "/api/desk/cases", json={**body, "category": "welfare"}
    ).json()["case_id"]
    listed = client.get(f"{BASE}/requests.json").json()
    ids = {int(r["service_request_id"]) for r in listed}
    assert done_id in ids and private_id not in ids
    (done,) = client.get(f"{BASE}/requests/{done_id}.json").json()
    assert (done["status"], done["status_description"]) == ("closed", "已办结")
    closed_only = client.get(f"{BASE}/requests.json", params={"status": "closed"}).json()
    assert {r["status"] for r in closed_only} == {"closed"}
    by_id = client.get(
        f"{BASE}/requests.json",
        params={"service_request_id": f"{done_id},{private_id}", "status": "open"},
    ).json()
    assert [int(r["service_request_id"]) for r in by_id] == [
        done_id
    ]  # ids override every other parameter
    empty = client.get(f"{BASE}/requests.json", params={"service_code": "", "status": ""}).json()
    assert len(empty) == len(listed)  # an empty parameter is as if absent
    assert client.get(f"{BASE}/requests/{private_id}.json").status_code == 404
    wide = client.get(
        f"{BASE}/requests.json",
        params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"},
    )
    assert wide.status_code == 400 and "90 天" in wide.json()[0]["description"]  # zh by default
    xml = _xml(client.get(f"{BASE}/requests.xml"))
    assert xml.tag == "service_requests" and [c.tag for c in xml[0]] == DESK_REQUEST_FIELDS


def test_an_outside_open311_client_reads_the_facade(desk_app, monkeypatch):
    """PyPI ``georeport`` 0.3.1 (a read-only GeoReport v2 client, not ours) over a live server."""
    from georeport import GeoReport

    from tests.web_fixtures import serve

    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with serve(desk_app) as url:
        for fmt in ("json", "xml"):
            client = GeoReport(f"{url}{BASE}", output_format=fmt)
            services = client.get_service_list()
            assert "water_leak" in {s["service_code"] for s in services}
            assert client.get_service_definition("water_leak")["service_code"] == "water_leak"
            requests = client.get_service_requests(status="open")
            requests = (
                requests if isinstance(requests, list) else [requests]
            )  # xmltodict: one → dict
            assert requests and {r["status"] for r in requests} == {"open"}
            one = client.get_service_request(requests[0]["service_request_id"])
            one = one[0] if isinstance(one, list) else one
            assert one["service_request_id"] == requests[0]["service_request_id"]
        foreign = GeoReport(f"{url}{BASE}", jurisdiction="sfgov.org")
        with pytest.raises(Exception, match="404"):
            foreign.get_service_list()


def test_a_request_number_beyond_the_store_s_integers_is_not_found(desk_app):
    client = test_client(desk_app)
    huge = str(2**63)
    assert client.get(f"/open311/v2/requests/{huge}.json").status_code == 404
    listed = client.get("/open311/v2/requests.json", params={"service_request_id": huge})
    assert listed.status_code == 400
