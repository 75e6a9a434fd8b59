"""Demo step 70: institutions and their users, needs of every kind in every status driven through the real
services — a financing need with two offers (one granted), a labor need half filled, a supply need matched
with a sales need and signed — and 对接会 with outcomes."""

from datetime import date, timedelta

from sqlalchemy import select

from services.actors import Actor
from services.db import db, utcnow
from services.demo.base import DEMO_PASSWORD
from services.models import Institution, InstitutionRegion, Problem, User
from services.needs import core, financing, labor, sessions, trade
from services.passwords import hash_password
from services.roles import Role
from services.timeutil import to_local

STEP_ORDER = 70

INSTITUTIONS = [
    # name, kind, service region codes
    ("临夏农商银行", "bank", ["622900"]),
    ("甘肃银行临夏分行", "bank", ["620000"]),
    ("临夏州融资担保有限公司", "guarantor", ["622900"]),
]
# username, name, institution
ACCOUNTS = [
    ("bank_lxns", "临夏农商银行 韩晓东", "临夏农商银行"),
    ("bank_gsyh", "甘肃银行临夏分行 马丽", "甘肃银行临夏分行"),
    ("guarantee_lx", "临夏州融资担保 王涛", "临夏州融资担保有限公司"),
]


def _trade(product: str, quantity: float, unit: str, **dates) -> dict:
    return {"product": product, "quantity": quantity, "unit": unit, **{k: v.isoformat() for k, v in dates.items()}}


