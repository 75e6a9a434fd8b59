"""Demo step 55: departments at work — tasks of 临夏县工业和信息化局 (dept_lxx_gxj) and 临夏州政府金融办
(dept_lx_jrb) in every task status, driven through the real dispatch and task actions."""

from datetime import timedelta

from sqlalchemy import select

from services.actors import Actor
from services.db import db, utcnow
from services.models import Problem, Task
from services.problems.commands import apply_action, file_problem
from services.tasks.commands import apply_task_action

STEP_ORDER = 55


def run(ctx: dict) -> None:
    users, find, departments = ctx["users"], ctx["find"], ctx["departments"]
    actor = {name: Actor.for_user(user) for name, user in users.items()}
    now = utcnow()
    gxj, jrb = departments["临夏县工业和信息化局"], departments["临夏州政府金融办"]
    nyj = departments["临夏县农业农村局"]

    def ago(days: float):
        return now - timedelta(days=days)

    def do(who, problem, action, days, **payload):
        apply_action(actor=actor[who], problem_id=problem.id, action=action, payload=payload, now=ago(days))

    def task(who, problem, department, action, days, **payload):
        found = db.session.scalar(select(Task).where(Task.problem_id == problem.id, Task.department_id == department.id)
                                  .order_by(Task.id.desc()))
        apply_task_action(actor=actor[who], task_id=found.id, action=action, payload=payload, now=ago(days))

    def county(enterprise, category, title, description, days):
        p = file_problem(actor=actor["liaison_ma"], enterprise_id=find(enterprise).id, category=category, title=title,
                         description=description, now=ago(days))
        do("lxx_coord", p, "accept", days - 0.1)
        return p

    def prefecture(enterprise, category, title, description, days):
        p = file_problem(actor=actor["liaison_ma"], enterprise_id=find(enterprise).id, category=category, title=title,
                         description=description, scope="cross_county", now=ago(days))
        do("lxx_coord", p, "escalate", days - 0.1, reason="涉及跨县协调，提请州专班")
        do("lx_coord", p, "accept", days - 0.2)
        return p

    def dispatch(who, problem, lead, days, assists=(), instructions=""):
        do(who, problem, "assign", days, department_id=lead.id, assist_department_ids=[d.id for d in assists],
           instructions=instructions)

    # 临夏县 dispatches to its 工信局 (主办) and 农业农村局 (协办).
    p = county("临夏县清河源", "production", "冷库扩建用电报装进度慢", "新建 2000 吨冷库需 630 千伏安报装，供电所排期长。", 0.5)
    dispatch("lxx_coord", p, gxj, 0.3, [nyj], "请三个工作日内对接供电公司，提出报装方案")            # dispatched

    p = db.session.scalar(select(Problem).where(Problem.title == "饲料加工设备故障停机"))
    dispatch("lxx_coord", p, gxj, 20, instructions="协调设备厂家加快维修")
    task("dept_lxx_gxj", p, gxj, "sign", 19.8)
    task("dept_lxx_gxj", p, gxj, "progress", 10, note="已联系厂家，配件在途")                   # signed, overdue

    p = county("临夏县俊林", "policy", "技改项目申报辅导", "企业拟申报省级技改专项，需要申报辅导。", 4)
    dispatch("lxx_coord", p, gxj, 3.9)
    task("dept_lxx_gxj", p, gxj, "refuse", 3.5, reason="省级技改专项由州工信局组织申报，请改派州工信局")  # refused

    p = county("临夏县清源", "production", "清真食品生产线自动化改造", "企业计划改造包装线，需要技术和资金支持。", 8)
    dispatch("lxx_coord", p, gxj, 7.9, [nyj])
    task("dept_lxx_gxj", p, gxj, "sign", 7.5)
    task("dept_lxx_gxj", p, gxj, "progress", 5, note="已组织专家现场诊断")
    task("dept_lxx_gxj", p, gxj, "report", 1, result="已对接省工信厅专家完成改造方案，企业申报技改补助 60 万元")  # reported

    p = county("临夏县北塬农机", "logistics", "农机配件仓储用地", "合作社需要 3 亩仓储用地。", 6)
    dispatch("lxx_coord", p, gxj, 5.9)
    do("lxx_coord", p, "comment", 5.1, text="用地问题应由自然资源局办理，撤回工信局任务", internal=True)
    task("lxx_coord", p, gxj, "recall", 5, reason="用地问题改由自然资源部门办理")                # recalled

    p = county("临夏县清河源", "supply", "包装材料本地供应不足", "纸箱依赖外地采购，成本高。", 20)
    dispatch("lxx_coord", p, gxj, 19.9)
    task("dept_lxx_gxj", p, gxj, "sign", 19.5)
    task("dept_lxx_gxj", p, gxj, "report", 12, result="已对接州内两家纸箱厂签订供货意向")
    do("lxx_coord", p, "resolve", 11)
    do("liaison_ma", p, "feedback", 9, rating="unsatisfied", comment="纸箱厂产能不足，仍需外购", method="phone")  # reopened

    # 临夏州 dispatches to its 金融办 (主办) and to county departments (协办).
    p = prefecture("临夏县清河源", "financing", "跨县收购原料的流动资金缺口", "旺季收购活畜需流动资金 800 万元。", 3)
    dispatch("lx_coord", p, jrb, 2.5, instructions="组织银行开展银企对接")                     # dispatched, sign overdue

    p = prefecture("临夏县俊林", "financing", "养殖贷款担保额度不足", "州担保公司额度已用满，需扩大担保。", 10)
    dispatch("lx_coord", p, jrb, 9.8)
    task("dept_lx_jrb", p, jrb, "sign", 9.7)
    task("dept_lx_jrb", p, jrb, "progress", 4, note="已与州融资担保公司商定追加额度")           # signed

    p = prefecture("临夏县清源", "financing", "设备融资租赁利率偏高", "融资租赁年化利率 9%，企业难以承受。", 7)
    dispatch("lx_coord", p, jrb, 6.8)
    task("dept_lx_jrb", p, jrb, "refuse", 6.5, reason="融资租赁利率属市场行为，请由工信部门对接贴息政策")  # refused

    p = prefecture("临夏县北塬农机", "financing", "农机购置贷款贴息", "合作社申请农机购置贷款贴息。", 14)
    dispatch("lx_coord", p, jrb, 13.8, [gxj], "金融办主办贴息，县工信局协助核实购置清单")
    task("dept_lx_jrb", p, jrb, "sign", 13.5)
    task("dept_lx_jrb", p, jrb, "report", 6, result="已协调农商银行发放贴息贷款 120 万元")
    do("lx_coord", p, "resolve", 5)                  # 金融办 reported; 临夏县工信局's assist task superseded

    p = prefecture("临夏县俊林", "financing", "应收账款质押融资", "企业有 300 万元应收账款，希望质押融资。", 9)
    dispatch("lx_coord", p, jrb, 8.8)
    task("lx_coord", p, jrb, "recall", 8, reason="企业已自行与银行达成融资")                      # recalled

    p = prefecture("临夏县清河源", "financing", "出口信用保险保费补贴", "企业出口订单需投保出口信用保险。", 25)
    dispatch("lx_coord", p, jrb, 24.8)
    task("dept_lx_jrb", p, jrb, "sign", 24.5)
    task("dept_lx_jrb", p, jrb, "report", 15, result="已协调保费补贴 50%")
    do("lx_coord", p, "resolve", 14)
    do("ent_qhy", p, "feedback", 12, rating="unsatisfied", comment="补贴资金尚未拨付")           # reopened

    p = prefecture("临夏县清源", "production", "跨县供电线路改造", "企业专线跨两个县，改造需州级协调。", 12)
    dispatch("lx_coord", p, gxj, 11.8, [jrb], "县工信局主办，州金融办协助落实改造贷款")
    task("dept_lxx_gxj", p, gxj, "sign", 11.5)
    task("dept_lxx_gxj", p, gxj, "report", 3, result="供电公司已完成线路改造设计")
    do("lx_coord", p, "resolve", 2)                  # 金融办's assist task superseded
