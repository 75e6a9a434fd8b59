"""一企一策: versioned saves, approval rights, concurrency, isolation."""

import threading

import pytest

from tests.conftest import login

PLAN = {"situation": "复工后用工不足", "contingency": "启用备用供应商",
        "measures": [{"content": "组织专场招聘", "due_date": "2026-12-31", "status": "planned"}]}


def _path(demo, name="清河源"):
    return f"enterprises/{demo.enterprise_id(name)}/plan"


def test_the_demo_plan_has_an_approved_and_a_draft_version(login_as, demo):
    session = login_as("lxx_coord")
    current = session.get(_path(demo)).get_json()
    assert (current["version"], current["status"]) == (2, "draft")
    assert session.get(f"{_path(demo)}/versions/1").get_json()["status"] == "approved"


def test_a_save_writes_the_next_version_as_a_draft(login_as, demo):
    session = login_as("liaison_ma")
    saved = session.put(_path(demo), json=PLAN, headers={"If-Match": '"2"'})
    assert saved.status_code == 200
    assert (saved.get_json()["version"], saved.get_json()["status"]) == (3, "draft")
    assert saved.headers["ETag"] == '"3"'
    versions = session.get(f"{_path(demo)}/versions").get_json()["items"]
    assert [v["version"] for v in versions] == [3, 2, 1]


def test_a_save_without_if_match_is_428_and_a_stale_one_412(login_as, demo):
    session = login_as("liaison_ma")
    assert session.put(_path(demo), json=PLAN).status_code == 428
    assert session.put(_path(demo), json=PLAN, headers={"If-Match": '"1"'}).status_code == 412


def test_the_first_plan_is_saved_against_version_zero(login_as, demo):
    session = login_as("liaison_li")
    assert session.get(_path(demo, "百盛超市")).status_code == 404
    assert session.put(_path(demo, "百盛超市"), json=PLAN, headers={"If-Match": '"0"'}).get_json()["version"] == 1


def test_two_saves_of_the_same_version_keep_one(app, demo):
    sessions = [login(app.test_client(), "liaison_ma") for _ in range(2)]
    barrier, codes = threading.Barrier(2), []

    def save(session):
        barrier.wait()
        codes.append(session.put(_path(demo), json=PLAN, headers={"If-Match": '"2"'}).status_code)

    threads = [threading.Thread(target=save, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 412]


def test_liaisons_draft_but_never_approve(login_as, demo):
    assert login_as("liaison_ma").post(f"{_path(demo)}/approve").status_code == 403
    approved = login_as("lxx_coord").post(f"{_path(demo)}/approve")
    assert approved.status_code == 200 and approved.get_json()["approved_by"]
    assert login_as("lxx_coord").post(f"{_path(demo)}/approve").status_code == 409


def test_a_coordinator_outside_the_enterprises_scope_cannot_approve(login_as, demo):
    assert login_as("kl_coord").post(f"{_path(demo)}/approve").status_code == 404


def test_enterprise_users_read_their_own_plan_only(login_as, demo):
    assert login_as("ent_qhy").get(_path(demo)).status_code == 200
    assert login_as("ent_qhy").put(_path(demo), json=PLAN, headers={"If-Match": '"2"'}).status_code == 403
    assert login_as("ent_bs").get(_path(demo)).status_code == 404


def test_linked_problems_must_belong_to_the_enterprise(login_as, demo):
    session = login_as("lx_coord")
    foreign = session.get("problems", query_string={"enterprise": demo.enterprise_id("百盛超市")}).get_json()["items"][0]
    response = session.put(_path(demo), json={**PLAN, "problem_ids": [foreign["id"]]}, headers={"If-Match": '"2"'})
    assert response.status_code == 404


def test_an_unknown_responsible_department_is_refused(login_as, demo):
    bad = {**PLAN, "measures": [{"content": "x", "responsible_department": 99999}]}
    response = login_as("liaison_ma").put(_path(demo), json=bad, headers={"If-Match": '"2"'})
    assert response.status_code == 422
    assert "measures.0.responsible_department" in response.get_json()["errors"]


def test_saving_notifies_the_county_task_force(login_as, demo):
    login_as("liaison_ma").put(_path(demo), json=PLAN, headers={"If-Match": '"2"'})
    kinds = [n["kind"] for n in login_as("lxx_coord").get("notifications").get_json()["items"]]
    assert "plan.saved" in kinds


@pytest.mark.parametrize("username", ["lx_coord", "gs_coord"])
def test_a_coordinator_above_the_plans_region_may_not_approve_it(login_as, demo, username):
    response = login_as(username).post(f"{_path(demo)}/approve")
    assert response.status_code == 403
    assert login_as("lxx_coord").get(f"{_path(demo)}").get_json()["status"] == "draft"


def test_the_drafter_may_not_approve_its_own_plan(login_as, demo, db_session):
    from services import passwords
    from services.models import User

    county = login_as("lxx_coord")
    current = county.get(_path(demo)).get_json()
    saved = county.put(_path(demo), json={"situation": "县专班修订", "measures": [], "contingency": ""},
                       headers={"If-Match": f'"{current["version"]}"'})
    assert saved.status_code in (200, 201), saved.get_json()
    assert county.post(f"{_path(demo)}/approve").status_code == 403
    lxx = db_session.scalar(db_session.query(User).filter_by(username="lxx_coord").statement)
    db_session.add(User(username="t_lxx_second", name="县专班二", role="coordinator", region_id=lxx.region_id,
                        password_hash=passwords.hash_password("Demo@2026")))
    db_session.commit()
    approved = login_as("t_lxx_second").post(f"{_path(demo)}/approve")
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
