"""办理段 (stints): moving a problem never erases the holding task force's record."""

import csv
import io
from datetime import timedelta

from sqlalchemy import delete, select, update

from services.db import utcnow
from tests.services.problems.helpers import do, file

REOPENED = "LX-2026-000013"  # demo: 康乐县康美, accepted 44 days ago at the county, reopened twice, red overdue
KANGLE = "622922"


def _find(session, number):
    (item,) = session.get("problems", query_string={"q": number}).get_json()["items"]
    return item


def _county_figures(session, demo):
    region = demo.region_id(KANGLE)
    dashboard = session.get(f"dashboard?region={region}").get_json()
    rows = session.get(f"assessments?region={demo.region_id('622900')}").get_json()["rows"]
    (county,) = [r for r in rows if r["region"]["code"] == KANGLE]
    return dashboard["problems"]["overdue"], county["on_time_rate"], county["counts"]["open_overdue"]


def _export_row(session, number):
    text = session.get("problems/export.csv", query_string={"q": number}).get_data(as_text=True).lstrip("\ufeff")
    header, row = list(csv.reader(io.StringIO(text)))
    return dict(zip(header, row, strict=True))


def test_reclassifying_and_escalating_an_overdue_problem_keeps_it_on_the_countys_record(login_as, demo):
    kl, lx = login_as("kl_coord"), login_as("lx_coord")
    problem = _find(kl, REOPENED)
    before = _county_figures(lx, demo)
    accepted_before = _export_row(kl, REOPENED)["受理时间"]
    (red,) = [w for w in lx.get("warnings", query_string={"state": "open", "type": "overdue", "limit": 100}).get_json()["items"]
              if w["problem_id"] == problem["id"] and w["type"] == "overdue"]
    assert red["severity"] == "red" and accepted_before

    do(kl, problem["id"], "reclassify", {"scope": "cross_county", "reason": "涉及多个县的供电线路"})
    moved = do(kl, problem["id"], "escalate", {"reason": "提请州专班协调"})
    assert moved["level"] == "prefecture" and moved["status"] == "pending"

    assert _county_figures(lx, demo) == before
    assert _export_row(kl, REOPENED)["受理时间"] == accepted_before
    warning = lx.get(f"warnings/{red['id']}").get_json()
    assert warning["state"] != "closed" and warning["severity"] == "red"


def test_escalating_after_acceptance_ends_the_countys_stint_with_its_times(login_as, demo):
    county, prefecture = login_as("lxx_coord"), login_as("lx_coord")
    problem = file(login_as("liaison_ma"), demo)
    accepted = do(county, problem["id"], "accept")
    do(county, problem["id"], "reclassify", {"scope": "cross_county", "reason": "涉及多个县"})
    moved = do(county, problem["id"], "escalate", {"reason": "提请州专班协调"})
    first, second, third = moved["stints"]
    assert (first["level"], first["left_by"], first["accepted_at"], first["due_at"]) == (
        "county", "reclassify", accepted["accepted_at"], accepted["due_at"])
    assert first["region_name"] == "临夏县" and first["left_at"] and first["overdue"] is False
    assert (second["level"], second["left_by"], second["accepted_at"]) == ("county", "escalate", accepted["accepted_at"])
    assert third["level"] == "prefecture" and third["left_at"] is None and third["accepted_at"] is None
    assert third["region_id"] == demo.region_id("622900") and third["acceptance_due_at"]
    assert moved["accepted_at"] is None  # the problem shows its current holder's state
    closed = do(prefecture, problem["id"], "accept")
    assert closed["stints"][-1]["accepted_at"] == closed["accepted_at"]


def test_the_stints_of_a_problem_are_hidden_with_it(login_as, demo):
    problem = file(login_as("liaison_ma"), demo)
    assert login_as("kl_coord").get(f"problems/{problem['id']}").status_code == 404
    (stint,) = login_as("ent_qhy").get(f"problems/{problem['id']}").get_json()["stints"]
    assert stint["left_at"] is None and stint["level"] == "county"


def test_time_awaiting_info_is_paused_on_the_stint(login_as, demo, db_session):
    from services.models import Problem, ProblemStint

    county = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo)
    do(county, problem["id"], "accept")
    do(county, problem["id"], "request_info", {"question": "请补充贷款合同"})
    now = utcnow()  # the deadline passes while the clock stands still
    db_session.execute(update(Problem).where(Problem.id == problem["id"])
                       .values(info_requested_at=now - timedelta(hours=2), due_at=now - timedelta(hours=1)))
    db_session.execute(update(ProblemStint).where(ProblemStint.problem_id == problem["id"])
                       .values(due_at=now - timedelta(hours=1)))
    db_session.commit()
    waiting = county.get(f"problems/{problem['id']}").get_json()
    assert waiting["stints"][0]["overdue"] is False
    assert problem["id"] not in {p["id"] for p in county.get("problems?overdue=true&limit=100").get_json()["items"]}
    back = do(login_as("liaison_ma"), problem["id"], "supply_info", {"answer": "已补充"})
    paused_days = back["events"][-1]["data"]["paused_working_days"]
    assert back["stints"][0]["paused_seconds"] >= 7200
    # Within one working day the deadline does not move, so it has now passed; else it moved past now.
    assert back["stints"][0]["overdue"] is (paused_days == 0)


