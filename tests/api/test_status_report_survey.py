"""GET /status-reports: a region's monthly survey, its totals and who has not reported."""

from datetime import date
from decimal import Decimal

import pytest

from tests import factories


@pytest.fixture
def survey_region(db_session):
    prefecture, (county, other) = factories.fresh_prefecture("629400")
    factories.user("t_survey_coord", "coordinator", prefecture)
    reported = factories.enterprise(county, name="测试甲公司")
    halted = factories.enterprise(other, name="测试乙公司")
    silent = factories.enterprise(county, name="测试丙公司")
    factories.enterprise(county, name="测试丁公司（已注销）", deregistered_on=date(2026, 8, 31))
    factories.enterprise(county, name="测试戊公司（次月登记）", registered_on=date(2026, 10, 3))
    factories.report(reported, "2026-09", 120, "resumed", Decimal("350.50"))
    factories.report(halted, "2026-09", 8, "halted", None)
    factories.report(silent, "2026-08", 30)
    db_session.commit()
    return prefecture, county, silent


def test_the_survey_totals_the_months_reports(login_as, survey_region):
    prefecture, _, silent = survey_region
    response = login_as("t_survey_coord").get(f"status-reports?region={prefecture.id}&period=2026-09")
    assert response.status_code == 200
    body = response.get_json()
    assert body["period"] == "2026-09"
    assert body["totals"] == {"count": 2, "expected": 3, "employees": 128, "revenue_10k": 350.5,
                              "by_operating_status": {"halted": 1, "partial": 0, "resumed": 1, "full_capacity": 0}}
    assert [e["id"] for e in body["not_reported"]] == [silent.id]
    assert sorted(item["enterprise_name"] for item in body["items"]) == ["测试乙公司", "测试甲公司"]


def test_the_survey_of_a_county_covers_only_that_county(login_as, survey_region):
    _, county, _ = survey_region
    body = login_as("t_survey_coord").get(f"status-reports?region={county.id}&period=2026-09").get_json()
    assert body["totals"]["count"] == 1 and body["totals"]["employees"] == 120


def test_the_survey_is_refused_to_liaisons_and_enterprises(login_as):
    assert login_as("liaison_ma").get("status-reports").status_code == 403
    assert login_as("ent_qhy").get("status-reports").status_code == 403


def test_the_survey_of_a_foreign_region_is_not_found(login_as, demo):
    assert login_as("lxx_coord").get(f"status-reports?region={demo.region_id('622922')}").status_code == 404


@pytest.mark.parametrize("period", ["2026-13", "2026-9", "202609", "abcd-ef"])
def test_a_malformed_period_is_refused(login_as, period):
    assert login_as("lx_viewer").get(f"status-reports?period={period}").status_code == 422
