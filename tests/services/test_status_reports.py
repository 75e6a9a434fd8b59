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


# --- one month's report --------------------------------------------------------------------------

def test_one_months_report_is_read_with_its_etag(login_as, demo):
    session = login_as("ent_qhy")
    path = f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{_period(1)}"
    response = session.get(path)
    assert response.status_code == 200
    assert response.get_json()["period"] == _period(1)
    assert response.headers["ETag"] == f'"{response.get_json()["version"]}"'
    assert session.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    replaced = session.put(path, json=REPORT, headers={"If-Match": response.headers["ETag"]})
    assert replaced.status_code == 200


def test_a_month_not_yet_reported_answers_404(login_as, demo):
    response = login_as("ent_qhy").get(f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{_period()}")
    assert response.status_code == 404


def test_another_enterprises_report_answers_404(login_as, demo):
    path = f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{_period(1)}"
    assert login_as("ent_bs").get(path).status_code == 404
    assert login_as("liaison_li").get(path).status_code == 404


# --- the newest observation wins -----------------------------------------------------------------

def _enterprise(login_as, demo):
    body = login_as("lxx_coord").get(f"enterprises/{demo.enterprise_id('清河源')}").get_json()
    return body["operating_status"], body["employees"]


def _visit_now(login_as, demo, **observed):
    from tests.services.test_visits import _visit

    response = login_as("liaison_ma").post("visits", json=_visit(demo, **observed))
    assert response.status_code == 201, response.get_json()


def test_filing_an_older_months_report_keeps_a_later_visits_figures(login_as, demo):
    _visit_now(login_as, demo, operating_status="partial", employees=111)
    path = f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{_period(5)}"
    filed = login_as("ent_qhy").put(path, json={**REPORT, "operating_status": "halted", "employees": 5})
    assert filed.status_code == 201
    assert _enterprise(login_as, demo) == ("partial", 111)
    assert login_as("ent_qhy").get(path).get_json()["employees"] == 5  # the report itself is kept as filed


def test_replacing_last_months_report_keeps_this_months_visit_figures(login_as, demo):
    _visit_now(login_as, demo, operating_status="partial", employees=111)
    session = login_as("ent_qhy")
    path = f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{_period(1)}"
    etag = session.get(path).headers["ETag"]
    replaced = session.put(path, json={**REPORT, "operating_status": "halted", "employees": 5},
                           headers={"If-Match": etag})
    assert replaced.status_code == 200
    assert _enterprise(login_as, demo) == ("partial", 111)


def test_a_report_of_the_current_month_filed_after_a_visit_wins(login_as, demo):
    _visit_now(login_as, demo, operating_status="partial", employees=111)
    login_as("ent_qhy").put(f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{_period()}",
                            json={**REPORT, "operating_status": "resumed", "employees": 300})
    assert _enterprise(login_as, demo) == ("resumed", 300)


def test_a_visit_entered_after_the_fact_does_not_overwrite_a_later_report(login_as, demo):
    from datetime import datetime, timedelta

    from services.timeutil import zone

    before = _enterprise(login_as, demo)
    long_ago = (datetime.now(zone()) - timedelta(days=40)).isoformat()
    _visit_now(login_as, demo, operating_status="halted", employees=3, visited_at=long_ago)
    assert _enterprise(login_as, demo) == before


def test_the_older_observation_still_reaches_the_history(login_as, demo):
    _visit_now(login_as, demo, operating_status="partial", employees=111)
    history = login_as("lxx_coord").get(f"enterprises/{demo.enterprise_id('清河源')}/history",
                                        query_string={"limit": 100}).get_json()["items"]
    assert any(h["new_value"] == "111" and h["source"] == "visit" for h in history)


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "abcd-ef", "1999-12"])
def test_reading_a_malformed_month_is_a_validation_error(login_as, demo, period):
    response = login_as("ent_qhy").get(f"enterprises/{demo.enterprise_id('清河源')}/status-reports/{period}")
    assert response.status_code == 422
    assert "period" in response.get_json()["errors"]
