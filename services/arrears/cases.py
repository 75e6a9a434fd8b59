"""Use cases of the arrears ledger (清欠台账): filing, correcting, the repayment plan, repayments, the creditor's
confirmation (销号), automatic supervision (督办) and the scoped reads."""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.orm.attributes import flag_modified

from services import audit, notifications
from services.actors import Actor, enterprise_clause, is_assigned_liaison, region_in_scope, subtree_region_ids
from services.arrears import workflow
from services.arrears.scope import case_clause, roles_for
from services import sorts
from services.paging import paged
from services.db import db, unit_of_work, utcnow
from services.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed, VersionMismatch
from services.filters import where_one_of
from services.models import ArrearsCase, ArrearsEvent, ArrearsPlanMonth, ArrearsRepayment, Enterprise, Region
from services.models.arrears import ZERO
from services.roles import Role
from services.timeutil import local_today

DEFAULT_THRESHOLD_10K = Decimal("2000")
EDITABLE = ("debtor_name", "debtor_kind", "debtor_region_id", "origin", "amount_10k", "disputed_10k", "complex")
AMOUNT_FIELDS = ("amount_10k", "disputed_10k")


def money(value: Decimal) -> str:
    """An amount as a person reads it: two decimals, no exponent."""
    return f"{Decimal(value):.2f}"


# --- reads ---------------------------------------------------------------------------------------------------


def list_cases(*, actor: Actor, region: int | None = None, status: str | list[str] | None = None,
               supervised: bool | None = None, debtor_kind: str | list[str] | None = None, q: str | None = None,
               creditor: int | None = None) -> Select:
    """The arrears cases in the caller's scope, with the list's filters (a query, not yet run)."""
    stmt = select(ArrearsCase).where(case_clause(actor))
    stmt = where_one_of(stmt, ArrearsCase.status, status)
    stmt = where_one_of(stmt, ArrearsCase.debtor_kind, debtor_kind)
    if supervised is not None:
        stmt = stmt.where(ArrearsCase.supervised.is_(supervised))
    if creditor is not None:
        stmt = stmt.where(ArrearsCase.creditor_enterprise_id == creditor)
    if region is not None:
        root = db.session.get(Region, region)
        if root is None:
            return stmt.where(False)
        stmt = stmt.where(ArrearsCase.region_id.in_(subtree_region_ids(root.path)))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(ArrearsCase.debtor_name.like(like), ArrearsCase.origin.like(like),
                              ArrearsCase.creditor_enterprise_id.in_(
                                  select(Enterprise.id).where(Enterprise.name.like(like)))))
    return stmt


def get_case(*, actor: Actor, case_id: int) -> ArrearsCase | None:
    """The case if the caller may see it, else None."""
    return db.session.scalar(select(ArrearsCase).where(ArrearsCase.id == case_id, case_clause(actor)))


def get_case_or_raise(*, actor: Actor, case_id: int) -> ArrearsCase:
    """The case as the caller sees it, with the actions it may take. Raises NotFound (out of scope)."""
    case = get_case(actor=actor, case_id=case_id)
    if case is None:
        raise NotFound("清欠案件不存在")
    case.allowed_actions = allowed_actions(actor, case)
    return case


def allowed_actions(actor: Actor, case: ArrearsCase) -> list[str]:
    """The actions the caller may take on the case now."""
    return workflow.allowed_actions(roles_for(actor, case), case.status)


# --- helpers -------------------------------------------------------------------------------------------------


def _event(case: ArrearsCase, actor: Actor | None, action: str, *, before: str | None, comment: str | None = None,
           data: dict | None = None, at: datetime) -> None:
    db.session.add(ArrearsEvent(case_id=case.id, actor_id=actor.user_id if actor else None, action=action,
                                from_status=before, to_status=case.status, comment=comment, data=data or {}, at=at))


def _touch(case: ArrearsCase, now: datetime) -> None:
    case.updated_at = now
    flag_modified(case, "updated_at")  # every change bumps the version, so ETags see new events too


def _prefecture_of(region: Region) -> Region:
    """The prefecture task force above a county (a prefecture or province supervises itself)."""
    current = region
    while current is not None and current.level == "county":
        current = db.session.get(Region, current.parent_id) if current.parent_id else None
    return current or region


