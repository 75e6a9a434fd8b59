"""用工对接: placements per post of a labor need; the need is fulfilled when every post is filled."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, false
from sqlalchemy.orm.attributes import flag_modified

from services import audit
from services.actors import Actor, within_region
from services.db import db, unit_of_work, utcnow
from services.errors import Forbidden, InvalidTransition, ValidationFailed
from services.models import Department, Need, Placement
from services.models.needs import NEED_OPEN_STATUSES
from services.needs import core
from services.roles import Role

# Department users read the prefecture's catalogue and organise and read 对接会 (a 人社局's 招聘会, a 商务局's
# 产供销对接会); the needs they see are the labor needs below, for 人社 only.
DEPARTMENT_ROLES: tuple[str, ...] = (Role.DEPARTMENT,)

# 人社 departments are named so across China (人力资源和社会保障局); their users work the labor needs.
LABOR_DEPARTMENT_SUFFIX = "人力资源和社会保障局"


def is_labor_department(actor: Actor) -> bool:
    """A department user of a 人社 department (人力资源和社会保障局)."""
    if actor.role != Role.DEPARTMENT or actor.department_id is None:
        return False
    department = db.session.get(Department, actor.department_id)
    return department is not None and department.name.endswith(LABOR_DEPARTMENT_SUFFIX)


def labor_clause(actor: Actor) -> ColumnElement[bool]:
    """The labor needs a 人社 department user sees: those of its region and below."""
    if not is_labor_department(actor) or not actor.region_path:
        return false()
    return and_(Need.kind == "labor", within_region(Need.region_id, actor.region_path))


def may_place(actor: Actor, need: Need) -> bool:
    """Coordinators whose scope holds the need, and 人社 department users of its region or above."""
    if actor.role == Role.COORDINATOR:
        return core.may_manage(actor, need)
    return (need.kind == "labor" and is_labor_department(actor) and bool(actor.region_path)
            and need.region is not None and need.region.path.startswith(actor.region_path))


@unit_of_work()
def record_placement(*, actor: Actor, need_id: int, post_index: int, placed: int, placed_on: date,
                     session_id: int | None = None, expected_version: int | None = None,
                     now: datetime | None = None) -> Need:
    """Workers placed on one post of a labor need; fulfilled when every post is filled. NotFound, Forbidden,
    VersionMismatch, InvalidTransition (not labor, or ended), ValidationFailed (no such post, more than it needs)."""
    need = core.get_need(actor, need_id, lock=True)
    if need.kind != "labor":
        raise InvalidTransition("只有用工需求可以登记招聘", extra={"current_status": need.status, "allowed_actions": []})
    if not may_place(actor, need):
        raise Forbidden("只有人社部门或专班可以登记招聘")
    core.check_version(expected_version, need.version)
    if need.status not in NEED_OPEN_STATUSES:
        raise InvalidTransition("该用工需求已结束", extra={"current_status": need.status,
                                                          "allowed_actions": core.need_actions(actor, need)})
    posts = [dict(p) for p in need.details.get("posts", [])]
    if not 0 <= post_index < len(posts):
        raise ValidationFailed("岗位序号超出范围", field="post_index")
    remaining = posts[post_index]["count"] - posts[post_index].get("placed", 0)
    if placed > remaining:
        raise ValidationFailed(f"该岗位还需 {remaining} 人，登记人数不能超过", field="placed")
    now = now or utcnow()
    posts[post_index]["placed"] = posts[post_index].get("placed", 0) + placed
    need.details = {**need.details, "posts": posts}
    flag_modified(need, "details")
    before = need.status
    if all(p["placed"] >= p["count"] for p in posts):
        need.status, need.closed_at = "fulfilled", now
    elif need.status == "open":
        need.status = "matched"
    placement = Placement(need_id=need.id, post_index=post_index, placed=placed, placed_on=placed_on,
                          user_id=actor.user_id, session_id=session_id, created_at=now, updated_at=now)
    db.session.add(placement)
    db.session.flush()
    core.record(need, actor, "placement", before=before, at=now, count=placed,
                data={"post_index": post_index, "placed_on": placed_on.isoformat(), "placement_id": placement.id})
    core.tell(core.enterprise_side(need.enterprise_id), kind="need.placement",
              title=f"招聘登记：{posts[post_index]['title']} 到岗 {placed} 人", need=need, exclude=actor.user_id)
    audit.record(actor, "need.placement", "need", need.id, {"post_index": post_index, "placed": placed})
    return core.present_one(actor, need)
