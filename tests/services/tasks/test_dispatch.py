"""派单 through the problem's `assign`, and the problem's rules that follow the work: resolve, reopen, scope."""

import pytest

from tests.services.problems.helpers import do, file

LEAD, ASSIST = "临夏县工业和信息化局", "临夏县农业农村局"


@pytest.fixture
def county(login_as):
    return login_as("lxx_coord")


@pytest.fixture
def accepted(county, demo):
    problem = file(county, demo, title="技改项目资金缺口", category="production")
    do(county, problem["id"], "accept")
    return problem["id"]


def dispatch(county, demo, problem_id, *, assists=(ASSIST,), expect=200, **extra):
    body = {"department_id": demo.department_id(LEAD),
            "assist_department_ids": [demo.department_id(a) for a in assists], "instructions": "请一周内提出方案", **extra}
    response = county.post(f"problems/{problem_id}/assign", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def lead_of(problem: dict) -> dict:
    return [t for t in problem["tasks"] if t["role"] == "lead"][-1]


def test_assign_creates_a_lead_and_an_assisting_task_with_due_dates_and_instructions(county, demo, accepted):
    problem = dispatch(county, demo, accepted)
    assert [(t["department_name"], t["role"], t["status"]) for t in problem["tasks"]] == [
        (LEAD, "lead", "dispatched"), (ASSIST, "assist", "dispatched")]
    assert all(t["instructions"] == "请一周内提出方案" for t in problem["tasks"])
    assert all(t["due_at"] == problem["due_at"] for t in problem["tasks"])  # default: the remaining limit
    assert all(t["sign_due_at"] < t["due_at"] for t in problem["tasks"])
    assert problem["department_name"] == LEAD
    assert problem["events"][-1]["action"] == "assign"


def test_a_due_date_given_applies_to_the_tasks(county, demo, accepted):
    problem = dispatch(county, demo, accepted, due_at="2099-01-05T17:00:00+08:00")
    assert {t["due_at"] for t in problem["tasks"]} == {"2099-01-05T17:00:00+08:00"}


def test_a_due_date_in_the_past_is_refused(county, demo, accepted):
    body = dispatch(county, demo, accepted, due_at="2020-01-01T00:00:00+08:00", expect=422)
    assert "due_at" in body["errors"]


def test_a_county_cannot_dispatch_to_a_department_of_lanzhou(county, demo, accepted):
    body = county.post(f"problems/{accepted}/assign",
                       json={"department_id": demo.department_id("兰州市工业和信息化局")}).get_json()
    assert body["status"] == 422 and "department_id" in body["errors"]


def test_a_county_cannot_dispatch_to_a_prefecture_department_either(county, demo, accepted):
    body = dispatch(county, demo, accepted, assists=("临夏州政府金融办",), expect=422)
    assert "assist_department_ids" in body["errors"]


def test_the_lead_cannot_also_assist(county, demo, accepted):
    dispatch(county, demo, accepted, assists=(LEAD,), expect=422)


def test_dispatching_notifies_each_department(county, demo, accepted, login_as):
    dispatch(county, demo, accepted)
    inbox = login_as("dept_lxx_gxj").get("notifications").get_json()["items"]
    assert any(n["kind"] == "task.dispatched" for n in inbox)


def test_a_second_dispatch_while_the_lead_works_is_not_offered(county, demo, accepted):
    problem = dispatch(county, demo, accepted)
    assert "assign" not in problem["allowed_actions"]
    assert county.post(f"problems/{accepted}/assign", json={"department_id": demo.department_id(ASSIST)}).status_code == 409


def test_after_a_refusal_the_task_force_dispatches_again_and_the_old_task_keeps_its_history(
        county, demo, accepted, login_as):
    problem = dispatch(county, demo, accepted, assists=())
    department = login_as("dept_lxx_gxj")
    department.post(f"tasks/{lead_of(problem)['id']}/refuse", json={"reason": "应由农业农村局主办"})
    again = county.get(f"problems/{accepted}").get_json()
    assert "assign" in again["allowed_actions"] and again["department_id"] is None
    redone = county.post(f"problems/{accepted}/assign", json={"department_id": demo.department_id(ASSIST)}).get_json()
    assert [(t["department_name"], t["status"]) for t in redone["tasks"]] == [(LEAD, "refused"), (ASSIST, "dispatched")]
    assert redone["tasks"][0]["refusal_reason"] == "应由农业农村局主办"


def test_resolve_waits_for_the_lead_report(county, demo, accepted):
    dispatch(county, demo, accepted)
    response = county.post(f"problems/{accepted}/resolve", json={"resolution": "已解决"})
    assert response.status_code == 409 and response.get_json()["code"] == "invalid_transition"
    assert "resolve" not in county.get(f"problems/{accepted}").get_json()["allowed_actions"]


def test_resolve_prefills_from_the_lead_report_and_supersedes_open_assists(county, demo, accepted, login_as):
    problem = dispatch(county, demo, accepted)
    department = login_as("dept_lxx_gxj")
    lead = lead_of(problem)["id"]
    department.post(f"tasks/{lead}/sign", json={})
    department.post(f"tasks/{lead}/report", json={"result": "已争取省级技改资金 80 万元"})
    resolved = county.post(f"problems/{accepted}/resolve", json={}).get_json()
    assert resolved["status"] == "resolved" and resolved["resolution"] == "已争取省级技改资金 80 万元"
    assert [(t["role"], t["status"]) for t in resolved["tasks"]] == [("lead", "reported"), ("assist", "superseded")]


def test_an_unsatisfied_enterprise_reopens_the_lead_task_at_the_same_department(county, demo, accepted, login_as):
    problem = dispatch(county, demo, accepted, assists=())
    department = login_as("dept_lxx_gxj")
    lead = lead_of(problem)["id"]
    department.post(f"tasks/{lead}/sign", json={})
    department.post(f"tasks/{lead}/report", json={"result": "已协调"})
    do(county, accepted, "resolve", {})
    do(login_as("ent_qhy"), accepted, "feedback", {"rating": "unsatisfied", "comment": "资金未到位"})
    task = department.get(f"tasks/{lead}").get_json()
    assert (task["status"], task["reopen_count"], task["allowed_actions"]) == ("reopened", 1, ["sign"])
    assert any(n["kind"] == "task.reopened" for n in department.get("notifications").get_json()["items"])
    department.post(f"tasks/{lead}/sign", json={})
    department.post(f"tasks/{lead}/report", json={"result": "资金已到位"})
    assert county.post(f"problems/{accepted}/resolve", json={}).get_json()["resolution"] == "资金已到位"


def test_a_department_reads_its_problem_without_other_departments_internal_notes(county, demo, accepted, login_as):
    dispatch(county, demo, accepted)
    do(county, accepted, "comment", {"text": "专班内部：企业资金链紧张", "internal": True})
    department = login_as("dept_lxx_gxj")
    seen = department.get(f"problems/{accepted}")
    assert seen.status_code == 200
    events = seen.get_json()["events"]
    assert all(not e["internal"] for e in events)
    assert seen.get_json()["allowed_actions"] == ["comment"]


def test_a_department_sees_only_the_problems_dispatched_to_it(county, demo, accepted, login_as):
    dispatch(county, demo, accepted, assists=())
    ids = {p["id"] for p in login_as("dept_lxx_gxj").get("problems?limit=100").get_json()["items"]}
    assert accepted in ids
    assert login_as("dept_lx_jrb").get(f"problems/{accepted}").status_code == 404
    other = file(county, demo, title="另一个问题")
    assert login_as("dept_lxx_gxj").get(f"problems/{other['id']}").status_code == 404


def test_a_department_sees_the_enterprise_masked_until_it_signs(county, demo, login_as):
    farm = demo.enterprise_id("莲花家庭农场")  # no demo task on its problems
    problem = file(county, demo, enterprise="莲花家庭农场", title="大棚用电", category="production")
    do(county, problem["id"], "accept")
    problem = dispatch(county, demo, problem["id"], assists=())
    department = login_as("dept_lxx_gxj")
    assert "****" in department.get(f"enterprises/{farm}").get_json()["contact_phone"]
    department.post(f"tasks/{lead_of(problem)['id']}/sign", json={})
    assert "****" not in department.get(f"enterprises/{farm}").get_json()["contact_phone"]


@pytest.mark.parametrize("path", ["visits", "status-reports", "history", "plan", "problems"])
def test_everything_else_of_the_enterprise_is_404_for_a_department(county, demo, accepted, login_as, path):
    dispatch(county, demo, accepted, assists=())
    response = login_as("dept_lxx_gxj").get(f"enterprises/{demo.enterprise_id('清河源')}/{path}")
    assert response.status_code == 404


def test_a_department_may_not_edit_the_enterprise(county, demo, accepted, login_as):
    dispatch(county, demo, accepted, assists=())
    department = login_as("dept_lxx_gxj")
    enterprise_id = demo.enterprise_id("清河源")
    etag = department.get(f"enterprises/{enterprise_id}").headers["ETag"]
    assert department.patch(f"enterprises/{enterprise_id}", json={"employees": 1},
                            headers={"If-Match": etag}).status_code == 403


def test_a_first_dispatch_is_one_version_step_of_the_problem(county, demo, accepted):
    """The dispatch flushes its tasks inside the action: the problem's change must go in the same UPDATE."""
    before = county.get(f"problems/{accepted}").get_json()["version"]
    after = dispatch(county, demo, accepted)
    assert after["version"] == before + 1
    assert county.get(f"problems/{accepted}").get_json()["version"] == before + 1
