"""Demo step 10: regions, departments, the calendar, ~40 enterprises, accounts and assignments."""

from datetime import date, timedelta

from services import passwords
from services.actors import Actor
from services.credit_code import complete
from services.db import db
from services.enterprises import set_tags
from services.models import Assignment, CalendarDay, Department, Enterprise, User
from services.reference import add_region

STEP_ORDER = 10
DEMO_PASSWORD = "Demo@2026"

REGIONS = [
    # code, name, level, parent code
    ("620000", "甘肃省", "province", None),
    ("622900", "临夏回族自治州", "prefecture", "620000"),
    ("622901", "临夏市", "county", "622900"),
    ("622921", "临夏县", "county", "622900"),
    ("622922", "康乐县", "county", "622900"),
    ("622923", "永靖县", "county", "622900"),
    ("622924", "广河县", "county", "622900"),
    ("622925", "和政县", "county", "622900"),
    ("622926", "东乡族自治县", "county", "622900"),
    ("622927", "积石山县", "county", "622900"),
    # 临夏经济开发区 has no GB/T 2260 code; 622971 is the code the prefecture uses for it.
    ("622971", "临夏经济开发区", "county", "622900"),
    ("620100", "兰州市", "prefecture", "620000"),
    ("620102", "城关区", "county", "620100"),
]

DEPARTMENTS = [
    # name, region code, industries
    ("甘肃省工业和信息化厅", "620000", ["B", "C", "D", "I"]),
    ("甘肃省商务厅", "620000", ["F", "H"]),
    ("临夏州工业和信息化局", "622900", ["B", "C", "D", "I"]),
    ("临夏州商务局", "622900", ["F", "H", "L"]),
    ("临夏州农业农村局", "622900", ["A"]),
    ("临夏州市场监督管理局", "622900", ["F", "O"]),
    ("临夏县工业和信息化局", "622921", ["C", "D"]),
    ("临夏县农业农村局", "622921", ["A"]),
    ("康乐县商务局", "622922", ["F", "H"]),
    ("康乐县农业农村局", "622922", ["A"]),
    ("兰州市工业和信息化局", "620100", ["C", "I"]),
    ("临夏州政府金融办", "622900", ["J"]),
    ("临夏州人力资源和社会保障局", "622900", []),
]

