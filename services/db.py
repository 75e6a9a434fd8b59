"""Database handle, declarative base and the custom column types."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# Set by the HTTP layer for safe methods: SQLite then opens a deferred (read)
# transaction instead of BEGIN IMMEDIATE. Everything else writes.
read_only_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("read_only_intent", default=False)
# Connection.info key: the SQLite transaction under way was begun as a read (BEGIN, not BEGIN IMMEDIATE).
READ_TRANSACTION = "lqt_read_transaction"
# Execution option of an engine whose transactions are each ONE statement: on SQLite no BEGIN is sent, the
# statement runs in the database's own autocommit (a single statement is atomic by itself) and takes the
# write lock when it writes. PostgreSQL begins implicitly either way.
SINGLE_STATEMENT = "lqt_single_statement"


class UTCDateTime(TypeDecorator):
    """Timestamps stored as naive UTC on every backend, returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store an aware datetime as naive UTC."""
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        """Read a stored naive datetime back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


@contextmanager
def unit_of_work(*, keep_loaded: bool = False) -> Iterator[None]:
    """One use case, one transaction: what the block (or the decorated function) changed commits when it
    ends, and nothing when it raises. With keep_loaded the loaded objects are not expired by the commit, so
    the caller answers from them without reading them back. The only place in services that commits."""
    session = db.session()
    writer = None
    if read_only_intent.get() or _in_read_transaction(session):
        # A write inside a read request (the audit row of an export): the read transaction, which wrote
        # nothing, ends first and this one begins as a writer — SQLite never upgrades a read transaction
        # (in WAL mode that fails at once with "database is locked" when another writer committed meanwhile).
        if not (session.new or session.dirty or session.deleted):
            session.rollback()
        writer = read_only_intent.set(False)
    try:
        yield
        session.expire_on_commit = not keep_loaded
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.expire_on_commit = True
        if writer is not None:
            read_only_intent.reset(writer)


def _in_read_transaction(session) -> bool:
    """Whether the session is inside a SQLite transaction begun as a read (a plain BEGIN), e.g. a streamed
    export's, whose generator may run after the request's read intent was reset."""
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(READ_TRANSACTION))


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def configure_engine(engine: Engine) -> None:
    """SQLite: WAL, foreign keys, busy timeout and BEGIN IMMEDIATE for writers."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(SINGLE_STATEMENT):
            conn.info[READ_TRANSACTION] = False
            return
        reading = read_only_intent.get()
        conn.info[READ_TRANSACTION] = reading
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def _insert(model):
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)


def insert_or_ignore(model, **values) -> None:
    """INSERT … ON CONFLICT DO NOTHING, on either backend: concurrent first writers do not collide."""
    db.session.execute(_insert(model).values(**values).on_conflict_do_nothing())


def increment(model, *, keys: dict, column: str, also: dict | None = None) -> int:
    """Add one to `column` of the row with these primary-key values (creating it at 1): the new count."""
    statement = _insert(model).values(**keys, **{column: 1}, **(also or {}))
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={column: getattr(model, column) + 1, **(also or {})})
    return db.session.execute(statement.returning(getattr(model, column))).scalar_one()
