"""Offline sync for phone apps."""

import marshmallow as ma

from api.schemas.assignments import AssignmentSchema
from api.schemas.base import BaseSchema
from api.schemas.enterprises import EnterpriseSchema
from api.schemas.notifications import NotificationSchema
from api.schemas.problems import ProblemSchema
from api.schemas.visits import VisitSchema


class SyncQuerySchema(BaseSchema):
    since = ma.fields.String(validate=ma.validate.Length(max=512), metadata={"description": "上次同步返回的 next_since"})
    cursor = ma.fields.String(validate=ma.validate.Length(max=2048))
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=100),
                              metadata={"description": "每类对象每页条数"})


class PlanSyncSchema(BaseSchema):
    id = ma.fields.Integer()
    enterprise_id = ma.fields.Integer()
    version = ma.fields.Integer()
    status = ma.fields.String()
    situation = ma.fields.String()
    measures = ma.fields.List(ma.fields.Dict())
    contingency = ma.fields.String()
    problem_ids = ma.fields.List(ma.fields.Integer())


class RemovedSchema(BaseSchema):
    """Ids that left the caller's scope since the token (an ended assignment, an enterprise moved to
    another region, the caller's own new region, role or enterprise): drop them locally."""

    enterprises = ma.fields.List(ma.fields.Integer())
    assignments = ma.fields.List(ma.fields.Integer())
    problems = ma.fields.List(ma.fields.Integer())
    visits = ma.fields.List(ma.fields.Integer())
    plans = ma.fields.List(ma.fields.Integer())
    notifications = ma.fields.List(ma.fields.Integer())


class SyncPageSchema(BaseSchema):
    enterprises = ma.fields.List(ma.fields.Nested(EnterpriseSchema))
    assignments = ma.fields.List(ma.fields.Nested(AssignmentSchema))
    problems = ma.fields.List(ma.fields.Nested(ProblemSchema))
    visits = ma.fields.List(ma.fields.Nested(VisitSchema))
    plans = ma.fields.List(ma.fields.Nested(PlanSyncSchema))
    notifications = ma.fields.List(ma.fields.Nested(NotificationSchema))
    removed = ma.fields.Nested(RemovedSchema)
    next_since = ma.fields.String(required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)
