"""Reading the ledger: scoped lists with filters, one problem with its visible timeline, exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased, selectinload

from services import audit
from services.actors import Actor, enterprise_clause, mask_phone, sees_full_contact, subtree_region_ids
from services.db import db, utcnow
from services.errors import NotFound
from services.filters import where_one_of
from services.models import Department, Enterprise, Problem, ProblemEvent, Region
from services.monitoring import OVERDUE_STATUSES
from services.problems.commands import roles_for
from services.problems.workflow import allowed_actions
from services.timeutil import day_bounds_utc, to_local


def _visible(actor: Actor):
    return enterprise_clause(actor, Problem.enterprise_id)


def list_problems(*, actor: Actor, status: str | list[str] | None = None, category: str | list[str] | None = None,
                  scope: str | list[str] | None = None, level: str | list[str] | None = None,
                  urgency: str | list[str] | None = None, region: int | None = None, enterprise: int | None = None,
                  overdue: bool | None = None, supervised: bool | None = None, q: str | None = None,
                  created_from: date | None = None, created_to: date | None = None,
                  now: datetime | None = None) -> Select:
    stmt = select(Problem).where(_visible(actor))
    for column, values in ((Problem.status, status), (Problem.category, category), (Problem.scope, scope),
                           (Problem.level, level), (Problem.urgency, urgency)):
        stmt = where_one_of(stmt, column, values)
    if region is not None:
        root = db.session.get(Region, region)
        stmt = stmt.where(Problem.owning_region_id.in_(subtree_region_ids(root.path)) if root else False)
    if enterprise is not None:
        stmt = stmt.where(Problem.enterprise_id == enterprise)
    if overdue is not None:
        late = Problem.status.in_(OVERDUE_STATUSES) & Problem.due_at.is_not(None) & (Problem.due_at < (now or utcnow()))
        stmt = stmt.where(late if overdue else ~late)
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
    if db.session.scalar(select(Enterprise.id).where(Enterprise.id == enterprise_id, enterprise_clause(actor))) is None:
        raise NotFound("企业不存在")
    return list_problems(actor=actor, enterprise=enterprise_id, **filters)


def get_problem_or_raise(*, actor: Actor, problem_id: int) -> Problem:
    problem = db.session.scalar(select(Problem).where(Problem.id == problem_id, _visible(actor))
                                .options(selectinload(Problem.events).selectinload(ProblemEvent.actor)))
    if problem is None:
        raise NotFound("问题不存在")
    return present(actor, problem, with_events=True)


def present(actor: Actor, problem: Problem, *, with_events: bool = False, now: datetime | None = None) -> Problem:
    """Attach what the caller may do now and the part of the timeline it may read."""
    problem.allowed_actions = allowed_actions(roles_for(actor, problem), problem, now or utcnow())
    if with_events:
        problem.visible_events = [e for e in problem.events if not (e.internal and actor.role == "enterprise")]
    return problem


# --- exports ------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "台账编号", "企业名称", "统一社会信用代码", "所属县区", "联系人", "联系电话", "来源", "问题类别", "问题标题",
    "问题描述", "问题范围", "紧急程度", "当前层级", "承办专班", "承办单位", "状态", "是否督办", "退回重办次数",
    "满意度", "办理结果", "登记时间", "受理时间", "办结时间", "销号时间", "不予受理时间", "撤回时间", "办理期限",
    "用时（天）",
]


def export_rows(*, actor: Actor, labels: dict, fmt: str, **filters) -> Iterator[list]:
    """Rows of the ledger export, streamed from the database in batches; audited once."""
    audit.record(actor, "problem.exported", "problem", None, {"format": fmt, "filters": filters})
    db.session.commit()
    ids = list_problems(actor=actor, **filters).with_only_columns(Problem.id).order_by(None).subquery()
    county = aliased(Region)
    owner = aliased(Region)
    stmt = (select(Problem, Enterprise.name, Enterprise.credit_code, Enterprise.contact_name, Enterprise.contact_phone,
                   county.name, owner.name, Department.name)
            .join(Enterprise, Enterprise.id == Problem.enterprise_id)
            .join(county, county.id == Enterprise.region_id)
            .join(owner, owner.id == Problem.owning_region_id)
            .outerjoin(Department, Department.id == Problem.department_id)
            .where(Problem.id.in_(select(ids.c.id)))
            .order_by(Problem.id.desc())
            .execution_options(yield_per=500))
    full_contact = sees_full_contact(actor)

    def when(value):
        return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""

    for p, name, code, contact, phone, county_name, owner_name, department in db.session.execute(stmt):
        end = p.closed_at or p.rejected_at or p.withdrawn_at
        days = round(((end or utcnow()) - p.created_at) / timedelta(days=1), 1)
        yield [
            p.number, name, code, county_name, contact, phone if full_contact else mask_phone(phone),
            labels["problem_source"][p.source], labels["problem_category"][p.category], p.title, p.description,
            labels["problem_scope"][p.scope], labels["urgency"][p.urgency], labels["problem_level"][p.level],
            owner_name, department or "", labels["problem_status"][p.status], "是" if p.supervised else "否",
            p.reopen_count, labels["satisfaction"].get(p.satisfaction or "", ""), p.resolution or "",
            when(p.created_at), when(p.accepted_at), when(p.resolved_at), when(p.closed_at), when(p.rejected_at),
            when(p.withdrawn_at), when(p.due_at), days,
        ]
    db.session.rollback()
