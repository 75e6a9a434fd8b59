"""Demo step 30: problems in every status and at every level, driven through the real workflow."""

from datetime import timedelta

from services.actors import Actor
from services.db import utcnow
from services.problems.commands import apply_action, file_problem

STEP_ORDER = 30


def run(ctx: dict) -> None:
    users, find = ctx["users"], ctx["find"]
    actor = {name: Actor.for_user(user) for name, user in users.items()}
    now = utcnow()

    def ago(days: float):
        return now - timedelta(days=days)

    def new(who, enterprise, category, title, description, scope="county", urgency="normal", days=0.0):
        return file_problem(actor=actor[who], enterprise_id=find(enterprise).id, category=category, title=title,
                            description=description, scope=scope, urgency=urgency, now=ago(days))

    def do(who, problem, action, days=0.0, **payload):
        return apply_action(actor=actor[who], problem_id=problem.id, action=action, payload=payload,
                   now=ago(days))

    # 临夏县 (lxx_coord, liaison_ma, ent_qhy)
    new("liaison_ma", "临夏县清河源", "labor", "熟练工招不到，生产线开工不足",
        "屠宰分割车间缺熟练工 30 人，县内招聘会未招满，请协调人社部门组织专场招聘。", days=0.2)
    p = new("liaison_ma", "临夏县俊林", "financing", "流动资金贷款到期续贷困难",
            "企业 300 万元流动资金贷款下月到期，银行要求先还后贷，企业资金周转困难，申请协调无还本续贷。", days=6)
    do("lxx_coord", p, "accept", days=5, comment="已对接县农商行")
    do("lxx_coord", p, "assign", days=5, department_id=ctx["departments"]["临夏县农业农村局"].id)

    p = new("liaison_ma", "临夏县清源", "supply", "原料牛羊跨县调运受阻",
            "从东乡县、积石山县收购的活畜运输途中检疫证明互认不畅，需州级协调。", scope="cross_county", days=3)
    do("lxx_coord", p, "escalate", days=2.5, reason="涉及跨县检疫互认，提请州专班协调")

    p = new("ent_qhy", "临夏县清河源", "policy", "清真食品出口认证需省级协调",
            "企业申请出口中东的清真认证和卫生注册，需省级商务和海关部门协调。", scope="provincial", days=9)
    do("lxx_coord", p, "escalate", days=8, reason="需省级协调")
    do("lx_coord", p, "escalate", days=7, reason="州专班提交省专班协调")

    p = new("ent_qhy", "临夏县清河源", "other", "厂区道路维修申请", "厂区门前道路破损。", days=4)
    do("ent_qhy", p, "withdraw", days=3, reason="已由企业自行修复")

    p = new("liaison_ma", "临夏县俊林", "production", "饲料加工设备故障停机",
            "关键设备故障，厂家维修周期长，影响生产。", urgency="urgent", days=25)
    do("lxx_coord", p, "accept", days=24)
    do("lx_coord", p, "supervise", days=10, deadline=now + timedelta(days=5), note="请限期解决并报送进展")

    p = new("liaison_ma", "临夏县清源", "sales", "产品进超市渠道不畅", "希望对接州内大型商超。", days=30)
    do("lxx_coord", p, "accept", days=29)
    do("lxx_coord", p, "resolve", days=20, resolution="已组织与客都超市、百盛超市对接，签订供货协议。")
    do("liaison_ma", p, "feedback", days=18, rating="basically_satisfied", comment="电话回访，企业基本满意", method="phone")

    # 康乐县 (kl_coord, liaison_li, ent_bs)
    p = new("ent_bs", "康乐县百盛超市", "sales", "节日促销活动审批时间长", "希望简化户外促销备案。", days=5)
    do("kl_coord", p, "accept", days=4.5)
    do("kl_coord", p, "resolve", days=2, resolution="市场监管局已开通促销备案绿色通道，当日办结。")

    p = new("liaison_li", "康乐县康美", "logistics", "冷链物流车辆通行证办理", "冷链车辆进城通行证办理慢。", days=20)
    do("kl_coord", p, "accept", days=19)
    do("kl_coord", p, "resolve", days=12, resolution="交警大队已为企业 5 辆冷链车办理通行证。")
    do("liaison_li", p, "feedback", days=11, rating="satisfied", method="visit")

    p = new("liaison_li", "康乐县莲麓", "financing", "蜂农贷款贴息申请", "合作社申请创业担保贷款贴息。", days=6)
    do("kl_coord", p, "accept", days=5)
    do("kl_coord", p, "request_info", days=4, question="请补充合作社成员名单和贷款合同复印件。")

    p = new("ent_bs", "康乐县百盛超市", "other", "要求减免全部税款", "企业要求免除全年各项税款。", days=8)
    do("kl_coord", p, "reject", days=7, reason="不符合现行税收政策，已告知可申请的小规模纳税人增值税减征政策。",
       referred_to="国家税务总局康乐县税务局")

    p = new("ent_bs", "康乐县百盛超市", "labor", "收银员社保补贴申领", "申领吸纳就业社保补贴。", days=40)
    do("kl_coord", p, "accept", days=39)
    do("kl_coord", p, "resolve", days=20, resolution="已协助企业完成 6 名员工社保补贴申报。")

    p = new("liaison_li", "康乐县康美", "production", "温室大棚用电增容", "新建温室需增容 400 千伏安。", days=45)
    do("kl_coord", p, "accept", days=44)
    do("kl_coord", p, "resolve", days=35, resolution="供电公司已制定增容方案。")
    do("liaison_li", p, "feedback", days=34, rating="unsatisfied", comment="增容尚未施工", method="phone")
    do("kl_coord", p, "resolve", days=25, resolution="增容工程已开工。")
    do("liaison_li", p, "feedback", days=24, rating="unsatisfied", comment="工程停工，仍未通电", method="visit")

    # 州 and 省 levels
    p = new("lx_coord", "永靖县燎原乳业", "supply", "奶源基地饲草供应不足",
            "受旱情影响，周边县饲草减产，需跨县调配。", scope="cross_county", days=12)
    p = new("liaison_ma", "临夏县北塬农机", "logistics", "农机外运铁路运力紧张",
            "需协调铁路部门增加货运车皮，涉及多个县的农机合作社。", scope="cross_county", days=15)
    do("lxx_coord", p, "escalate", days=14.5, reason="县专班无法协调铁路运力")
    do("lx_coord", p, "accept", days=14)
    do("lx_coord", p, "request_extension", days=1, due_at=now + timedelta(days=40), reason="铁路运力调整需下季度计划")
    p = new("lx_coord", "临夏经济开发区华安", "policy", "高新技术企业认定辅导", "企业申请高新技术企业认定。",
            days=2)
    p = new("lz_coord", "兰州城关区金城智造", "financing", "科技型中小企业贷款",
            "企业申请科技型中小企业信用贷款。", days=10)

    # 办理段: the county held it past its deadline, then found it cross-county and sent it up. Its late
    # stint stays on 康乐县's record (overdue list, warning, export, assessment) while the prefecture works it.
    p = new("kl_coord", "康乐县鸣鹿建材", "supply", "砂石原料跨县采购运输受限",
            "砂石原料产地在积石山县，运输车辆跨县通行受限，影响供货。", days=30)
    do("kl_coord", p, "accept", days=29)
    do("kl_coord", p, "reclassify", days=3, scope="cross_county", reason="原料产地在外县，需跨县协调运输")
    do("kl_coord", p, "escalate", days=3, reason="提请州专班协调跨县运输")
