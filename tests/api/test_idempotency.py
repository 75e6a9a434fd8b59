"""Idempotency-Key: one mechanism for every POST."""

import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from services.credit_code import complete
from services.db import utcnow
from services.models import Enterprise, IdempotencyRecord, Problem
from tests.conftest import login


def _problem_body(demo, title="停电影响生产"):
    return {"enterprise_id": demo.enterprise_id("清河源"), "category": "production", "title": title,
            "scope": "county"}


def _count(db_session, model):
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_retry_with_the_same_key_replays_the_first_response(login_as, demo, db_session):
    liaison = login_as("liaison_ma")
    before = _count(db_session, Problem)
    first = liaison.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "visit-42-p1"})
    again = liaison.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "visit-42-p1"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(db_session, Problem) == before + 1


def test_the_same_key_with_another_body_is_refused(login_as, demo):
    liaison = login_as("liaison_ma")
    liaison.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "k1"})
    response = liaison.post("problems", json=_problem_body(demo, "另一个问题"), headers={"Idempotency-Key": "k1"})
    assert response.status_code == 422
    assert response.get_json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_one_user(login_as, demo, db_session):
    before = _count(db_session, Problem)
    login_as("liaison_ma").post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "shared"})
    other = login_as("lxx_coord").post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "shared"})
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert _count(db_session, Problem) == before + 2


def test_an_overlong_key_is_a_validation_error(login_as, demo):
    response = login_as("liaison_ma").post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 422


def test_a_refused_request_is_replayed_too(login_as, demo):
    coordinator = login_as("kl_coord")
    first = coordinator.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "x"})
    again = coordinator.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "x"})
    assert first.status_code == again.status_code == 404
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_key_older_than_a_day_is_forgotten(login_as, demo, app, db_session):
    liaison = login_as("liaison_ma")
    liaison.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "old"})
    db_session.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=25)))
    db_session.commit()
    again = liaison.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "old"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers


def test_the_cleanup_command_purges_expired_keys(login_as, demo, app, db_session):
    login_as("liaison_ma").post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "purge-me"})
    db_session.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=25)))
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["purge-idempotency"])
    assert result.exit_code == 0
    assert _count(db_session, IdempotencyRecord) == 0


def test_login_responses_are_never_stored(client, db_session):
    client.post("auth/login", json={"username": "lxx_coord", "password": "Demo@2026"},
                headers={"Idempotency-Key": "login-1"})
    second = client.post("auth/login", json={"username": "lxx_coord", "password": "Demo@2026"},
                         headers={"Idempotency-Key": "login-1"})
    assert "Idempotent-Replayed" not in second.headers
    assert _count(db_session, IdempotencyRecord) == 0


def test_concurrent_requests_with_one_key_create_one_object(app, db_session):
    sessions = [login(app.test_client(), "admin") for _ in range(4)]
    body = {"name": "并发测试企业", "credit_code": complete("91622921MA7Q99999"), "entity_type": "enterprise",
            "scale": "small", "industry": "C", "region_id": 4}
    barrier, codes = threading.Barrier(4), []

    def post(session):
        barrier.wait()
        codes.append(session.post("enterprises", json=body, headers={"Idempotency-Key": "same-key"}).status_code)

    threads = [threading.Thread(target=post, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(201) >= 1 and set(codes) <= {201, 409}
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.name == "并发测试企业")) == 1


def _lose_the_answer(db_session, key: str, age: timedelta) -> None:
    """As if the server died after the write committed and before it stored the answer."""
    db_session.execute(update(IdempotencyRecord).where(IdempotencyRecord.key == key).values(
        state="committed", response_status=None, response_body=None, response_headers=None,
        created_at=utcnow() - age))
    db_session.commit()


def test_a_committed_write_whose_answer_was_lost_is_told_applied_not_run_again(login_as, demo, db_session):
    liaison = login_as("liaison_ma")
    liaison.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "lost-answer"})
    _lose_the_answer(db_session, "lost-answer", timedelta(minutes=5))
    before = _count(db_session, Problem)
    again = liaison.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "lost-answer"})
    assert again.status_code == 409 and again.get_json()["code"] == "request_applied"
    assert _count(db_session, Problem) == before


