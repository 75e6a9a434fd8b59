"""/tasks over HTTP: the department's inbox and its scope, each action's rules, If-Match, Idempotency-Key, races."""

import threading

import pytest
import requests

from tests.services.tasks.helpers import dispatched_problem, task_status


@pytest.fixture
def tasks(app):
    """(problem id, lead task id, assisting task id) of a fresh dispatch by 临夏县."""
    problem_id, ids = dispatched_problem(app)
    return problem_id, ids[0], ids[1]


def test_a_department_inbox_lists_its_tasks_by_due_date_with_counts(login_as, tasks):
    body = login_as("dept_lxx_gxj").get("tasks?count=true").get_json()
    dues = [t["due_at"] for t in body["items"]]
    assert dues == sorted(dues)
    assert tasks[1] in [t["id"] for t in body["items"]]
    assert tasks[2] not in [t["id"] for t in body["items"]]  # the assisting task is another department's
    assert body["counts"]["dispatched"] >= 1 and body["total"] == sum(body["counts"].values())


def test_a_task_carries_the_names_beside_its_ids(login_as, tasks):
    task = login_as("dept_lxx_gxj").get(f"tasks/{tasks[1]}").get_json()
    assert task["department_name"] == "临夏县工业和信息化局" and task["role"] == "lead"
    assert task["enterprise_name"].startswith("临夏县清河源") and task["problem_number"].startswith("LX-")
    assert task["allowed_actions"] == ["sign", "refuse"] and task["status"] == "dispatched"


def test_another_departments_task_does_not_exist_for_a_department_user(login_as, tasks):
    response = login_as("dept_lx_jrb").get(f"tasks/{tasks[1]}")
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_a_task_out_of_a_task_forces_scope_does_not_exist_for_it(login_as, tasks):
    assert login_as("kl_coord").get(f"tasks/{tasks[1]}").status_code == 404
    assert tasks[1] not in [t["id"] for t in login_as("kl_coord").get("tasks").get_json()["items"]]


def test_the_holding_task_force_sees_every_task_of_its_problems(login_as, tasks):
    items = login_as("lxx_coord").get(f"tasks?problem={tasks[0]}").get_json()["items"]
    assert {t["id"] for t in items} == {tasks[1], tasks[2]}
    assert {t["role"] for t in items} == {"lead", "assist"}


@pytest.mark.parametrize("username", ["liaison_ma", "ent_qhy", "auditor"])
def test_roles_without_tasks_may_not_list_them(login_as, username, tasks):
    assert login_as(username).get("tasks").status_code == 403


def test_filters_by_status_and_role(login_as, tasks):
    coordinator = login_as("lxx_coord")
    assert {t["id"] for t in coordinator.get(f"tasks?problem={tasks[0]}&role=assist").get_json()["items"]} == {tasks[2]}
    assert coordinator.get(f"tasks?problem={tasks[0]}&status=signed").get_json()["items"] == []
    assert coordinator.get("tasks?status=bogus").status_code == 422


def test_signing_moves_the_task_and_writes_one_public_problem_event(login_as, tasks):
    department = login_as("dept_lxx_gxj")
    response = department.post(f"tasks/{tasks[1]}/sign", json={})
    assert response.status_code == 200 and response.get_json()["status"] == "signed"
    assert response.get_json()["allowed_actions"] == ["progress", "report"]
    events = login_as("ent_qhy").get(f"problems/{tasks[0]}").get_json()["events"]
    assert [e["action"] for e in events].count("task_sign") == 1


def test_refusing_needs_a_reason_and_tells_the_task_force(login_as, tasks):
    department = login_as("dept_lxx_gxj")
    missing = department.post(f"tasks/{tasks[1]}/refuse", json={})
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    response = department.post(f"tasks/{tasks[1]}/refuse", json={"reason": "技改资金不属于本局职责"})
    assert response.status_code == 200 and response.get_json()["refusal_reason"] == "技改资金不属于本局职责"
    inbox = login_as("lxx_coord").get("notifications").get_json()["items"]
    assert any(n["kind"] == "task.refuse" and n["object_id"] == tasks[1] for n in inbox)