def _party_users(case: ArrearsCase) -> list[int]:
    return [*notifications.enterprise_users(case.creditor_enterprise_id),
            *notifications.enterprise_liaisons(case.creditor_enterprise_id)]


def _title(case: ArrearsCase) -> str:
    return f"{case.debtor_name} 欠 {case.creditor.name}"


def supervise_if_due(case: ArrearsCase, *, threshold: Decimal, now: datetime, actor: Actor | None = None) -> bool:
    """挂牌督办 by the prefecture task force once the remaining undisputed amount is over the threshold or the
    case is flagged complex; it stays supervised until closed. Runs inside the writer's transaction."""
    if case.supervised or case.status == "closed":
        return False
    over = case.remaining_10k > threshold
    if not (over or case.complex):
        return False
    prefecture = _prefecture_of(case.region)
    case.supervised, case.supervised_at, case.supervising_region_id = True, now, prefecture.id
    reason = (f"剩余无分歧金额 {money(case.remaining_10k)} 万元，超过 {money(threshold)} 万元" if over
              else "疑难复杂案件")
    _event(case, None, "supervise", before=case.status, comment=f"自动纳入{prefecture.name}专班挂牌督办：{reason}",
           data={"reason": "amount" if over else "complex", "threshold_10k": money(threshold),
                 "remaining_10k": money(case.remaining_10k), "supervising_region_id": prefecture.id}, at=now)
    users = [*notifications.task_force_users(prefecture.id), *notifications.task_force_users(case.region_id)]
    notifications.notify(users, kind="arrears.supervised", title=f"清欠案件挂牌督办：{_title(case)}", body=reason,
                         object_type="arrears_case", object_id=case.id,
                         exclude=actor.user_id if actor else None)
    audit.record(actor or Actor.system("arrears"), "arrears.supervised", "arrears_case", case.id,
                 {"supervising_region_id": prefecture.id, "reason": "amount" if over else "complex"})
    return True


def _check_amounts(amount: Decimal, disputed: Decimal, repaid: Decimal = ZERO) -> None:
    if disputed > amount:
        raise ValidationFailed("有分歧金额不能超过欠款金额", field="disputed_10k")
    if amount - disputed < repaid:
        raise ValidationFailed(f"无分歧金额不能少于已清偿的 {money(repaid)} 万元", field="disputed_10k")


def _check_debtor_region(region_id: int | None) -> None:
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise ValidationFailed("债务人所在区划不存在", field="debtor_region_id")


def _may_flag_complex(actor: Actor, case_region: Region) -> bool:
    return actor.role == Role.COORDINATOR and region_in_scope(actor, case_region)


# --- filing --------------------------------------------------------------------------------------------------


def file_case(*, actor: Actor, creditor_enterprise_id: int, debtor_name: str, debtor_kind: str, amount_10k: Decimal,
                disputed_10k: Decimal = ZERO, origin: str = "", debtor_region_id: int | None = None,
                complex: bool = False, threshold: Decimal = DEFAULT_THRESHOLD_10K,
                now: datetime | None = None) -> ArrearsCase:
    """File a case (no commit): by the creditor's own user, one of its liaisons, or a coordinator whose region
    holds it. Raises NotFound (creditor out of scope), Forbidden (not one of those), ValidationFailed (amounts)."""
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == creditor_enterprise_id,
                                                            enterprise_clause(actor)))
    if enterprise is None:
        raise NotFound("企业不存在", errors={"creditor_enterprise_id": ["企业不存在"]})
    region = db.session.get(Region, enterprise.region_id)
    own = actor.role == Role.ENTERPRISE and actor.enterprise_id == enterprise.id
    liaison = actor.role == Role.LIAISON and is_assigned_liaison(actor, enterprise.id)
    coordinator = actor.role == Role.COORDINATOR and region_in_scope(actor, region)
    if not (own or liaison or coordinator):
        raise Forbidden("无权为该企业登记清欠案件")
    if complex and not coordinator:
        raise Forbidden("只有专班协调员可以认定疑难复杂案件")
    _check_amounts(amount_10k, disputed_10k)
    _check_debtor_region(debtor_region_id)
    now = now or utcnow()
    case = ArrearsCase(creditor_enterprise_id=enterprise.id, filer_id=actor.user_id, debtor_name=debtor_name,
                       debtor_kind=debtor_kind, debtor_region_id=debtor_region_id, origin=origin,
                       amount_10k=amount_10k, disputed_10k=disputed_10k, repaid_10k=ZERO, region_id=region.id,
                       status="open", complex=complex, created_at=now, updated_at=now)
    db.session.add(case)
    db.session.flush()
    _event(case, actor, "create", before=None, comment=f"{debtor_name} 欠款 {money(amount_10k)} 万元",
           data={"amount_10k": money(amount_10k), "disputed_10k": money(disputed_10k)}, at=now)
    notifications.notify(notifications.task_force_users(region.id), kind="arrears.filed",
                         title=f"新清欠案件：{_title(case)}", body=f"无分歧金额 {money(case.undisputed_10k)} 万元",
                         object_type="arrears_case", object_id=case.id, exclude=actor.user_id)
    audit.record(actor, "arrears.created", "arrears_case", case.id,
                 {"creditor_enterprise_id": enterprise.id, "amount_10k": money(amount_10k),
                  "disputed_10k": money(disputed_10k), "debtor_kind": debtor_kind})
    supervise_if_due(case, threshold=threshold, now=now, actor=actor)
    return case


