"""The ORM read GET /problems/{id} served before issue 18 (services/problems/queries.py, verbatim but for the
imports): the reference tests/services/problems/test_detail_read.py holds the Core read and the fast serializer
to. It loads the problem with its enterprise, owning region and department joined, then its timeline with the
actors, the stints with their regions, the tasks with their departments, the needs and the photos, and presents
it with queries.as_seen_by, the function the workflow actions' answers still use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import configure_mappers, joinedload, selectinload

from services.actors import Actor, problem_clause
from services.db import db
from services.errors import NotFound
from services.models import Problem, ProblemEvent, ProblemStint, Task
from services.problems.queries import as_seen_by


def _visible(actor: Actor, enterprise_id: int | None = None):
    return problem_clause(actor, enterprise_id=enterprise_id)


def read_with_timeline() -> tuple:
    """The loads of a problem's page when it is only read (no FOR UPDATE, so to-one may be joined): the
    enterprise, owning region and department joined into the problem's statement; the timeline with its
    actors, the stints with their regions, the tasks with their departments one statement each; the
    linked needs without their own enterprise, region and tags (the page shows id, kind, status)."""
    configure_mappers()  # Problem.needs is a backref of Need: there once the mappers are configured
    return (joinedload(Problem.enterprise).lazyload("*"), joinedload(Problem.owning_region),
            joinedload(Problem.department).lazyload("*"),
            selectinload(Problem.events).joinedload(ProblemEvent.actor).lazyload("*"),
            selectinload(Problem.stints).joinedload(ProblemStint.region),
            selectinload(Problem.tasks).joinedload(Task.department).lazyload("*"),
            selectinload(Problem.needs).lazyload("*"))


def get_problem_or_raise(*, actor: Actor, problem_id: int) -> Problem:
    """One problem as the caller sees it (as_seen_by); NotFound when it is out of the caller's sight."""
    problem = db.session.scalar(select(Problem).where(Problem.id == problem_id, _visible(actor))
                                .options(*read_with_timeline()))
    if problem is None:
        raise NotFound("问题不存在")
    return as_seen_by(actor, problem)
