"""The bench data's rows as plain tuples: enterprises, and problems with the history the workflow would have
left (events, stints, a lead department's task, the visit a liaison raised it in).

Pure apart from the random generator it is given: no database. Proportions (shares of all problems):
pending 9 %, in_progress 27 %, awaiting_info 3 %, resolved 9 %, closed 45 % (a few after a reopening),
rejected 4 %, withdrawn 3 %; scope county 85 %, cross_county 12 %, provincial 3 %; about 3.3 events a problem; 15 % of
the accepted ones dispatched to a lead department."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from services.credit_code import complete

DAY = 86400.0
LOCAL_OFFSET = timedelta(hours=8)  # ledger numbers carry the local (Asia/Shanghai) year
NUMBER_PREFIX = "LX"  # as services/problems/commands.py

STATUS_SHARES = [("pending", 9), ("in_progress", 27), ("awaiting_info", 3), ("resolved", 9), ("closed", 45),
                 ("rejected", 4), ("withdrawn", 3)]
# Age of a problem of each status, in days (min, max): open ones are recent, settled ones up to two years old.
AGES = {"pending": (0.05, 8), "in_progress": (2, 90), "awaiting_info": (3, 60), "resolved": (5, 60),
        "closed": (15, 700), "rejected": (3, 700), "withdrawn": (2, 700)}
SCOPES = [("county", 85), ("cross_county", 12), ("provincial", 3)]
LEVELS = ("county", "prefecture", "province")
REQUIRED = {"county": 0, "cross_county": 1, "provincial": 2}
HANDLING_DAYS = {"county": 10, "prefecture": 20, "province": 30}  # working days, as services/problems/limits.py
URGENT_DAYS = {"county": 3, "prefecture": 7, "province": 15}
CATEGORIES = [("labor", 18), ("financing", 22), ("production", 14), ("supply", 10), ("sales", 12),
              ("logistics", 8), ("policy", 11), ("other", 5)]
TITLES = {
    "labor": ["熟练工招聘困难", "季节性用工缺口", "技术工人流失", "用工社保补贴申领"],
    "financing": ["流动资金贷款续贷困难", "担保贷款贴息申请", "应收账款回款慢", "设备融资租赁对接"],
    "production": ["关键设备故障停机", "生产用电增容", "用气价格上涨", "环保改造资金缺口"],
    "supply": ["原材料供应不足", "原料跨县调运受阻", "包装材料涨价", "进口零部件交付延迟"],
    "sales": ["产品进商超渠道不畅", "订单下滑", "电商平台入驻", "展会参展补贴"],
    "logistics": ["冷链车辆通行证办理", "货运车皮紧张", "物流成本上升", "仓储用地不足"],
    "policy": ["高新技术企业认定辅导", "惠企政策申报", "用地审批时间长", "出口认证需省级协调"],
    "other": ["厂区道路维修", "周边供水不稳定", "员工子女入学", "企业安全检查事项"],
}
ENTITY_TYPES = [("enterprise", 62), ("individual", 20), ("cooperative", 12), ("family_farm", 6)]
SCALES = [("large", 1), ("medium", 7), ("small", 32), ("micro", 60)]
OPERATING = [("halted", 5), ("partial", 15), ("resumed", 60), ("full_capacity", 20)]
INDUSTRIES = [("A", 16), ("B", 2), ("C", 26), ("D", 3), ("E", 6), ("F", 16), ("G", 5), ("H", 10), ("I", 4),
              ("L", 3), ("M", 2), ("N", 2), ("O", 2), ("R", 2), ("K", 1)]
TRADE = {"A": "农业科技", "B": "矿业", "C": "食品", "D": "新能源", "E": "建筑工程", "F": "商贸", "G": "物流",
         "H": "餐饮", "I": "信息技术", "K": "置业", "L": "商务服务", "M": "检测技术", "N": "生态旅游",
         "O": "家政服务", "R": "文化传媒"}
SUFFIX = {"enterprise": "有限公司", "individual": "经营部", "cooperative": "专业合作社", "family_farm": "家庭农场"}
WORDS = "华兴盛泰丰源恒信达利宏安祥瑞通鑫隆昌嘉和德金陇祁河州岷洮"
TAGS = [("key", 0.15), ("above_scale", 0.10), ("provincial_guarantee", 0.03), ("specialized", 0.05)]
RATINGS = [("satisfied", 70), ("basically_satisfied", 30)]
METHODS = [("phone", 45), ("on_site", 35), ("wechat", 15), ("online", 5)]

ENTERPRISE_COLUMNS = ("id", "name", "credit_code", "entity_type", "scale", "industry", "region_id", "address",
                      "latitude", "longitude", "contact_name", "contact_phone", "operating_status", "employees",
                      "registered_on", "created_at", "updated_at", "version")
PROBLEM_COLUMNS = ("id", "number", "enterprise_id", "source", "filer_id", "visit_id", "category", "title",
                   "description", "scope", "urgency", "level", "owning_region_id", "department_id", "status",
                   "status_before_info", "arrived_at", "acceptance_due_at", "due_at", "supervised", "reopen_count",
                   "resolution", "satisfaction", "closed_without_feedback", "reject_reason", "referred_to",
                   "accepted_at", "resolved_at", "closed_at", "rejected_at", "withdrawn_at", "info_requested_at",
                   "created_at", "updated_at", "version", "county_id", "prefecture_id", "province_id")
EVENT_COLUMNS = ("id", "problem_id", "actor_id", "action", "from_status", "to_status", "from_level", "to_level",
                 "comment", "internal", "data", "at")
STINT_COLUMNS = ("id", "problem_id", "region_id", "level", "arrived_at", "acceptance_due_at", "accepted_at",
                 "due_at", "left_at", "left_by", "paused_seconds")
TASK_COLUMNS = ("id", "problem_id", "department_id", "region_id", "role", "status", "instructions",
                "dispatched_by_id", "dispatched_at", "sign_due_at", "due_at", "signed_at", "signed_on_time",
                "reported_at", "result", "reopen_count", "created_at", "updated_at", "version")
VISIT_COLUMNS = ("id", "enterprise_id", "liaison_id", "method", "visited_at", "summary", "latitude", "longitude",
                 "accuracy_m", "location_check", "created_at", "updated_at", "version")


def ts(moment: datetime | None) -> str | None:
    """A naive-UTC timestamp as both databases take it in bulk."""
    return None if moment is None else moment.isoformat(" ", "microseconds")


class Picker:
    """Weighted choice from (value, weight) pairs, fast enough for millions of draws."""

    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))

    def __call__(self, rng: random.Random):
        return self.values[bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass
class County:
    """A county and who works there: its task forces up the line and its liaisons."""

    region_id: int
    code: str
    name: str
    prefecture_id: int
    province_id: int
    coordinators: dict[int, int]  # region id -> coordinator user id (county, prefecture, province)
    departments: dict[int, list[tuple[int, list[str]]]]  # region id -> [(department id, industries)]
    liaisons: list[int] = field(default_factory=list)
    turn: int = 0
    lat: float = 36.0
    lon: float = 103.8


@dataclass
class Firm:
    """What a problem needs to know about its enterprise."""

    id: int
    county: County
    liaison_id: int
    industry: str
    lat: float
    lon: float


def enterprise_rows(rng: random.Random, first_id: int, counties: list[County], county_indices: list[int],
                    now: datetime):
    """One enterprise per entry of `county_indices` (the county it sits in), ids from `first_id`:
    (enterprise rows, tag rows, firms); each firm gets the next of its county's liaisons in turn."""
    entity_pick, scale_pick, status_pick, industry_pick = (Picker(ENTITY_TYPES), Picker(SCALES), Picker(OPERATING),
                                                           Picker(INDUSTRIES))
    rows, tags, firms = [], [], []
    stamp = ts(now)
    for eid, index in enumerate(county_indices, first_id):
        county = counties[index]
        kind, scale, industry = entity_pick(rng), scale_pick(rng), industry_pick(rng)
        words = WORDS[rng.randrange(len(WORDS))] + WORDS[rng.randrange(len(WORDS))]
        name = f"{county.name}{words}{TRADE[industry]}{SUFFIX[kind]}"
        if kind == "enterprise" and rng.random() < 0.5:
            name = f"{county.name}{words}{TRADE[industry]}{eid % 1000:03d}号{SUFFIX[kind]}"
        kind_code = {"enterprise": "91", "individual": "92", "cooperative": "93", "family_farm": "92"}[kind]
        lat = county.lat + rng.uniform(-0.15, 0.15)
        lon = county.lon + rng.uniform(-0.15, 0.15)
        employees = {"large": 800, "medium": 150, "small": 30, "micro": 5}[scale]
        employees = max(1, int(employees * rng.uniform(0.4, 1.8)))
        registered = now.date() - timedelta(days=rng.randrange(200, 9000))
        rows.append((eid, name, complete(f"{kind_code}{county.code}{eid + 100_000_000:09d}"[:17]), kind, scale,
                     industry, county.region_id, f"{county.name}产业路 {eid % 997 + 1} 号", round(lat, 6),
                     round(lon, 6), f"联系人{eid % 10000:04d}", f"13{eid % 10}{(eid * 7919) % 100000000:08d}",
                     status_pick(rng), employees, registered.isoformat(), stamp, stamp, 1))
        for tag, share in TAGS:
            if rng.random() < share:
                tags.append((eid, tag))
        county.turn += 1
        firms.append(Firm(eid, county, county.liaisons[county.turn % len(county.liaisons)], industry, lat, lon))
    return rows, tags, firms