# --- actions -------------------------------------------------------------------------------------------------


def _load_for(actor: Actor, case_id: int, action: str, expected_version: int | None) -> ArrearsCase:
    """The case, row-locked (a racing writer waits, then sees what the winner left): 404 out of sight, 403 not
    this caller's to take, 412 stale, 409 not in this status."""
    case = db.session.scalar(select(ArrearsCase).where(ArrearsCase.id == case_id, case_clause(actor))
                             .with_for_update().execution_options(populate_existing=True))
    if case is None:
        raise NotFound("清欠案件不存在")
    roles = roles_for(actor, case)
    if not workflow.role_may(action, roles):
        raise Forbidden("无权对该清欠案件执行此操作")
    if expected_version is not None and expected_version != case.version:
        raise VersionMismatch()
    reason = workflow.blocked_reason(action, case.status)
    if reason:
        raise InvalidTransition(reason, extra={"current_status": case.status,
                                               "allowed_actions": workflow.allowed_actions(roles, case.status)})
    return case


def _one_update(use_case):
    """A use case's changes reach the database in one flush at its end (_finish): one UPDATE of the case, one
    version step, however many reads it makes on the way."""
    @functools.wraps(use_case)
    def run(**kw):
        with db.session.no_autoflush:
            return use_case(**kw)
    return run


def _drop_plan(case: ArrearsCase) -> None:
    """Delete the plan's months before any new one is written (the (case, period) key is unique)."""
    db.session.execute(delete(ArrearsPlanMonth).where(ArrearsPlanMonth.case_id == case.id))
    db.session.expire(case, ["plan"])


def _finish(case: ArrearsCase, now: datetime) -> ArrearsCase:
    from services import monitoring  # monitoring's rules read the arrears models: imported late, one way

    monitoring.on_arrears_changed(case, now=now)
    return case


@_one_update
def apply_update(*, actor: Actor, case_id: int, expected_version: int, threshold: Decimal = DEFAULT_THRESHOLD_10K,
                now: datetime | None = None, **changes) -> ArrearsCase:
    """Correct the debtor, origin or amounts (a coordinator in scope, or the filer) while open or repaying.
    A changed undisputed amount voids the plan: it no longer adds up, and a new one is needed.
    Raises Forbidden (the complex flag is a coordinator's), besides what _load_for raises."""
    case = _load_for(actor, case_id, "update", expected_version)
    now = now or utcnow()
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    if "complex" in changes and changes["complex"] != case.complex and not _may_flag_complex(actor, case.region):
        raise Forbidden("只有专班协调员可以认定疑难复杂案件")
    if "debtor_region_id" in changes:
        _check_debtor_region(changes["debtor_region_id"])
    amount = changes.get("amount_10k", case.amount_10k)
    disputed = changes.get("disputed_10k", case.disputed_10k)
    _check_amounts(amount, disputed, case.repaid_10k)
    before, old_undisputed = case.status, case.undisputed_10k
    changed = [k for k, v in changes.items() if getattr(case, k) != v]
    for key in changed:
        setattr(case, key, changes[key])
    data: dict = {"changed": changed}
    if case.undisputed_10k != old_undisputed:
        data.update(undisputed_from=money(old_undisputed), undisputed_to=money(case.undisputed_10k))
        if case.plan:
            _drop_plan(case)
            data["plan_discarded"] = True
        if case.undisputed_10k > 0 and case.remaining_10k == 0:
            case.status, case.cleared_at = "cleared", case.cleared_at or now
        elif not case.plan:
            case.status = "open"
    _touch(case, now)
    _event(case, actor, "update", before=before, data=data, at=now,
           comment="还款计划与无分歧金额不再相符，已作废，请重新制定" if data.get("plan_discarded") else None)
    audit.record(actor, "arrears.updated", "arrears_case", case.id, {"changed": changed})
    supervise_if_due(case, threshold=threshold, now=now, actor=actor)
    return _finish(case, now)