def test_a_committed_write_still_answering_is_in_progress(login_as, demo, db_session):
    liaison = login_as("liaison_ma")
    liaison.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "answering"})
    _lose_the_answer(db_session, "answering", timedelta(seconds=0))
    again = liaison.post("problems", json=_problem_body(demo), headers={"Idempotency-Key": "answering"})
    assert again.status_code == 409 and again.get_json()["code"] == "request_in_progress"


# ------------------------------------------------------------------------ the claim inside the write's transaction

def _visit_body(demo, title):
    from datetime import datetime

    from services.timeutil import zone
    return {"enterprise_id": demo.enterprise_id("清河源"), "method": "on_site",
            "visited_at": (datetime.now(zone()) - timedelta(hours=1)).isoformat(), "summary": "走访生产车间",
            "problems": [{"category": "labor", "title": title, "scope": "county"}]}


def test_concurrent_visits_with_one_key_over_http_file_one_visit(live_server, demo, db_session):
    from services.models import Visit
    sessions = [live_server.login("liaison_ma") for _ in range(4)]
    body = _visit_body(demo, "并发幂等走访")
    barrier, answers = threading.Barrier(4), []

    def post(session):
        barrier.wait()
        response = session.post(live_server.url + "visits", json=body, headers={"Idempotency-Key": "visit-race"})
        answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=post, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = [code for code, _ in answers]
    assert codes.count(201) >= 1 and set(codes) <= {201, 409}
    assert len({str(answer) for code, answer in answers if code == 201}) == 1  # a replay is the first answer
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Problem).where(Problem.title == "并发幂等走访")) == 1
    assert db_session.scalar(select(func.count()).select_from(Visit).join(Problem, Problem.visit_id == Visit.id)
                             .where(Problem.title == "并发幂等走访")) == 1


def test_the_record_commits_with_the_write_and_holds_its_answer(login_as, demo, db_session):
    liaison = login_as("liaison_ma")
    first = liaison.post("visits", json=_visit_body(demo, "应答入账"), headers={"Idempotency-Key": "with-write"})
    db_session.rollback()
    record = db_session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == "with-write"))
    assert first.status_code == 201
    assert (record.state, record.response_status) == ("done", 201)


def _rolling_back_app(make_app):
    """An app with one extra POST that rolls its session back (dropping the claim) before it writes."""
    from services.db import db, unit_of_work
    from services.models import Notification

    app = make_app()

    def write_after_rollback():
        db.session.rollback()
        with unit_of_work():
            db.session.add(Notification(user_id=1, kind="test", title="回滚之后的写入"))
        return {"ok": True}, 201

    app.add_url_rule("/api/v1/test-rollback", "test_rollback", write_after_rollback, methods=["POST"])
    return app


def test_a_claim_lost_to_a_rollback_is_made_again_with_the_write(make_app, db_session):
    from services.models import Notification
    app = _rolling_back_app(make_app)
    admin = login(app.test_client(), "admin")
    first = admin.post("test-rollback", json={}, headers={"Idempotency-Key": "after-rollback"})
    again = admin.post("test-rollback", json={}, headers={"Idempotency-Key": "after-rollback"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.title == "回滚之后的写入")) == 1


def test_a_write_that_fails_leaves_no_claim_behind(login_as, demo, db_session, monkeypatch):
    import services.figures
    liaison = login_as("liaison_ma")

    def broken(*_args, **_kwargs):
        raise RuntimeError("数据库写入失败")

    monkeypatch.setattr(services.figures, "add_changes", broken)
    failed = liaison.post("visits", json=_visit_body(demo, "失败的走访"), headers={"Idempotency-Key": "failing"})
    monkeypatch.undo()
    again = liaison.post("visits", json=_visit_body(demo, "失败的走访"), headers={"Idempotency-Key": "failing"})
    assert failed.status_code == 500
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
