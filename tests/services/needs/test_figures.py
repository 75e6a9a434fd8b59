"""/needs/figures and /institutions/ranking: one month (October 2026 in 积石山县, where the demo has no needs)
built step by step through the services at known times, and every figure checked against the count made by hand."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.actors import Actor
from services.db import db
from services.models import Enterprise, Institution, User
from services.needs import core, financing, labor, trade
from services.roles import Role

LOCAL = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL)


@pytest.fixture
def october(app):
    """The month, as the people involved lived it (local times)."""
    with app.app_context():
        def user(name):
            return Actor.for_user(db.session.scalar(select(User).where(User.username == name)))

        def firm(prefix):
            return db.session.scalar(select(Enterprise.id).where(Enterprise.name.startswith(prefix)))

        def side(enterprise_id):
            return Actor(user_id=None, username="test", role=Role.ENTERPRISE, enterprise_id=enterprise_id)

        coord, lxns, gsyh, guarantor = user("lx_coord"), user("bank_lxns"), user("bank_gsyh"), user("guarantee_lx")
        knife, pepper, builder = firm("积石山县保安腰刀"), firm("积石山县大河家"), firm("积石山县吹麻滩")

        def file(enterprise, kind, details, when):
            need = core.file_need(actor=coord, kind=kind, details=details, enterprise_id=enterprise, now=when)
            db.session.commit()
            return need.id

        def offer(actor, need, when, amount):
            return financing.make_offer(actor=actor, need_id=need, amount_10k=amount, rate_pct=4.5, term_months=12,
                                        now=when).id

        money = {"term_months": 12, "purpose": "周转", "guarantee": "credit"}
        # N1 (micro), filed in September: two offers, 临夏农商银行 chosen and grants 90.
        n1 = file(knife, "financing", {**money, "amount_10k": 100}, at(9, 28))
        o1 = offer(lxns, n1, at(10, 2), 100)       # 4 days after filing
        offer(gsyh, n1, at(10, 5), 80)             # 7 days after filing
        financing.accept_offer(actor=side(knife), offer_id=o1, now=at(10, 6))
        financing.record_outcome(actor=lxns, offer_id=o1, granted=True, amount_10k=90, granted_on=date(2026, 10, 10),
                                 now=at(10, 10))
        # N2 (small): the guarantor offers a day later, is accepted, then declines: back to open.
        n2 = file(builder, "financing", {**money, "amount_10k": 200}, at(10, 3, 12))
        o2 = offer(guarantor, n2, at(10, 4, 12), 150)
        financing.accept_offer(actor=side(builder), offer_id=o2, now=at(10, 5))
        financing.record_outcome(actor=guarantor, offer_id=o2, granted=False, reason="资料不全", now=at(10, 20))
        # N3 (micro), filed on the 30th; its offer comes in November.
        n3 = file(pepper, "financing", {**money, "amount_10k": 50}, at(10, 30, 23, 30))
        offer(lxns, n3, at(11, 1, 1), 50)
        # N4: 8 posts; 2 + 3 placed in October (the last at 23:00 on the 31st), 1 more in November.
        n4 = file(pepper, "labor", {"posts": [{"title": "采摘工", "count": 5}, {"title": "分拣工", "count": 3}],
                                    "start_by": "2027-03-01"}, at(10, 8))
        for index, placed, when in ((0, 2, at(10, 15)), (1, 3, at(10, 31, 23)), (0, 1, at(11, 1, 9))):
            labor.record_placement(actor=coord, need_id=n4, post_index=index, placed=placed,
                                   placed_on=when.date(), now=when)
        # N5/N6: a sales need and a supply need meet and sign for 8 万元.
        n5 = file(knife, "sales", {"product": "保安腰刀", "quantity": 100, "unit": "把"}, at(10, 1))
        n6 = file(builder, "supply", {"product": "保安腰刀", "quantity": 20, "unit": "把"}, at(10, 2))
        match = trade.express_interest(actor=side(builder), need_id=n5, own_need_id=n6, now=at(10, 3))
        trade.decide(actor=side(knife), match_id=match.id, accept=True, now=at(10, 4))
        trade.report(actor=side(builder), match_id=match.id, outcome="signed", amount_10k=8, now=at(10, 25))
        # N7, filed in September and withdrawn in October; N8 filed in November.
        n7 = file(builder, "supply", {"product": "钢管", "quantity": 5, "unit": "吨"}, at(9, 20))
        core.withdraw_need(actor=coord, need_id=n7, now=at(10, 12))
        file(knife, "sales", {"product": "腰刀礼盒", "quantity": 10, "unit": "套"}, at(11, 2))
        region = db.session.scalar(select(Enterprise.region_id).where(Enterprise.id == knife))
        institutions = {i.name: i.id for i in db.session.scalars(select(Institution))}
        db.session.remove()
    return {"region": region, "institutions": institutions}


def test_the_month_rebuilt_by_hand_gives_the_same_figures(login_as, october):
    body = login_as("lx_coord").get("needs/figures", query_string={"region": october["region"],
                                                                   "period": "2026-10"}).get_json()
    by_kind = body["needs"]["by_kind"]
    # As of the end of October: N1 fulfilled, N2 reopened, N3 open; N4 5 of 8 placed; N5, N6 signed; N7 withdrawn.
    assert {k: {s: n for s, n in v.items() if n} for k, v in by_kind.items()} == {
        "financing": {"open": 2, "fulfilled": 1}, "labor": {"matched": 1}, "sales": {"fulfilled": 1},
        "supply": {"fulfilled": 1, "withdrawn": 1}}
    assert body["needs"]["total"] == 7
    assert body["needs"]["new"] == {"financing": 2, "labor": 1, "supply": 1, "sales": 1}
    assert body["financing"] == {"asked_10k": 250.0, "granted_10k": 90.0, "granted_small_10k": 90.0, "offers": 3}
    assert body["labor"] == {"posts_asked": 8, "posts_filled": 5}
    assert body["matches"] == {"signed": 1, "signed_10k": 8.0}


def test_the_ranking_of_the_month_rebuilt_by_hand(login_as, october):
    body = login_as("lx_coord").get("institutions/ranking", query_string={"region": october["region"],
                                                                          "period": "2026-10"}).get_json()
    rows = {r["institution_name"]: r for r in body["rows"]}
    assert [r["institution_name"] for r in body["rows"]] == ["临夏农商银行", "临夏州融资担保有限公司", "甘肃银行临夏分行"]
    assert [r["rank"] for r in body["rows"]] == [1, 2, 3]
    lxns, guarantor, gsyh = rows["临夏农商银行"], rows["临夏州融资担保有限公司"], rows["甘肃银行临夏分行"]
    assert (lxns["offers"], lxns["median_days_to_first_offer"], lxns["granted_small_10k"], lxns["decline_rate"]) == (
        1, 4.0, 90.0, 0.0)
    assert (guarantor["offers"], guarantor["median_days_to_first_offer"], guarantor["decline_rate"]) == (1, 1.0, 1.0)
    assert (gsyh["offers"], gsyh["median_days_to_first_offer"], gsyh["granted_10k"], gsyh["decline_rate"]) == (
        1, 7.0, 0.0, None)


def test_the_next_month_counts_only_its_own_events(login_as, october):
    body = login_as("lx_coord").get("needs/figures", query_string={"region": october["region"],
                                                                   "period": "2026-11"}).get_json()
    assert body["financing"]["offers"] == 1 and body["labor"]["posts_filled"] == 1
    assert body["needs"]["new"]["sales"] == 1 and body["matches"]["signed"] == 0


def test_the_figures_export_carries_the_same_numbers(login_as, october):
    response = login_as("lx_coord").get("needs/figures/export.xlsx", query_string={"region": october["region"],
                                                                                   "period": "2026-10"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["对接月报"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["区划"] == "积石山县" and row["放款（万元）"] == 90 and row["已招聘"] == 5 and row["签约对接"] == 1


def test_the_ranking_export_lists_the_ranked_institutions(login_as, october):
    response = login_as("lx_coord").get("institutions/ranking/export.xlsx",
                                        query_string={"region": october["region"], "period": "2026-10"})
    sheet = load_workbook(io.BytesIO(response.data))["金融机构排名"]
    assert [c.value for c in sheet[2]][:2] == [1, "临夏农商银行"]
    assert sheet.cell(row=3, column=10).value == 1  # the guarantor's decline rate, 100 %


@pytest.mark.parametrize("account", ["ent_qhy", "liaison_ma", "bank_lxns"])
def test_figures_are_for_task_forces_and_leaders(login_as, account):
    assert login_as(account).get("needs/figures").status_code == 403
    assert login_as(account).get("institutions/ranking").status_code == 403


def test_figures_of_a_region_out_of_scope_do_not_exist(login_as, demo):
    assert login_as("lxx_coord").get("needs/figures", query_string={"region": demo.region_id("622922")}).status_code == 404


def test_a_malformed_period_is_a_validation_error(login_as):
    response = login_as("lx_coord").get("needs/figures?period=2026-13")
    assert response.status_code == 422 and "period" in response.get_json()["errors"]


def test_the_dashboard_shows_the_need_figures(login_as):
    body = login_as("lx_coord").get("dashboard").get_json()
    assert body["needs"]["open_by_kind"]["financing"] >= 1
    assert sum(c["needs"]["open_by_kind"]["financing"] for c in body["children"]) == body["needs"]["open_by_kind"][
        "financing"]
