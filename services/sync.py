"""Offline sync for phone apps: what changed in the caller's scope since a token, page by page."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import Select, select
from sqlalchemy.orm import configure_mappers, lazyload, selectinload

from services.actors import (
    Actor, active_assignment_clause, enterprise_clause, region_clause, with_liaison_enterprises,
)
from services.assignments import list_assignments
from services.db import db, utcnow
from services.enterprises import with_contact_visibility
from services.errors import ValidationFailed
from services.models import (
    Assignment, Enterprise, EnterpriseChange, EnterprisePlan, Notification, Problem, ProblemEvent, ProblemStint, Region,
    Task, Visit,
)
from services.problems.queries import as_seen_by
from services.visits import VISIT_ROW, visit_clause
from services.roles import Role

# Overlap between syncs: a row committed a moment after its timestamp is not lost; clients upsert by id.
OVERLAP = timedelta(seconds=5)
COLLECTIONS = ("enterprises", "assignments", "problems", "visits", "plans", "notifications")


def encode(payload: dict) -> str:
    """A dict as a compact URL-safe base64 token (the inverse of decode)."""
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(token: str, field: str) -> dict:
    """The JSON object inside a token; anything else is a 422 naming the field.
    Raises ValidationFailed (not a token)."""
    try:
        data = json.loads(base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()).decode())
    except (ValueError, TypeError, RecursionError, binascii.Error, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed("同步令牌无效", field=field)
    return data


def _instant(value, field: str) -> datetime:
    """A token's time: an RFC 3339 string of a plausible year, UTC when it carries no offset."""
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        parsed = parsed.astimezone(timezone.utc)
    except (ValueError, TypeError, OverflowError):
        raise ValidationFailed("同步令牌无效", field=field) from None
    if not 2000 <= parsed.year <= 2999:
        raise ValidationFailed("同步令牌无效", field=field)
    return parsed


def _since(token: str | None, field: str) -> tuple[datetime | None, dict | None]:
    """The instant of a since token and the caller's binding it carries (role, region, enterprise)."""
    if not token:
        return None, None
    state = decode(token, field)
    binding = state.get("b")
    if binding is not None and not (
            isinstance(binding, dict) and isinstance(binding.get("r"), (str, type(None)))
            and all(isinstance(binding.get(k), (int, type(None))) and not isinstance(binding.get(k), bool)
                    and (binding.get(k) or 0) < 2**31 for k in ("g", "e"))):
        raise ValidationFailed("同步令牌无效", field=field)
    return _instant(state.get("t"), field), binding


def _state(cursor: str | None, since: str | None) -> tuple[str | None, datetime | None, dict[str, int]]:
    """(since token, fixed start, last id per collection) from the cursor, or a first page's."""
    if not cursor:
        return since, None, {}
    state = decode(cursor, "cursor")
    since_token, after = state.get("s"), state.get("k", {})
    if since_token is not None and not isinstance(since_token, str):
        raise ValidationFailed("分页游标无效", field="cursor")
    if not isinstance(after, dict) or any(
            name not in COLLECTIONS or not isinstance(last, int) or isinstance(last, bool) or not 0 <= last < 2**31
            for name, last in after.items()):
        raise ValidationFailed("分页游标无效", field="cursor")
    return since_token, _instant(state.get("n"), "cursor"), after


def _statements(actor: Actor, since: datetime | None) -> dict[str, Select]:
    def changed(stmt, column):
        return stmt.where(column > since) if since is not None else stmt

    return {
        "enterprises": changed(select(Enterprise).where(enterprise_clause(actor)), Enterprise.updated_at),
        "assignments": changed(list_assignments(actor=actor, active=True if since is None else None),
                               Assignment.updated_at),
        # Each problem as its page shows it: one IN query per relationship for the whole page, none per row.
        "problems": changed(select(Problem).where(enterprise_clause(actor, Problem.enterprise_id))
                            .options(*_sync_problem()), Problem.updated_at),
        "visits": changed(select(Visit).where(visit_clause(actor)).options(*VISIT_ROW), Visit.updated_at),
        "plans": changed(select(EnterprisePlan).where(enterprise_clause(actor, EnterprisePlan.enterprise_id))
                         .options(lazyload(EnterprisePlan.enterprise), lazyload(EnterprisePlan.created_by),
                                  lazyload(EnterprisePlan.approved_by_user)),
                         EnterprisePlan.updated_at),
        "notifications": changed(select(Notification).where(Notification.user_id == actor.user_id),
                                 Notification.created_at),
    }


def _sync_problem() -> tuple:
    """The loads of a synced problem (ProblemSchema): names of its enterprise, region and department, its
    timeline with the actors, stints with regions, tasks with departments, photos and linked needs."""
    configure_mappers()  # Problem.needs is a backref of Need: there once the mappers are configured
    return (selectinload(Problem.enterprise).lazyload("*"), selectinload(Problem.department).lazyload("*"),
            selectinload(Problem.events).joinedload(ProblemEvent.actor).lazyload("*"),
            selectinload(Problem.stints).joinedload(ProblemStint.region),
            selectinload(Problem.tasks).joinedload(Task.department).lazyload("*"),
            selectinload(Problem.needs).lazyload("*"))


