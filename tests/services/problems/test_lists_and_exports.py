"""The ledger list, its filters and its exports, scoped exactly alike."""

import csv
import io
import threading

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from services.models import ProblemEvent
from tests.conftest import login
from tests.services.problems.helpers import do, file


def _all(session, path="problems", **query):
    items, cursor = [], None
    while True:
        body = session.get(path, query_string={"limit": 100, **query, **({"cursor": cursor} if cursor else {})}).get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


@pytest.mark.parametrize(("query", "check"), [
    ({"status": "pending"}, lambda p: p["status"] == "pending"),
    ({"level": "prefecture"}, lambda p: p["level"] == "prefecture"),
    ({"category": "financing"}, lambda p: p["category"] == "financing"),
    ({"scope": "cross_county"}, lambda p: p["scope"] == "cross_county"),
    ({"supervised": "true"}, lambda p: p["supervised"]),
])
def test_filters_return_only_matching_problems(login_as, query, check):
    items = _all(login_as("lx_coord"), **query)
    assert items and all(check(p) for p in items)


def test_overdue_lists_open_problems_with_a_stint_past_a_deadline(login_as):
    session = login_as("lx_coord")
    items = _all(session, overdue="true")
    assert items and all(p["status"] in ("pending", "in_progress", "awaiting_info", "resolved") for p in items)
    for item in items:
        assert any(s["overdue"] for s in session.get(f"problems/{item['id']}").get_json()["stints"]), item["number"]
    listed = {p["id"] for p in items}
    for item in _all(session, overdue="false"):
        assert item["id"] not in listed


def test_region_filter_is_the_owners_subtree(login_as, demo):
    items = _all(login_as("gs_coord"), region=demo.region_id("622921"))
    assert items and {p["owning_region_id"] for p in items} == {demo.region_id("622921")}


def test_text_search_finds_title_words_and_ledger_numbers(login_as, demo):
    session = login_as("lxx_coord")
    problem = file(login_as("liaison_ma"), demo, title="电力增容申请特别标记")
    assert [p["id"] for p in _all(session, q="增容申请特别")] == [problem["id"]]
    assert [p["id"] for p in _all(session, q=problem["number"])] == [problem["id"]]


def test_a_liaison_lists_only_its_enterprises_problems(login_as, demo):
    items = _all(login_as("liaison_li"))
    allowed = {demo.enterprise_id(n) for n in ("百盛超市", "康美", "莲麓")}
    assert items and {p["enterprise_id"] for p in items} <= allowed


def test_the_enterprise_problem_list_is_scoped(login_as, demo):
    assert login_as("ent_bs").get(f"enterprises/{demo.enterprise_id('清河源')}/problems").status_code == 404
    items = _all(login_as("ent_qhy"), f"enterprises/{demo.enterprise_id('清河源')}/problems")
    assert items and {p["enterprise_id"] for p in items} == {demo.enterprise_id("清河源")}


def test_list_items_are_compact(login_as):
    item = login_as("lx_coord").get("problems").get_json()["items"][0]
    assert "events" not in item and "description" not in item


