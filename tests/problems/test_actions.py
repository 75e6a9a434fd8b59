"""Each action's own rules: info requests, extensions, supervision, closing, withdrawal, edits, If-Match."""

from datetime import timedelta

from sqlalchemy import func, select

from services.actors import Actor
from services.db import db, utcnow
from services.models import Problem, ProblemEvent, User
from services.problems.commands import apply_action
from tests.problems.helpers import do, file, future


def test_request_and_supply_info_return_the_problem_to_its_status(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo)
    do(county, problem["id"], "accept")
    waiting = do(county, problem["id"], "request_info", {"question": "请补充贷款合同"})
    assert waiting["status"] == "awaiting_info"
    assert county.post(f"problems/{problem['id']}/resolve", json={"resolution": "x"}).status_code == 409
    back = do(login_as("ent_qhy"), problem["id"], "supply_info", {"answer": "合同已上传"})
    assert back["status"] == "in_progress"


def test_the_clock_stops_while_awaiting_info(app, demo):
    with app.app_context():
        county = Actor.for_user(db.session.scalar(select(User).where(User.username == "lxx_coord")))
        enterprise = Actor.for_user(db.session.scalar(select(User).where(User.username == "ent_qhy")))
        start = utcnow() - timedelta(days=30)
        from services.problems.commands import file_problem

        problem = file_problem(actor=county, enterprise_id=demo.enterprise_id("清河源"), category="labor",
                               title="用工", scope="county", now=start)
        apply_action(actor=county, problem_id=problem.id, action="accept", now=start)
        due_before = problem.due_at
        apply_action(actor=county, problem_id=problem.id, action="request_info", payload={"question": "?"},
                     now=start + timedelta(days=1))
        apply_action(actor=enterprise, problem_id=problem.id, action="supply_info", payload={"answer": "!"},
                     now=start + timedelta(days=8))
        from services.problems.deadlines import add_working_days, working_days_between

        paused = working_days_between(start + timedelta(days=1), start + timedelta(days=8))
        assert paused >= 4
        assert problem.due_at == add_working_days(due_before, paused)
        db.session.rollback()


def test_an_extension_is_decided_by_the_parent_task_force(login_as, demo):
    county, prefecture = login_as("lxx_coord"), login_as("lx_coord")
    problem = file(login_as("liaison_ma"), demo)
    accepted = do(county, problem["id"], "accept")
    wanted = future(90)
    requested = do(county, problem["id"], "request_extension", {"due_at": wanted, "reason": "需多部门会商"})
    assert requested["extension_due_at"]
    assert county.post(f"problems/{problem['id']}/decide_extension", json={"approve": True}).status_code == 403
    decided = do(prefecture, problem["id"], "decide_extension", {"approve": True})
    assert decided["due_at"] != accepted["due_at"] and decided["extension_due_at"] is None


def test_a_denied_extension_keeps_the_due_date(login_as, demo):
    county, prefecture = login_as("lxx_coord"), login_as("lx_coord")
    problem = file(login_as("liaison_ma"), demo)
    accepted = do(county, problem["id"], "accept")
    do(county, problem["id"], "request_extension", {"due_at": future(90), "reason": "需会商"})
    assert do(prefecture, problem["id"], "decide_extension", {"approve": False})["due_at"] == accepted["due_at"]


def test_an_extension_must_move_the_due_date_later(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo)
    do(county, problem["id"], "accept")
    response = county.post(f"problems/{problem['id']}/request_extension",
                           json={"due_at": "2020-01-01T00:00:00+08:00", "reason": "x"})
    assert response.status_code == 422


