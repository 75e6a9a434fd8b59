"""One problem's page (GET /problems/{id}) read as Core rows: issue 18 asks it at the speed of one select.

The ORM read it replaces (the problem with joined loads, then selectin loads of events with their actors,
stints with their regions, tasks with their departments, needs and both kinds of photos; kept as the tests'
reference in tests/services/problems/reference_detail.py) spent most of the request building statements, loading objects and filling the identity map. Here the same facts come
from two pre-built statements with bound parameters (compiled once per process, no ORM objects):

1. the problem row, with its enterprise's name, its owning region (name, path, parent: who holds, supervises
   and decides extensions) and its department's name, and — for a liaison — whether the liaison is currently
   assigned to the enterprise (the party flag); the caller's scope in the WHERE clause;
2. everything else of the page in one UNION ALL, each kind in the same typed slots: the timeline (events with
   their actors), stints with their region names, tasks with their department names, the linked needs, the
   photos (the problem's own and its visit's).

Then the same rules as the ORM path decide what the caller may do and read (workflow.allowed_actions through
relations.roles_for, queries._may_read, the tasks' workflow), on plain attribute objects. The result is a
ProblemPage; api/serializers/problem_detail.py turns it into exactly what ProblemSchema would dump
(tests/services/problems/test_detail_read.py proves the two equal for every demo problem and account)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import JSON, Boolean, Integer, Text, and_, bindparam, cast, exists, literal_column, null, or_, select, union_all

from services.actors import Actor, assigned_enterprise_ids, problem_clause
from services.db import UTCDateTime, db, utcnow
from services.errors import NotFound
from services.models import (Assignment, Department, Enterprise, Need, Photo, Problem, ProblemEvent, ProblemStint,
                             Region, Task, User)
from services.models.problems import SCOPE_LEVELS
from services.problems import stints as stint_rules
from services.problems.queries import _may_read
from services.problems.relations import roles_for
from services.problems.workflow import allowed_actions
from services.roles import Role
from services.tasks import workflow as task_workflow
from services.tasks.queries import roles_for as task_roles_for

_P, _E, _R, _D = Problem.__table__, Enterprise.__table__, Region.__table__, Department.__table__
_EV, _U, _S, _T = ProblemEvent.__table__, User.__table__, ProblemStint.__table__, Task.__table__
_N, _PH = Need.__table__, Photo.__table__
_OWNER = _R.alias("owner")

PROBLEM_ID = bindparam("problem_id", type_=Integer)
VISIT_ID = bindparam("visit_id", type_=Integer)
SCOPE_ID = bindparam("scope_id", type_=Integer)

_ROW_COLUMNS = (*_P.c, _E.c.name.label("enterprise_name"), _OWNER.c.name.label("owner_name"),
                _OWNER.c.path.label("owner_path"), _OWNER.c.parent_id.label("owner_parent_id"),
                _D.c.name.label("department_name"))
_ROW_FROM = _P.outerjoin(_E, _E.c.id == _P.c.enterprise_id).outerjoin(_OWNER, _OWNER.c.id == _P.c.owning_region_id) \
    .outerjoin(_D, _D.c.id == _P.c.department_id)


def _row_select(*extra):
    return select(*_ROW_COLUMNS, *extra).select_from(_ROW_FROM).where(_P.c.id == PROBLEM_ID)


# A regional actor's scope is one equality on the problem's copy of its ancestry (services.actors.problem_clause):
# one statement per level, its region id bound, so nothing is built per request.
_SCOPED = {level: _row_select().where(getattr(_P.c, f"{level}_id") == SCOPE_ID) for level in SCOPE_LEVELS}

# The page's other rows in one UNION ALL, each kind in the same typed slots (NULL where it has nothing):
# kind, id, i1…i3 integers, s1…s8 texts, b1 boolean, j1 JSON, d1…d6 times (UTC). Ordered by kind, then id.
EVENT, STINT, TASK, NEED, PHOTO = range(5)
_SLOTS = (*((f"i{n}", Integer) for n in range(1, 4)), *((f"s{n}", Text) for n in range(1, 9)), ("b1", Boolean),
          ("j1", JSON), *((f"d{n}", UTCDateTime) for n in range(1, 7)))


def _branch(kind: int, table, id_column, where, **slots):
    """One kind's SELECT: its columns in the named slots, typed NULLs in the others."""
    columns = [literal_column(str(kind), Integer).label("kind"), id_column.label("id")]
    for name, type_ in _SLOTS:
        value = slots.get(name)
        columns.append((cast(null(), type_) if value is None else cast(value, type_) if type_ is Text else value)
                       .label(name))
    return select(*columns).select_from(table).where(where)