def run(ctx: dict) -> None:
    regions, find, users = ctx["regions"], ctx["find"], ctx["users"]
    institutions = {}
    for name, kind, codes in INSTITUTIONS:
        institution = Institution(name=name, kind=kind)
        db.session.add(institution)
        db.session.flush()
        for code in codes:
            db.session.add(InstitutionRegion(institution_id=institution.id, region_id=regions[code].id))
        institutions[name] = institution
    hashed = hash_password(DEMO_PASSWORD)
    for username, name, institution in ACCOUNTS:
        user = User(username=username, name=name, role=Role.INSTITUTION, password_hash=hashed,
                    institution_id=institutions[institution].id)
        db.session.add(user)
        users[username] = user
    db.session.flush()
    db.session.expire_all()

    now = utcnow()
    today = to_local(now).date()
    actor = {name: Actor.for_user(user) for name, user in users.items()}

    def ago(days: float):
        return now - timedelta(days=days)

    def on(days: int) -> date:
        return today + timedelta(days=days)

    def new(who, enterprise, kind, details, days, problem_id=None):
        return core.file_need(actor=actor[who], kind=kind, details=details, enterprise_id=find(enterprise).id,
                              problem_id=problem_id, now=ago(days))

    def offer(who, need, days, amount, rate=4.35, term=12, note=""):
        return financing.make_offer(actor=actor[who], need_id=need.id, amount_10k=amount, rate_pct=rate,
                                    term_months=term, note=note, now=ago(days))

    def problem_of(enterprise, category):
        return db.session.scalar(select(Problem.id).where(Problem.enterprise_id == find(enterprise).id,
                                                          Problem.category == category).order_by(Problem.id))

    # 融资: two offers on 俊林's renewal, the enterprise picks 临夏农商银行, which grants it.
    junlin = new("liaison_ma", "临夏县俊林", "financing", {"amount_10k": 300, "term_months": 12,
                 "purpose": "流动资金贷款到期续贷（无还本续贷）", "guarantee": "collateral"}, 40,
                 problem_id=problem_of("临夏县俊林", "financing"))
    chosen = offer("bank_lxns", junlin, 38, 300, 4.2, 12, "可办理无还本续贷，需补充近三个月流水")
    offer("bank_gsyh", junlin, 36, 250, 4.6, 12)
    financing.accept_offer(actor=actor["liaison_ma"], offer_id=chosen.id, now=ago(35))
    financing.record_outcome(actor=actor["bank_lxns"], offer_id=chosen.id, granted=True, amount_10k=300,
                             granted_on=to_local(ago(30)).date(), now=ago(30))
    # Accepted, waiting for the bank's decision: 清河源's contact is shown to 临夏农商银行 only.
    qhy = new("ent_qhy", "临夏县清河源", "financing", {"amount_10k": 500, "term_months": 24,
              "purpose": "新建冷链仓储", "guarantee": "collateral"}, 12)
    accepted = offer("bank_lxns", qhy, 10, 450, 4.35, 24)
    offer("guarantee_lx", qhy, 9, 500, 1.0, 24, "担保费率 1%")
    financing.accept_offer(actor=actor["ent_qhy"], offer_id=accepted.id, now=ago(0.02))
    # Open, with and without offers; one declined after it was accepted (back to open).
    kangmei = new("liaison_li", "康乐县康美", "financing", {"amount_10k": 200, "term_months": 36,
                  "purpose": "购置温室大棚设备", "guarantee": "guarantor"}, 6)
    offer("bank_gsyh", kangmei, 0.03, 180, 4.5, 36)
    new("liaison_ma", "临夏县北塬", "financing", {"amount_10k": 50, "term_months": 12, "purpose": "购买春耕农资",
        "guarantee": "credit"}, 3)
    bafang = new("lx_coord", "临夏市八坊", "financing", {"amount_10k": 80, "term_months": 12,
                 "purpose": "采购砖雕原料", "guarantee": "credit"}, 20)
    declined = offer("bank_lxns", bafang, 18, 80, 4.8, 12)
    bafang_side = Actor(user_id=None, username="demo", role=Role.ENTERPRISE, enterprise_id=find("临夏市八坊").id)
    financing.accept_offer(actor=bafang_side, offer_id=declined.id, now=ago(17))
    financing.record_outcome(actor=actor["bank_lxns"], offer_id=declined.id, granted=False,
                             reason="抵押物不足，建议通过融资担保增信", now=ago(15))
    withdrawn = new("liaison_ma", "临夏县清源", "financing", {"amount_10k": 100, "term_months": 6,
                    "purpose": "原料收购", "guarantee": "credit"}, 25)
    core.withdraw_need(actor=actor["liaison_ma"], need_id=withdrawn.id, reason="企业自筹解决", now=ago(22))
    new("liaison_li", "康乐县莲麓", "financing", {"amount_10k": 30, "term_months": 12, "purpose": "蜂箱更新",
        "guarantee": "credit"}, 120)  # stale: expires in the scan below

    # 用工: 燎原乳业 half filled, 百盛超市 filled, 清河源 open (the labor problem's need), one withdrawn, one expired.
    lx = actor["lx_coord"]
    new("liaison_ma", "临夏县清河源", "labor", {"posts": [
        {"title": "屠宰分割工", "count": 30, "skills": "有清真屠宰经验优先", "wage_from": 4500, "wage_to": 6500},
        {"title": "质检员", "count": 2, "skills": "食品检验相关专业"}], "start_by": on(30).isoformat()}, 1,
        problem_id=problem_of("临夏县清河源", "labor"))
    liaoyuan = new("lx_coord", "永靖县燎原乳业", "labor", {"posts": [
        {"title": "挤奶工", "count": 10, "wage_from": 4000, "wage_to": 5000},
        {"title": "包装工", "count": 10, "wage_from": 3500, "wage_to": 4200}], "start_by": on(20).isoformat()}, 15)
    labor.record_placement(actor=lx, need_id=liaoyuan.id, post_index=0, placed=6, placed_on=to_local(ago(8)).date(),
                           now=ago(8))
    labor.record_placement(actor=lx, need_id=liaoyuan.id, post_index=0, placed=4, placed_on=today, now=ago(0.01))
    baisheng = new("ent_bs", "康乐县百盛超市", "labor", {"posts": [{"title": "收银员", "count": 4, "wage_from": 3000}],
                   "start_by": on(10).isoformat()}, 14)
    labor.record_placement(actor=lx, need_id=baisheng.id, post_index=0, placed=4, placed_on=to_local(ago(5)).date(),
                           now=ago(5))
    junlin_labor = new("liaison_ma", "临夏县俊林", "labor", {"posts": [{"title": "饲养员", "count": 3}],
                       "start_by": on(15).isoformat()}, 9)
    core.withdraw_need(actor=actor["liaison_ma"], need_id=junlin_labor.id, reason="已从本村招到", now=ago(7))
    new("liaison_li", "康乐县康美", "labor", {"posts": [{"title": "采摘工", "count": 20}],
        "start_by": (today - timedelta(days=3)).isoformat()}, 30)  # its start date passed: expires below

    # 产供销: 百盛超市 buys 清真牛肉 from 清河源 (signed); 俊林 buys 康美's 青贮玉米 (accepted); 百盛 asks 清源 (pending).
    sales_qhy = new("ent_qhy", "临夏县清河源", "sales", _trade("清真牛羊肉", 20, "吨", from_date=on(-20)), 21)
    supply_bs = new("ent_bs", "康乐县百盛超市", "supply", _trade("清真牛肉", 5, "吨", by_date=on(25)), 19)
    signed = trade.express_interest(actor=actor["ent_bs"], need_id=sales_qhy.id, own_need_id=supply_bs.id,
                                    note="节日备货，希望长期供货", now=ago(18))
    trade.decide(actor=actor["ent_qhy"], match_id=signed.id, accept=True, now=ago(17))
    trade.report(actor=actor["ent_bs"], match_id=signed.id, outcome="signed", amount_10k=45, now=ago(0.04))
    sales_km = new("liaison_li", "康乐县康美", "sales", _trade("青贮玉米饲料", 300, "吨", from_date=on(-5)), 11)
    supply_jl = new("liaison_ma", "临夏县俊林", "supply", _trade("玉米饲料", 200, "吨", by_date=on(40)), 10)
    match = trade.express_interest(actor=actor["liaison_ma"], need_id=sales_km.id, own_need_id=supply_jl.id,
                                   enterprise_id=find("临夏县俊林").id, now=ago(9))
    trade.decide(actor=actor["liaison_li"], match_id=match.id, accept=True, now=ago(8))
    sales_qy = new("liaison_ma", "临夏县清源", "sales", _trade("清真牛肉干", 2, "吨", from_date=on(-1)), 4)
    trade.express_interest(actor=actor["ent_bs"], need_id=sales_qy.id, note="想了解零售包装规格", now=ago(2))
    new("lx_coord", "永靖县燎原乳业", "sales", _trade("纯牛奶 酸奶", 50, "吨", from_date=on(-2)), 5)
    new("lx_coord", "临夏市客都超市", "supply", _trade("牛奶 乳制品", 10, "吨", by_date=on(30)), 3)
    glass = new("ent_qhy", "临夏县清河源", "supply", _trade("玻璃罐", 10000, "个", by_date=on(60)), 16)
    core.withdraw_need(actor=actor["ent_qhy"], need_id=glass.id, reason="改用塑料包装", now=ago(13))
    calves = new("liaison_ma", "临夏县俊林", "sales", _trade("牛犊", 40, "头"), 18)
    core.withdraw_need(actor=actor["liaison_ma"], need_id=calves.id, now=ago(12))
    new("liaison_li", "康乐县康美", "supply", _trade("有机肥", 100, "吨", by_date=today - timedelta(days=2)), 20)
    new("liaison_li", "康乐县莲麓", "sales", _trade("百花蜂蜜", 3, "吨"), 100)  # stale: expires below

    # 对接会: a 银企对接会 held with outcomes, a 招聘会 coming up.
    held = sessions.create_session(actor=lx, kind="financing", title="临夏州2026年第四季度银企对接会",
                                   held_on=to_local(ago(10)).date(), place="临夏州政务服务中心三楼会议室",
                                   need_ids=[qhy.id, kangmei.id, bafang.id],
                                   institution_ids=[i.id for i in institutions.values()],
                                   enterprise_ids=[find("临夏县清河源").id], now=ago(14))
    sessions.record_outcome(actor=lx, session_id=held.id, need_id=qhy.id, result="agreement", amount_10k=450,
                            note="临夏农商银行现场达成授信意向", now=ago(9))
    sessions.record_outcome(actor=lx, session_id=held.id, need_id=bafang.id, result="no_agreement",
                            note="建议对接州融资担保公司", now=ago(9))
    sessions.create_session(actor=lx, kind="labor", title="临夏州春风行动专场招聘会", held_on=on(7),
                            place="临夏州人力资源市场", need_ids=[liaoyuan.id], now=ago(1))
    core.expire_stale(now=now)