def test_the_provinces_own_extension_is_decided_by_another_province_coordinator(login_as, demo):
    admin = login_as("admin")
    created = admin.post("users", json={"username": "gs_coord2", "password": "Strong#2026", "name": "省专班 二",
                                        "role": "coordinator", "region_id": demo.region_id("620000")})
    assert created.status_code == 201
    county, prefecture, province = login_as("lxx_coord"), login_as("lx_coord"), login_as("gs_coord")
    problem = file(login_as("liaison_ma"), demo, scope="provincial")
    do(county, problem["id"], "escalate")
    do(prefecture, problem["id"], "escalate")
    do(province, problem["id"], "accept")
    do(province, problem["id"], "request_extension", {"due_at": future(120), "reason": "需部委协调"})
    assert province.post(f"problems/{problem['id']}/decide_extension", json={"approve": True}).status_code == 403
    assert do(login_as("gs_coord2", "Strong#2026"), problem["id"], "decide_extension", {"approve": True})


def test_supervision_comes_from_a_strict_ancestor(login_as, demo):
    county, prefecture = login_as("lxx_coord"), login_as("lx_coord")
    problem = file(login_as("liaison_ma"), demo)
    assert county.post(f"problems/{problem['id']}/supervise", json={"deadline": future(5), "note": "x"}).status_code == 403
    flagged = do(prefecture, problem["id"], "supervise", {"deadline": future(5), "note": "限期办结"})
    assert flagged["supervised"] and flagged["supervision_deadline"]
    assert prefecture.post(f"problems/{problem['id']}/supervise", json={"deadline": future(5), "note": "x"}).status_code == 409
    assert do(prefecture, problem["id"], "unsupervise", {"note": "已解决"})["supervised"] is False
    assert len([e for e in prefecture.get(f"problems/{problem['id']}").get_json()["events"]
                if e["action"] in ("supervise", "unsupervise")]) == 2


def test_closing_without_feedback_before_fifteen_days_is_refused(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo)
    do(county, problem["id"], "accept")
    do(county, problem["id"], "resolve", {"resolution": "已协调"})
    response = county.post(f"problems/{problem['id']}/close", json={"note": "未评价"})
    assert response.status_code == 409
    assert response.get_json()["current_status"] == "resolved"


def test_closing_without_feedback_after_fifteen_days_is_marked(app, demo):
    with app.app_context():
        county = Actor.for_user(db.session.scalar(select(User).where(User.username == "lxx_coord")))
        from services.problems.commands import file_problem

        start = utcnow() - timedelta(days=20)
        problem = file_problem(actor=county, enterprise_id=demo.enterprise_id("清河源"), category="labor",
                               title="用工", scope="county", now=start)
        apply_action(actor=county, problem_id=problem.id, action="accept", now=start)
        apply_action(actor=county, problem_id=problem.id, action="resolve", payload={"resolution": "ok"}, now=start)
        apply_action(actor=county, problem_id=problem.id, action="close", payload={"note": "多次电话未接"})
        assert problem.status == "closed" and problem.closed_without_feedback
        db.session.rollback()


def test_only_the_filer_withdraws(login_as, demo):
    problem = file(login_as("ent_qhy"), demo)
    assert login_as("liaison_ma").post(f"problems/{problem['id']}/withdraw", json={}).status_code == 403
    assert do(login_as("ent_qhy"), problem["id"], "withdraw")["status"] == "withdrawn"
    assert login_as("ent_qhy").post(f"problems/{problem['id']}/withdraw", json={}).status_code == 409


def test_rejection_needs_a_reason_and_names_a_visible_duplicate(login_as, demo):
    county = login_as("lxx_coord")
    original = file(login_as("liaison_ma"), demo)
    repeat = file(login_as("ent_qhy"), demo)
    assert county.post(f"problems/{repeat['id']}/reject", json={}).status_code == 422
    rejected = do(county, repeat["id"], "reject", {"reason": "重复提交", "duplicate_of": original["id"]})
    assert rejected["status"] == "rejected" and rejected["duplicate_of_id"] == original["id"]
    assert login_as("ent_qhy").get(f"problems/{repeat['id']}").get_json()["reject_reason"] == "重复提交"


def test_a_duplicate_outside_the_callers_scope_is_404(login_as, demo):
    foreign = file(login_as("liaison_li"), demo, enterprise="百盛超市")
    problem = file(login_as("liaison_ma"), demo)
    response = login_as("lxx_coord").post(f"problems/{problem['id']}/reject",
                                          json={"reason": "重复", "duplicate_of": foreign["id"]})
    assert response.status_code == 404
    assert login_as("lxx_coord").get(f"problems/{problem['id']}").get_json()["status"] == "pending"