# name, county code, entity type, scale, industry, tags, status, employees
ENTERPRISES = [
    ("临夏县清河源清真食品有限公司", "622921", "enterprise", "medium", "C", ["key", "above_scale", "provincial_guarantee"], "resumed", 320),
    ("临夏县俊林农牧科技有限公司", "622921", "enterprise", "small", "A", ["key"], "partial", 85),
    ("临夏县清源食品有限公司", "622921", "enterprise", "small", "C", ["above_scale"], "full_capacity", 140),
    ("临夏县北塬农机专业合作社", "622921", "cooperative", "micro", "A", [], "resumed", 12),
    ("临夏县马家牛肉面馆", "622921", "individual", "micro", "H", [], "resumed", 6),
    ("临夏县莲花家庭农场", "622921", "family_farm", "micro", "A", [], "partial", 4),
    ("康乐县百盛超市有限公司", "622922", "enterprise", "small", "F", ["key"], "resumed", 60),
    ("康乐县康美现代农业科技有限公司", "622922", "enterprise", "medium", "A", ["key", "above_scale"], "resumed", 210),
    ("康乐县莲麓高原蜂业专业合作社", "622922", "cooperative", "micro", "A", [], "halted", 9),
    ("康乐县胭脂湖民宿", "622922", "individual", "micro", "H", [], "partial", 5),
    ("康乐县鸣鹿建材有限公司", "622922", "enterprise", "small", "C", [], "resumed", 48),
    ("临夏市客都超市有限公司", "622901", "enterprise", "small", "F", ["key"], "full_capacity", 95),
    ("临夏市八坊民族工艺品有限公司", "622901", "enterprise", "micro", "C", ["specialized"], "resumed", 22),
    ("临夏市河州牡丹文化传媒有限公司", "622901", "enterprise", "micro", "R", [], "partial", 15),
    ("临夏市花儿物流有限公司", "622901", "enterprise", "small", "G", [], "resumed", 70),
    ("临夏市东关砖雕工作室", "622901", "individual", "micro", "C", [], "resumed", 3),
    ("永靖县燎原乳业有限公司", "622923", "enterprise", "medium", "C", ["key", "above_scale", "provincial_guarantee"], "resumed", 410),
    ("永靖县刘家峡水电设备有限公司", "622923", "enterprise", "medium", "C", ["above_scale", "specialized"], "full_capacity", 260),
    ("永靖县黄河三峡旅游开发有限公司", "622923", "enterprise", "small", "N", ["key"], "partial", 130),
    ("永靖县盐锅峡百合种植家庭农场", "622923", "family_farm", "micro", "A", [], "resumed", 6),
    ("广河县安多投资有限责任公司", "622924", "enterprise", "large", "C", ["key", "above_scale", "provincial_guarantee"], "resumed", 1200),
    ("广河县三甲集皮毛市场有限公司", "622924", "enterprise", "small", "F", [], "partial", 75),
    ("广河县齐家文化农业专业合作社", "622924", "cooperative", "micro", "A", [], "resumed", 18),
    ("广河县阿力麻土清真食品厂", "622924", "individual", "micro", "C", [], "halted", 7),
    ("和政县松鸣岩旅游开发有限公司", "622925", "enterprise", "small", "N", ["key"], "partial", 88),
    ("和政县啤特果饮品有限公司", "622925", "enterprise", "small", "C", ["above_scale", "specialized"], "resumed", 150),
    ("和政县古动物化石文化有限公司", "622925", "enterprise", "micro", "R", [], "resumed", 20),
    ("和政县新营羊肚菌专业合作社", "622925", "cooperative", "micro", "A", [], "full_capacity", 25),
    ("东乡族自治县东乡手抓羊肉餐饮有限公司", "622926", "enterprise", "small", "H", ["key"], "resumed", 55),
    ("东乡族自治县布楞沟马铃薯专业合作社", "622926", "cooperative", "micro", "A", [], "resumed", 30),
    ("东乡族自治县锁南服装加工有限公司", "622926", "enterprise", "small", "C", [], "partial", 110),
    ("积石山县保安腰刀制作有限公司", "622927", "enterprise", "micro", "C", ["specialized"], "resumed", 26),
    ("积石山县大河家花椒专业合作社", "622927", "cooperative", "micro", "A", [], "resumed", 40),
    ("积石山县吹麻滩建筑工程有限公司", "622927", "enterprise", "small", "E", [], "halted", 65),
    ("临夏经济开发区华安生物制品有限公司", "622971", "enterprise", "medium", "C", ["key", "above_scale"], "full_capacity", 380),
    ("临夏经济开发区天河新能源科技有限公司", "622971", "enterprise", "small", "D", ["specialized"], "resumed", 90),
    ("临夏经济开发区丝路电商产业园有限公司", "622971", "enterprise", "small", "I", [], "resumed", 45),
    ("临夏经济开发区金鼎纺织有限公司", "622971", "enterprise", "medium", "C", ["above_scale"], "partial", 230),
    ("兰州城关区金城智造科技有限公司", "620102", "enterprise", "small", "I", ["specialized"], "resumed", 60),
    ("兰州城关区黄河之滨餐饮管理有限公司", "620102", "enterprise", "micro", "H", [], "resumed", 18),
]

ACCOUNTS = [
    # username, name, role, region code, department name, enterprise name prefix
    ("admin", "系统管理员", "admin", None, None, None),
    ("gs_coord", "省专班 王建国", "coordinator", "620000", "甘肃省工业和信息化厅", None),
    ("lx_coord", "州专班 马志强", "coordinator", "622900", "临夏州工业和信息化局", None),
    ("lz_coord", "兰州市专班 张丽", "coordinator", "620100", "兰州市工业和信息化局", None),
    ("lxx_coord", "临夏县专班 何军", "coordinator", "622921", "临夏县工业和信息化局", None),
    ("kl_coord", "康乐县专班 杨帆", "coordinator", "622922", "康乐县商务局", None),
    ("lx_viewer", "州督查 李明", "viewer", "622900", None, None),
    ("liaison_ma", "联络员 马小龙", "liaison", "622921", "临夏县工业和信息化局", None),
    ("liaison_li", "联络员 李娟", "liaison", "622922", "康乐县商务局", None),
    ("ent_qhy", "清河源 马海燕", "enterprise", None, None, "临夏县清河源"),
    ("ent_bs", "百盛超市 赵强", "enterprise", None, None, "康乐县百盛超市"),
    # 等保 separation of duties: the auditor reads the audit log, the admin does not.
    ("auditor", "安全审计员 周敏", "auditor", None, None, None),
    # 承办单位用户: one account per department; the department's region is the account's region.
    ("dept_lxx_gxj", "临夏县工信局 马文斌", "department", "622921", "临夏县工业和信息化局", None),
    ("dept_lx_jrb", "州金融办 韩雪", "department", "622900", "临夏州政府金融办", None),
    # 人社: sees the labor needs of 临夏州 and records placements (对接).
    ("dept_lx_rsj", "州人社局 马丽", "department", "622900", "临夏州人力资源和社会保障局", None),
]

