"""Reading the ledger: scoped lists with filters, one problem with its visible timeline, exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, or_, select, true
from sqlalchemy.orm import aliased, selectinload

from services import audit
from services.actors import Actor, enterprise_clause, problem_clause, sees_full_contact, subtree_region_ids
from services.masking import mask_phone
from services.db import db, unit_of_work, utcnow
from services.errors import NotFound
from services.exports import columns, headers
from services.filters import where_one_of
from services.models import Department, Enterprise, Problem, ProblemEvent, ProblemStint, Region, Task
from services.models.problems import OPEN
from services.models.tasks import ASSIST, LEAD
from services.problems import scope, stints
from services.problems.relations import roles_for
from services.problems.deadlines import WorkingCalendar
from services.problems.workflow import allowed_actions
from services.tasks import workflow as task_workflow
from services.tasks.queries import roles_for as task_roles_for
from services.timeutil import day_bounds_utc, to_local
from services.roles import Role
from services.paging import paginate, split_paging
from services import sorts


def _visible(actor: Actor, enterprise_id: int | None = None):
    return problem_clause(actor, enterprise_id=enterprise_id)


def list_problems(*, actor: Actor, status: str | list[str] | None = None, category: str | list[str] | None = None,
                  scope: str | list[str] | None = None, level: str | list[str] | None = None,
                  urgency: str | list[str] | None = None, region: int | None = None, enterprise: int | None = None,
                  overdue: bool | None = None, supervised: bool | None = None, q: str | None = None,
                  created_from: date | None = None, created_to: date | None = None,
                  now: datetime | None = None) -> Select:
    """Query of the problems the actor may see, filtered by status, category, region, overdue, text…."""
    stmt = select(Problem).where(_visible(actor, enterprise))
    for column, values in ((Problem.status, status), (Problem.category, category), (Problem.scope, scope),
                           (Problem.level, level), (Problem.urgency, urgency)):
        stmt = where_one_of(stmt, column, values)
    root = db.session.get(Region, region) if region is not None else None
    held_by = subtree_region_ids(root.path) if root is not None else None
    if region is not None and root is None:
        stmt = stmt.where(False)
    if overdue:
        # On the record of the task forces of `region` (else of any): an open problem one of whose
        # stints there passed a deadline, even if it has since moved on to another task force.
        stmt = stmt.where(Problem.status.in_(OPEN), stints.has_overdue_stint(now or utcnow(), region_ids=held_by))
    else:
        if held_by is not None:
            stmt = stmt.where(Problem.owning_region_id.in_(held_by))
        if overdue is False:
            stmt = stmt.where(~(Problem.status.in_(OPEN) & stints.has_overdue_stint(now or utcnow())))
    if enterprise is not None:
        stmt = stmt.where(Problem.enterprise_id == enterprise)
    if supervised is not None:
        stmt = stmt.where(Problem.supervised.is_(supervised))
    if q:
        stmt = stmt.where(or_(Problem.title.contains(q, autoescape=True), Problem.description.contains(q, autoescape=True),
                              Problem.number == q.upper()))
    if created_from is not None:
        stmt = stmt.where(Problem.created_at >= day_bounds_utc(created_from)[0])
    if created_to is not None:
        stmt = stmt.where(Problem.created_at < day_bounds_utc(created_to)[1])
    return stmt


def enterprise_problems(*, actor: Actor, enterprise_id: int, **filters) -> Select:
    """Query of one enterprise's problems, filtered as list_problems.
    Raises NotFound (enterprise out of scope)."""
    if db.session.scalar(select(Enterprise.id).where(Enterprise.id == enterprise_id, enterprise_clause(actor))) is None:
        raise NotFound("企业不存在")
    return list_problems(actor=actor, enterprise=enterprise_id, **filters)


# What a problem's page shows beside the row: its timeline with the actors, its stints with their regions.
# The enterprise's tags are not on a problem's page: not loaded.
WITH_TIMELINE = (selectinload(Problem.events).selectinload(ProblemEvent.actor),
                 selectinload(Problem.stints).selectinload(ProblemStint.region),
                 selectinload(Problem.tasks),
                 selectinload(Problem.enterprise).lazyload(Enterprise.tag_rows))


def _name_of(model, key_column, label: str):
    """The name of the row `key_column` points at, as a correlated subquery: evaluated for the page's rows
    only (one primary-key lookup each), it leaves the plan of the page's own walk unchanged."""
    return select(model.name).where(model.id == key_column).scalar_subquery().label(label)


