"""The app as wsgi.py serves it, with the one-select route mounted beside it (werkzeug's DispatcherMiddleware:
none of the app's hooks run): GET /one-select/<id> is one primary-key SELECT on `problems` through Flask +
Flask-SQLAlchemy, no token. gunicorn --pythonpath bench one_select:app (bench/dashboard.py does)."""

from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from api import create_app

main = create_app()
bare = Flask("one_select")
bare.config["SQLALCHEMY_DATABASE_URI"] = main.config["SQLALCHEMY_DATABASE_URI"]
store = SQLAlchemy(bare)


@bare.get("/<int:problem_id>")
def one_select(problem_id: int):
    row = store.session.execute(text("SELECT id, number, status FROM problems WHERE id = :id"),
                                {"id": problem_id}).first()
    return jsonify({"id": row[0], "number": row[1], "status": row[2]} if row else {})


app = DispatcherMiddleware(main.wsgi_app, {"/one-select": bare})
main.wsgi_app = app  # `main` stays a Flask app for gunicorn's import of one_select:main too
app = main
