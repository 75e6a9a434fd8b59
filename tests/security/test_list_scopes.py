"""Every list and export, for every demo account, equals the scope computed independently from the seed
(plain SQL over regions and assignments, not the app's scope module)."""

import csv
import io

import pytest
from sqlalchemy import text

from tests.security.probe import ACCOUNTS


def _visible_enterprises(db_session, username: str) -> set[int]:
    role, region_path, enterprise = db_session.execute(text(
        "SELECT u.role, r.path, u.enterprise_id FROM users u LEFT JOIN regions r ON r.id = u.region_id "
        "WHERE u.username = :u"), {"u": username}).one()
    if role == "admin":
        return set(db_session.scalars(text("SELECT id FROM enterprises")))
    if role in ("coordinator", "viewer"):
        return set(db_session.scalars(text(
            "SELECT e.id FROM enterprises e JOIN regions r ON r.id = e.region_id WHERE r.path LIKE :p"),
            {"p": region_path + "%"}))
    if role == "liaison":
        return set(db_session.scalars(text(
            "SELECT a.enterprise_id FROM assignments a JOIN users u ON u.id = a.user_id "
            "WHERE u.username = :u AND a.kind = 'liaison' AND a.ended_on IS NULL"), {"u": username}))
    if role == "enterprise":
        return {enterprise}
    if role == "department":
        return set(db_session.scalars(text(
            "SELECT DISTINCT p.enterprise_id FROM problems p JOIN tasks t ON t.problem_id = p.id "
            "JOIN users u ON u.department_id = t.department_id WHERE u.username = :u"), {"u": username}))
    return set()


def _department_problems(db_session, username: str) -> set[int] | None:
    """A department user's problems: those dispatched to its department (None for other roles)."""
    role = db_session.execute(text("SELECT role FROM users WHERE username = :u"), {"u": username}).scalar()
    if role != "department":
        return None
    return set(db_session.scalars(text(
        "SELECT DISTINCT t.problem_id FROM tasks t JOIN users u ON u.department_id = t.department_id "
        "WHERE u.username = :u"), {"u": username}))


def _visible_tasks(db_session, username: str, enterprises: set[int]) -> set[int] | None:
    """Tasks the account may list: its department's, or those of problems in its scope; None: may not list."""
    role = db_session.execute(text("SELECT role FROM users WHERE username = :u"), {"u": username}).scalar()
    if role == "department":
        return set(db_session.scalars(text(
            "SELECT t.id FROM tasks t JOIN users u ON u.department_id = t.department_id WHERE u.username = :u"),
            {"u": username}))
    if role in ("admin", "coordinator", "viewer"):
        rows = db_session.execute(text("SELECT t.id, p.enterprise_id FROM tasks t JOIN problems p ON p.id = t.problem_id"))
        return {t for t, e in rows if e in enterprises}
    return None


def _walk(session, path):
    ids, cursor = [], None
    while True:
        body = session.get(path, query_string={"limit": 100, **({"cursor": cursor} if cursor else {})}).get_json()
        ids += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return ids


@pytest.mark.parametrize("username", ACCOUNTS)
def test_lists_and_exports_hold_exactly_the_accounts_scope(login_as, db_session, username):
    session = login_as(username)
    enterprises = _visible_enterprises(db_session, username)
    problems = dict(db_session.execute(text("SELECT id, enterprise_id FROM problems")).all())
    visits = dict(db_session.execute(text("SELECT id, enterprise_id FROM visits")).all())
    db_session.rollback()

    dispatched = _department_problems(db_session, username)
    tasks = _visible_tasks(db_session, username, enterprises)
    ids_by_number = dict(db_session.execute(text("SELECT number, id FROM problems")).all())
    db_session.rollback()

    assert {e["id"] for e in _walk(session, "enterprises")} == enterprises
    expected = {i for i, e in problems.items() if e in enterprises} if dispatched is None else dispatched
    assert {p["id"] for p in _walk(session, "problems")} == expected
    rows = list(csv.reader(io.StringIO(session.get("problems/export.csv").get_data(as_text=True).lstrip("\ufeff"))))[1:]
    assert {ids_by_number[r[0]] for r in rows} == expected
    if tasks is None:
        assert session.get("tasks").status_code == 403
    else:
        assert {t["id"] for t in _walk(session, "tasks")} == tasks
    if username.startswith("ent_"):
        assert session.get("visits").status_code == 403
    elif dispatched is not None:  # a department reads no visits
        assert _walk(session, "visits") == []
    else:
        assert {v["id"] for v in _walk(session, "visits")} == {i for i, e in visits.items() if e in enterprises}


# (object type, table, GET path, write: (method, path suffix, body) or None)
OBJECTS = [
    ("enterprise", "SELECT id, id FROM enterprises", "enterprises/{}", ("PATCH", "enterprises/{}", {"address": "x"})),
    ("problem", "SELECT id, enterprise_id FROM problems", "problems/{}", ("POST", "problems/{}/comment", {"text": "x"})),
    ("visit", "SELECT id, enterprise_id FROM visits", "visits/{}", None),
    ("warning", "SELECT id, enterprise_id FROM warnings", "warnings/{}",
     ("POST", "warnings/{}/acknowledge", {"note": "x"})),
]


@pytest.mark.parametrize("username", ACCOUNTS)
def test_out_of_scope_objects_look_like_missing_ones_and_stay_unchanged(login_as, db_session, username):
    session = login_as(username)
    enterprises = _visible_enterprises(db_session, username)
    for kind, query, get_path, write in OBJECTS:
        hidden = sorted(i for i, e in db_session.execute(text(query)).all() if e not in enterprises)[:3]
        db_session.rollback()
        if kind in ("enterprise", "problem") and username not in ("admin", "gs_coord"):  # those two see all
            assert hidden, (kind, username)
        missing = session.get(get_path.format(999999))
        for object_id in hidden:
            response = session.get(get_path.format(object_id))
            if missing.status_code == 403:  # the role may not read this kind at all (enterprise users, warnings)
                assert response.status_code == 403
                continue
            assert (response.status_code, response.get_json()) == (404, missing.get_json()), (kind, object_id)
            if write is None:
                continue
            method, path, body = write
            table = {"enterprise": "enterprises", "problem": "problems", "warning": "warnings"}[kind]
            before = db_session.execute(text(f"SELECT version FROM {table} WHERE id = :i"), {"i": object_id}).scalar()
            db_session.rollback()
            headers = {"If-Match": f'"{before}"'}
            attempt = session.request(method, path.format(object_id), json=body, headers=headers)
            probe = session.request(method, path.format(999999), json=body, headers=headers)
            assert (attempt.status_code, attempt.get_json()) == (probe.status_code, probe.get_json())
            after = db_session.execute(text(f"SELECT version FROM {table} WHERE id = :i"), {"i": object_id}).scalar()
            db_session.rollback()
            assert after == before, (kind, object_id)