def test_supplying_info_tells_the_task_force_who_supplied_it(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo)
    do(county, problem["id"], "request_info", {"question": "请补充贷款合同"})
    do(login_as("liaison_ma"), problem["id"], "supply_info", {"answer": "已补充"})
    titles = [n["title"] for n in county.get("notifications").get_json()["items"] if n["object_id"] == problem["id"]]
    assert any(t.startswith("联络员已补充材料") for t in titles) and not any(t.startswith("企业已补充") for t in titles)


def test_a_rejection_can_name_the_body_the_problem_is_referred_to(login_as, demo):
    problem = file(login_as("ent_qhy"), demo)
    rejected = do(login_as("lxx_coord"), problem["id"], "reject",
                  {"reason": "属劳动争议，不属专班受理范围", "referred_to": "临夏县劳动人事争议仲裁委员会"})
    assert rejected["referred_to"] == "临夏县劳动人事争议仲裁委员会"
    assert rejected["stints"][0]["left_by"] == "reject"
    seen = login_as("ent_qhy").get(f"problems/{problem['id']}").get_json()
    assert seen["referred_to"] == "临夏县劳动人事争议仲裁委员会"
    assert seen["events"][-1]["data"]["referred_to"] == "临夏县劳动人事争议仲裁委员会"


def test_the_leader_is_told_of_every_event_of_its_enterprises_problems(login_as, demo):
    viewer = login_as("lx_viewer")  # 包抓 leader of 清河源
    problem = file(login_as("liaison_ma"), demo)
    county = login_as("lxx_coord")
    do(county, problem["id"], "accept")
    do(county, problem["id"], "comment", {"text": "内部研判", "internal": True})
    kinds = [n["kind"] for n in viewer.get("notifications?limit=100").get_json()["items"]
             if n["object_id"] == problem["id"]]
    assert kinds.count("problem.filed") == 1 and kinds.count("problem.event") == 2
    assert not [n for n in login_as("lx_coord").get("notifications?limit=100").get_json()["items"]
                if n["object_id"] == problem["id"] and n["kind"] == "problem.event"]


def test_the_backfill_rebuilds_from_the_events_the_stints_the_workflow_recorded(app, db_session):
    import importlib.util
    from pathlib import Path

    from services.models import ProblemStint

    spec = importlib.util.spec_from_file_location("m0004", Path("migrations/versions/0004_stints.py"))
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    fields = ("problem_id", "region_id", "level", "arrived_at", "acceptance_due_at", "accepted_at", "due_at",
              "left_at", "left_by", "paused_seconds")

    def snapshot():
        return sorted(tuple(getattr(s, f) for f in fields) for s in db_session.scalars(select(ProblemStint)))

    recorded = snapshot()
    assert len(recorded) > 20 and any(s[8] == "escalate" for s in recorded)
    db_session.execute(delete(ProblemStint))
    migration._backfill(db_session.connection())
    db_session.flush()
    db_session.expire_all()
    assert snapshot() == recorded
    db_session.rollback()


def test_the_demo_shows_a_late_county_stint_that_moved_on(login_as):
    session = login_as("lx_coord")
    (item,) = [p for p in session.get("problems", query_string={"q": "砂石原料"}).get_json()["items"]]
    problem = session.get(f"problems/{item['id']}").get_json()
    assert problem["level"] == "prefecture" and problem["status"] == "pending"
    county = [s for s in problem["stints"] if s["level"] == "county"]
    assert [s["left_by"] for s in county] == ["reclassify", "escalate"] and all(s["overdue"] for s in county)
    kangle = session.get("problems", query_string={"overdue": "true", "region": problem["stints"][0]["region_id"],
                                                   "limit": 100}).get_json()["items"]
    assert item["id"] in {p["id"] for p in kangle}


def test_stints_round_trip_through_a_real_server_with_compression(live_server, demo):
    base = live_server.url.rstrip("/")
    liaison, county = live_server.login("liaison_ma"), live_server.login("lxx_coord")
    filed = liaison.post(f"{base}/problems", json={"enterprise_id": demo.enterprise_id("清河源"),
                                                   "category": "supply", "title": "跨县调运", "scope": "county"},
                         timeout=10).json()
    assert county.post(f"{base}/problems/{filed['id']}/accept", json={}, timeout=10).status_code == 200
    county.post(f"{base}/problems/{filed['id']}/reclassify", json={"scope": "cross_county", "reason": "跨县"},
                timeout=10)
    response = county.post(f"{base}/problems/{filed['id']}/escalate", json={}, timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert [s["left_by"] for s in body["stints"]] == ["reclassify", "escalate", None]
    assert body["stints"][0]["accepted_at"] and body["accepted_at"] is None
    # An attacker's out-of-scope read is a 404, stints included.
    assert live_server.login("kl_coord").get(f"{base}/problems/{filed['id']}", timeout=10).status_code == 404


def test_commenting_on_a_closed_problem_opens_no_new_stint(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("ent_qhy"), demo)
    do(county, problem["id"], "accept")
    do(county, problem["id"], "resolve", {"resolution": "已解决"})
    closed = do(login_as("ent_qhy"), problem["id"], "feedback", {"rating": "satisfied"})
    assert [s["left_by"] for s in closed["stints"]] == ["feedback"]
    after = do(county, problem["id"], "comment", {"text": "归档备注"})
    assert after["stints"] == closed["stints"]
