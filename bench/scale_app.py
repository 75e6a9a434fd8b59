"""The server bench/scale.py measures: the app (wsgi:app) with two bench routes mounted beside it under /bench by
werkzeug's DispatcherMiddleware, so none of the app's hooks (authentication, limits, compression, logging of
the app) run for them:

- /bench/one/<id>  the one-select route: one primary-key SELECT of a problem row through Flask and
                   Flask-SQLAlchemy (its own small app, the same database URL and engine options), no token;
                   the ceiling no endpoint of this server can beat;
- /bench/bare      no database at all: the cost of gunicorn and Flask themselves;
- /bench/static    a static page with a table of 20 rows (no script): what the browser bench (bench/scale_web.py)
                   compares the client's screens with.

gunicorn --worker-class gthread --workers 2 --threads 4 bench.scale_app:application (bench/scale.py starts it)."""

from __future__ import annotations

from flask import Flask, abort, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import select
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from api.engine import engine_options
from services.models import Problem
from wsgi import app as ledger

PROBLEMS = Problem.__table__

one_select = Flask("one_select")
one_select.config["SQLALCHEMY_DATABASE_URI"] = ledger.config["SQLALCHEMY_DATABASE_URI"]
one_select.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(ledger.config)
store = SQLAlchemy(one_select)


@one_select.get("/one/<int:problem_id>")
def one(problem_id: int):
    row = store.session.execute(select(PROBLEMS).where(PROBLEMS.c.id == problem_id)).mappings().first()
    if row is None:
        abort(404)
    return jsonify({key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in row.items()})


@one_select.get("/bare")
def bare():
    return jsonify(ok=True)


STATIC_PAGE = ("<!doctype html><html lang=zh-CN><meta charset=utf-8><title>静态页</title><table class=ledger><tbody>"
               + "".join(f"<tr><td>LX-2026-{n:06d}</td><td><a href=#>静态行 {n}</a></td></tr>" for n in range(1, 21))
               + "</tbody></table></html>")


@one_select.get("/static")
def static_page():
    return STATIC_PAGE, 200, {"Content-Type": "text/html; charset=utf-8"}


application = DispatcherMiddleware(ledger, {"/bench": one_select})
