"""Lists sort by an allow-listed key in either direction, keyset cursors continue that order exactly,
and filters take several values."""

from datetime import datetime

import pytest

from services import sorts


def _walk(session, path, **params):
    items, cursor = [], None
    for _ in range(100):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = session.get(path, query_string=query)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("pagination does not end")


def _key(value):
    return datetime.fromisoformat(value) if isinstance(value, str) and "T" in value else value


def _expected(items, field, descending):
    present = sorted((i for i in items if i[field] is not None), key=lambda i: (_key(i[field]), i["id"]),
                     reverse=descending)
    return [i["id"] for i in present] + sorted((i["id"] for i in items if i[field] is None), reverse=descending)


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "due_at", "-due_at", "number", "-resolved_at"])
def test_problem_pages_follow_the_requested_sort_across_cursors(login_as, sort):
    session = login_as("admin")
    everything = _walk(session, "problems", limit=100)
    paged = _walk(session, "problems", limit=3, sort=sort)
    assert len(paged) == len(everything) > 10
    assert [p["id"] for p in paged] == _expected(everything, sort.lstrip("-"), sort.startswith("-"))


def test_empty_values_come_last_in_both_directions(login_as):
    session = login_as("admin")
    for sort in ("due_at", "-due_at"):
        values = [p["due_at"] for p in _walk(session, "problems", limit=4, sort=sort)]
        first_empty = values.index(None)
        assert all(v is None for v in values[first_empty:]) and first_empty > 0


def test_the_default_order_is_unchanged_newest_id_first(login_as):
    ids = [p["id"] for p in _walk(login_as("admin"), "problems", limit=5)]
    assert ids == sorted(ids, reverse=True)


def test_visits_page_by_visit_time_beyond_the_first_page(login_as):
    session = login_as("admin")
    paged = _walk(session, "visits", limit=2)
    times = [datetime.fromisoformat(v["visited_at"]) for v in paged]
    assert len(paged) >= 8 and times == sorted(times, reverse=True)
    assert len({v["id"] for v in paged}) == len(paged)


def test_a_cursor_made_for_one_sort_is_refused_with_another(login_as):
    session = login_as("admin")
    cursor = session.get("problems", query_string={"limit": 2, "sort": "due_at"}).get_json()["next_cursor"]
    response = session.get("problems", query_string={"limit": 2, "sort": "-created_at", "cursor": cursor})
    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]


def test_a_sort_key_outside_the_allow_list_is_a_validation_error(login_as):
    response = login_as("admin").get("problems", query_string={"sort": "description"})
    assert response.status_code == 422
    assert "sort" in response.get_json()["errors"]


@pytest.mark.parametrize("path, sort", [("enterprises", "name"), ("enterprises", "-employees"), ("warnings", "-opened_at"),
                                        ("users", "username"), ("regions", "-code"), ("departments", "name"),
                                        ("policies", "-valid_to"), ("assignments", "started_on"),
                                        ("notifications", "-created_at"), ("audit", "-at")])
def test_other_lists_sort_too(login_as, path, sort):
    account = "auditor" if path == "audit" else "admin"
    session = login_as(account)
    everything = _walk(session, path, limit=100)
    paged = _walk(session, path, limit=3, sort=sort)
    assert [i["id"] for i in paged] == _expected(everything, sort.lstrip("-"), sort.startswith("-"))


def test_every_list_documents_its_sort_keys(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {}
    for path, operations in spec["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] == "sort":
                documented[path] = parameter["schema"]["enum"]
    assert documented["/api/v1/problems"] == sorts.PROBLEMS.choices
    assert documented["/api/v1/visits"] == sorts.VISITS.choices
    assert len(documented) >= len(sorts.ALL)


def test_a_filter_takes_several_values_comma_separated(login_as):
    session = login_as("admin")
    both = _walk(session, "problems", limit=100, status="pending,in_progress")
    pending = _walk(session, "problems", limit=100, status="pending")
    in_progress = _walk(session, "problems", limit=100, status="in_progress")
    assert pending and in_progress
    assert sorted(p["id"] for p in both) == sorted(p["id"] for p in pending + in_progress)


def test_a_filter_takes_several_values_as_repeated_keys(login_as):
    session = login_as("admin")
    repeated = session.get("problems?status=pending&status=in_progress&limit=100").get_json()["items"]
    comma = session.get("problems?status=pending,in_progress&limit=100").get_json()["items"]
    assert [p["id"] for p in repeated] == [p["id"] for p in comma]


def test_one_unknown_value_among_several_is_a_validation_error(login_as):
    response = login_as("admin").get("problems", query_string={"status": "pending,nonsense"})
    assert response.status_code == 422
    assert "status.1" in response.get_json()["errors"] or "status" in response.get_json()["errors"]


def test_enterprise_and_warning_filters_take_several_values(login_as):
    session = login_as("admin")
    halted_or_partial = _walk(session, "enterprises", limit=100, operating_status="halted,partial")
    assert halted_or_partial and {e["operating_status"] for e in halted_or_partial} <= {"halted", "partial"}
    warnings = _walk(session, "warnings", limit=100, severity="red,orange")
    assert warnings and {w["severity"] for w in warnings} <= {"red", "orange"}
