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
from services.models import Department, Enterprise, Problem, ProblemEvent, ProblemStint, Region
from services.models.problems import OPEN_STATUSES
from services.problems import stints
from services.problems.commands import roles_for
from services.problems.workflow import allowed_actions
from services.timeutil import day_bounds_utc, to_local


def _visible(actor: Actor):
    return enterprise_clause(actor, Problem.enterprise_id)


def list_problems(*, actor: Actor, status: str | None = None, category: str | None = None, scope: str | None = None,
                  level: str | None = None, region: int | None = None, enterprise: int | None = None,
                  overdue: bool | None = None, supervised: bool | None = None, q: str | None = None,
                  created_from: date | None = None, created_to: date | None = None,
                  now: datetime | None = None) -> Select:
    stmt = select(Problem).where(_visible(actor))
    if status:
        stmt = stmt.where(Problem.status == status)
    if category:
        stmt = stmt.where(Problem.category == category)
    if scope:
        stmt = stmt.where(Problem.scope == scope)
    if level:
        stmt = stmt.where(Problem.level == level)
    root = db.session.get(Region, region) if region is not None else None
    held_by = subtree_region_ids(root.path) if root is not None else None
    if region is not None and root is None:
        stmt = stmt.where(False)
    if overdue:
        # On the record of the task forces of `region` (else of any): an open problem one of whose
        # stints there passed a deadline, even if it has since moved on to another task force.
        stmt = stmt.where(Problem.status.in_(OPEN_STATUSES), stints.has_overdue_stint(now or utcnow(), region_ids=held_by))
    else:
        if held_by is not None:
            stmt = stmt.where(Problem.owning_region_id.in_(held_by))
        if overdue is False:
            stmt = stmt.where(~(Problem.status.in_(OPEN_STATUSES) & stints.has_overdue_stint(now or utcnow())))
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
    if db.session.scalar(select(Enterprise.id).where(Enterprise.id == enterprise_id, enterprise_clause(actor))) is None:
        raise NotFound("企业不存在")
    return list_problems(actor=actor, enterprise=enterprise_id, **filters)


def get_problem_or_raise(*, actor: Actor, problem_id: int) -> Problem:
    problem = db.session.scalar(select(Problem).where(Problem.id == problem_id, _visible(actor))
                                .options(selectinload(Problem.events).selectinload(ProblemEvent.actor),
                                         selectinload(Problem.stints).selectinload(ProblemStint.region)))
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
