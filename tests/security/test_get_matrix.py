"""Every GET of the OpenAPI document × every demo account, probed on 清河源's objects (临夏县),
compared with the declared policy below: 0 deviations. A new GET endpoint without a declared
policy fails the test."""

import pytest

from tests.security.probe import ACCOUNTS, get_paths, targets

ALL = set(ACCOUNTS)
SEES_QHY = {"admin", "gs_coord", "lx_coord", "lxx_coord", "lx_viewer", "liaison_ma", "ent_qhy"}
STAFF_OF_QHY = SEES_QHY - {"ent_qhy"}
REPORTERS = {"admin", "gs_coord", "lx_coord", "lz_coord", "lxx_coord", "kl_coord", "lx_viewer"}
ENTERPRISES = {"ent_qhy", "ent_bs"}
DEPARTMENTS = {"dept_lxx_gxj", "dept_lx_jrb"}  # both have tasks on problems of 清河源 in the demo
# Every department user, 临夏州人社局 too (no task on 清河源's problems: its inbox is empty of them).
DEPARTMENT_USERS = DEPARTMENTS | {"dept_lx_rsj"}
TASK_READERS = REPORTERS | DEPARTMENT_USERS
SEES_QHY_TASK = {"admin", "gs_coord", "lx_coord", "lxx_coord", "lx_viewer", "dept_lxx_gxj"}
CATALOGUE = ALL - {"auditor", "lx_viewer", "bank_lxns"}
MANAGES_QHY = SEES_QHY - {"lx_viewer"}


def rule(ok=frozenset(), hidden=frozenset()):
    """ok → 200, hidden → 404 (does not exist for them), everyone else → 403."""
    return {a: 200 if a in ok else 404 if a in hidden else 403 for a in ACCOUNTS}


def scoped(ok):
    """An object of 清河源: 200 for who sees it, 404 for everyone else."""
    return rule(ok, ALL - set(ok))