def _page_rows():
    events = _branch(EVENT, _EV.outerjoin(_U, _U.c.id == _EV.c.actor_id), _EV.c.id, _EV.c.problem_id == PROBLEM_ID,
                     i1=_EV.c.actor_id, i2=_U.c.department_id, s1=_EV.c.action, s2=_EV.c.from_status,
                     s3=_EV.c.to_status, s4=_EV.c.from_level, s5=_EV.c.to_level, s6=_EV.c.comment, s7=_U.c.name,
                     s8=_U.c.role, b1=_EV.c.internal, j1=_EV.c.data, d1=_EV.c.at)
    stints = _branch(STINT, _S.outerjoin(_R, _R.c.id == _S.c.region_id), _S.c.id, _S.c.problem_id == PROBLEM_ID,
                     i1=_S.c.region_id, i2=_S.c.paused_seconds, s1=_S.c.level, s2=_S.c.left_by, s3=_R.c.name,
                     d1=_S.c.arrived_at, d2=_S.c.acceptance_due_at, d3=_S.c.accepted_at, d4=_S.c.due_at,
                     d5=_S.c.left_at)
    tasks = _branch(TASK, _T.outerjoin(_D, _D.c.id == _T.c.department_id), _T.c.id, _T.c.problem_id == PROBLEM_ID,
                    i1=_T.c.department_id, i2=_T.c.reopen_count, i3=_T.c.version, s1=_T.c.role, s2=_T.c.status,
                    s3=_D.c.name, s4=_T.c.instructions, s5=_T.c.result, s6=_T.c.refusal_reason,
                    s7=_T.c.recall_reason, d1=_T.c.dispatched_at, d2=_T.c.due_at, d3=_T.c.sign_due_at,
                    d4=_T.c.signed_at, d5=_T.c.reported_at)
    needs = _branch(NEED, _N, _N.c.id, _N.c.problem_id == PROBLEM_ID, s1=_N.c.kind, s2=_N.c.status)
    photos = _branch(PHOTO, _PH, _PH.c.id,
                     or_(_PH.c.problem_id == PROBLEM_ID, and_(VISIT_ID.is_not(None), _PH.c.visit_id == VISIT_ID)))
    union = union_all(events, stints, tasks, needs, photos).subquery("page")
    return select(union).order_by(union.c.kind, union.c.id)


_REST = _page_rows()


class ProblemPage(SimpleNamespace):
    """A problem as its page shows it: the row's columns as attributes, enterprise_name, owning_region_name,
    department_name, stints (each with region_name and overdue), allowed_actions, visible_events, tasks (each
    with department_name and allowed_actions), photos (ids), needs (id, kind, status)."""


def _rows(statement, params: dict):
    """Core execution on the session's connection (the request's transaction), no ORM execution layer."""
    return db.session.connection().execute(statement, params).all()


def _problem_row(actor: Actor, problem_id: int):
    if actor.role != Role.DEPARTMENT and actor.is_regional and actor.region_level in SCOPE_LEVELS \
            and actor.region_id is not None:
        return _rows(_SCOPED[actor.region_level], {"problem_id": problem_id, "scope_id": actor.region_id})
    party = ()
    if actor.role == Role.LIAISON:  # speaks_for: a liaison currently assigned to the enterprise
        party = (exists(assigned_enterprise_ids(actor, "liaison")
                        .where(Assignment.enterprise_id == _P.c.enterprise_id)).label("liaison_party"),)
    return _rows(_row_select(*party).where(problem_clause(actor)), {"problem_id": problem_id})


def read_problem(*, actor: Actor, problem_id: int, now: datetime | None = None) -> ProblemPage:
    """The problem as the caller sees it (as queries.as_seen_by presents it); NotFound when out of sight."""
    found = _problem_row(actor, problem_id)
    if not found:
        raise NotFound("问题不存在")
    mapping = found[0]._mapping
    page = ProblemPage(**mapping)
    page.events, page.stints, page.tasks, page.needs, page.photos = [], [], [], [], []
    for row in _rows(_REST, {"problem_id": problem_id, "visit_id": page.visit_id}):
        _collect(page, row)
    _present(actor, page, mapping, now or utcnow())
    return page


def _collect(page: ProblemPage, row) -> None:
    kind = row.kind
    if kind == EVENT:
        page.events.append(SimpleNamespace(
            id=row.id, actor_id=row.i1, action=row.s1, from_status=row.s2, to_status=row.s3, from_level=row.s4,
            to_level=row.s5, comment=row.s6, internal=row.b1, data=row.j1, at=row.d1,
            actor=None if row.i1 is None else SimpleNamespace(id=row.i1, name=row.s7, role=row.s8,
                                                              department_id=row.i2)))
    elif kind == STINT:
        page.stints.append(SimpleNamespace(
            id=row.id, region_id=row.i1, paused_seconds=row.i2, level=row.s1, left_by=row.s2, region_name=row.s3,
            arrived_at=row.d1, acceptance_due_at=row.d2, accepted_at=row.d3, due_at=row.d4, left_at=row.d5))
    elif kind == TASK:
        page.tasks.append(SimpleNamespace(
            id=row.id, department_id=row.i1, reopen_count=row.i2, version=row.i3, role=row.s1, status=row.s2,
            department_name=row.s3, instructions=row.s4, result=row.s5, refusal_reason=row.s6, recall_reason=row.s7,
            dispatched_at=row.d1, due_at=row.d2, sign_due_at=row.d3, signed_at=row.d4, reported_at=row.d5))
    elif kind == NEED:
        page.needs.append(SimpleNamespace(id=row.id, kind=row.s1, status=row.s2))
    else:
        page.photos.append(row.id)


class _Owner(SimpleNamespace):
    """The owning region as relations.roles_for reads it."""


def _present(actor: Actor, page: ProblemPage, row, now: datetime) -> None:
    """What as_seen_by attaches, by the same rules: allowed actions, visible events, the tasks' actions, and
    each stint's lateness (StintSchema's overdue)."""
    owner = _Owner(id=page.owning_region_id, path=row["owner_path"], parent_id=row["owner_parent_id"])
    requester = next((e.actor_id for e in reversed(page.events) if e.action == "request_extension"), None)
    party = bool(row.get("liaison_party", False)) if actor.role == Role.LIAISON else None
    roles = roles_for(actor, page, owner=owner, extension_requester=lambda: requester, party=party)
    page.allowed_actions = allowed_actions(roles, page, now)
    page.visible_events = [e for e in page.events if _may_read(actor, e)]
    for task in page.tasks:
        task.allowed_actions = task_workflow.allowed_actions(task_roles_for(actor, task, page), task, page.status)
    for stint in page.stints:
        stint.overdue = stint_rules.is_overdue(stint, page, now)
    page.owning_region_name = row["owner_name"]

