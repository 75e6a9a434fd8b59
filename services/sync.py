"""Offline sync for phone apps: what changed in the caller's scope since a token, page by page."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from services.actors import Actor, active_assignment_clause, enterprise_clause
from services.assignments import list_assignments
from services.db import db, utcnow
from services.enterprises import reveal
from services.errors import ValidationFailed
from services.models import Assignment, Enterprise, EnterprisePlan, Notification, Problem, ProblemEvent, ProblemStint, Visit
from services.problems.queries import present
from services.visits import visit_clause

# Overlap between syncs: a row committed a moment after its timestamp is not lost; clients upsert by id.
OVERLAP = timedelta(seconds=5)
COLLECTIONS = ("enterprises", "assignments", "problems", "visits", "plans", "notifications")


def encode(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(token: str, field: str) -> dict:
    try:
        data = json.loads(base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()).decode())
        if not isinstance(data, dict):
            raise ValueError
        if "t" in data:
            datetime.fromisoformat(data["t"])
        return data
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed("同步令牌无效", field=field) from None


def _statements(actor: Actor, since: datetime | None) -> dict[str, Select]:
    def changed(stmt, column):
        return stmt.where(column > since) if since is not None else stmt

    return {
        "enterprises": changed(select(Enterprise).where(enterprise_clause(actor)), Enterprise.updated_at),
        "assignments": changed(list_assignments(actor=actor, active=True if since is None else None),
                               Assignment.updated_at),
        "problems": changed(select(Problem).where(enterprise_clause(actor, Problem.enterprise_id))
                            .options(selectinload(Problem.events).selectinload(ProblemEvent.actor),
                                     selectinload(Problem.stints).selectinload(ProblemStint.region)),
                            Problem.updated_at),
        "visits": changed(select(Visit).where(visit_clause(actor)), Visit.updated_at),
        "plans": changed(select(EnterprisePlan).where(enterprise_clause(actor, EnterprisePlan.enterprise_id)),
                         EnterprisePlan.updated_at),
        "notifications": changed(select(Notification).where(Notification.user_id == actor.user_id),
                                 Notification.created_at),
    }


def _removed_enterprises(actor: Actor, since: datetime | None) -> list[int]:
    """Enterprises whose assignment to this liaison ended since the token and that it no longer sees."""
    if since is None or actor.role != "liaison":
        return []
    ended = select(Assignment.enterprise_id).where(Assignment.user_id == actor.user_id,
                                                   Assignment.updated_at > since, ~active_assignment_clause())
    visible = select(Enterprise.id).where(enterprise_clause(actor))
    return sorted(set(db.session.scalars(ended)) - set(db.session.scalars(visible.where(Enterprise.id.in_(ended)))))


def sync(*, actor: Actor, since: str | None = None, cursor: str | None = None, limit: int = 50) -> dict:
    """One page of changes. Without `since`, a full snapshot. `next_since` is fixed on the first page
    and carried by the cursor, so a token stays valid across pages."""
    state = decode(cursor, "cursor") if cursor else {}
    since_token = state.get("s", since)
    since_at = datetime.fromisoformat(decode(since_token, "since")["t"]) if since_token else None
    started = datetime.fromisoformat(state["n"]) if "n" in state else utcnow() - OVERLAP
    after = state.get("k", {})
    page: dict = {}
    more = False
    for name, stmt in _statements(actor, since_at).items():
        entity = stmt.column_descriptions[0]["entity"]
        rows = list(db.session.scalars(stmt.where(entity.id > int(after.get(name, 0)))
                                       .order_by(entity.id).limit(limit + 1)))
        if len(rows) > limit:
            more = True
            rows = rows[:limit]
        if rows:
            after[name] = rows[-1].id
        page[name] = rows
    reveal(actor, page["enterprises"])
    for problem in page["problems"]:
        present(actor, problem, with_events=True)
    page["removed"] = {"enterprises": _removed_enterprises(actor, since_at) if not cursor else []}
    page["next_since"] = encode({"t": started.isoformat()})
    page["next_cursor"] = encode({"s": since_token, "n": started.isoformat(), "k": after}) if more else None
    return page
