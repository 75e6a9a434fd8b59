"""Every task action × every demo account on a fresh lead task of 清河源's problem, dispatched by 临夏县 to its
工信局: allowed (200), not this account's (403), out of sight (404) or not now (409). Written out by hand."""

import pytest

from tests.services.problems.helpers import USERS
from tests.services.tasks.helpers import dispatched_problem

ACCOUNTS = [*USERS, "dept_lxx_gxj", "dept_lx_jrb"]
ACTIONS = {"sign": {}, "refuse": {"reason": "不属于本单位职责"}, "progress": {"note": "进展"},
           "report": {"result": "结果"}, "recall": {"reason": "改派"}}
EXPECTED = {
    "dept_lxx_gxj": {"sign": 200, "refuse": 200, "progress": 409, "report": 409},  # its own department
    "lxx_coord": {"recall": 200},                                                 # the holding task force
}
OUT_OF_SIGHT = {"lz_coord", "kl_coord", "dept_lx_jrb"}  # 404: another region, another department
# Everyone else is 403: ancestors, leaders and admins read the task but do not work it; liaisons and
# enterprise users may not read tasks at all.


def expected(user: str, action: str) -> int:
    if user in OUT_OF_SIGHT:
        return 404
    return EXPECTED.get(user, {}).get(action, 403)


@pytest.mark.parametrize(("username", "action"), [(u, a) for u in ACCOUNTS for a in ACTIONS])
def test_task_action_outcome_for_each_account(app, login_as, username, action):
    _, (task_id,) = dispatched_problem(app, assists=())
    response = login_as(username).post(f"tasks/{task_id}/{action}", json=ACTIONS[action])
    assert response.status_code == expected(username, action), response.get_json()
    code = {403: "forbidden", 404: "not_found", 409: "invalid_transition"}.get(response.status_code)
    if code:
        assert response.get_json()["code"] == code
