"""对接 writes × every demo account, on demo needs: who may (2xx), who may not (403), who does not see it (404)."""

import pytest

from tests.services.needs.helpers import need_id
from tests.security.probe import ACCOUNTS

ALL = set(ACCOUNTS) | {"bank_gsyh", "guarantee_lx"}


def expect(ok: set, forbidden: set, status: int) -> dict:
    return {a: status if a in ok else 403 if a in forbidden else 404 for a in ALL}


# 北塬农机's open financing need (临夏县): institutions serving 临夏 offer; those who see it otherwise may not.
OFFER = expect({"bank_lxns", "bank_gsyh", "guarantee_lx"},
               {"admin", "gs_coord", "lx_coord", "lxx_coord", "lx_viewer", "liaison_ma"}, 201)
# 燎原乳业's half-filled labor need (永靖县): coordinators whose scope holds it, and the 人社局 of its
# prefecture, record placements.
PLACEMENT = expect({"gs_coord", "lx_coord", "dept_lx_rsj"}, {"admin", "lx_viewer"}, 201)
# 清河源's open labor need (临夏县): the enterprise, its liaison and the coordinators above it withdraw it.
# 临夏州人社局 sees the labor need but it is not its to withdraw.
WITHDRAW = expect({"ent_qhy", "liaison_ma", "lxx_coord", "lx_coord", "gs_coord"}, {"admin", "lx_viewer", "dept_lx_rsj"},
                  200)


@pytest.mark.parametrize("account", sorted(ALL))
def test_who_may_offer_credit(login_as, demo, account):
    need = need_id(demo, enterprise="北塬", kind="financing")
    response = login_as(account).post(f"needs/{need}/offers", json={"amount_10k": 10, "rate_pct": 4, "term_months": 6})
    assert response.status_code == OFFER[account], response.get_json()


@pytest.mark.parametrize("account", sorted(ALL))
def test_who_may_record_placements(login_as, demo, account):
    need = need_id(demo, enterprise="燎原", kind="labor")
    response = login_as(account).post(f"needs/{need}/placements",
                                      json={"post_index": 1, "placed": 1, "placed_on": "2026-11-30"})
    assert response.status_code == PLACEMENT[account], response.get_json()


@pytest.mark.parametrize("account", sorted(ALL))
def test_who_may_withdraw_a_need(login_as, demo, account):
    need = need_id(demo, enterprise="清河源", kind="labor", status="open")
    response = login_as(account).post(f"needs/{need}/withdraw", json={})
    assert response.status_code == WITHDRAW[account], response.get_json()
