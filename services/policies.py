"""不来即享: support policies with structured criteria, matched to enterprises and to typed-in facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, exists, or_, select, true

from services import audit, notifications
from services.actors import Actor, enterprise_clause, subtree_region_ids
from services.db import db, unit_of_work, utcnow
from services.errors import Forbidden, NotFound, ValidationFailed, VersionMismatch
from services.filters import where_one_of
from services.labels import ENUM_LABELS
from services.models import Enterprise, EnterpriseTag, Policy, Region, User
from services.timeutil import local_today
from services.roles import Role

EDITOR_LEVELS = ("prefecture", "province")


@dataclass
class Facts:
    entity_type: str
    scale: str
    industry: str
    region_path: str
    employees: int | None = None
    tags: list[str] = field(default_factory=list)


def _names(kind: str, values) -> str:
    return "、".join(ENUM_LABELS[kind].get(v, v) for v in values)


def evaluate(facts: Facts, criteria: dict, region_paths: dict[int, str]) -> tuple[list[str], list[str]]:
    """(reasons met, criteria failed), each in Chinese, for every criterion the policy states. Pure."""
    met, failed = [], []

    def check(ok: bool, yes: str, no: str):
        (met if ok else failed).append(yes if ok else no)

    if criteria.get("entity_types"):
        check(facts.entity_type in criteria["entity_types"], f"主体类型为{_names('entity_type', [facts.entity_type])}",
              f"主体类型须为{_names('entity_type', criteria['entity_types'])}")
    if criteria.get("scales"):
        check(facts.scale in criteria["scales"], f"企业规模为{_names('scale', [facts.scale])}",
              f"企业规模须为{_names('scale', criteria['scales'])}")
    if criteria.get("industries"):
        check(facts.industry in criteria["industries"], f"所属行业为{_names('industry', [facts.industry])}",
              f"所属行业须为{_names('industry', criteria['industries'])}")
    if criteria.get("region_ids"):
        inside = any(facts.region_path.startswith(region_paths.get(r, "\0")) for r in criteria["region_ids"])
        check(inside, "注册地在政策适用区域内", "注册地不在政策适用区域内")
    if criteria.get("tags_any"):
        check(bool(set(facts.tags) & set(criteria["tags_any"])), "具备" + _names("tag", sorted(set(facts.tags) & set(criteria["tags_any"]))),
              f"须为{_names('tag', criteria['tags_any'])}之一")
    low, high = criteria.get("min_employees"), criteria.get("max_employees")
    if low is not None or high is not None:
        bounds = f"{low if low is not None else 0}–{high if high is not None else '不限'} 人"
        if facts.employees is None:
            failed.append(f"从业人数须在 {bounds}（未提供）")
        else:
            ok = (low is None or facts.employees >= low) and (high is None or facts.employees <= high)
            check(ok, f"从业人数 {facts.employees} 人，在 {bounds} 范围内", f"从业人数须在 {bounds}")
    return met, failed


def in_force(policy: Policy, today: date) -> bool:
    return (policy.valid_from is None or policy.valid_from <= today) and (policy.valid_to is None or today <= policy.valid_to)


def _policies_in_force(today: date) -> list[Policy]:
    stmt = select(Policy).where(or_(Policy.valid_from.is_(None), Policy.valid_from <= today),
                                or_(Policy.valid_to.is_(None), Policy.valid_to >= today)).order_by(Policy.id)
    return list(db.session.scalars(stmt))


def _region_paths(policies: list[Policy]) -> dict[int, str]:
    ids = {r for p in policies for r in (p.criteria or {}).get("region_ids", [])}
    return {row.id: row.path for row in db.session.execute(select(Region.id, Region.path).where(Region.id.in_(ids)))} if ids else {}


def match(facts: Facts) -> dict:
    """Every policy in force the facts meet (with reasons) and the near misses (exactly one failure)."""
    policies = _policies_in_force(local_today())
    paths = _region_paths(policies)
    matched, near = [], []
    for policy in policies:
        met, failed = evaluate(facts, policy.criteria or {}, paths)
        if not failed:
            matched.append({"policy": policy, "reasons": met or ["该政策无限制条件"]})
        elif len(failed) == 1:
            near.append({"policy": policy, "failed": failed[0]})
    return {"matched": matched, "near_misses": near}


def facts_of(enterprise: Enterprise) -> Facts:
    return Facts(entity_type=enterprise.entity_type, scale=enterprise.scale, industry=enterprise.industry,
                 region_path=enterprise.region.path, employees=enterprise.employees, tags=enterprise.tags)


def match_enterprise(*, actor: Actor, enterprise_id: int) -> dict:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_clause(actor)))
    if enterprise is None:
        raise NotFound("企业不存在")
    return match(facts_of(enterprise))


def match_facts(*, entity_type: str, scale: str, industry: str, region_id: int, employees: int | None = None,
                tags: list[str] | None = None) -> dict:
    region = db.session.get(Region, region_id)
    if region is None:
        raise ValidationFailed("区划不存在", field="region_id")
    return match(Facts(entity_type=entity_type, scale=scale, industry=industry, region_path=region.path,
                       employees=employees, tags=tags or []))


# --- administration ---------------------------------------------------------------------------------

def _require_editor(actor: Actor) -> None:
    if not (actor.is_admin or (actor.role == Role.COORDINATOR and actor.region_level in EDITOR_LEVELS)):
        raise Forbidden("只有管理员或州、省专班可以发布政策")


def check_criteria(criteria: dict) -> dict:
    low, high = criteria.get("min_employees"), criteria.get("max_employees")
    if low is not None and high is not None and low > high:
        raise ValidationFailed("从业人数下限不能大于上限", field="criteria.min_employees")
    for region_id in criteria.get("region_ids", []):
        if db.session.get(Region, region_id) is None:
            raise ValidationFailed("区划不存在", field="criteria.region_ids")
    return {k: v for k, v in criteria.items() if v not in (None, [])}


def criteria_clause(criteria: dict):
    """The same criteria as SQL over enterprises, for notifying every match at once."""
    clauses = [Enterprise.deregistered_on.is_(None)]
    if criteria.get("entity_types"):
        clauses.append(Enterprise.entity_type.in_(criteria["entity_types"]))
    if criteria.get("scales"):
        clauses.append(Enterprise.scale.in_(criteria["scales"]))
    if criteria.get("industries"):
        clauses.append(Enterprise.industry.in_(criteria["industries"]))
    if criteria.get("region_ids"):
        paths = list(db.session.scalars(select(Region.path).where(Region.id.in_(criteria["region_ids"]))))
        clauses.append(or_(*[Enterprise.region_id.in_(subtree_region_ids(p)) for p in paths]))
    if criteria.get("tags_any"):
        clauses.append(exists().where(EnterpriseTag.enterprise_id == Enterprise.id,
                                      EnterpriseTag.tag.in_(criteria["tags_any"])))
    if criteria.get("min_employees") is not None:
        clauses.append(Enterprise.employees >= criteria["min_employees"])
    if criteria.get("max_employees") is not None:
        clauses.append(Enterprise.employees <= criteria["max_employees"])
    return and_(true(), *clauses)


def _publish(actor: Actor, policy: Policy) -> int:
    """送政策上门: notify the users of every enterprise the policy matches (one query, one insert batch)."""
    policy.published_at = utcnow()
    users = db.session.scalars(select(User.id).join(Enterprise, Enterprise.id == User.enterprise_id).where(
        User.role == Role.ENTERPRISE, User.is_active.is_(True), criteria_clause(policy.criteria or {})))
    return notifications.notify(users, kind="policy.matched", title=f"您可申请惠企政策：{policy.title}",
                                body=policy.summary[:200], object_type="policy", object_id=policy.id,
                                exclude=actor.user_id)


def list_policies(*, actor: Actor | None, benefit_type: str | list[str] | None = None,
                  in_force_only: bool | None = None) -> Select:
    """Without an account (actor None, the 不来即享 form) only the policies in force are listed."""
    if actor is None:
        in_force_only = True
    stmt = select(Policy)
    stmt = where_one_of(stmt, Policy.benefit_type, benefit_type)
    if in_force_only:
        today = local_today()
        stmt = stmt.where(or_(Policy.valid_from.is_(None), Policy.valid_from <= today),
                          or_(Policy.valid_to.is_(None), Policy.valid_to >= today))
    return stmt


def get_policy_or_raise(policy_id: int) -> Policy:
    policy = db.session.get(Policy, policy_id)
    if policy is None:
        raise NotFound("政策不存在")
    return policy


def _check_dates(policy: Policy) -> None:
    if policy.valid_from and policy.valid_to and policy.valid_to < policy.valid_from:
        raise ValidationFailed("截止日期不能早于起始日期", field="valid_to")


@unit_of_work()
def create_policy(*, actor: Actor, criteria: dict | None = None, **fields) -> Policy:
    _require_editor(actor)
    policy = Policy(criteria=check_criteria(criteria or {}), created_by_id=actor.user_id, **fields)
    _check_dates(policy)
    db.session.add(policy)
    db.session.flush()
    notified = _publish(actor, policy) if in_force(policy, local_today()) else 0
    audit.record(actor, "policy.created", "policy", policy.id, {"title": policy.title, "notified": notified})
    return policy


@unit_of_work()
def update_policy(*, actor: Actor, policy_id: int, expected_version: int, changes: dict) -> Policy:
    _require_editor(actor)
    policy = get_policy_or_raise(policy_id)
    if policy.version != expected_version:
        raise VersionMismatch()
    was_in_force = in_force(policy, local_today())
    if "criteria" in changes:
        changes["criteria"] = check_criteria(changes["criteria"] or {})
    for key, value in changes.items():
        setattr(policy, key, value)
    _check_dates(policy)
    notified = 0
    if not was_in_force and in_force(policy, local_today()):
        notified = _publish(actor, policy)
    audit.record(actor, "policy.updated", "policy", policy.id, {"fields": sorted(changes), "notified": notified})
    return policy