def _binding(actor: Actor) -> dict:
    """What decides the caller's scope, carried in the token so a later sync can tell what left it."""
    return {"r": actor.role, "g": actor.region_id, "e": actor.enterprise_id}


def _actor_then(actor: Actor, binding: dict | None) -> Actor:
    """The caller as it was when the token was issued (role, region, enterprise), else as it is."""
    if not binding or (binding.get("r"), binding.get("g"), binding.get("e")) == tuple(_binding(actor).values()):
        return actor
    region = db.session.get(Region, binding["g"]) if binding.get("g") else None
    return replace(actor, role=binding.get("r") or actor.role, region_id=region.id if region else None,
                   region_path=region.path if region else None, region_level=region.level if region else None,
                   enterprise_id=binding.get("e"))


def _removed(actor: Actor, since: datetime | None, binding: dict | None) -> dict[str, list[int]]:
    """Ids of every kind of object that was in the caller's scope at the token and is not now:
    enterprises whose liaison assignment ended, that moved to a region outside the scope, or that the
    caller's own new binding (region, role, enterprise) no longer covers — with their problems, visits,
    plans and assignments. Notifications are the caller's own and never leave."""
    empty = {name: [] for name in COLLECTIONS}
    if since is None:
        return empty
    then = _actor_then(actor, binding)
    candidates: set[int] = set()
    if then is not actor:  # the caller's binding changed: everything the old one covered
        candidates |= set(db.session.scalars(select(Enterprise.id).where(enterprise_clause(then))))
    if then.role == Role.LIAISON:  # assignments that ended since the token
        candidates |= set(db.session.scalars(select(Assignment.enterprise_id).where(
            Assignment.user_id == actor.user_id, Assignment.updated_at > since, ~active_assignment_clause())))
    # Enterprises moved since the token from a region the caller covered then.
    moved = select(EnterpriseChange.enterprise_id, EnterpriseChange.old_value).where(
        EnterpriseChange.field == "region_id", EnterpriseChange.changed_at > since)
    old_regions = {int(old): eid for eid, old in db.session.execute(moved) if old and old.isdigit()}
    if old_regions:
        covered = set(db.session.scalars(select(Region.id).where(Region.id.in_(old_regions), region_clause(then))))
        if then.is_admin or then.is_regional:
            candidates |= {eid for region_id, eid in old_regions.items() if region_id in covered}
    if not candidates:
        return empty
    still = set(db.session.scalars(select(Enterprise.id).where(Enterprise.id.in_(candidates), enterprise_clause(actor))))
    gone = sorted(candidates - still)
    if not gone:
        return empty
    visible_assignments = list_assignments(actor=actor).with_only_columns(Assignment.id)
    return {
        **empty,
        "enterprises": gone,
        "problems": sorted(db.session.scalars(select(Problem.id).where(Problem.enterprise_id.in_(gone)))),
        "visits": ([] if then.role == Role.ENTERPRISE else
                   sorted(db.session.scalars(select(Visit.id).where(Visit.enterprise_id.in_(gone))))),
        "plans": sorted(db.session.scalars(select(EnterprisePlan.id).where(EnterprisePlan.enterprise_id.in_(gone)))),
        "assignments": sorted(db.session.scalars(select(Assignment.id).where(
            Assignment.enterprise_id.in_(gone), Assignment.id.not_in(visible_assignments)))),
    }


def sync(*, actor: Actor, since: str | None = None, cursor: str | None = None, limit: int = 50) -> dict:
    """One page of changes. Without `since`, a full snapshot. `next_since` is fixed on the first page
    and carried by the cursor, so a token stays valid across pages.
    Raises ValidationFailed (bad since token or cursor)."""
    since_token, started, after = _state(cursor, since)
    since_at, binding = _since(since_token, "since" if not cursor else "cursor")
    started = started or utcnow() - OVERLAP
    page: dict = {}
    more = False
    for name, stmt in _statements(actor, since_at).items():
        entity = stmt.column_descriptions[0]["entity"]
        rows = list(db.session.scalars(stmt.where(entity.id > after.get(name, 0))
                                       .order_by(entity.id).limit(limit + 1)))
        if len(rows) > limit:
            more = True
            rows = rows[:limit]
        if rows:
            after[name] = rows[-1].id
        page[name] = rows
    with_contact_visibility(actor, page["enterprises"])
    reader = with_liaison_enterprises(actor)  # a liaison's assignments read once for the whole page
    for problem in page["problems"]:
        as_seen_by(reader, problem)
    page["removed"] = (_removed(actor, since_at, binding) if not cursor
                       else {name: [] for name in COLLECTIONS})
    page["next_since"] = encode({"t": started.isoformat(), "b": _binding(actor)})
    page["next_cursor"] = encode({"s": since_token, "n": started.isoformat(), "k": after}) if more else None
    return page