@dataclass
class Batch:
    """The rows of one chunk of problems."""

    problems: list = field(default_factory=list)
    events: list = field(default_factory=list)
    stints: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    visits: list = field(default_factory=list)


class ProblemMaker:
    """Problems one by one, with consecutive ids (events, stints, tasks, visits likewise) and ledger numbers
    that continue each local year's counter."""

    def __init__(self, rng: random.Random, firms: list[Firm], now: datetime, *, ids: dict[str, int],
                 counters: dict[int, int]):
        self.rng, self.firms, self.now = rng, firms, now
        self.ids = ids  # next id per table: problems, problem_events, problem_stints, tasks, visits
        self.counters = counters  # local year -> last ledger number taken
        weights = list(accumulate(rng.lognormvariate(0, 1) for _ in firms))
        self._firm_cum = weights
        self.status_pick, self.scope_pick, self.category_pick = (Picker(STATUS_SHARES), Picker(SCOPES),
                                                                 Picker(CATEGORIES))
        self.rating_pick, self.method_pick = Picker(RATINGS), Picker(METHODS)

    def _firm(self) -> Firm:
        return self.firms[bisect(self._firm_cum, self.rng.random() * self._firm_cum[-1])]

    def _take(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def draws(self, count: int) -> list[tuple[float, str]]:
        """(age in days, status) of `count` problems, oldest first, so ids and numbers follow filing order."""
        out = []
        for _ in range(count):
            status = self.status_pick(self.rng)
            low, high = AGES[status]
            out.append((self.rng.uniform(low, high), status))
        out.sort(key=lambda d: -d[0])
        return out

    def batch(self, draws: list[tuple[float, str]]) -> Batch:
        """The rows of these problems and of their history."""
        batch = Batch()
        for age, status in draws:
            self._one(batch, age, status)
        return batch

    def _one(self, batch: Batch, age: float, status: str) -> None:  # noqa: C901 - one problem's story, in order
        rng, now = self.rng, self.now
        firm = self._firm()
        county = firm.county
        pid = self._take("problems")
        created = now - timedelta(days=age)
        year = (created + LOCAL_OFFSET).year
        self.counters[year] = self.counters.get(year, 0) + 1
        number = f"{NUMBER_PREFIX}-{year}-{self.counters[year]:06d}"
        scope = self.scope_pick(rng)
        category = self.category_pick(rng)
        urgency = "urgent" if rng.random() < 0.12 else "normal"
        title = rng.choice(TITLES[category])
        liaison = firm.liaison_id
        from_liaison = rng.random() < 0.7
        filer = liaison if from_liaison else county.coordinators[county.region_id]
        holders = [county.region_id, county.prefecture_id, county.province_id]
        # How high it goes: to its required level, except a pending one may still be on its way up.
        target = REQUIRED[scope]
        if status == "pending" and target and rng.random() < 0.4:
            target -= 1
        budget = age * DAY * 0.9  # every step fits inside the problem's age
        steps = 2 + target + (3 if status == "closed" else 1)
        gap = budget / steps

        def later(t: datetime, typical: float) -> datetime:
            return t + timedelta(seconds=min(gap, typical * DAY) * rng.uniform(0.3, 1.0))

        events = batch.events
        first_event = len(events)
        stints = []

        def event(actor, action, before, after, at, comment=None, data="{}"):
            events.append((self._take("problem_events"), pid, actor, action, before[0], after[0], before[1],
                           after[1], comment, False, data, ts(at)))

        def stint(level_index, arrived):
            stints.append([self._take("problem_stints"), pid, holders[level_index], LEVELS[level_index],
                           arrived, arrived + timedelta(days=3), None, None, None, None, 0])

        event(filer, "create", (None, None), ("pending", "county"), created, title)
        stint(0, created)
        level, t, arrived = 0, created, created
        while level < target:
            t = later(t, 1.5)
            stints[-1][8], stints[-1][9] = t, "escalate"
            event(county.coordinators[holders[level]], "escalate", ("pending", LEVELS[level]),
                  ("pending", LEVELS[level + 1]), t, "需上级专班协调")
            level += 1
            arrived = t
            stint(level, t)
        holder_region = holders[level]
        holder = county.coordinators[holder_region]
        lvl = LEVELS[level]
        acceptance_due = arrived + timedelta(days=3)
        fields = dict(accepted_at=None, due_at=None, resolution=None, satisfaction=None, closed_without=False,
                      reject_reason=None, referred_to=None, resolved_at=None, closed_at=None, rejected_at=None,
                      withdrawn_at=None, info_requested_at=None, status_before_info=None, department_id=None,
                      reopen_count=0)
        final_status = status
        accepted = status in ("in_progress", "awaiting_info", "resolved", "closed") or (
            status == "withdrawn" and rng.random() < 0.4)
        task_rows = []
        if accepted:
            t = later(t, 1.2)
            days = (URGENT_DAYS if urgency == "urgent" else HANDLING_DAYS)[lvl] * 1.4
            fields["accepted_at"], fields["due_at"] = t, t + timedelta(days=days)
            event(holder, "accept", ("pending", lvl), ("in_progress", lvl), t, None,
                  f'{{"due_at": "{(fields["due_at"]).isoformat()}+00:00"}}')
            stints[-1][6], stints[-1][7] = t, fields["due_at"]
            if rng.random() < 0.15:
                departments = county.departments.get(holder_region) or []
                if departments:
                    matching = [d for d, industries in departments if firm.industry in industries]
                    dept = matching[0] if matching else departments[0][0]
                    t = later(t, 0.3)
                    task_rows.append([self._take("tasks"), pid, dept, holder_region, t, fields["due_at"]])
                    fields["department_id"] = dept
                    event(holder, "assign", ("in_progress", lvl), ("in_progress", lvl), t, "请牵头办理并按期反馈")
        if status == "awaiting_info":
            t = later(t, 2)
            fields["info_requested_at"], fields["status_before_info"] = t, "in_progress"
            event(holder, "request_info", ("in_progress", lvl), ("awaiting_info", lvl), t, "请补充相关证明材料")
        if status in ("resolved", "closed"):
            if status == "closed" and rng.random() < 0.06:  # unsatisfied once, worked again
                t = later(t, 5)
                event(holder, "resolve", ("in_progress", lvl), ("resolved", lvl), t, "已初步协调解决")
                t = later(t, 2)
                event(liaison, "feedback", ("resolved", lvl), ("in_progress", lvl), t, "企业反映问题仍未解决",
                      '{"rating": "unsatisfied", "method": "phone"}')
                fields["reopen_count"] = 1
            t = later(t, 6)
            fields["resolution"] = f"已协调相关部门解决：{title}"
            fields["resolved_at"] = t
            event(holder, "resolve", ("in_progress", lvl), ("resolved", lvl), t, fields["resolution"])
        if status == "closed":
            t = later(t, 4)
            if rng.random() < 0.8:
                rating = self.rating_pick(rng)
                fields["satisfaction"] = rating
                event(liaison, "feedback", ("resolved", lvl), ("closed", lvl), t, None,
                      f'{{"rating": "{rating}", "method": "phone"}}')
                left_by = "feedback"
            else:
                fields["closed_without"] = True
                event(holder, "close", ("resolved", lvl), ("closed", lvl), t, None)
                left_by = "close"
            fields["closed_at"] = t
            stints[-1][8], stints[-1][9] = t, left_by
        elif status == "rejected":
            t = later(t, 1.5)
            fields["reject_reason"] = "不属于本专班受理范围，已告知企业可通过其他渠道反映。"
            fields["referred_to"] = "12345 政务服务便民热线"
            fields["rejected_at"] = t
            event(holder, "reject", ("pending", lvl), ("rejected", lvl), t, fields["reject_reason"])
            stints[-1][8], stints[-1][9] = t, "reject"
        elif status == "withdrawn":
            t = later(t, 2)
            before = "in_progress" if accepted else "pending"
            fields["withdrawn_at"] = t
            event(filer, "withdraw", (before, lvl), ("withdrawn", lvl), t, "问题已由企业自行解决")
            stints[-1][8], stints[-1][9] = t, "withdraw"
        for task_id, _, dept, region, dispatched, due in task_rows:
            signed = reported = result = None
            task_status = "dispatched"
            settled = status in ("resolved", "closed")
            if settled or rng.random() < 0.6:
                signed = dispatched + timedelta(hours=rng.uniform(1, 40))
                signed = min(signed, fields["resolved_at"]) if settled else signed
                task_status = "signed" if signed <= now else task_status
                signed = signed if signed <= now else None
            if settled:  # reported between its signing and the problem's resolution
                reported, task_status = min(signed + timedelta(days=2), fields["resolved_at"]), "reported"
                result = "已按要求办结并反馈"
            batch.tasks.append((task_id, pid, dept, region, "lead", task_status, "请牵头办理并按期反馈", holder,
                                ts(dispatched), ts(dispatched + timedelta(days=1)), ts(due), ts(signed),
                                None if signed is None else signed <= dispatched + timedelta(days=1), ts(reported),
                                result, 0, ts(dispatched), ts(reported or signed or dispatched), 1))
        visit_id = None
        if from_liaison:
            visit_id = self._take("visits")
            method = self.method_pick(rng)
            at = created - timedelta(minutes=rng.uniform(5, 120))
            on_site = method == "on_site"
            batch.visits.append((visit_id, firm.id, liaison, method, ts(at), f"走访了解到：{title}",
                                 round(firm.lat + 0.0003, 6) if on_site else None,
                                 round(firm.lon + 0.0002, 6) if on_site else None,
                                 15.0 if on_site else None, "ok" if on_site else None, ts(at), ts(at), 1))
        for row in stints:
            batch.stints.append((row[0], row[1], row[2], row[3], ts(row[4]), ts(row[5]), ts(row[6]), ts(row[7]),
                                 ts(row[8]), row[9], row[10]))
        version = len(events) - first_event
        batch.problems.append((
            pid, number, firm.id, "liaison" if from_liaison else "coordinator", filer, visit_id, category, title,
            f"{firm.county.name}企业反映：{title}，请协调解决。", scope, urgency, lvl, holder_region,
            fields["department_id"], final_status, fields["status_before_info"], ts(arrived), ts(acceptance_due),
            ts(fields["due_at"]), False, fields["reopen_count"], fields["resolution"], fields["satisfaction"],
            fields["closed_without"], fields["reject_reason"], fields["referred_to"], ts(fields["accepted_at"]),
            ts(fields["resolved_at"]), ts(fields["closed_at"]), ts(fields["rejected_at"]), ts(fields["withdrawn_at"]),
            ts(fields["info_requested_at"]), ts(created), ts(t), version,
            firm.county.region_id, firm.county.prefecture_id, firm.county.province_id))
