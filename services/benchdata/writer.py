"""Bulk rows into the open transaction's connection: COPY on PostgreSQL, executemany on SQLite.

Rows are plain tuples in the order of the column list; timestamps are naive-UTC ISO strings (the form
SQLAlchemy stores on SQLite and PostgreSQL's COPY reads), booleans Python bools, JSON a string."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from sqlalchemy import event, inspect, text

from services.db import db


class BulkWriter:
    """Writes tuples into tables through the session's current connection (the caller's transaction)."""

    def __init__(self) -> None:
        self.dialect = db.session.get_bind().dialect.name
        self.written: dict[str, int] = {}

    def _raw(self):
        return db.session.connection().connection.dbapi_connection

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Insert the rows; returns how many were written."""
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return 0
        names = ", ".join(columns)
        cursor = self._raw().cursor()
        try:
            if self.dialect == "postgresql":
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        finally:
            cursor.close()
        self.written[table] = self.written.get(table, 0) + len(rows)
        return len(rows)

    def next_id(self, table: str) -> int:
        """The first free id of a table (ids are given explicitly, so rows can point at each other)."""
        return (db.session.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 0) + 1

    def sync_sequences(self, tables: Iterable[str]) -> None:
        """PostgreSQL: move each table's id sequence past the ids written explicitly."""
        if self.dialect != "postgresql":
            return
        for table in tables:
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT coalesce(max(id), 1) FROM {table}))"))

    def analyze(self) -> None:
        """Fresh planner statistics for every table."""
        db.session.execute(text("ANALYZE"))


@contextmanager
def fast_sqlite():
    """SQLite: synchronous=OFF on every connection checked out meanwhile (set before its transaction begins,
    as SQLite requires); journal_mode stays WAL. The pool is emptied afterwards, so later connections start
    with the engine's own settings again. PostgreSQL: nothing to do."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        yield
        return

    def _off(dbapi_connection, _record, _proxy):
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    event.listen(engine, "checkout", _off)
    try:
        yield
    finally:
        event.remove(engine, "checkout", _off)
        db.session.remove()
        engine.dispose()


def secondary_indexes(tables: Sequence[str]) -> list:
    """The model's non-unique indexes on these tables that the database has (others' migrations may add
    more: those not in the model are left alone)."""
    inspector = inspect(db.session.connection())
    found = []
    for name in tables:
        table = db.metadata.tables[name]
        present = {ix["name"] for ix in inspector.get_indexes(name)}
        found += [ix for ix in table.indexes if not ix.unique and ix.name in present]
    return found


def drop_indexes(indexes: list) -> None:
    """Drop these indexes (before a large load: one sort per index afterwards beats row-by-row upkeep)."""
    connection = db.session.connection()
    for index in indexes:
        index.drop(connection)


def create_indexes(indexes: list) -> None:
    """Build these indexes again, as the model declares them."""
    connection = db.session.connection()
    for index in indexes:
        index.create(connection)