def test_assigning_an_unknown_department_is_404(login_as, demo):
    problem = file(login_as("liaison_ma"), demo)
    response = login_as("lxx_coord").post(f"problems/{problem['id']}/assign", json={"department_id": 999999})
    assert response.status_code == 404


def test_patch_needs_if_match_and_refuses_a_stale_version(login_as, demo):
    liaison = login_as("liaison_ma")
    problem = file(liaison, demo)
    path = f"problems/{problem['id']}"
    assert liaison.patch(path, json={"title": "新标题"}).status_code == 428
    assert liaison.patch(path, json={"title": "新标题"}, headers={"If-Match": '"1"'}).status_code == 200
    stale = liaison.patch(path, json={"title": "又一个标题"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412


def test_the_filer_edits_only_while_pending(login_as, demo):
    liaison, county = login_as("liaison_ma"), login_as("lxx_coord")
    problem = file(liaison, demo)
    accepted = do(county, problem["id"], "accept")
    response = liaison.patch(f"problems/{problem['id']}", json={"title": "x"},
                             headers={"If-Match": f'"{accepted["version"]}"'})
    assert response.status_code == 409


def test_server_owned_fields_cannot_be_written(login_as, demo):
    liaison = login_as("liaison_ma")
    problem = file(liaison, demo)
    for field, value in (("status", "closed"), ("level", "province"), ("reopen_count", 0), ("number", "X")):
        response = liaison.patch(f"problems/{problem['id']}", json={field: value}, headers={"If-Match": '"1"'})
        assert response.status_code == 422, field
    created = liaison.post("problems", json={"enterprise_id": demo.enterprise_id("清河源"), "category": "labor",
                                             "title": "x", "scope": "county", "status": "closed"})
    assert created.status_code == 422


def test_actions_honour_if_match(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo)
    response = county.post(f"problems/{problem['id']}/accept", json={}, headers={"If-Match": '"7"'})
    assert response.status_code == 412
    assert do(county, problem["id"], "accept", headers={"If-Match": '"1"'})["version"] == 2


def test_a_refused_action_writes_no_event(login_as, demo, db_session):
    county = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo, scope="cross_county")
    for action, body in (("accept", {}), ("resolve", {"resolution": "x"}), ("close", {"note": "x"})):
        assert county.post(f"problems/{problem['id']}/{action}", json=body).status_code == 409
    events = db_session.scalar(select(func.count()).select_from(ProblemEvent)
                               .where(ProblemEvent.problem_id == problem["id"]))
    assert events == 1


def test_ledger_numbers_are_sequential_within_the_year(login_as, demo, db_session):
    liaison = login_as("liaison_ma")
    numbers = [file(liaison, demo, title=f"问题{n}")["number"] for n in range(3)]
    tails = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert tails == [tails[0], tails[0] + 1, tails[0] + 2]
    assert all(n.startswith("LX-20") for n in numbers)
    assert db_session.scalar(select(func.count(func.distinct(Problem.number)))) == db_session.scalar(
        select(func.count()).select_from(Problem))


def test_an_effect_that_leaves_an_undeclared_status_is_refused_before_anything_is_written(app, demo, monkeypatch):
    from services.problems import effects

    def _rogue(problem, actor, payload, now):
        problem.status = "closed"  # a comment must never change the status
        return effects.Outcome(comment="x")

    monkeypatch.setitem(effects.EFFECTS, "comment", _rogue)
    with app.app_context():
        county = Actor.for_user(db.session.scalar(select(User).where(User.username == "lxx_coord")))
        from services.problems.commands import file_problem

        problem = file_problem(actor=county, enterprise_id=demo.enterprise_id("清河源"), category="labor",
                               title="用工", scope="county")
        import pytest

        with pytest.raises(RuntimeError):
            apply_action(actor=county, problem_id=problem.id, action="comment", payload={"text": "?"})
        db.session.rollback()
