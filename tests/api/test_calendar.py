"""The working-day calendar is data that admins keep up to date."""

import pytest

from tests.services.problems.helpers import do, file


def test_the_2026_holidays_are_listed(login_as):
    items = login_as("lxx_coord").get("calendar", query_string={"year": 2026}).get_json()["items"]
    days = {i["day"]: i["is_workday"] for i in items}
    assert days["2026-10-01"] is False and days["2026-10-10"] is True


def test_an_admin_adds_next_years_holiday_and_removes_it(login_as):
    admin = login_as("admin")
    assert admin.put("calendar/2027-01-01", json={"is_workday": False, "note": "元旦"}).status_code == 201
    assert admin.put("calendar/2027-01-01", json={"is_workday": False, "note": "元旦节"}).status_code == 200
    assert admin.delete("calendar/2027-01-01").status_code == 204
    assert admin.delete("calendar/2027-01-01").status_code == 404


@pytest.mark.parametrize("username", ["gs_coord", "lxx_coord", "liaison_ma", "ent_qhy", "lx_viewer"])
def test_only_admins_change_the_calendar(login_as, username):
    assert login_as(username).put("calendar/2027-01-01", json={"is_workday": False}).status_code == 403


def test_a_malformed_date_is_refused(login_as):
    assert login_as("admin").put("calendar/2027-13-45", json={"is_workday": False}).status_code == 422


def test_deadlines_follow_a_new_holiday(login_as, demo):
    county = login_as("lxx_coord")
    first = do(county, file(login_as("liaison_ma"), demo)["id"], "accept")["due_at"][:10]
    login_as("admin").put(f"calendar/{first}", json={"is_workday": False, "note": "临时休假"})
    second = do(county, file(login_as("liaison_ma"), demo, title="第二个")["id"], "accept")["due_at"][:10]
    assert second > first
