"""Database engine, one session per request, and the declarative base.

Views and CLI commands get their session from :func:`get_session`; services only
``add`` and ``flush``; the view commits once (DESIGN habit 2). On SQLite, write
requests start ``BEGIN IMMEDIATE`` so a read-then-write cannot fail half-way with
"database is locked". A read request (GET) that must write something small (an audit entry
after an export, the session's last-seen time) ends its read first and writes in a short
transaction of its own (:func:`write_transaction`), which on SQLite also begins IMMEDIATE and
waits for the busy timeout instead of failing on an old snapshot.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # every timestamp is stored with its time zone (UTC); dates are plain dates
    type_annotation_map = {datetime: DateTime(timezone=True)}


def utcnow() -> datetime:
    return datetime.now(UTC)


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # let SQLAlchemy's begin event decide how a transaction starts
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = not has_request_context() or request.method in WRITE_METHODS or g.get("db_write_transaction", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# A pooled connection is checked (a "SELECT 1") before use when it lay idle in the pool for longer
# than this; one that came back a moment ago is handed out as it is. SQLAlchemy's pool_pre_ping
# checks every checkout: a write request (two checkouts) paid two extra round trips, about 0.3 ms
# each on PostgreSQL, for connections used milliseconds before. A server that went away in
# between still fails only the requests running at that moment: the first disconnect error
# empties the pool, and the next request connects afresh (tests/test_operations.py).
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: Engine) -> None:
    """Like pool_pre_ping, but only for connections idle longer than PING_AFTER_IDLE_SECONDS."""
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise DisconnectionError("Die Datenbankverbindung ist abgerissen") from exc  # the pool reconnects
            raise
        if not alive:
            raise DisconnectionError("Die Datenbankverbindung antwortet nicht")


def make_engine(url: str, echo: bool = False) -> Engine:
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        # the connection returned last is handed out first: under load it is one just used (no check
        # needed), and the pool's spare connections lie idle instead of each being used in turn
        kwargs["pool_use_lifo"] = True
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


class Database:
    """Holds the engine and the session factory of one app."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    def new_session(self) -> Session:
        return self.session_factory()

    def dispose(self) -> None:
        self.engine.dispose()


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
    app.extensions["portal.db"] = database

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            try:
                if exc is not None or session.in_transaction():
                    session.rollback()
            except Exception:  # noqa: BLE001 - a database that went away must not break the answer
                current_app.logger.warning("Die Datenbankverbindung konnte nicht sauber beendet werden")
            finally:
                session.close()

    return database


@event.listens_for(Session, "after_commit")
def _remember_commit(_session: Session) -> None:
    """An error page must know whether the request had already saved something."""
    if has_request_context():
        g.db_committed = True


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """A short write transaction of its own inside a read request: the read so far ends (it wrote
    nothing), the write begins IMMEDIATE on SQLite and commits at the end, or rolls back."""
    if session.in_transaction():
        session.commit()
    previous = g.get("db_write_transaction", False)
    g.db_write_transaction = True
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        g.db_write_transaction = previous


def get_db() -> Database:
    return current_app.extensions["portal.db"]


def get_session() -> Session:
    """The session of the current request or CLI command."""
    if "db_session" not in g:
        g.db_session = get_db().new_session()
    return g.db_session