def _csv(session, **query):
    response = session.get("problems/export.csv", query_string=query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return rows[0], rows[1:]


@pytest.mark.parametrize("username", ["lx_coord", "lxx_coord", "kl_coord", "liaison_ma", "ent_bs", "lx_viewer"])
def test_the_csv_export_holds_exactly_the_list(login_as, username):
    session = login_as(username)
    header, rows = _csv(session)
    assert header[:3] == ["台账编号", "企业名称", "统一社会信用代码"]
    assert sorted(r[0] for r in rows) == sorted(p["number"] for p in _all(session))


def test_exports_have_a_column_per_state_timestamp_and_the_days_taken(login_as):
    header, _ = _csv(login_as("lx_coord"))
    for column in ("登记时间", "受理时间", "办结时间", "销号时间", "不予受理时间", "撤回时间", "用时（天）"):
        assert column in header


def test_exports_apply_the_list_filters(login_as):
    session = login_as("lx_coord")
    _, rows = _csv(session, status="closed")
    assert rows and {r[15] for r in rows} == {"已销号"}


def test_exports_neutralise_spreadsheet_formulas(login_as, demo):
    file(login_as("liaison_ma"), demo, title='=HYPERLINK("http://evil","点我")')
    _, rows = _csv(login_as("lxx_coord"))
    titles = [r[8] for r in rows]
    assert "'=HYPERLINK(\"http://evil\",\"点我\")" in titles
    response = login_as("lxx_coord").get("problems/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    cells = [row[8] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://evil\",\"点我\")" in cells


def test_exports_mask_phones_for_viewers(login_as):
    _, viewer_rows = _csv(login_as("lx_viewer"))
    _, coordinator_rows = _csv(login_as("lx_coord"))
    assert all("****" in r[5] for r in viewer_rows if r[5])
    assert not any("****" in r[5] for r in coordinator_rows if r[5])


def test_the_xlsx_export_has_chinese_headers_and_the_same_rows(login_as):
    session = login_as("kl_coord")
    response = session.get("problems/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "台账编号"
    assert sorted(r[0] for r in rows[1:]) == sorted(p["number"] for p in _all(session))


def test_notifications_reach_the_receiving_task_force_and_can_be_read(login_as, demo):
    county, prefecture = login_as("lxx_coord"), login_as("lx_coord")
    problem = file(login_as("liaison_ma"), demo, scope="cross_county")
    before = prefecture.get("notifications", query_string={"unread": "true"}).get_json()["unread_count"]
    do(county, problem["id"], "escalate")
    inbox = prefecture.get("notifications", query_string={"unread": "true"}).get_json()
    assert inbox["unread_count"] == before + 1
    newest = inbox["items"][0]
    assert newest["object_id"] == problem["id"] and newest["kind"] == "problem.arrived"
    assert prefecture.post("notifications/read", json={"ids": [newest["id"]]}).status_code == 204
    assert prefecture.get("notifications").get_json()["unread_count"] == before
    assert prefecture.post("notifications/read", json={"all": True}).status_code == 204
    assert prefecture.get("notifications").get_json()["unread_count"] == 0


def test_resolution_notifies_the_enterprise_and_its_liaisons(login_as, demo):
    county = login_as("lxx_coord")
    problem = file(login_as("ent_qhy"), demo)
    do(county, problem["id"], "accept")
    do(county, problem["id"], "resolve", {"resolution": "已办结"})
    for username in ("ent_qhy", "liaison_ma"):
        kinds = [n["kind"] for n in login_as(username).get("notifications").get_json()["items"]
                 if n["object_id"] == problem["id"]]
        assert "problem.resolved" in kinds


def test_two_coordinators_accepting_at_once_make_one_event(app, demo, db_session):
    problem = file(login(app.test_client(), "liaison_ma"), demo)
    sessions = [login(app.test_client(), "lxx_coord") for _ in range(2)]
    barrier, results = threading.Barrier(2), []

    def accept(session):
        barrier.wait()
        response = session.post(f"problems/{problem['id']}/accept", json={})
        results.append((response.status_code, response.get_json().get("code")))

    threads = [threading.Thread(target=accept, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [(200, None), (409, "invalid_transition")]
    accepts = db_session.scalar(select(func.count()).select_from(ProblemEvent).where(
        ProblemEvent.problem_id == problem["id"], ProblemEvent.action == "accept"))
    assert accepts == 1


def test_concurrent_filings_get_distinct_consecutive_numbers(app, demo):
    sessions = [login(app.test_client(), "liaison_ma") for _ in range(6)]
    barrier, numbers = threading.Barrier(6), []

    def create(session):
        barrier.wait()
        numbers.append(file(session, demo)["number"])

    threads = [threading.Thread(target=create, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tails = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert tails == list(range(tails[0], tails[0] + 6))
