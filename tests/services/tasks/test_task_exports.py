"""Exports of the work: the task list as .xlsx/.csv, and the ledger's lead department, task status and report time."""

import csv
import io

from openpyxl import load_workbook

from tests.services.tasks.helpers import dispatched_problem


def _csv(text: str) -> list[dict]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_ledger_export_names_the_lead_department_its_task_status_and_report_time(app, login_as):
    problem_id, (lead, _) = dispatched_problem(app)
    department = login_as("dept_lxx_gxj")
    department.post(f"tasks/{lead}/sign", json={})
    department.post(f"tasks/{lead}/report", json={"result": "已办结"})
    rows = _csv(login_as("lxx_coord").get("problems/export.csv").get_data(as_text=True))
    number = login_as("lxx_coord").get(f"problems/{problem_id}").get_json()["number"]
    row = next(r for r in rows if r["台账编号"] == number)
    assert (row["主办单位"], row["主办任务状态"], row["协办单位"]) == ("临夏县工业和信息化局", "已反馈", "临夏县农业农村局")
    assert row["主办反馈时间"].startswith("20")


def test_a_department_exports_its_own_tasks_through_a_real_server(app, live_server):
    dispatched_problem(app)
    session = live_server.login("dept_lxx_gxj")
    response = session.get(live_server.url + "tasks/export.xlsx", timeout=30)
    assert response.status_code == 200 and "tasks-" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["台账编号", "问题标题", "企业名称", "问题状态", "承办单位", "承办方式", "任务状态"]
    departments = {sheet.cell(r, 5).value for r in range(2, sheet.max_row + 1)}
    assert departments == {"临夏县工业和信息化局"}  # never another department's tasks
    assert sheet.cell(2, header.index("交办时间") + 1).is_date


def test_the_task_csv_follows_the_list_filters(app, login_as):
    problem_id, _ = dispatched_problem(app)
    rows = _csv(login_as("lxx_coord").get(f"tasks/export.csv?problem={problem_id}&role=assist").get_data(as_text=True))
    assert [(r["承办单位"], r["承办方式"]) for r in rows] == [("临夏县农业农村局", "协办")]


def test_roles_without_tasks_cannot_export_them(login_as):
    assert login_as("ent_qhy").get("tasks/export.csv").status_code == 403