def test_a_report_before_signing_is_an_invalid_transition(login_as, tasks):
    response = login_as("dept_lxx_gxj").post(f"tasks/{tasks[1]}/report", json={"result": "已解决"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "invalid_transition" and body["current_status"] == "dispatched"
    assert body["allowed_actions"] == ["sign", "refuse"]


def test_progress_and_report_after_signing(login_as, tasks):
    department = login_as("dept_lxx_gxj")
    department.post(f"tasks/{tasks[1]}/sign", json={})
    assert department.post(f"tasks/{tasks[1]}/progress", json={"note": "已现场调研"}).get_json()["status"] == "signed"
    reported = department.post(f"tasks/{tasks[1]}/report", json={"result": "已争取技改资金 50 万元"}).get_json()
    assert reported["status"] == "reported" and reported["result"] == "已争取技改资金 50 万元"
    assert reported["reported_at"] is not None


def test_the_task_force_cannot_sign_for_a_department(login_as, tasks):
    response = login_as("lxx_coord").post(f"tasks/{tasks[1]}/sign", json={})
    assert response.status_code == 403 and response.get_json()["code"] == "forbidden"


def test_a_department_cannot_recall(login_as, tasks):
    assert login_as("dept_lxx_gxj").post(f"tasks/{tasks[1]}/recall", json={"reason": "x"}).status_code == 403


def test_the_holding_task_force_recalls_and_the_department_is_told(app, login_as, tasks):
    response = login_as("lxx_coord").post(f"tasks/{tasks[1]}/recall", json={"reason": "改由农业农村局主办"})
    assert response.status_code == 200 and response.get_json()["status"] == "recalled"
    inbox = login_as("dept_lxx_gxj").get("notifications").get_json()["items"]
    assert any(n["kind"] == "task.recall" for n in inbox)
    # The department still reads the recalled task, with its history: nothing more to do on it.
    assert login_as("dept_lxx_gxj").get(f"tasks/{tasks[1]}").get_json()["allowed_actions"] == []


def test_a_stale_if_match_is_refused_and_changes_nothing(app, login_as, tasks):
    department = login_as("dept_lxx_gxj")
    etag = department.get(f"tasks/{tasks[1]}").headers["ETag"]
    assert department.post(f"tasks/{tasks[1]}/sign", json={}, headers={"If-Match": etag}).status_code == 200
    stale = department.post(f"tasks/{tasks[1]}/report", json={"result": "x"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.get_json()["code"] == "version_mismatch"
    assert task_status(app, tasks[1]) == "signed"


def test_a_repeated_request_with_its_idempotency_key_is_replayed_once(login_as, tasks):
    department = login_as("dept_lxx_gxj")
    headers = {"Idempotency-Key": "sign-once-1"}
    first = department.post(f"tasks/{tasks[1]}/sign", json={}, headers=headers)
    again = department.post(f"tasks/{tasks[1]}/sign", json={}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    events = login_as("lxx_coord").get(f"problems/{tasks[0]}").get_json()["events"]
    assert [e["action"] for e in events].count("task_sign") == 1


def test_unknown_task_and_huge_ids_are_404(login_as):
    department = login_as("dept_lxx_gxj")
    assert department.get("tasks/999999").status_code == 404
    assert department.post("tasks/999999/sign", json={}).status_code == 404
    assert department.get("tasks/9223372036854775808").status_code == 404


def test_two_clerks_signing_and_refusing_at_once_give_exactly_one_winner(live_server, app, tasks):
    """A real server: the sign and the refuse race; one wins, the other is 409, and one event is written."""
    sessions = [live_server.login("dept_lxx_gxj") for _ in range(2)]
    barrier = threading.Barrier(2)
    answers = {}

    def go(session: requests.Session, action: str, body: dict):
        barrier.wait()
        answers[action] = session.post(live_server.url + f"tasks/{tasks[1]}/{action}", json=body, timeout=30)

    threads = [threading.Thread(target=go, args=(sessions[0], "sign", {})),
               threading.Thread(target=go, args=(sessions[1], "refuse", {"reason": "不属于本单位"}))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [200, 409], {a: r.text for a, r in answers.items()}
    coordinator = live_server.login("lxx_coord")
    timeline = coordinator.get(live_server.url + f"problems/{tasks[0]}", timeout=30).json()["events"]
    assert sum(e["action"] in ("task_sign", "task_refuse") for e in timeline) == 1


def test_any_department_gets_its_users_the_same_way(login_as, demo):
    """The role is generic: an admin binds a new account to any department (人社局 tomorrow) and it works its inbox."""
    admin = login_as("admin")
    body = {"username": "dept_lxx_nyj", "name": "县农业农村局 李华", "role": "department", "password": "Dept@2026x"}
    missing = admin.post("users", json=body)
    assert missing.status_code == 422 and "department_id" in missing.get_json()["errors"]
    created = admin.post("users", json={**body, "department_id": demo.department_id("临夏县农业农村局"),
                                        "region_id": demo.region_id("622921")})
    assert created.status_code == 201, created.get_json()
    inbox = login_as("dept_lxx_nyj", "Dept@2026x").get("tasks").get_json()["items"]
    assert inbox and {t["department_name"] for t in inbox} == {"临夏县农业农村局"}