# What a list row shows (ProblemSummarySchema), selected as columns: the page is rows, not ORM objects (no
# identity map, no relationship loading), dumped by api/serializers/rows.py. Every sort key of sorts.PROBLEMS is
# among them (the cursor is made from the last row). The table's own Column objects, not the mapped
# attributes: they are the same objects in every request's statement, so the cached result map is reused as
# it is instead of being matched column by column against each new statement.
_PROBLEMS = Problem.__table__.c
LIST_COLUMNS = (
    _PROBLEMS.id, _PROBLEMS.number, _PROBLEMS.enterprise_id,
    _name_of(Enterprise, Problem.enterprise_id, "enterprise_name"),
    _PROBLEMS.source, _PROBLEMS.category, _PROBLEMS.title, _PROBLEMS.scope, _PROBLEMS.urgency, _PROBLEMS.level,
    _PROBLEMS.owning_region_id, _name_of(Region, Problem.owning_region_id, "owning_region_name"),
    _PROBLEMS.department_id, _name_of(Department, Problem.department_id, "department_name"),
    _PROBLEMS.status, _PROBLEMS.due_at, _PROBLEMS.supervised, _PROBLEMS.reopen_count, _PROBLEMS.accepted_at,
    _PROBLEMS.resolved_at, _PROBLEMS.closed_at, _PROBLEMS.version, _PROBLEMS.created_at, _PROBLEMS.updated_at,
)


def as_seen_by(actor: Actor, problem: Problem, *, now: datetime | None = None) -> Problem:
    """Attach what the caller may do now (allowed_actions) and the part of the timeline it may read."""
    problem.allowed_actions = allowed_actions(roles_for(actor, problem), problem, now or utcnow())
    problem.visible_events = [e for e in problem.events if _may_read(actor, e)]
    present_tasks(actor, problem)
    return problem


def _may_read(actor: Actor, event: ProblemEvent) -> bool:
    """Internal notes are the staff's: never the enterprise's, and a department reads only its own."""
    if not event.internal:
        return True
    if actor.role == Role.ENTERPRISE:
        return False
    if actor.role == Role.DEPARTMENT:
        return event.actor is not None and event.actor.role == Role.DEPARTMENT and \
            event.actor.department_id == actor.department_id
    return True


def present_tasks(actor: Actor, problem: Problem) -> None:
    """Each task on the problem's page with what the caller may do to it now (the holder: recall)."""
    for task in problem.tasks:
        task.allowed_actions = task_workflow.allowed_actions(task_roles_for(actor, task, problem), task, problem.status)


# --- exports ------------------------------------------------------------------------------------

EXPORT_COLUMNS = columns(
    "台账编号", "企业名称", ("统一社会信用代码", "code"), "所属县区", "联系人", ("联系电话", "code"), "来源", "问题类别",
    "问题标题", "问题描述", "问题范围", "紧急程度", "当前层级", "承办专班", "承办单位", "状态", "是否督办",
    ("退回重办次数", "int"), "满意度", "办理结果", ("登记时间", "datetime"), ("受理时间", "datetime"),
    ("办结时间", "datetime"), ("销号时间", "datetime"), ("不予受理时间", "datetime"), ("撤回时间", "datetime"),
    ("办理期限", "datetime"), ("用时（天）", "number"),
    ("用时（工作日）", "int"), "是否超期", "超期专班", ("受理期限", "datetime"), ("督办期限", "datetime"),
    ("延期申请次数", "int"), ("延期获批次数", "int"), ("待审批延期至", "datetime"), "未评价直接销号", "转交机关",
    ("办理段", "text"), "主办单位", "主办任务状态", ("主办反馈时间", "datetime"), "协办单位",
)
EXPORT_HEADERS = headers(EXPORT_COLUMNS)
STINT_COLUMNS = columns(
    "台账编号", "专班", "层级", ("到达时间", "datetime"), ("受理期限", "datetime"), ("受理时间", "datetime"),
    ("办理期限", "datetime"), ("离开时间", "datetime"), "离开方式", ("暂停（小时）", "number"), "是否超期",
)
# A reopened problem is back in progress: its old 办结时间 is not its current state.
SHOWS_RESOLUTION = ("resolved", "closed")


