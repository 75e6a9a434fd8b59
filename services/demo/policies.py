"""Demo step 50: the support policies the 2020 plans name, a 一企一策 plan and a common problem."""

from datetime import date, timedelta

from services.db import db, utcnow
from services.models import EnterprisePlan, Policy
from services.plans import check_measures

STEP_ORDER = 50

SMALL = ["small", "micro"]
SME = ["medium", "small", "micro"]


def _policies(regions) -> list[dict]:
    gansu, linxia = regions["620000"].id, regions["622900"].id
    return [
        dict(title="国有房产租户房租减免", issuer="临夏州财政局、国资委", benefit_type="rent",
             summary="承租国有经营性房产的小微企业和个体工商户，减免 3 个月房租，再减半收取 3 个月。",
             criteria={"entity_types": ["enterprise", "individual"], "scales": SMALL, "region_ids": [linxia]},
             contact_office="临夏州国资委产权管理科", contact_phone="0930-6212345",
             materials=["租赁合同", "营业执照", "减免申请表"]),
        dict(title="个体工商户和小微企业小额信用贷款", issuer="临夏州金融办、人民银行临夏州中心支行",
             benefit_type="finance",
             summary="个体工商户 5 万元、小微企业 10 万元以内的信用贷款，免抵押免担保，财政贴息。",
             criteria={"entity_types": ["individual", "enterprise", "cooperative", "family_farm"], "scales": ["micro"]},
             contact_office="人民银行临夏州中心支行", contact_phone="0930-6213456",
             materials=["营业执照", "经营者身份证", "近三个月流水"]),
        dict(title="政府性融资担保降费", issuer="甘肃省财政厅", benefit_type="finance",
             summary="政府性融资担保机构对小微企业担保费率降至 1% 以下，取消反担保要求。",
             criteria={"scales": SMALL, "region_ids": [gansu]}, contact_office="甘肃省融资担保集团",
             contact_phone="0931-8765432", materials=["担保申请书", "财务报表"]),
        dict(title="中小微企业社会保险费减免", issuer="甘肃省人力资源和社会保障厅", benefit_type="social_insurance",
             summary="中小微企业免征养老、失业、工伤保险单位缴费部分。",
             criteria={"entity_types": ["enterprise", "individual"], "scales": SME},
             contact_office="各县区社保经办机构", contact_phone="12333", materials=["单位参保登记证明"]),
        dict(title="小规模纳税人增值税减征", issuer="国家税务总局甘肃省税务局", benefit_type="tax",
             summary="增值税小规模纳税人适用 3% 征收率的应税销售收入，减按 1% 征收。",
             criteria={"scales": SMALL}, contact_office="临夏州税务局纳税服务科", contact_phone="12366",
             materials=["无需申请，申报时自动适用"]),
        dict(title="工业企业用电价格优惠", issuer="国网临夏供电公司", benefit_type="utilities",
             summary="除高耗能行业外的工商业电力用户，电费按原到户电价的 95% 结算。",
             criteria={"industries": ["C", "D"], "region_ids": [linxia]}, contact_office="国网临夏供电公司营销部",
             contact_phone="95598", materials=["用电户号"]),
        dict(title="吸纳就业奖补", issuer="临夏州人力资源和社会保障局", benefit_type="subsidy",
             summary="新吸纳劳动力就业并稳定 6 个月以上的，每人补贴 1000 元（稳定一年 2000 元）；"
                     "吸纳建档立卡贫困劳动力的，每人 3000 元（稳定一年 5000 元）。",
             criteria={"region_ids": [linxia], "min_employees": 5}, contact_office="临夏州就业服务局",
             contact_phone="0930-6214567", materials=["劳动合同", "社保缴费明细", "新增人员名单"]),
        dict(title="2025 年复工复产稳岗补贴（已到期）", issuer="临夏州人力资源和社会保障局", benefit_type="subsidy",
             summary="不裁员或少裁员的参保企业返还上年度失业保险费的 50%。", criteria={"region_ids": [linxia]},
             valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31), contact_office="临夏州就业服务局",
             contact_phone="0930-6214567", materials=["稳岗补贴申请表"]),
    ]


def run(ctx: dict) -> None:
    for fields in _policies(ctx["regions"]):
        fields.setdefault("valid_from", date(2026, 1, 1))
        fields.setdefault("valid_to", date(2027, 12, 31))
        db.session.add(Policy(**fields, published_at=utcnow()))

    # 清河源's plan: version 1 approved by the county, version 2 a liaison's draft.
    users, find = ctx["users"], ctx["find"]
    enterprise = find("临夏县清河源")
    department = ctx["departments"]["临夏县工业和信息化局"].id
    measures = [
        {"content": "协调人社部门组织专场招聘，补足熟练工缺口", "responsible_department": department,
         "due_date": date.today() + timedelta(days=30), "status": "in_progress"},
        {"content": "对接出口清真认证，拓展中东市场", "responsible_department": ctx["departments"]["临夏州商务局"].id,
         "due_date": date.today() + timedelta(days=90), "status": "planned"},
    ]
    common = dict(enterprise_id=enterprise.id, situation="企业已全面复工，用工缺口 30 人，出口认证待办。",
                  contingency="如原料供应中断，启用州内备用牧场供应协议。", problem_ids=[])
    db.session.add(EnterprisePlan(version=1, status="approved", measures=check_measures(measures[:1]),
                                  created_by_id=users["liaison_ma"].id, approved_by_id=users["lxx_coord"].id,
                                  approved_at=utcnow() - timedelta(days=10), **common))
    db.session.add(EnterprisePlan(version=2, status="draft", measures=check_measures(measures),
                                  created_by_id=users["liaison_ma"].id, **common))
    _common_problem(ctx)


def _common_problem(ctx: dict) -> None:
    """The prefecture groups the two cross-county supply problems under one joint solution."""
    from sqlalchemy import select

    from services.models import CommonProblem, Problem

    members = list(db.session.scalars(select(Problem).where(Problem.category == "supply")))
    group = CommonProblem(title="跨县活畜与饲草调运协调", region_id=ctx["regions"]["622900"].id,
                          description="多县企业反映活畜检疫互认和饲草跨县调配不畅，由州专班统一协调。",
                          created_by_id=ctx["users"]["lx_coord"].id)
    db.session.add(group)
    db.session.flush()
    for problem in members:
        problem.common_problem_id = group.id
