"""Who the caller is to a problem (holder, filer, party, decider, supervisor, reader), read by commands and
queries alike, and the actions that follow from it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from services.actors import Actor
from services.permissions import speaks_for
from services.db import db, utcnow
from services.models import Problem, ProblemEvent, Region
from services.problems import workflow
from services.problems.workflow import Roles
from services.roles import Role


def region_of(region_id: int) -> Region:
    """The region with that id."""
    return db.session.get(Region, region_id)


def _extension_requester(problem: Problem) -> int | None:
    return db.session.scalar(select(ProblemEvent.actor_id).where(
        ProblemEvent.problem_id == problem.id, ProblemEvent.action == "request_extension")
        .order_by(ProblemEvent.id.desc()).limit(1))


def roles_for(actor: Actor, problem: Problem, *, owner: Region | None = None,
              extension_requester: Callable[[], int | None] | None = None, party: bool | None = None) -> Roles:
    """The caller's relation to a problem it can see. A reader that already holds them passes the owning region
    (id, path, parent_id), how to find who asked for the pending extension, and whether the caller speaks for
    the enterprise (permissions.speaks_for); otherwise each is read here."""
    coordinator = actor.role == Role.COORDINATOR
    owner = owner if owner is not None else region_of(problem.owning_region_id)
    holder = coordinator and actor.region_id == problem.owning_region_id
    supervisor = (coordinator and actor.region_id != owner.id and bool(actor.region_path)
                  and owner.path.startswith(actor.region_path))
    decider = False
    if coordinator and problem.extension_due_at is not None:
        if owner.parent_id is not None:
            decider = actor.region_id == owner.parent_id
        else:  # the province's own requests: another province coordinator (办理、监督相分离)
            requester = extension_requester() if extension_requester is not None else _extension_requester(problem)
            decider = holder and actor.user_id != requester
    if party is None:
        party = speaks_for(actor, problem.enterprise_id)
    # Viewers (leaders, inspectors) and admins read the ledger but take no part in it.
    return Roles(holder=holder, filer=actor.user_id is not None and actor.user_id == problem.filer_id,
                 party=party, decider=decider, supervisor=supervisor,
                 reader=actor.role in (Role.COORDINATOR, Role.LIAISON, Role.ENTERPRISE, Role.DEPARTMENT))


def allowed_actions(actor: Actor, problem: Problem, now: datetime | None = None) -> list[str]:
    """The workflow actions the actor may take on the problem now."""
    return workflow.allowed_actions(roles_for(actor, problem), problem, now or utcnow())