@_one_update
def apply_plan(*, actor: Actor, case_id: int, months: list[dict], expected_version: int,
             now: datetime | None = None) -> ArrearsCase:
    """倒排清偿计划: replace the plan; its months must add up to the undisputed amount exactly (else 422 that names
    the difference). Raises ValidationFailed (months that do not add up), besides what _load_for raises."""
    case = _load_for(actor, case_id, "plan", expected_version)
    now = now or utcnow()
    periods = [m["period"] for m in months]
    duplicates = sorted({p for p in periods if periods.count(p) > 1})
    if duplicates:
        raise ValidationFailed(f"月份重复：{'、'.join(duplicates)}", field="months")
    if not months or any(m["amount_10k"] <= 0 for m in months):
        raise ValidationFailed("每月计划还款金额须大于 0", field="months")
    total = sum((m["amount_10k"] for m in months), ZERO)
    difference = total - case.undisputed_10k
    if difference != 0:
        side = "多" if difference > 0 else "少"
        detail = (f"还款计划合计 {money(total)} 万元，比无分歧金额 {money(case.undisputed_10k)} 万元"
                  f"{side} {money(abs(difference))} 万元")
        raise ValidationFailed(detail, errors={"months": [detail]},
                               extra={"planned_10k": money(total), "undisputed_10k": money(case.undisputed_10k),
                                      "difference_10k": money(difference)})
    before = case.status
    _drop_plan(case)
    case.plan.extend(ArrearsPlanMonth(period=m["period"], amount_10k=m["amount_10k"])
                     for m in sorted(months, key=lambda m: m["period"]))
    case.status = workflow.status_after_repayment("repaying", case.remaining_10k, True)
    _touch(case, now)
    summary = [{"period": m.period, "amount_10k": money(m.amount_10k)} for m in case.plan]
    _event(case, actor, "plan", before=before, comment=f"{len(summary)} 个月，合计 {money(total)} 万元",
           data={"months": summary}, at=now)
    notifications.notify(_party_users(case), kind="arrears.planned", title=f"清欠还款计划已制定：{_title(case)}",
                         body=f"{summary[0]['period']} 至 {summary[-1]['period']}，合计 {money(total)} 万元",
                         object_type="arrears_case", object_id=case.id, exclude=actor.user_id)
    audit.record(actor, "arrears.planned", "arrears_case", case.id, {"months": summary})
    return _finish(case, now)


