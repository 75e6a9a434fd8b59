"""Offline sync: snapshots, changes since a token, removals from scope, paging with a stable token."""

from datetime import datetime, timedelta

from services.timeutil import zone


def _walk(session, **query):
    pages, cursor = [], None
    while True:
        body = session.get("sync", query_string={**query, **({"cursor": cursor} if cursor else {})}).get_json()
        pages.append(body)
        cursor = body["next_cursor"]
        if not cursor:
            return pages


def test_a_snapshot_holds_exactly_the_callers_scope(login_as, demo):
    body = login_as("liaison_li").get("sync").get_json()
    enterprises = {e["id"] for e in body["enterprises"]}
    assert enterprises == {demo.enterprise_id(n) for n in ("百盛超市", "康美", "莲麓")}
    assert {p["enterprise_id"] for p in body["problems"]} <= enterprises
    assert body["next_since"]


def test_an_enterprise_user_syncs_only_itself_and_no_internal_events(login_as, demo):
    county = login_as("lxx_coord")
    problem = login_as("ent_qhy").post("problems", json={"enterprise_id": demo.enterprise_id("清河源"),
                                                         "category": "labor", "title": "缺工", "scope": "county"})
    county.post(f"problems/{problem.get_json()['id']}/comment", json={"text": "内部", "internal": True})
    body = login_as("ent_qhy").get("sync").get_json()
    assert {e["id"] for e in body["enterprises"]} == {demo.enterprise_id("清河源")}
    events = [e for p in body["problems"] for e in p["events"]]
    assert events and not any(e["internal"] for e in events)


def test_since_returns_only_what_changed(login_as, demo):
    liaison = login_as("liaison_ma")
    token = liaison.get("sync").get_json()["next_since"]
    quiet = liaison.get("sync", query_string={"since": token}).get_json()
    visit = liaison.post("visits", json={"enterprise_id": demo.enterprise_id("清河源"), "method": "phone",
                                         "visited_at": (datetime.now(zone()) - timedelta(minutes=5)).isoformat()})
    changed = liaison.get("sync", query_string={"since": token}).get_json()
    assert visit.get_json()["id"] in {v["id"] for v in changed["visits"]}
    assert len(changed["visits"]) <= len(quiet["visits"]) + 1
    # nothing from another county, ever
    assert demo.enterprise_id("百盛超市") not in {e["id"] for e in changed["enterprises"]}


def test_an_ended_assignment_is_reported_as_removed(login_as, demo):
    liaison = login_as("liaison_ma")
    token = liaison.get("sync").get_json()["next_since"]
    coordinator = login_as("lxx_coord")
    assignment = coordinator.get("assignments", query_string={"enterprise": demo.enterprise_id("俊林"),
                                                              "kind": "liaison"}).get_json()["items"][0]
    coordinator.post(f"assignments/{assignment['id']}/end", json={})
    body = liaison.get("sync", query_string={"since": token}).get_json()
    assert demo.enterprise_id("俊林") in body["removed"]["enterprises"]
    assert demo.enterprise_id("清河源") not in body["removed"]["enterprises"]
    assert demo.enterprise_id("俊林") not in {e["id"] for e in body["enterprises"]}


def test_pages_cover_everything_once_and_keep_the_token(login_as):
    session = login_as("lx_coord")
    whole = session.get("sync", query_string={"limit": 100}).get_json()
    pages = _walk(session, limit=3)
    assert len(pages) > 1
    ids = [e["id"] for page in pages for e in page["enterprises"]]
    assert len(ids) == len(set(ids)) == len(whole["enterprises"])
    assert len({page["next_since"] for page in pages}) == 1


def test_a_forged_token_is_a_validation_error(login_as):
    assert login_as("liaison_ma").get("sync", query_string={"since": "not-a-token"}).status_code == 422


def test_an_ended_assignment_removes_the_enterprises_problems_visits_and_plans(login_as, demo):
    liaison = login_as("liaison_ma")
    snapshot = liaison.get("sync", query_string={"limit": 100}).get_json()
    token = snapshot["next_since"]
    junlin = demo.enterprise_id("俊林")
    coordinator = login_as("lxx_coord")
    assignment = coordinator.get("assignments", query_string={"enterprise": junlin, "kind": "liaison"}).get_json()
    coordinator.post(f"assignments/{assignment['items'][0]['id']}/end", json={})
    removed = liaison.get("sync", query_string={"since": token}).get_json()["removed"]
    held = {p["id"] for p in snapshot["problems"] if p["enterprise_id"] == junlin}
    assert held and held <= set(removed["problems"])
    visits = {v["id"] for v in snapshot["visits"] if v["enterprise_id"] == junlin}
    assert visits <= set(removed["visits"])
    assert not {p["id"] for p in snapshot["problems"] if p["enterprise_id"] != junlin} & set(removed["problems"])
    assert removed["notifications"] == []


def test_an_enterprise_moved_to_another_county_leaves_the_old_countys_sync(login_as, demo):
    county = login_as("lxx_coord")
    token = county.get("sync").get_json()["next_since"]
    qhy = demo.enterprise_id("清河源")
    admin = login_as("admin")
    current = admin.get(f"enterprises/{qhy}")
    moved = admin.patch(f"enterprises/{qhy}", json={"region_id": demo.region_id("622922")},
                        headers={"If-Match": current.headers["ETag"]})
    assert moved.status_code == 200, moved.get_json()
    body = county.get("sync", query_string={"since": token}).get_json()
    assert qhy in body["removed"]["enterprises"]
    assert body["removed"]["problems"] and body["removed"]["plans"]
    # The prefecture still sees it: nothing left its scope.
    assert qhy not in login_as("lx_coord").get("sync", query_string={"since": token}).get_json()["removed"]["enterprises"]
    # The new county never had it: it is a change there, not a removal.
    kangle = login_as("kl_coord").get("sync", query_string={"since": token}).get_json()
    assert qhy not in kangle["removed"]["enterprises"] and qhy in {e["id"] for e in kangle["enterprises"]}


def test_a_coordinator_moved_to_another_county_is_told_what_it_no_longer_sees(login_as, demo):
    county = login_as("lxx_coord")
    token = county.get("sync").get_json()["next_since"]
    admin = login_as("admin")
    user = demo.user_id("lxx_coord")
    current = admin.get(f"users/{user}")
    changed = admin.patch(f"users/{user}", json={"region_id": demo.region_id("622922")},
                          headers={"If-Match": current.headers.get("ETag", '"1"')})
    assert changed.status_code == 200, changed.get_json()
    removed = login_as("lxx_coord").get("sync", query_string={"since": token}).get_json()["removed"]
    assert demo.enterprise_id("清河源") in removed["enterprises"] and removed["visits"] and removed["assignments"]
    assert demo.enterprise_id("百盛超市") not in removed["enterprises"]
