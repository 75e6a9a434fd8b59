"""Workflow actions as routes: one `POST …/{id}/{action}` per entry of a workflow table, each documented from
its rule (Chinese summary, body schema, the 403/404/409/412 answers). The problem ledger and the departments'
tasks both route their actions here."""

from __future__ import annotations

from collections.abc import Callable

from flask.views import MethodView
from flask_smorest import Blueprint

from api.concurrency import optional_if_match, set_etag
from api.schemas.common import ProblemDetailSchema


def route_actions(blp: Blueprint, *, url: str, id_name: str, schemas: dict, table: dict, answer_schema,
                  not_found: str, take: Callable, prefix: str = "") -> None:
    """Route every action of `schemas` at `url/<action>`; `take(action=, object_id=, payload=, expected_version=)`
    runs it and returns the object as the caller now sees it, answered with its version as the ETag."""
    for action, schema in schemas.items():
        _route(blp, action, schema, url=url, id_name=id_name, summary=table[action].summary,
               answer_schema=answer_schema, not_found=not_found, take=take, prefix=prefix)


def _route(blp, action, schema, *, url, id_name, summary, answer_schema, not_found, take, prefix):
    def post(self, body, **ids):
        answer = take(action=action, object_id=ids[id_name], payload=body, expected_version=optional_if_match())
        set_etag(answer.version)
        return answer

    post.__doc__ = summary
    post = blp.arguments(schema)(post)
    post = blp.response(200, answer_schema)(post)
    for status, description in ((403, "无权执行此操作"), (404, not_found), (409, "当前状态不允许此操作"),
                                (412, "版本已过期（If-Match）")):
        post = blp.alt_response(status, schema=ProblemDetailSchema, description=description)(post)
    view = type(f"{prefix}{action.title().replace('_', '')}Action", (MethodView,), {"post": post})
    blp.route(f"{url}/{action}")(view)
