"""Demo step 35: 清欠 cases driven through the real use cases — one over 2000万元 under the prefecture's 督办, one
repaying on plan, one behind plan (its warning opens), one closed on the creditor's confirmation, one complex."""

from datetime import date, timedelta
from decimal import Decimal

from services.actors import Actor
from services.arrears import cases
from services.db import utcnow
from services.timeutil import local_today

STEP_ORDER = 35
THRESHOLD = Decimal("2000")


def _month(first: date, offset: int) -> date:
    index = first.year * 12 + first.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def run(ctx: dict) -> None:
    users, find, regions = ctx["users"], ctx["find"], ctx["regions"]
    actor = {name: Actor.for_user(user) for name, user in users.items()}
    now = utcnow()
    this_month = local_today().replace(day=1)

    def period(offset: int) -> str:
        return _month(this_month, offset).strftime("%Y-%m")

    def paid(offset: int, day: int = 20) -> date:
        return min(_month(this_month, offset) + timedelta(days=day - 1), local_today())

    def new(who, creditor, days, **fields):
        return cases.file_case(actor=actor[who], creditor_enterprise_id=find(creditor).id, threshold=THRESHOLD,
                               now=now - timedelta(days=days), **fields)

    def plan(who, case, months, days):
        cases.apply_plan(actor=actor[who], case_id=case.id, expected_version=case.version, months=months,
                         now=now - timedelta(days=days))

    def repay(who, case, offset, amount, note):
        cases.apply_repayment(actor=actor[who], case_id=case.id, paid_on=paid(offset), amount_10k=Decimal(amount),
                              note=note, now=now - timedelta(days=max(0, -offset * 30 - 10)))

    # Over 2000万元: supervised by 临夏州 from the moment it is filed; repaying 250万元 a month, on plan
    # (this month's already paid, so the monthly table has figures from the first day of a month).
    big = new("liaison_ma", "临夏县清河源", 100, debtor_name="临夏县住房和城乡建设局", debtor_kind="government",
              debtor_region_id=regions["622921"].id, origin="县城污水管网改造工程（2019 年合同）设备及安装款",
              amount_10k=Decimal("2860.00"), disputed_10k=Decimal("360.00"))
    plan("lxx_coord", big, [{"period": period(m), "amount_10k": Decimal("250.00")} for m in range(-3, 7)], 95)
    for offset in (-3, -2, -1, 0):
        repay("lxx_coord", big, offset, "250.00", f"县财政国库集中支付，凭证号 GK{period(offset).replace('-', '')}01")

    # Repaying on plan: 百盛超市's school canteen supplies.
    school = new("ent_bs", "康乐县百盛超市", 70, debtor_name="康乐县第一中学", debtor_kind="institution",
                 debtor_region_id=regions["622922"].id, origin="2025 年秋季学期食堂物资供应货款",
                 amount_10k=Decimal("86.40"))
    plan("kl_coord", school, [{"period": period(m), "amount_10k": Decimal("21.60")} for m in range(-2, 2)], 65)
    repay("liaison_li", school, -2, "21.60", "学校对公转账，回单已拍照存档")
    repay("ent_bs", school, -1, "21.60", "学校对公转账")
    repay("liaison_li", school, 0, "10.80", "本月先付一半，余款月底前支付")

    # Behind plan: three months planned and ended, one paid — the scan keeps an orange warning open.
    late = new("lxx_coord", "临夏县俊林", 130, debtor_name="临夏州建设投资（集团）有限公司", debtor_kind="soe",
               debtor_region_id=regions["622900"].id, origin="厂房配套钢结构材料款",
               amount_10k=Decimal("420.00"), disputed_10k=Decimal("20.00"))
    plan("lxx_coord", late, [{"period": period(m), "amount_10k": Decimal("80.00")} for m in range(-3, 2)], 120)
    repay("lxx_coord", late, -3, "80.00", "首期款已到账")

    # Closed: paid in full, then confirmed by the liaison's 回访 call.
    done = new("liaison_ma", "临夏县清源", 160, debtor_name="临夏县农业农村局", debtor_kind="government",
               debtor_region_id=regions["622921"].id, origin="2025 年牛羊良种补贴项目代购款",
               amount_10k=Decimal("150.00"))
    plan("lxx_coord", done, [{"period": period(m), "amount_10k": Decimal("50.00")} for m in (-4, -3, -2)], 150)
    for offset in (-4, -3, -2):
        repay("lxx_coord", done, offset, "50.00", "县财政拨付")
    cases.apply_confirm(actor=actor["liaison_ma"], case_id=done.id, method="phone",
                        comment="电话回访企业负责人，确认款项已全部到账", now=now - timedelta(days=40))

    # Complex (a disputed settlement between two large enterprises): supervised though under the threshold.
    cases.file_case(actor=actor["lx_coord"], creditor_enterprise_id=find("永靖县燎原乳业").id, threshold=THRESHOLD,
                    debtor_name="甘肃某能源集团有限公司", debtor_kind="large_enterprise", origin="2024 年乳制品集采货款",
                    amount_10k=Decimal("960.00"), disputed_10k=Decimal("310.00"), complex=True,
                    now=now - timedelta(days=20))
