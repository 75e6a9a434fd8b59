"""Shared helpers for the 清欠 tests: file a case and walk it through plan, repayments and 销号 over HTTP."""

from datetime import date

from services.timeutil import local_today

QHY = "清河源"        # 临夏县: liaison_ma, ent_qhy, lxx_coord
BAISHENG = "百盛超市"  # 康乐县: liaison_li, ent_bs, kl_coord


def month(offset: int) -> str:
    today = local_today()
    index = today.year * 12 + today.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def today() -> str:
    return local_today().isoformat()


def first_of(offset: int) -> str:
    text = month(offset)
    return date(int(text[:4]), int(text[5:]), 1).isoformat()


def case_body(enterprise_id: int, **over) -> dict:
    return {"creditor_enterprise_id": enterprise_id, "debtor_name": "某县交通运输局", "debtor_kind": "government",
            "origin": "乡村道路硬化工程款", "amount_10k": "300.00", "disputed_10k": "0", **over}


def file_case(api, enterprise_id: int, **over) -> dict:
    response = api.post("arrears", json=case_body(enterprise_id, **over))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def etag(case: dict) -> dict:
    return {"If-Match": f'"{case["version"]}"'}


def put_plan(api, case: dict, months: list[tuple[int, str]]):
    return api.put(f"arrears/{case['id']}/plan", json={"months": [{"period": month(m), "amount_10k": a}
                                                                  for m, a in months]}, headers=etag(case))


def repay(api, case_id: int, amount: str, paid_on: str | None = None, note: str = "转账凭证"):
    return api.post(f"arrears/{case_id}/repayments", json={"paid_on": paid_on or today(), "amount_10k": amount,
                                                           "note": note})