def _export_ids(actor: Actor, filters: dict):
    return select(list_problems(actor=actor, **filters).with_only_columns(Problem.id).order_by(None).subquery().c.id)


def _stints_stream(ids) -> Iterator[tuple[ProblemStint, str]]:
    """Every stint of the exported problems with its region's name, newest problem first (as the rows)."""
    stmt = (select(ProblemStint, Region.name).join(Region, Region.id == ProblemStint.region_id)
            .where(ProblemStint.problem_id.in_(ids))
            .order_by(ProblemStint.problem_id.desc(), ProblemStint.id)
            .execution_options(yield_per=1000))
    yield from db.session.execute(stmt)


def _grouped(stream: Iterator[tuple[ProblemStint, str]]):
    """(problem id, [(stint, region name)]) from a stream ordered by problem id descending."""
    group, key = [], None
    for stint, name in stream:
        if key is not None and stint.problem_id != key:
            yield key, group
            group = []
        key = stint.problem_id
        group.append((stint, name))
    if key is not None:
        yield key, group


def _when(value) -> str:
    return to_local(value).strftime("%m-%d %H:%M") if value else "—"


def _stint_text(stint: ProblemStint, name: str, late: bool, labels: dict) -> str:
    parts = [f"{name}（{labels['problem_level'].get(stint.level, stint.level)}）到达 {_when(stint.arrived_at)}"]
    if stint.accepted_at:
        parts.append(f"受理 {_when(stint.accepted_at)}")
    if stint.due_at:
        parts.append(f"期限 {_when(stint.due_at)}")
    if stint.left_at:
        parts.append(f"{labels['problem_action'].get(stint.left_by or '', stint.left_by or '离开')} {_when(stint.left_at)}")
    if late:
        parts.append("超期")
    return "，".join(parts)


def export_rows(*, actor: Actor, labels: dict, fmt: str, now: datetime | None = None, **filters) -> Iterator[list]:
    """Rows of the ledger export, streamed from the database in batches; audited once."""
    with unit_of_work():
        audit.record(actor, "problem.exported", "problem", None, {"format": fmt, "filters": filters})
    now = now or utcnow()
    ids = _export_ids(actor, filters)
    county = aliased(Region)
    owner = aliased(Region)
    requested = (select(func.count(ProblemEvent.id)).where(ProblemEvent.problem_id == Problem.id,
                                                           ProblemEvent.action == "request_extension")
                 .correlate(Problem).scalar_subquery())
    approved = (select(func.count(ProblemEvent.id)).where(
        ProblemEvent.problem_id == Problem.id, ProblemEvent.action == "decide_extension",
        ProblemEvent.data["approve"].as_boolean() == true()).correlate(Problem).scalar_subquery())
    # The newest lead task (派单) and its department; the assisting departments of the live dispatch.
    lead = aliased(Task)
    lead_department = aliased(Department)
    newest_lead = (select(func.max(Task.id)).where(Task.problem_id == Problem.id, Task.role == LEAD)
                   .correlate(Problem).scalar_subquery())
    stmt = (select(Problem, Enterprise.name, Enterprise.credit_code, Enterprise.contact_name, Enterprise.contact_phone,
                   county.name, owner.name, Department.name, requested, approved, lead_department.name, lead.status,
                   lead.reported_at)
            .join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .join(county, county.id == Enterprise.region_id)
            .join(owner, owner.id == Problem.owning_region_id)
            .outerjoin(Department, Department.id == Problem.department_id)
            .outerjoin(lead, lead.id == newest_lead)
            .outerjoin(lead_department, lead_department.id == lead.department_id)
            .where(Problem.id.in_(ids))
            .order_by(Problem.id.desc())
            .execution_options(yield_per=500))
    full_contact = sees_full_contact(actor)
    calendar = WorkingCalendar()
    groups = _grouped(_stints_stream(ids))
    pending_group = next(groups, None)

    assists = _assisting_departments(ids)
    for (p, name, code, contact, phone, county_name, owner_name, department, asked, granted, lead_name, lead_status,
         lead_reported_at) in db.session.execute(stmt):
        held: list = []
        while pending_group is not None and pending_group[0] >= p.id:
            if pending_group[0] == p.id:
                held = pending_group[1]
            pending_group = next(groups, None)
        late = [(s, n, stints.is_overdue(s, p, now)) for s, n in held]
        accepted = max((s.accepted_at for s, _ in held if s.accepted_at), default=p.accepted_at)
        end = p.closed_at or p.rejected_at or p.withdrawn_at
        resolved_at = p.resolved_at if p.status in SHOWS_RESOLUTION else None
        yield [
            p.number, name, code, county_name, contact, phone if full_contact else mask_phone(phone),
            labels["problem_source"][p.source], labels["problem_category"][p.category], p.title, p.description,
            labels["problem_scope"][p.scope], labels["urgency"][p.urgency], labels["problem_level"][p.level],
            owner_name, department or "", labels["problem_status"][p.status], "是" if p.supervised else "否",
            p.reopen_count, labels["satisfaction"].get(p.satisfaction or "", ""), p.resolution or "",
            p.created_at, accepted, resolved_at, p.closed_at, p.rejected_at, p.withdrawn_at, p.due_at,
            round(((end or now) - p.created_at) / timedelta(days=1), 1),
            calendar.between(p.created_at, end or now),
            "是" if any(flag for _, _, flag in late) else "否",
            "、".join(dict.fromkeys(n for _, n, flag in late if flag)),
            p.acceptance_due_at if p.status == "pending" else None,
            p.supervision_deadline if p.supervised else None,
            int(asked or 0), int(granted or 0), p.extension_due_at,
            "是" if p.closed_without_feedback else "否", p.referred_to or "",
            "；".join(_stint_text(s, n, flag, labels) for s, n, flag in late),
            lead_name or "", labels["task_status"].get(lead_status, "") if lead_status else "", lead_reported_at,
            "、".join(assists.get(p.id, [])),
        ]
    db.session.rollback()