@_one_update
def apply_repayment(*, actor: Actor, case_id: int, paid_on: date, amount_10k: Decimal, note: str = "",
                     expected_version: int | None = None, now: datetime | None = None) -> ArrearsCase:
    """A repayment (date, amount, evidence): by a coordinator in scope, the creditor or its liaison.
    Raises ValidationFailed (amount or date), besides what _load_for raises."""
    case = _load_for(actor, case_id, "repay", expected_version)
    now = now or utcnow()
    if paid_on > local_today():
        raise ValidationFailed("还款日期不能晚于今天", field="paid_on")
    if amount_10k <= 0:
        raise ValidationFailed("还款金额须大于 0", field="amount_10k")
    if amount_10k > case.remaining_10k:
        raise ValidationFailed(f"还款金额超过剩余无分歧金额 {money(case.remaining_10k)} 万元", field="amount_10k")
    before = case.status
    db.session.add(ArrearsRepayment(case_id=case.id, paid_on=paid_on, amount_10k=amount_10k, note=note,
                                    recorded_by_id=actor.user_id, created_at=now))
    case.repaid_10k = case.repaid_10k + amount_10k
    case.status = workflow.status_after_repayment(case.status, case.remaining_10k, bool(case.plan))
    if case.status == "cleared":
        case.cleared_at = now
    _touch(case, now)
    _event(case, actor, "repay", before=before, comment=note or None, at=now,
           data={"paid_on": paid_on.isoformat(), "amount_10k": money(amount_10k),
                 "remaining_10k": money(case.remaining_10k)})
    if case.status == "cleared":
        notifications.notify(_party_users(case), kind="arrears.cleared", title=f"欠款已清偿，请确认销号：{_title(case)}",
                             body=f"已清偿 {money(case.repaid_10k)} 万元", object_type="arrears_case",
                             object_id=case.id, exclude=actor.user_id)
    elif actor.role != Role.COORDINATOR:
        notifications.notify(notifications.task_force_users(case.region_id), kind="arrears.repaid",
                             title=f"清欠还款登记：{_title(case)}", body=f"{money(amount_10k)} 万元",
                             object_type="arrears_case", object_id=case.id, exclude=actor.user_id)
    audit.record(actor, "arrears.repaid", "arrears_case", case.id,
                 {"paid_on": paid_on.isoformat(), "amount_10k": money(amount_10k), "status": case.status})
    return _finish(case, now)


@_one_update
def apply_confirm(*, actor: Actor, case_id: int, method: str | None = None, comment: str | None = None,
            expected_version: int | None = None, now: datetime | None = None) -> ArrearsCase:
    """销号: the creditor confirms it has been paid — its own user, or its liaison recording a 回访 (phone or
    visit). The only way a case is closed; supervision ends with it. Raises ValidationFailed (no 回访 method),
    besides what _load_for raises (NotFound, Forbidden, VersionMismatch, InvalidTransition)."""
    case = _load_for(actor, case_id, "confirm", expected_version)
    now = now or utcnow()
    if actor.role == Role.ENTERPRISE:
        method = "self"
    elif method not in ("phone", "visit"):
        raise ValidationFailed("联络员代为确认须记录回访方式：电话回访或上门回访", field="method")
    before = case.status
    case.status, case.closed_at = "closed", now
    case.confirmed_by_id, case.confirm_method, case.confirm_comment = actor.user_id, method, comment
    _touch(case, now)
    _event(case, actor, "confirm", before=before, comment=comment, data={"method": method}, at=now)
    users = notifications.task_force_users(case.region_id)
    if case.supervised:
        case.supervised = False
        _event(case, None, "unsupervise", before=case.status, comment="已销号，督办结束", at=now)
        users = [*users, *notifications.task_force_users(case.supervising_region_id)]
    notifications.notify(users, kind="arrears.closed", title=f"清欠案件已销号：{_title(case)}",
                         body=f"已清偿 {money(case.repaid_10k)} 万元", object_type="arrears_case", object_id=case.id,
                         exclude=actor.user_id)
    audit.record(actor, "arrears.confirmed", "arrears_case", case.id, {"method": method})
    return _finish(case, now)


def _committed(use_case):
    """The public use case: the change, then one commit, then the case as the caller now sees it."""
    def run(*, actor: Actor, **kw) -> ArrearsCase:
        with unit_of_work():
            case = use_case(actor=actor, **kw)
        return get_case_or_raise(actor=actor, case_id=case.id)

    run.__name__, run.__doc__ = use_case.__name__, use_case.__doc__
    return run


create_case = _committed(file_case)
update_case = _committed(apply_update)
set_plan = _committed(apply_plan)
record_repayment = _committed(apply_repayment)
confirm = _committed(apply_confirm)


def case_page(*, actor: Actor, **args) -> dict:
    """One page of arrears cases in scope (list_cases' filters plus paging). Raises ValidationFailed (bad cursor)."""
    return paged(list_cases, sorts.ARREARS, actor=actor, **args)
