"""州直部门考核: one department's quarter rebuilt by hand from a known history of tasks and feedback."""

from datetime import datetime

import pytest
from openpyxl import load_workbook

from services.db import db
from services.problems.commands import take_action as problem_act
from services.tasks.commands import take_action
from services.timeutil import zone
from tests.services.tasks.helpers import LEAD, actor, dispatched_problem


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=zone())


@pytest.fixture
def quarter(app):
    """临夏县工信局 in 2026Q3: four lead tasks —
    P1 signed on time, reported on time, the enterprise satisfied;
    P2 signed two days late, reported after its due date, the enterprise unsatisfied (reopened);
    P3 refused; P4 recalled by the task force before its sign-in deadline."""
    p1, (t1,) = dispatched_problem(app, assists=(), now=at("2026-07-06"))
    p2, (t2,) = dispatched_problem(app, assists=(), now=at("2026-08-03"), due_at=at("2026-08-10"))
    _, (t3,) = dispatched_problem(app, assists=(), now=at("2026-09-01"))
    _, (t4,) = dispatched_problem(app, assists=(), now=at("2026-09-07"))
    with app.app_context():
        department, county, liaison = actor("dept_lxx_gxj"), actor("lxx_coord"), actor("liaison_ma")
        take_action(actor=department, task_id=t1, action="sign", now=at("2026-07-06", 10))
        take_action(actor=department, task_id=t1, action="report", payload={"result": "已解决"}, now=at("2026-07-10"))
        problem_act(actor=county, problem_id=p1, action="resolve", payload={"resolution": "已解决"},
                    now=at("2026-07-13"))
        problem_act(actor=liaison, problem_id=p1, action="feedback", payload={"rating": "satisfied"},
                    now=at("2026-07-15"))
        take_action(actor=department, task_id=t2, action="sign", now=at("2026-08-05"))
        take_action(actor=department, task_id=t2, action="report", payload={"result": "已协调"}, now=at("2026-08-12"))
        problem_act(actor=county, problem_id=p2, action="resolve", payload={"resolution": "已协调"},
                    now=at("2026-08-13"))
        problem_act(actor=liaison, problem_id=p2, action="feedback",
                    payload={"rating": "unsatisfied", "comment": "资金仍未到位"}, now=at("2026-08-14"))
        take_action(actor=department, task_id=t3, action="refuse", payload={"reason": "不属于本局职责"}, now=at("2026-09-01", 11))
        take_action(actor=county, task_id=t4, action="recall", payload={"reason": "改派"}, now=at("2026-09-07", 11))
        db.session.remove()


def _row(body: dict, name: str) -> dict:
    return next(r for r in body["rows"] if r["department_name"] == name)


def test_one_departments_quarter_is_what_its_history_says(login_as, quarter):
    body = login_as("lxx_coord").get("assessments/departments?quarter=2026Q3").get_json()
    row = _row(body, LEAD)
    # By hand: 4 dispatched; sign-in counted for P1, P2 (P3 refused, P4 recalled in time) → 1/2;
    # reports counted for P1, P2 → 1/2 on time; 1 refusal of 4; feedback 1 satisfied of 2; 1 of 2 led
    # problems reopened.
    assert row["dispatched"] == 4 and row["lead_tasks"] == 4
    assert (row["sign_on_time_rate"], row["report_on_time_rate"], row["refusal_rate"]) == (0.5, 0.5, 0.25)
    assert (row["satisfaction_rate"], row["reopen_rate"]) == (0.5, 0.5)
    # 100 × (0.2·0.5 + 0.3·0.5 + 0.1·(1 − 0.25) + 0.3·0.5 + 0.1·(1 − 0.5))
    assert row["score"] == 52.5


def test_departments_are_ranked_and_one_with_nothing_measured_earns_no_points(login_as, quarter):
    body = login_as("lxx_coord").get("assessments/departments?quarter=2026Q3").get_json()
    assert {r["department_name"] for r in body["rows"]} == {"临夏县工业和信息化局", "临夏县农业农村局"}
    idle = _row(body, "临夏县农业农村局")
    assert idle["score"] == 0.0 and idle["sign_on_time_rate"] is None and idle["rank"] == 2
    assert _row(body, LEAD)["rank"] == 1
    assert body["weights"]["report_on_time_rate"] == 0.3


def test_the_prefecture_assesses_the_departments_of_its_whole_subtree(login_as, quarter):
    names = {r["department_name"] for r in login_as("lx_coord").get("assessments/departments?quarter=2026Q3")
             .get_json()["rows"]}
    assert {"临夏州政府金融办", "临夏县工业和信息化局", "康乐县商务局"} <= names
    assert "兰州市工业和信息化局" not in names


def test_another_quarter_holds_none_of_it(login_as, quarter):
    row = _row(login_as("lxx_coord").get("assessments/departments?quarter=2026Q2").get_json(), LEAD)
    assert row["dispatched"] == 0 and row["refusal_rate"] is None


def test_weights_are_configuration(make_app, quarter):
    from tests.conftest import login

    app = make_app(DEPARTMENT_ASSESSMENT_WEIGHTS={"sign_on_time_rate": 1.0, "report_on_time_rate": 0,
                                                  "refusal_rate": 0, "satisfaction_rate": 0, "reopen_rate": 0})
    body = login(app.test_client(), "lxx_coord").get("assessments/departments?quarter=2026Q3").get_json()
    assert _row(body, LEAD)["score"] == 50.0


@pytest.mark.parametrize("username, status", [("dept_lxx_gxj", 403), ("liaison_ma", 403), ("ent_qhy", 403),
                                              ("lx_viewer", 200)])
def test_who_reads_the_department_assessment(login_as, username, status):
    assert login_as(username).get("assessments/departments").status_code == status


def test_a_region_out_of_scope_is_404_and_a_bad_quarter_422(login_as, demo):
    coordinator = login_as("lxx_coord")
    assert coordinator.get(f"assessments/departments?region={demo.region_id('620100')}").status_code == 404
    assert coordinator.get("assessments/departments?quarter=2026Q5").status_code == 422


def test_the_export_is_a_workbook_with_the_same_figures(login_as, quarter, tmp_path):
    response = login_as("lxx_coord").get("assessments/departments/export.xlsx?quarter=2026Q3")
    assert response.status_code == 200
    path = tmp_path / "d.xlsx"
    path.write_bytes(response.data)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "部门", "所属区划")
    lead = next(r for r in rows[1:] if r[1] == LEAD)
    assert lead[0] == 1 and lead[3] == 4 and lead[-1] == 52.5


