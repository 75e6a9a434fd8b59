"""GET /arrears/monthly, its export, the ledger export and the assessment's arrears indicator: figures worked out by
hand on a fresh prefecture with three counties."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from services.assessment import METRICS, score_rows
from services.db import db
from services.models import ArrearsCase, ArrearsPlanMonth, ArrearsRepayment
from tests import factories
from tests.conftest import login
from tests.factories import local


def _case(firm, created, amount, disputed, plan, repayments, cleared=None):
    case = ArrearsCase(creditor_enterprise_id=firm.id, debtor_name="测试债务人", debtor_kind="government",
                       amount_10k=Decimal(amount), disputed_10k=Decimal(disputed),
                       repaid_10k=sum((Decimal(a) for _, a in repayments), Decimal(0)), region_id=firm.region_id,
                       status="cleared" if cleared else "repaying", cleared_at=cleared, created_at=created,
                       updated_at=created)
    db.session.add(case)
    db.session.flush()
    db.session.add_all([ArrearsPlanMonth(case_id=case.id, period=p, amount_10k=Decimal(a)) for p, a in plan])
    db.session.add_all([ArrearsRepayment(case_id=case.id, paid_on=d, amount_10k=Decimal(a)) for d, a in repayments])
    return case


@pytest.fixture
def counties(db_session):
    prefecture, (a, b, c) = factories.fresh_prefecture("629600", counties=3)
    factories.user("t_arrears_coord", "coordinator", prefecture)
    factories.user("t_arrears_kl", "coordinator", a)
    fa, fb = factories.enterprise(a), factories.enterprise(b)
    _case(fa, local(2026, 8, 5), "500", "100", [("2026-09", "100"), ("2026-10", "100"), ("2026-11", "200")],
          [(date(2026, 9, 25), "100"), (date(2026, 10, 10), "60"), (date(2026, 10, 31), "20"),
           (date(2026, 11, 1), "20")])
    _case(fa, local(2026, 10, 15), "50", "0", [("2026-10", "50")], [(date(2026, 10, 20), "50")],
          cleared=local(2026, 10, 20))
    _case(fb, local(2026, 7, 1), "200", "0", [("2026-10", "100"), ("2026-11", "100")], [(date(2026, 10, 5), "100")])
    db_session.commit()
    return prefecture, a, b, c


@pytest.fixture
def api(app, counties):
    return login(app.test_client(), "t_arrears_coord")


def test_the_monthly_table_has_every_figure_per_county(api, counties):
    prefecture, a, b, c = counties
    body = api.get(f"arrears/monthly?region={prefecture.id}&period=2026-10").get_json()
    rows = {r["region"]["code"]: r for r in body["rows"]}
    assert body["period"] == "2026-10" and list(rows) == [a.code, b.code, c.code]
    assert rows[a.code] == {**rows[a.code], "opening_balance_10k": "300.00", "new_10k": "50.00",
                            "planned_10k": "150.00", "repaid_10k": "130.00", "closing_balance_10k": "220.00",
                            "completion_rate": 0.8667, "cases_cleared": 1, "cases_outstanding": 1, "rank": 2}
    assert rows[b.code] == {**rows[b.code], "opening_balance_10k": "200.00", "planned_10k": "100.00",
                            "repaid_10k": "100.00", "closing_balance_10k": "100.00", "completion_rate": 1.0, "rank": 1}
    assert rows[c.code]["completion_rate"] is None and rows[c.code]["rank"] is None
    assert body["total"] == {**body["total"], "opening_balance_10k": "500.00", "planned_10k": "250.00",
                             "repaid_10k": "230.00", "closing_balance_10k": "320.00", "completion_rate": 0.92}


def test_a_repayment_on_the_last_day_counts_in_that_month_only(api, counties):
    prefecture, a, *_ = counties
    rows = api.get(f"arrears/monthly?region={prefecture.id}&period=2026-11").get_json()["rows"]
    november = {r["region"]["code"]: r for r in rows}[a.code]
    assert november["opening_balance_10k"] == "220.00" and november["repaid_10k"] == "20.00"


def test_a_month_in_a_bad_format_is_422(api, counties):
    assert api.get("arrears/monthly?period=2026-13").status_code == 422


def test_a_county_coordinator_cannot_read_the_prefectures_table(app, counties):
    prefecture, *_ = counties
    assert login(app.test_client(), "t_arrears_kl").get(f"arrears/monthly?region={prefecture.id}").status_code == 404


def test_enterprise_users_and_liaisons_get_403_for_the_table(login_as):
    assert login_as("ent_qhy").get("arrears/monthly").status_code == 403
    assert login_as("liaison_ma").get("arrears/monthly").status_code == 403


def test_the_monthly_export_is_a_workbook_with_the_same_figures(api, counties):
    prefecture, a, *_ = counties
    response = api.get(f"arrears/monthly/export.xlsx?region={prefecture.id}&period=2026-10")
    assert response.status_code == 200 and "filename*=UTF-8''" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("区划代码", "县（市、区）", "月初余额（万元）", "本月新增（万元）", "本月计划（万元）",
                           "本月清偿（万元）", "月末余额（万元）")
    first = rows[1]
    assert first[0] == a.code and first[2] == 300 and first[5] == 130 and first[10] == 2
    assert rows[-1][1].endswith("合计") and rows[-1][5] == 230


def test_the_ledger_export_lists_cases_plans_and_repayments_in_scope(api, counties):
    book = load_workbook(BytesIO(api.get("arrears/export.xlsx").data))
    assert book.sheetnames == ["清欠台账", "还款计划", "还款记录"]
    cases = list(book["清欠台账"].iter_rows(values_only=True))
    assert len(cases) == 4 and cases[0][7] == "欠款金额（万元）"
    assert len(list(book["还款记录"].iter_rows(values_only=True))) == 1 + 6


def test_the_quarterly_assessment_gains_the_arrears_completion_rate(api, counties):
    prefecture, a, b, c = counties
    body = api.get(f"assessments?region={prefecture.id}&quarter=2026Q4").get_json()
    rates = {r["region"]["code"]: r["arrears_completion_rate"] for r in body["rows"]}
    assert rates == {a.code: 0.4286, b.code: 0.5, c.code: None}
    assert body["weights"]["arrears_completion_rate"] == 0.10


def test_a_county_with_nothing_planned_is_not_scored_on_arrears():
    rows = [{**dict.fromkeys(METRICS), "closure_rate": 0.5, "arrears_completion_rate": rate} for rate in (None, 1.0, 1.6)]
    score_rows(rows, {"closure_rate": 1, "arrears_completion_rate": 1})
    assert [r["score"] for r in rows] == [50.0, 75.0, 75.0]


def test_the_arrears_weight_is_configuration(make_app, counties):
    prefecture, *_ = counties
    app = make_app(ASSESSMENT_WEIGHTS={"closure_rate": 0, "on_time_rate": 0, "satisfaction_rate": 0,
                                       "reopen_rate": 0, "visit_coverage": 0, "entity_growth_rate": 0,
                                       "employment_growth_rate": 0, "net_above_scale": 0,
                                       "arrears_completion_rate": 1})
    body = login(app.test_client(), "t_arrears_coord").get(f"assessments?region={prefecture.id}&quarter=2026Q4")
    scores = [r["score"] for r in body.get_json()["rows"]]
    assert scores == [42.9, 50.0, None]
