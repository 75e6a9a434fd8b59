"""Every action × every demo account on a fresh county problem of 清河源 (pending at 临夏县,
filed by liaison_ma): allowed (200), not this account's to take (403), out of sight (404), or not
allowed in this state (409). Expectations are written out by hand from DESIGN.md."""

import pytest

from tests.services.problems.helpers import USERS, body_for, file

ACTIONS = ["accept", "reject", "escalate", "return", "reclassify", "assign", "resolve", "feedback", "close",
           "withdraw", "request_info", "supply_info", "request_extension", "decide_extension", "supervise",
           "unsupervise", "comment"]

# The holder (lxx_coord) of a pending county-scope problem:
HOLDER = {"accept": 200, "reject": 200, "escalate": 409, "return": 409, "reclassify": 200, "assign": 200,
          "resolve": 409, "close": 409, "request_info": 200, "request_extension": 409, "comment": 200}
# Ancestors (prefecture, province) may only supervise and comment:
ANCESTOR = {"supervise": 200, "unsupervise": 409, "comment": 200}
# The filing liaison, who is also the enterprise's liaison:
FILER_LIAISON = {"feedback": 409, "withdraw": 200, "supply_info": 409, "comment": 200}
# The enterprise's own user (not the filer here):
ENTERPRISE = {"feedback": 409, "supply_info": 409, "comment": 200}

EXPECTED = {
    "admin": {},            # reads everything, takes part in nothing
    "lx_viewer": {},        # read-only
    "lxx_coord": HOLDER,
    "lx_coord": ANCESTOR,
    "gs_coord": ANCESTOR,
    "liaison_ma": FILER_LIAISON,
    "ent_qhy": ENTERPRISE,
}
OUT_OF_SIGHT = {"lz_coord", "kl_coord", "liaison_li", "ent_bs"}

CASES = [(user, action) for user in USERS for action in ACTIONS]


def expected(user: str, action: str) -> int:
    if user in OUT_OF_SIGHT:
        return 404
    return EXPECTED[user].get(action, 403)


@pytest.mark.parametrize(("username", "action"), CASES)
def test_action_outcome_for_each_account(login_as, demo, username, action):
    problem = file(login_as("liaison_ma"), demo)
    response = login_as(username).post(f"problems/{problem['id']}/{action}", json=body_for(action, demo))
    assert response.status_code == expected(username, action), response.get_json()
    body = response.get_json()
    if response.status_code == 409:
        assert body["code"] == "invalid_transition" and body["current_status"] == "pending"
    elif response.status_code == 403:
        assert body["code"] == "forbidden"
    elif response.status_code == 404:
        assert body["code"] == "not_found"


@pytest.mark.parametrize("username", USERS)
def test_allowed_actions_agree_with_the_matrix(login_as, demo, username):
    problem = file(login_as("liaison_ma"), demo)
    response = login_as(username).get(f"problems/{problem['id']}")
    if username in OUT_OF_SIGHT:
        assert response.status_code == 404
        return
    allowed = set(response.get_json()["allowed_actions"])
    assert allowed == {a for a in ACTIONS if expected(username, a) == 200}
