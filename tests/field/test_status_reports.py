"""月度监测 reports: one per enterprise and month."""

from datetime import date

import pytest

from services.timeutil import local_today

REPORT = {"operating_status": "partial", "employees": 250, "revenue_10k": 180.5, "capacity_pct": 62.5,
          "note": "订单减少"}


def _period(months_back=0):
    today = local_today()
    month = today.month - months_back
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1).strftime("%Y-%m")


def test_the_enterprise_files_its_month_and_then_replaces_it_with_if_match(login_as, demo):
    session = login_as("ent_qhy")
    path = f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{_period()}"
    created = session.put(path, json=REPORT)
    assert created.status_code == 201
    assert session.put(path, json=REPORT).status_code == 428
    assert session.put(path, json={**REPORT, "employees": 240}, headers={"If-Match": '"9"'}).status_code == 412
    replaced = session.put(path, json={**REPORT, "employees": 240}, headers={"If-Match": created.headers["ETag"]})
    assert replaced.status_code == 200 and replaced.get_json()["employees"] == 240


def test_the_latest_report_updates_the_enterprise(login_as, demo):
    login_as("liaison_ma").put(f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{_period()}", json=REPORT)
    enterprise = login_as("lxx_coord").get(f"enterprises/{demo.enterprise_id('清河源')}").get_json()
    assert (enterprise["operating_status"], enterprise["employees"]) == ("partial", 250)


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "26-01", "2026-1", "abcd-ef"])
def test_malformed_months_are_refused(login_as, demo, period):
    response = login_as("ent_qhy").put(f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{period}",
                                       json=REPORT)
    assert response.status_code in (404, 422)


def test_a_future_month_is_refused(login_as, demo):
    today = local_today()
    future = date(today.year + 1, today.month, 1).strftime("%Y-%m")
    response = login_as("ent_qhy").put(f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{future}",
                                       json=REPORT)
    assert response.status_code == 422


def test_other_enterprises_and_viewers_cannot_file(login_as, demo):
    path = f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{_period()}"
    assert login_as("ent_bs").put(path, json=REPORT).status_code == 404
    assert login_as("lx_viewer").put(path, json=REPORT).status_code == 403


def test_reports_are_listed_for_those_in_scope(login_as, demo):
    path = f"enterprises/{demo.enterprise_id('清河源')}/status-reports"
    login_as("ent_qhy").put(f"{path}/{_period(1)}", json=REPORT)
    items = login_as("lxx_coord").get(path).get_json()["items"]
    assert _period(1) in [r["period"] for r in items]
    assert login_as("ent_bs").get(path).status_code == 404
