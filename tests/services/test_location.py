"""On-site visits are checked against the enterprise's location: ok | far | poor_accuracy | missing."""

import pytest
from sqlalchemy import update

from services import location
from services.location import Thresholds, check, distance_m
from services.models import Enterprise
from tests.services.test_visits import _visit

SITE = (35.6, 103.2)


def _at(**kw):
    values = dict(method="on_site", latitude=SITE[0], longitude=SITE[1], accuracy_m=20.0, site_latitude=SITE[0],
                  site_longitude=SITE[1])
    return check(**{**values, **kw})


def test_the_distance_is_the_great_circle_distance():
    assert distance_m(35.6, 103.2, 35.6, 103.2) == 0
    assert distance_m(35.6, 103.2, 35.7, 103.2) == pytest.approx(11_119, rel=0.002)


@pytest.mark.parametrize("changes, expected", [
    ({}, "ok"),
    ({"latitude": SITE[0] + 0.017}, "ok"),              # about 1.9 km
    ({"latitude": SITE[0] + 0.019}, "far"),             # about 2.1 km
    ({"accuracy_m": 500.0}, "ok"),
    ({"accuracy_m": 501.0}, "poor_accuracy"),
    ({"accuracy_m": None}, "poor_accuracy"),
    ({"latitude": None, "longitude": None}, "missing"),
    ({"site_latitude": None, "site_longitude": None}, "missing"),
    ({"method": "phone"}, None),
    ({"method": "wechat", "latitude": None, "longitude": None}, None),
])
def test_the_rule_and_its_default_thresholds(changes, expected):
    assert _at(**changes) == expected


def test_poor_accuracy_is_judged_before_distance():
    assert _at(latitude=SITE[0] + 1, accuracy_m=900.0) == "poor_accuracy"


def test_the_thresholds_are_configurable():
    loose = Thresholds(max_distance_m=10_000, max_accuracy_m=1000)
    assert _at(latitude=SITE[0] + 0.05, accuracy_m=800.0, limits=loose) == "ok"
    strict = Thresholds(max_distance_m=100, max_accuracy_m=10)
    assert _at(limits=strict) == "poor_accuracy"


def test_the_thresholds_come_from_the_configuration(make_app):
    try:
        make_app(LOCATION_MAX_DISTANCE_M=5000.0, LOCATION_MAX_ACCURACY_M=50.0)
        assert (location.thresholds.max_distance_m, location.thresholds.max_accuracy_m) == (5000.0, 50.0)
    finally:
        location.configure(max_distance_m=2000, max_accuracy_m=500)


def _site(login_as, demo, name="清河源"):
    body = login_as("lxx_coord").get(f"enterprises/{demo.enterprise_id(name)}").get_json()
    return body["latitude"], body["longitude"]


@pytest.mark.parametrize("offset, accuracy, expected", [
    ((0.0002, 0.0001), 12, "ok"), ((0.05, 0.0), 12, "far"), ((0.0, 0.0), 900, "poor_accuracy"),
])
def test_a_filed_on_site_visit_carries_its_check(login_as, demo, offset, accuracy, expected):
    lat, lon = _site(login_as, demo)
    response = login_as("liaison_ma").post("visits", json=_visit(
        demo, latitude=lat + offset[0], longitude=lon + offset[1], accuracy_m=accuracy))
    assert response.status_code == 201
    assert response.get_json()["location_check"] == expected


def test_an_on_site_visit_without_a_position_is_missing(login_as, demo):
    body = {k: v for k, v in _visit(demo).items() if k not in ("latitude", "longitude", "accuracy_m")}
    assert login_as("liaison_ma").post("visits", json=body).get_json()["location_check"] == "missing"


def test_an_enterprise_without_coordinates_gives_missing(login_as, demo, db_session):
    db_session.execute(update(Enterprise).where(Enterprise.id == demo.enterprise_id("清河源"))
                       .values(latitude=None, longitude=None))
    db_session.commit()
    assert login_as("liaison_ma").post("visits", json=_visit(demo)).get_json()["location_check"] == "missing"


def test_a_phone_visit_has_no_check(login_as, demo):
    response = login_as("liaison_ma").post("visits", json=_visit(demo, method="phone"))
    assert response.get_json()["location_check"] is None


def test_the_demo_shows_every_value(login_as):
    items = login_as("admin").get("visits", query_string={"limit": 100}).get_json()["items"]
    assert {v["location_check"] for v in items} == {"ok", "far", "poor_accuracy", "missing", None}


def test_the_visit_list_filters_on_the_check(login_as):
    session = login_as("admin")
    flagged = session.get("visits", query_string={"location_check": "far,poor_accuracy", "limit": 100}).get_json()
    assert flagged["items"] and {v["location_check"] for v in flagged["items"]} == {"far", "poor_accuracy"}
    far = session.get("visits", query_string={"location_check": "far", "limit": 100}).get_json()["items"]
    assert {v["location_check"] for v in far} == {"far"}


def test_an_unknown_check_value_is_a_validation_error(login_as):
    response = login_as("admin").get("visits", query_string={"location_check": "near"})
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error"


def test_a_supervisor_finds_far_visits_over_a_real_server(live_server, demo):
    liaison = live_server.login("liaison_ma")
    enterprise = liaison.get(live_server.url + f"enterprises/{demo.enterprise_id('俊林')}").json()
    filed = liaison.post(live_server.url + "visits", json=_visit(
        demo, enterprise="俊林", latitude=enterprise["latitude"] + 0.3, longitude=enterprise["longitude"],
        accuracy_m=8))
    assert filed.status_code == 201 and filed.json()["location_check"] == "far"
    viewer = live_server.login("lx_viewer")
    listed = viewer.get(live_server.url + "visits", params={"location_check": "far", "limit": 100})
    assert listed.status_code == 200
    assert filed.json()["id"] in [v["id"] for v in listed.json()["items"]]
