"""GET /assessments and its export: figures by hand from a fresh prefecture with three counties."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from services.assessment import score_rows
from tests import factories
from tests.factories import local

WEIGHTS = {"closure_rate": 0.20, "on_time_rate": 0.20, "satisfaction_rate": 0.20, "reopen_rate": 0.10,
           "visit_coverage": 0.10, "entity_growth_rate": 0.05, "employment_growth_rate": 0.10,
           "net_above_scale": 0.05, "arrears_completion_rate": 0.10}


def _dataset(db_session):
    prefecture, (a, b, c) = factories.fresh_prefecture("629700", counties=3)
    factories.user("t_assess_coord", "coordinator", prefecture)
    liaison = factories.user("t_assess_liaison", "liaison", a)
    a1 = factories.enterprise(a, industry="C", scale="small", tags=["key"], registered_on=date(2020, 1, 1))
    a2 = factories.enterprise(a, industry="A", scale="medium", registered_on=date(2026, 8, 1))
    a3 = factories.enterprise(a, industry="C", scale="large", registered_on=date(2019, 5, 1), deregistered_on=date(2026, 9, 15))
    a4 = factories.enterprise(a, industry="C", scale="micro", tags=["key"], registered_on=date(2018, 3, 1))
    factories.enterprise(a, industry="A", scale="micro", registered_on=date(2026, 7, 10))
    # Closed 2026-09-30 23:30 +08:00: Q3, on time.
    factories.problem(a1, status="closed", created_at=local(2026, 7, 5), accepted_at=local(2026, 7, 6),
               due_at=local(2026, 10, 10), closed_at=local(2026, 9, 30, 23, 30), satisfaction="satisfied")
    # Closed 2026-10-01 00:10 +08:00: Q4; at the end of Q3 it was open and past due.
    factories.problem(a1, status="closed", created_at=local(2026, 8, 1), accepted_at=local(2026, 8, 2),
               due_at=local(2026, 9, 1), closed_at=local(2026, 10, 1, 0, 10), satisfaction="basically_satisfied")
    # Still open, overdue, reopened once, last rated unsatisfied.
    factories.problem(a4, status="in_progress", created_at=local(2026, 7, 10), accepted_at=local(2026, 7, 11),
               due_at=local(2026, 8, 1), reopen_count=1, satisfaction="unsatisfied")
    # Closed in Q3 but late.
    factories.problem(a4, status="closed", created_at=local(2026, 7, 15), accepted_at=local(2026, 7, 16),
               due_at=local(2026, 8, 10), closed_at=local(2026, 8, 20), satisfaction="satisfied")
    factories.problem(a1, status="rejected", created_at=local(2026, 7, 20), rejected_at=local(2026, 7, 21))
    factories.problem(a4, status="closed", created_at=local(2026, 6, 1), accepted_at=local(2026, 6, 2),
               due_at=local(2026, 6, 30), closed_at=local(2026, 6, 20), satisfaction="satisfied")
    factories.problem(a2, status="pending", created_at=local(2026, 9, 20))
    factories.visit(a1, liaison, local(2026, 8, 5))
    factories.visit(a4, liaison, local(2026, 10, 5))
    factories.report(a1, "2026-07", 100)
    factories.report(a1, "2026-09", 90)
    factories.report(a2, "2026-07", 50)
    factories.report(a2, "2026-09", 70)
    factories.report(a4, "2026-09", 30)
    factories.report(a3, "2026-07", 500)
    factories.report(a3, "2026-09", 100)
    factories.change(a1, "tag:above_scale", None, "added", local(2026, 8, 1))
    factories.change(a4, "tag:above_scale", None, "added", local(2026, 9, 30, 15))
    factories.change(a3, "tag:above_scale", "added", None, local(2026, 9, 10))
    factories.change(a3, "tag:above_scale", None, "added", local(2026, 10, 2))
    factories.change(a2, "tag:above_scale", None, "added", local(2026, 8, 1), source="create")

    b1 = factories.enterprise(b, industry="F", scale="small", tags=["key"], registered_on=date(2015, 1, 1))
    factories.problem(b1, status="closed", created_at=local(2026, 7, 1), accepted_at=local(2026, 7, 2),
               due_at=local(2026, 9, 20), closed_at=local(2026, 9, 10), satisfaction="satisfied")
    factories.report(b1, "2026-07", 40)
    factories.report(b1, "2026-09", 40)

    factories.enterprise(c, industry="C", scale="small", registered_on=date(2010, 1, 1))
    db_session.commit()
    return prefecture, a, b, c


@pytest.fixture
def assessed(db_session, login_as):
    prefecture, a, b, c = _dataset(db_session)
    client = login_as("t_assess_coord")
    body = client.get(f"assessments?region={prefecture.id}&quarter=2026Q3").get_json()
    return body, {row["region"]["code"]: row for row in body["rows"]}, (a.code, b.code, c.code)


def test_the_assessment_rates_of_a_county_are_computed_from_the_quarters_workload(assessed):
    body, rows, (a, b, c) = assessed
    assert body["quarter"] == "2026Q3" and body["region"]["code"] == "629700"
    row = rows[a]
    assert row["closure_rate"] == 0.4  # 2 closed in Q3 of 5 worked (rejected and Q2-closed left out)
    assert row["on_time_rate"] == 0.25  # 1 on time / (2 closed + 2 still open past due)
    assert row["satisfaction_rate"] == 0.6667  # 2 of 3 rated
    assert row["reopen_rate"] == 0.2
    assert row["visit_coverage"] == 0.5  # 1 of 2 key enterprises visited in Q3
    assert row["entity_growth_rate"] == 0.3333  # (2 registered - 1 deregistered) / 3 at the start
    assert row["employment_growth_rate"] == 0.0667  # SMEs reporting in July and September: 150 -> 160
    assert row["net_above_scale"] == 1  # 2 entered - 1 left; Q4 and data-entry rows ignored


def test_the_quarter_boundary_is_in_asia_shanghai(assessed):
    _, rows, (a, _, _) = assessed
    assert rows[a]["counts"]["closed"] == 2 and rows[a]["counts"]["closed_on_time"] == 1
    assert rows[a]["counts"]["open_overdue"] == 2


def test_a_county_with_no_problems_has_null_problem_rates(assessed):
    _, rows, (_, _, c) = assessed
    row = rows[c]
    assert [row[k] for k in ("closure_rate", "on_time_rate", "satisfaction_rate", "reopen_rate",
                             "visit_coverage", "employment_growth_rate")] == [None] * 6
    assert row["entity_growth_rate"] == 0.0 and row["net_above_scale"] == 0


def test_scores_and_ranks_follow_the_weights(assessed):
    body, rows, (a, b, c) = assessed
    assert body["weights"] == WEIGHTS
    assert rows[a]["score"] == 59.3
    assert rows[b]["score"] == 70.0
    assert rows[c]["score"] == 0.0
    assert (rows[b]["rank"], rows[a]["rank"], rows[c]["rank"]) == (1, 2, 3)


def test_the_breakdown_by_industry_sums_every_county(assessed):
    body, _, _ = assessed
    industries = {row["industry"]: row for row in body["by_industry"]}
    assert set(industries) == {"A", "C", "F"}
    assert industries["C"]["counts"]["problems"] == 4 and industries["C"]["closure_rate"] == 0.5
    assert industries["A"]["closure_rate"] == 0.0
    assert industries["F"]["on_time_rate"] == 1.0


def test_equal_scores_share_a_rank():
    rows = [{"closure_rate": value, **dict.fromkeys(("on_time_rate", "satisfaction_rate", "reopen_rate",
                                                       "visit_coverage", "entity_growth_rate",
                                                       "employment_growth_rate", "net_above_scale"))}
            for value in (0.5, 0.9, 0.5)]
    score_rows(rows, {"closure_rate": 1})
    assert [r["rank"] for r in rows] == [2, 1, 2]


def test_weights_come_from_configuration(db_session, make_app):
    prefecture, *_ = _dataset(db_session)
    app = make_app(ASSESSMENT_WEIGHTS={**dict.fromkeys(WEIGHTS, 0), "closure_rate": 1})
    from tests.conftest import login

    body = login(app.test_client(), "t_assess_coord").get(
        f"assessments?region={prefecture.id}&quarter=2026Q3").get_json()
    # 629703 has no problems: an empty denominator earns no points (its weight is not rescaled away).
    assert {row["region"]["code"]: row["score"] for row in body["rows"]} == {"629701": 40.0, "629702": 100.0,
                                                                          "629703": 0.0}


def test_the_export_is_an_excel_workbook_with_chinese_headers(db_session, login_as):
    prefecture, *_ = _dataset(db_session)
    response = login_as("t_assess_coord").get(f"assessments/export.xlsx?region={prefecture.id}&quarter=2026Q3")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["县区考核", "分行业"]
    sheet = book["县区考核"]
    assert [cell.value for cell in sheet[1]][:4] == ["区划代码", "县（市、区）", "销号率", "按期办结率"]
    assert sheet.max_row == 4


def test_export_cells_never_become_formulas(db_session, login_as):
    prefecture, (county, *_) = factories.fresh_prefecture("629600", counties=1)
    county.name = "=HYPERLINK(\"http://example.com\")"
    factories.user("t_export_coord", "coordinator", prefecture)
    db_session.commit()
    response = login_as("t_export_coord").get(f"assessments/export.xlsx?region={prefecture.id}&quarter=2026Q3")
    cell = load_workbook(BytesIO(response.data))["县区考核"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


@pytest.mark.parametrize("quarter", ["2026Q5", "2026-Q3", "Q3", "20260Q1"])
def test_a_malformed_quarter_is_refused(login_as, quarter):
    response = login_as("lx_coord").get(f"assessments?quarter={quarter}")
    assert response.status_code == 422
    assert "quarter" in response.get_json()["errors"]


def test_the_default_assessment_is_the_callers_region_and_this_quarter(login_as):
    body = login_as("lx_coord").get("assessments").get_json()
    assert body["region"]["code"] == "622900"
    assert len(body["rows"]) == 9


def test_a_county_coordinator_gets_one_row(login_as):
    assert len(login_as("lxx_coord").get("assessments?quarter=2026Q3").get_json()["rows"]) == 1


def test_an_assessment_outside_the_scope_is_not_found(login_as, demo):
    assert login_as("kl_coord").get(f"assessments?region={demo.region_id('622900')}").status_code == 404


@pytest.mark.parametrize("username", ["liaison_li", "ent_bs"])
def test_liaisons_and_enterprises_may_not_read_assessments(login_as, username):
    assert login_as(username).get("assessments").status_code == 403
    assert login_as(username).get("assessments/export.xlsx").status_code == 403


def test_a_problem_awaiting_info_is_not_late_while_its_clock_is_stopped(db_session, login_as):
    prefecture, (county,) = factories.fresh_prefecture("629600", counties=1)
    factories.user("t_pause_coord", "coordinator", prefecture)
    firm = factories.enterprise(county)
    # Asked for info before its deadline; the deadline then passed while the enterprise was silent.
    factories.problem(firm, status="awaiting_info", created_at=local(2026, 7, 1), accepted_at=local(2026, 7, 2),
               due_at=local(2026, 7, 20), info_requested_at=local(2026, 7, 10), status_before_info="in_progress")
    # Asked only after its deadline had passed: late for good.
    factories.problem(firm, status="awaiting_info", created_at=local(2026, 7, 1), accepted_at=local(2026, 7, 2),
               due_at=local(2026, 7, 20), info_requested_at=local(2026, 7, 25), status_before_info="in_progress")
    factories.problem(firm, status="closed", created_at=local(2026, 7, 1), accepted_at=local(2026, 7, 2),
               due_at=local(2026, 7, 20), closed_at=local(2026, 7, 15), satisfaction="satisfied")
    db_session.commit()
    (row,) = login_as("t_pause_coord").get(f"assessments?region={prefecture.id}&quarter=2026Q3").get_json()["rows"]
    assert row["counts"]["open_overdue"] == 1
    assert row["on_time_rate"] == 0.5  # 1 on time / (1 closed + 1 late before its clock stopped)


def test_a_county_that_did_nothing_does_not_outrank_one_that_worked(db_session, login_as):
    prefecture, (idle, working) = factories.fresh_prefecture("629500", counties=2)
    factories.user("t_idle_coord", "coordinator", prefecture)
    factories.enterprise(idle, registered_on=date(2010, 1, 1))
    firm = factories.enterprise(working, registered_on=date(2010, 1, 1))
    factories.problem(firm, status="in_progress", created_at=local(2026, 9, 1), accepted_at=local(2026, 9, 2),
               due_at=local(2026, 12, 30))
    db_session.commit()
    body = login_as("t_idle_coord").get(f"assessments?region={prefecture.id}&quarter=2026Q3").get_json()
    rows = {row["region"]["code"]: row for row in body["rows"]}
    assert rows[idle.code]["closure_rate"] is None and rows[idle.code]["reopen_rate"] is None
    assert rows[working.code]["score"] > rows[idle.code]["score"]
    assert (rows[working.code]["rank"], rows[idle.code]["rank"]) == (1, 2)


def test_the_empty_denominator_rule_keeps_the_weight_of_what_cannot_be_measured():
    rows = [{name: None for name in WEIGHTS} | {"net_above_scale": 0},
            {name: None for name in WEIGHTS} | {"net_above_scale": 0, "closure_rate": 0.5}]
    score_rows(rows, WEIGHTS)
    # net 规上 entries are all equal (full marks, 0.05); nothing else measured earns nothing.
    assert rows[0]["score"] == 5.0 and rows[1]["score"] == 15.0
    assert (rows[0]["rank"], rows[1]["rank"]) == (2, 1)