def _assisting_departments(ids) -> dict[int, list[str]]:
    """Problem id → the names of its assisting departments still on the work (not refused or recalled)."""
    rows = db.session.execute(select(Task.problem_id, Department.name).join(Department, Department.id == Task.department_id)
                              .where(Task.problem_id.in_(ids), Task.role == ASSIST,
                                     Task.status.not_in(("refused", "recalled"))).order_by(Task.id))
    found: dict[int, list[str]] = {}
    for problem_id, name in rows:
        found.setdefault(problem_id, []).append(name)
    return found


def export_stint_rows(*, actor: Actor, labels: dict, now: datetime | None = None, **filters) -> Iterator[list]:
    """The 办理段 sheet: one row per stint of the exported problems, real times."""
    now = now or utcnow()
    stmt = (select(ProblemStint, Problem, Region.name)
            .join(Problem, Problem.id == ProblemStint.problem_id)
            .join(Region, Region.id == ProblemStint.region_id)
            .where(ProblemStint.problem_id.in_(_export_ids(actor, filters)))
            .order_by(ProblemStint.problem_id.desc(), ProblemStint.id)
            .execution_options(yield_per=1000))
    for stint, problem, name in db.session.execute(stmt):
        yield [problem.number, name, labels["problem_level"].get(stint.level, stint.level), stint.arrived_at,
               stint.acceptance_due_at, stint.accepted_at, stint.due_at, stint.left_at,
               labels["problem_action"].get(stint.left_by, "") if stint.left_by else "",
               round((stint.paused_seconds or 0) / 3600, 1), "是" if stints.is_overdue(stint, problem, now) else "否"]
    db.session.rollback()


def problem_page(*, actor: Actor, **args) -> dict:
    """One page of the ledger in scope (list_problems' filters plus paging); `total` from the kept counts when
    they answer the filters (scope.problem_total), else counted. Raises ValidationFailed (bad cursor)."""
    filters, paging = split_paging(args)
    total = scope.problem_total(actor, filters) if paging.get("count") else None
    if total is not None:
        paging["count"] = False
    page = paginate(list_problems(actor=actor, **filters), sorts=sorts.PROBLEMS, columns=LIST_COLUMNS, **paging)
    if total is not None:
        page["total"] = total
    return page


def enterprise_problem_page(*, actor: Actor, enterprise_id: int, **args) -> dict:
    """One page of an enterprise's problems; the path names the enterprise, so an `enterprise` filter is ignored.
    Raises NotFound (out of scope), ValidationFailed (bad cursor)."""
    args.pop("enterprise", None)
    filters, paging = split_paging(args)
    return paginate(enterprise_problems(actor=actor, enterprise_id=enterprise_id, **filters), sorts=sorts.PROBLEMS,
                    columns=LIST_COLUMNS, **paging)
