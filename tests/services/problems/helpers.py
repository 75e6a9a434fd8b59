"""Shared helpers for the ledger tests: file problems and walk them through the workflow over HTTP."""

from datetime import datetime, timedelta

from services.timeutil import zone

QHY = "清河源"       # 临夏县: liaison_ma, ent_qhy, lxx_coord
BAISHENG = "百盛超市"  # 康乐县: liaison_li, ent_bs, kl_coord

USERS = ["admin", "gs_coord", "lx_coord", "lz_coord", "lxx_coord", "kl_coord", "lx_viewer", "liaison_ma",
         "liaison_li", "ent_qhy", "ent_bs"]


def future(days: int = 60) -> str:
    return (datetime.now(zone()) + timedelta(days=days)).isoformat()


ACTION_BODIES = {
    "accept": {"comment": "受理"},
    "reject": {"reason": "不属于受理范围"},
    "escalate": {"reason": "需上级协调"},
    "return": {"scope": "county", "reason": "县域内可解决"},
    "reclassify": {"scope": "cross_county", "reason": "涉及多个县"},
    "assign": {"department_id": None},  # filled with a real department by the caller
    "resolve": {"resolution": "已协调解决"},
    "feedback": {"rating": "satisfied", "comment": "满意"},
    "close": {"note": "多次联系企业未评价"},
    "withdraw": {"reason": "企业已自行解决"},
    "request_info": {"question": "请补充贷款合同"},
    "supply_info": {"answer": "已上传合同"},
    "request_extension": {"due_at": None, "reason": "需协调多个部门"},
    "decide_extension": {"approve": True, "note": "同意"},
    "supervise": {"deadline": None, "note": "限期办结"},
    "unsupervise": {"note": "已取消"},
    "comment": {"text": "请尽快处理"},
}


def body_for(action: str, demo=None) -> dict:
    body = dict(ACTION_BODIES[action])
    if action == "assign":
        body["department_id"] = demo.department_id("临夏县工业和信息化局")
    if action == "request_extension":
        body["due_at"] = future(120)
    if action == "supervise":
        body["deadline"] = future(10)
    return body


def file(session, demo, enterprise=QHY, scope="county", title="流动资金贷款续贷困难", category="financing", **extra):
    response = session.post("problems", json={"enterprise_id": demo.enterprise_id(enterprise), "category": category,
                                              "title": title, "description": "银行要求先还后贷", "scope": scope,
                                              **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def do(session, problem_id, action, body=None, expect=200, **kw):
    response = session.post(f"problems/{problem_id}/{action}", json=body if body is not None else {}, **kw)
    assert response.status_code == expect, (action, response.get_json())
    return response.get_json()
