"""GET /problems/{id} without marshmallow: a ProblemPage (services/problems/detail.py) → exactly the dict
ProblemSchema (api/schemas/problems.py) dumps, keys in the schema's order, values as its fields give them
(LocalDateTime: the configured zone's RFC 3339; LocalTimesDict: event data with its UTC times localised;
NameOf: the name or null; PhotoSchema's URLs). ProblemSchema stays the documented answer (OpenAPI) and the
dump of every other route that answers a problem; tests/services/problems/test_detail_read.py holds this
module to giving what the schema gives for every demo problem as every role sees it, and fails when a field
is added to one of the schemas and not here."""

from __future__ import annotations

from flask import Response, current_app

from api.schemas.base import _localise_times
from api.serializers.rows import integer as _int
from api.serializers.rows import local_time as _time
from api.serializers.rows import same as _bool
from api.serializers.rows import string as _str


def _actor(actor):
    if actor is None:
        return None
    return {"id": _int(actor.id), "name": _str(actor.name), "role": _str(actor.role)}


def _event(e) -> dict:
    return {"action": _str(e.action), "actor": _actor(e.actor), "from_status": _str(e.from_status),
            "to_status": _str(e.to_status), "from_level": _str(e.from_level), "to_level": _str(e.to_level),
            "comment": _str(e.comment), "internal": _bool(e.internal),
            "data": None if e.data is None else _localise_times(dict(e.data)), "at": _time(e.at)}


def _stint(s) -> dict:
    return {"region_id": _int(s.region_id), "region_name": _str(s.region_name), "level": _str(s.level),
            "arrived_at": _time(s.arrived_at), "acceptance_due_at": _time(s.acceptance_due_at),
            "accepted_at": _time(s.accepted_at), "due_at": _time(s.due_at), "left_at": _time(s.left_at),
            "left_by": _str(s.left_by), "paused_seconds": _int(s.paused_seconds), "overdue": s.overdue}


def _task(t) -> dict:
    return {"id": _int(t.id), "department_id": _int(t.department_id), "department_name": _str(t.department_name),
            "role": _str(t.role), "status": _str(t.status), "instructions": _str(t.instructions),
            "dispatched_at": _time(t.dispatched_at), "due_at": _time(t.due_at), "sign_due_at": _time(t.sign_due_at),
            "signed_at": _time(t.signed_at), "reported_at": _time(t.reported_at), "result": _str(t.result),
            "refusal_reason": _str(t.refusal_reason), "recall_reason": _str(t.recall_reason),
            "reopen_count": _int(t.reopen_count), "allowed_actions": [str(a) for a in t.allowed_actions],
            "version": _int(t.version)}


def _photo(photo_id: int) -> dict:
    return {"id": photo_id, "url": f"/api/v1/photos/{photo_id}", "thumbnail_url": f"/api/v1/photos/{photo_id}/thumbnail"}


def dump_problem(p) -> dict:
    """What ProblemSchema().dump(problem) gives for the problem this page shows."""
    return {
        "id": _int(p.id), "number": _str(p.number), "enterprise_id": _int(p.enterprise_id),
        "enterprise_name": _str(p.enterprise_name), "source": _str(p.source), "category": _str(p.category),
        "title": _str(p.title), "scope": _str(p.scope), "urgency": _str(p.urgency), "level": _str(p.level),
        "owning_region_id": _int(p.owning_region_id), "owning_region_name": _str(p.owning_region_name),
        "department_id": _int(p.department_id), "department_name": _str(p.department_name),
        "status": _str(p.status), "due_at": _time(p.due_at), "supervised": _bool(p.supervised),
        "reopen_count": _int(p.reopen_count), "accepted_at": _time(p.accepted_at),
        "resolved_at": _time(p.resolved_at), "closed_at": _time(p.closed_at), "version": _int(p.version),
        "created_at": _time(p.created_at), "updated_at": _time(p.updated_at),
        "description": _str(p.description), "visit_id": _int(p.visit_id),
        "acceptance_due_at": _time(p.acceptance_due_at), "supervision_deadline": _time(p.supervision_deadline),
        "supervision_note": _str(p.supervision_note), "resolution": _str(p.resolution),
        "satisfaction": _str(p.satisfaction), "closed_without_feedback": _bool(p.closed_without_feedback),
        "reject_reason": _str(p.reject_reason), "referred_to": _str(p.referred_to),
        "stints": [_stint(s) for s in p.stints], "duplicate_of_id": _int(p.duplicate_of_id),
        "extension_due_at": _time(p.extension_due_at), "extension_reason": _str(p.extension_reason),
        "rejected_at": _time(p.rejected_at), "withdrawn_at": _time(p.withdrawn_at),
        "allowed_actions": [str(a) for a in p.allowed_actions],
        "events": [_event(e) for e in p.visible_events],
        "tasks": [_task(t) for t in p.tasks],
        "photos": [_photo(i) for i in p.photos],
        "needs": [{"id": _int(n.id), "kind": _str(n.kind), "status": _str(n.status)} for n in p.needs],
    }


def json_response(page) -> Response:
    """The answer flask-smorest would build from ProblemSchema's dump (the app's JSON provider, status 200)."""
    return current_app.json.response(dump_problem(page))