# liaison username -> enterprise name prefixes
LIAISON_ASSIGNMENTS = {
    "liaison_ma": ["临夏县清河源", "临夏县俊林", "临夏县清源", "临夏县北塬"],
    "liaison_li": ["康乐县百盛超市", "康乐县康美", "康乐县莲麓"],
}
LEADER_ASSIGNMENTS = {"lx_viewer": ["永靖县燎原乳业", "广河县安多", "临夏县清河源"]}

# Statutory holidays and make-up working days (调休) of 2026, as published by the State Council.
CALENDAR_2026 = {
    "holidays": [
        ("2026-01-01", "2026-01-03", "元旦"), ("2026-02-15", "2026-02-23", "春节"),
        ("2026-04-04", "2026-04-06", "清明节"), ("2026-05-01", "2026-05-05", "劳动节"),
        ("2026-06-19", "2026-06-21", "端午节"), ("2026-09-25", "2026-09-27", "中秋节"),
        ("2026-10-01", "2026-10-07", "国庆节"),
    ],
    "workdays": [("2026-01-04", "元旦调休"), ("2026-02-14", "春节调休"), ("2026-02-28", "春节调休"),
                 ("2026-05-09", "劳动节调休"), ("2026-09-20", "国庆节调休"), ("2026-10-10", "国庆节调休")],
}


def _credit_code(index: int, region_code: str, entity_type: str) -> str:
    kind = {"enterprise": "91", "individual": "92", "cooperative": "93", "family_farm": "92"}[entity_type]
    body = f"{kind}{region_code}{index:09d}"  # 2 + 6 + 9 = 17 characters
    return complete(body)


def _phone(index: int) -> str:
    return f"139{(30930000 + index * 7919) % 100000000:08d}"


def run(ctx: dict) -> None:
    system = Actor.system("demo")
    regions = {}
    for code, name, level, parent in REGIONS:
        regions[code] = add_region(code=code, name=name, level=level, parent=regions.get(parent))
    departments = {}
    for name, code, industries in DEPARTMENTS:
        department = Department(name=name, region_id=regions[code].id, industries=industries)
        db.session.add(department)
        departments[name] = department
    db.session.flush()

    for start, end, note in CALENDAR_2026["holidays"]:
        day, last = date.fromisoformat(start), date.fromisoformat(end)
        while day <= last:
            db.session.add(CalendarDay(day=day, is_workday=False, note=note))
            day += timedelta(days=1)
    for day, note in CALENDAR_2026["workdays"]:
        db.session.add(CalendarDay(day=date.fromisoformat(day), is_workday=True, note=note))

    enterprises = {}
    for index, (name, code, entity_type, scale, industry, tags, status, employees) in enumerate(ENTERPRISES, 1):
        enterprise = Enterprise(
            name=name, credit_code=_credit_code(index, code, entity_type), entity_type=entity_type, scale=scale,
            industry=industry, region_id=regions[code].id, address=f"{regions[code].name}示范路 {index} 号",
            latitude=35.6 + index * 0.01, longitude=103.2 + index * 0.01, contact_name=f"联系人{index:02d}",
            contact_phone=_phone(index), operating_status=status, employees=employees,
            registered_on=date(2015 + index % 10, 1 + index % 12, 1 + index % 28),
        )
        db.session.add(enterprise)
        db.session.flush()
        set_tags(enterprise, tags, system, source="demo")
        enterprises[name] = enterprise

    def find(prefix):
        return next(e for n, e in enterprises.items() if n.startswith(prefix))

    hashed = passwords.hash_password(DEMO_PASSWORD)
    users = {}
    for username, name, role, region_code, department, enterprise_prefix in ACCOUNTS:
        user = User(
            username=username, name=name, role=role, password_hash=hashed,
            region_id=regions[region_code].id if region_code else None,
            department_id=departments[department].id if department else None,
            enterprise_id=find(enterprise_prefix).id if enterprise_prefix else None,
        )
        db.session.add(user)
        users[username] = user
    db.session.flush()

    started = date(2026, 1, 5)
    for username, prefixes in LIAISON_ASSIGNMENTS.items():
        for prefix in prefixes:
            db.session.add(Assignment(kind="liaison", user_id=users[username].id, enterprise_id=find(prefix).id,
                                      department_id=users[username].department_id, started_on=started))
    # History: an earlier assignment that has ended.
    db.session.add(Assignment(kind="liaison", user_id=users["liaison_ma"].id, enterprise_id=find("临夏县马家").id,
                              department_id=users["liaison_ma"].department_id, started_on=date(2025, 3, 1),
                              ended_on=date(2025, 12, 31)))
    for username, prefixes in LEADER_ASSIGNMENTS.items():
        for prefix in prefixes:
            db.session.add(Assignment(kind="leader", user_id=users[username].id, enterprise_id=find(prefix).id,
                                      started_on=started))
    ctx.update(regions=regions, departments=departments, enterprises=enterprises, users=users, find=find)
