"""The SQL statements a request sends, recorded on the app's engine (for the statement budget tests)."""

from sqlalchemy import event

from services.db import db


def recorded(app, request) -> tuple[object, list[str]]:
    """(what request() returned, every statement it sent through the engine's cursors, in order)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = request()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return response, statements
