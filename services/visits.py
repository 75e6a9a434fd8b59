"""走访: visits filed from phones, with the problems raised during them, in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, false, select
from sqlalchemy.orm import joinedload, lazyload, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from services import audit, location, monitoring, observations
from services.actors import Actor, enterprise_clause
from services.permissions import may_work_on_seen
from services.db import db, unit_of_work, utcnow
from services.enterprises import observe
from services.errors import Forbidden, NotFound, ValidationFailed
from services.filters import where_one_of
from services.models import Enterprise, Problem, User, Visit
from services.problems.commands import file_problem
from services.roles import Role
from services.paging import paged
from services import sorts

CLOCK_SKEW = timedelta(minutes=10)


def _visible_enterprise(actor: Actor, enterprise_id: int) -> tuple[Enterprise, User]:
    # A visit reads the enterprise's own columns and its region, joined (a nested problem copies the region's
    # ancestry into its scope columns: no statement of its own), and the visiting account the answer names as
    # its liaison in the same statement; the tags load if something asks for them.
    row = db.session.execute(select(Enterprise, User).join(User, User.id == actor.user_id)
                             .where(Enterprise.id == enterprise_id, enterprise_clause(actor))
                             .options(joinedload(Enterprise.region), lazyload(Enterprise.tag_rows))).first()
    if row is None:
        raise NotFound("企业不存在", errors={"enterprise_id": ["企业不存在"]})
    return row.Enterprise, row.User


def create_visit(*, actor: Actor, enterprise_id: int, method: str, visited_at: datetime, summary: str = "",
                 latitude: float | None = None, longitude: float | None = None, accuracy_m: float | None = None,
                 operating_status: str | None = None, employees: int | None = None,
                 problems: list[dict] | None = None) -> Visit:
    """Log a visit: its location checked, the facts it observed kept, the problems it raised filed; the
    answer is built from what the transaction loaded, without reading it back.
    Raises NotFound (enterprise out of scope), Forbidden (neither its liaison nor its task force),
    ValidationFailed (visit in the future, half a position); a filed problem's errors as file_problem."""
    with unit_of_work(keep_loaded=True):
        enterprise, liaison = _visible_enterprise(actor, enterprise_id)
        if not may_work_on_seen(actor, enterprise.id):  # found through enterprise_clause just above
            raise Forbidden("只有派驻该企业的联络员或属地专班可以登记走访")
        now = utcnow()
        if visited_at > now + CLOCK_SKEW:
            raise ValidationFailed("走访时间不能晚于当前时间", field="visited_at")
        if (latitude is None) != (longitude is None):
            raise ValidationFailed("经纬度须同时提供", field="latitude")
        visit = Visit(enterprise_id=enterprise.id, liaison_id=actor.user_id, method=method, visited_at=visited_at,
                      summary=summary, latitude=latitude, longitude=longitude, accuracy_m=accuracy_m,
                      operating_status=operating_status, employees=employees,
                      location_check=location.check(method=method, latitude=latitude, longitude=longitude,
                                                    accuracy_m=accuracy_m, site_latitude=enterprise.latitude,
                                                    site_longitude=enterprise.longitude))
        db.session.add(visit)
        db.session.flush()
        fresh = observations.newest_first(enterprise.id, visited_at, {"operating_status": operating_status,
                                                                      "employees": employees}, visit_id=visit.id)
        if fresh and observe(enterprise, actor=actor, source="visit", **fresh):
            monitoring.on_enterprise_observed(enterprise)
        # may_work_on() established who files: the enterprise's current liaison or a coordinator in scope
        source = "liaison" if actor.role == Role.LIAISON else "coordinator"
        filed = [file_problem(actor=actor, enterprise_id=enterprise.id, visit_id=visit.id, enterprise=enterprise,
                              source=source, now=now, **fields)
                 for fields in problems or []]
        audit.record(actor, "visit.created", "visit", visit.id,
                     {"enterprise_id": enterprise.id, "method": method, "problem_ids": [p.id for p in filed]})
        set_committed_value(visit, "enterprise", enterprise)
        set_committed_value(visit, "liaison", liaison)
        set_committed_value(visit, "problems", filed)
        set_committed_value(visit, "photos", [])  # a new visit has none yet
    return visit


def visit_clause(actor: Actor):
    """Visit records are the officers' field notes: enterprise users do not read them."""
    if actor.role == Role.ENTERPRISE:
        return false()
    return enterprise_clause(actor, Visit.enterprise_id)


def list_visits(*, actor: Actor, enterprise: int | None = None, liaison: int | None = None,
                from_: datetime | None = None, to: datetime | None = None, method: str | list[str] | None = None,
                location_check: str | list[str] | None = None) -> Select:
    """Query of the visits in the actor's scope, filtered by enterprise, liaison, time, method, check.
    Raises Forbidden (enterprise users)."""
    if actor.role == Role.ENTERPRISE:
        raise Forbidden("企业用户不能查看走访记录")
    stmt = select(Visit).where(visit_clause(actor))
    if enterprise is not None:
        stmt = stmt.where(Visit.enterprise_id == enterprise)
    if liaison is not None:
        stmt = stmt.where(Visit.liaison_id == liaison)
    if from_ is not None:
        stmt = stmt.where(Visit.visited_at >= from_)
    if to is not None:
        stmt = stmt.where(Visit.visited_at < to)
    stmt = where_one_of(stmt, Visit.method, method)
    return where_one_of(stmt, Visit.location_check, location_check)


def enterprise_visits(*, actor: Actor, enterprise_id: int, **filters) -> Select:
    """Query of one enterprise's visits, filtered as list_visits. Raises NotFound (enterprise out of scope),
    Forbidden (enterprise users)."""
    if db.session.scalar(select(Enterprise.id).where(Enterprise.id == enterprise_id, enterprise_clause(actor))) is None:
        raise NotFound("企业不存在")
    return list_visits(actor=actor, enterprise=enterprise_id, **filters)


def get_visit_or_raise(*, actor: Actor, visit_id: int) -> Visit:
    """One visit in the actor's scope. Raises NotFound (out of scope)."""
    visit = db.session.scalar(select(Visit).where(Visit.id == visit_id, visit_clause(actor)))
    if visit is None:
        raise NotFound("走访记录不存在")
    return visit


# What a visit on a page shows (VisitSchema): the enterprise's and liaison's names, its photos and the ids of
# its problems — one IN query each, and not the problems' own enterprise, region and photos, nor the
# enterprise's region and tags.
VISIT_ROW = (selectinload(Visit.enterprise).lazyload("*"),
             selectinload(Visit.problems).options(load_only(Problem.id, Problem.visit_id), lazyload("*")))


def _page_rows(build):
    """A list's query builder with VISIT_ROW's loads."""
    return lambda **filters: build(**filters).options(*VISIT_ROW)


def visit_page(*, actor: Actor, **args) -> dict:
    """One page of visits in scope (list_visits' filters plus paging). Raises ValidationFailed (bad cursor)."""
    return paged(_page_rows(list_visits), sorts.VISITS, actor=actor, **args)


def enterprise_visit_page(*, actor: Actor, enterprise_id: int, **args) -> dict:
    """One page of an enterprise's visits; its path names the enterprise, so an `enterprise` filter is ignored.
    Raises NotFound (out of scope), ValidationFailed (bad cursor)."""
    args.pop("enterprise", None)
    return paged(_page_rows(enterprise_visits), sorts.VISITS, actor=actor, enterprise_id=enterprise_id, **args)