POLICY = {
    "/api/v1/arrears": rule(ALL),
    "/api/v1/arrears/export.xlsx": rule(ALL),
    "/api/v1/arrears/monthly": rule(REPORTERS),
    "/api/v1/arrears/monthly/export.xlsx": rule(REPORTERS),
    "/api/v1/arrears/{case_id}": scoped(SEES_QHY),
    "/api/v1/assessments": rule(REPORTERS),
    "/api/v1/assessments/export.xlsx": rule(REPORTERS),
    "/api/v1/assessments/export.csv": rule(REPORTERS),
    "/api/v1/assessments/departments": rule(REPORTERS),
    "/api/v1/assessments/departments/export.xlsx": rule(REPORTERS),
    "/api/v1/assignments": rule(ALL),
    "/api/v1/audit": rule({"auditor"}),
    "/api/v1/calendar": rule(ALL),
    "/api/v1/common-problems": rule(ALL),
    "/api/v1/common-problems/{common_id}": scoped({"admin", "gs_coord", "lx_coord", "lx_viewer"}),
    "/api/v1/dashboard": rule(REPORTERS),
    "/api/v1/departments": rule(ALL),
    "/api/v1/departments/{department_id}": rule(ALL),
    "/api/v1/enterprises": rule(ALL),
    # Export jobs are their requester's alone, an admin's view included (the audit says who exported what).
    "/api/v1/exports": rule(ALL),
    "/api/v1/exports/{job_id}": rule({"lx_coord"}, ALL - {"lx_coord"}),
    "/api/v1/exports/{job_id}/file": {a: 409 if a == "lx_coord" else 404 for a in ACCOUNTS},  # queued: no file yet
    # Departments read the basic facts of the enterprises whose problems they were dispatched; nothing else of theirs.
    "/api/v1/enterprises/{enterprise_id}": scoped(SEES_QHY | DEPARTMENTS),
    "/api/v1/enterprises/{enterprise_id}/history": scoped(SEES_QHY),
    "/api/v1/enterprises/{enterprise_id}/plan": scoped(SEES_QHY),
    "/api/v1/enterprises/{enterprise_id}/plan/versions": scoped(SEES_QHY),
    "/api/v1/enterprises/{enterprise_id}/plan/versions/{version}": scoped(SEES_QHY),
    "/api/v1/enterprises/{enterprise_id}/policies": scoped(SEES_QHY),
    "/api/v1/enterprises/{enterprise_id}/problems": scoped(SEES_QHY),
    "/api/v1/enterprises/{enterprise_id}/status-reports": scoped(SEES_QHY),
    "/api/v1/enterprises/{enterprise_id}/status-reports/{period}": scoped(SEES_QHY),
    "/api/v1/enterprises/{enterprise_id}/visits": {**scoped(STAFF_OF_QHY), "ent_qhy": 403},
    "/api/v1/me": rule(ALL),
    "/api/v1/me/channels": rule(ALL),
    "/api/v1/message-templates": rule({"admin"}),
    "/api/v1/outbox": rule({"admin"}),
    "/api/v1/outbox/counts": rule({"admin"}),
    "/api/v1/outbox/{message_id}": rule({"admin"}),
    "/api/v1/public/feedback/{token}": rule(hidden=ALL),
    "/api/v1/meta/enums": rule(ALL),
    "/api/v1/notifications": rule(ALL),
    "/api/v1/photos/{photo_id}": scoped(set()),
    "/api/v1/photos/{photo_id}/thumbnail": scoped(set()),
    "/api/v1/policies": rule(ALL),
    "/api/v1/policies/{policy_id}": rule(ALL),
    "/api/v1/problems": rule(ALL),
    "/api/v1/problems/export.csv": rule(ALL),
    "/api/v1/problems/export.xlsx": rule(ALL),
    "/api/v1/problems/{problem_id}": scoped(SEES_QHY),
    "/api/v1/problems/{problem_id}/similar": scoped(SEES_QHY),
    "/api/v1/regions": rule(ALL),
    "/api/v1/regions/{region_id}": rule(ALL),
    "/api/v1/status-reports": rule(REPORTERS),
    "/api/v1/sync": rule(ALL),
    "/api/v1/tasks": rule(TASK_READERS),
    "/api/v1/tasks/export.csv": rule(TASK_READERS),
    "/api/v1/tasks/export.xlsx": rule(TASK_READERS),
    "/api/v1/tasks/{task_id}": rule(SEES_QHY_TASK, TASK_READERS - SEES_QHY_TASK),
    "/api/v1/users": rule({"admin"}),
    "/api/v1/users/{user_id}": rule({"admin"}),
    "/api/v1/visits": rule(ALL - ENTERPRISES),
    "/api/v1/visits/export.csv": rule(ALL - ENTERPRISES),
    "/api/v1/visits/export.xlsx": rule(ALL - ENTERPRISES),
    "/api/v1/visits/{visit_id}": scoped(STAFF_OF_QHY),
    "/api/v1/warnings": rule(ALL - ENTERPRISES),
    "/api/v1/warnings/{warning_id}": {**scoped(STAFF_OF_QHY), "ent_qhy": 403, "ent_bs": 403},
    "/api/v1/meta/need-kinds": rule(ALL),
    "/api/v1/needs": rule(ALL - {"auditor"}),
    "/api/v1/needs/catalogue": rule(CATALOGUE),
    "/api/v1/needs/{need_id}": scoped(SEES_QHY),
    "/api/v1/needs/{need_id}/candidates": {**scoped(MANAGES_QHY), "lx_viewer": 403},
    "/api/v1/needs/figures": rule(REPORTERS),
    "/api/v1/needs/figures/export.xlsx": rule(REPORTERS),
    "/api/v1/matches": rule(ALL - {"auditor", "bank_lxns"} - DEPARTMENT_USERS),
    "/api/v1/matches/{match_id}": {**scoped(SEES_QHY | {"kl_coord", "liaison_li", "ent_bs"}), "auditor": 403,
                                   "bank_lxns": 403, **{d: 403 for d in DEPARTMENT_USERS}},
    "/api/v1/institutions": rule(ALL),
    "/api/v1/institutions/ranking": rule(REPORTERS),
    "/api/v1/institutions/ranking/export.xlsx": rule(REPORTERS),
    "/api/v1/matching-sessions": rule(REPORTERS | DEPARTMENT_USERS),
    "/api/v1/matching-sessions/{session_id}": {**rule((REPORTERS | DEPARTMENT_USERS) - {"lz_coord"}, {"lz_coord"})},
}


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_every_get_endpoint_has_a_declared_policy(spec):
    documented = {p for p, ops in spec["paths"].items() if "get" in ops and p.startswith("/api/v1/")
                  and p != "/api/v1/openapi.json"}
    assert documented == set(POLICY)


def test_live_answers_match_the_declared_policy_for_every_account(app, login_as, spec):
    params = targets(app)
    sessions = {account: login_as(account) for account in ACCOUNTS}
    deviations = []
    for template, expected in POLICY.items():
        path = get_paths({"paths": {template: {"get": {}}}}, params)[0]
        for account in ACCOUNTS:
            status = sessions[account].get(path).status_code
            if status != expected[account]:
                deviations.append(f"{account} GET {path}: {status}, declared {expected[account]}")
    assert deviations == [], "\n".join(deviations)


# Without a token: only what the anonymous 不来即享 form reads; everything else is 401.
ANONYMOUS_OK = {"/api/v1/regions", "/api/v1/meta/enums", "/api/v1/policies", "/api/v1/meta/need-kinds"}
# The one-time feedback link needs no account: a token nobody signed does not exist (404), never 401.
ANONYMOUS_NOT_FOUND = {"/api/v1/public/feedback/{token}"}


def test_anonymous_answers_match_the_declared_policy(app, client, spec):
    assert ANONYMOUS_OK <= set(POLICY)
    params = targets(app)
    deviations = []
    for template in POLICY:
        path = get_paths({"paths": {template: {"get": {}}}}, params)[0]
        status = client.get(path).status_code
        expected = 200 if template in ANONYMOUS_OK else 404 if template in ANONYMOUS_NOT_FOUND else 401
        if status != expected:
            deviations.append(f"anonymous GET {path}: {status}, declared {expected}")
    assert deviations == [], "\n".join(deviations)
