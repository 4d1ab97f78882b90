"""Figures many pages show and few writes change — the start page's counts, an OE's rows of the
compliance table — kept per process and keyed by the version of the portal's data.

The version is one row (`data_versions`): every transaction that writes portal data moves it on
right before its COMMIT, in the same transaction (a Session event). A page reads the version first
(one primary-key lookup) and then takes the figures kept for that version, or computes and keeps
them. So a write through any worker or app server is seen by the next page of every other one;
nothing is ever shown from before a committed write. Not counted as a write: sign-ins and session
records, the audit log, export jobs and notifications (none of them changes a figure kept here).

A transaction that has written something itself (not committed yet) never uses the kept figures.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import Pool

from portal.models.data_version import NAME, DataVersion

IGNORED_TABLES = frozenset({"user_sessions", "login_attempts", "audit_events", "export_jobs", "notifications",
                            "data_versions"})
PENDING = "portal.data_changed"  # on the connection: its open transaction has written portal data
MAX_ENTRIES = 4096
T = TypeVar("T")


def _mark(session: Session) -> None:
    session.connection().info[PENDING] = True


# columns whose change alone is bookkeeping, not portal data (a sign-in sets the time of the last one)
IGNORED_COLUMNS = {"users": frozenset({"last_login_at"})}


def _counts(obj: Any, updated: bool) -> bool:
    """Whether writing `obj` changes portal data the kept figures may depend on."""
    table = getattr(getattr(obj, "__table__", None), "name", None)
    if table in IGNORED_TABLES:
        return False
    ignored = IGNORED_COLUMNS.get(table)
    if updated and ignored:
        changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
        return not changed <= ignored
    return True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    if (any(_counts(obj, False) for obj in (*session.new, *session.deleted))
            or any(_counts(obj, True) for obj in session.dirty)):
        _mark(session)


@event.listens_for(Session, "do_orm_execute")
def _statement(state: ORMExecuteState) -> None:
    """insert()/update()/delete() run through a session (bulk imports) count as writes too."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in IGNORED_TABLES:
            _mark(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not session.in_transaction():
        return
    session.flush()  # what the commit would flush now counts as well
    connection = session.connection()
    if connection.info.get(PENDING):
        connection.execute(update(DataVersion.__table__).where(DataVersion.name == NAME)
                           .values(version=DataVersion.version + 1))


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(connection: Any) -> None:
    connection.info.pop(PENDING, None)


@event.listens_for(Pool, "reset")
def _returned(_dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
    record.info.pop(PENDING, None)


class FigureCache:
    """Kept figures of one process for one version at a time (a new version drops the old ones)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._version: int | None = None
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, version: int, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            elif key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()
        with self._lock:
            if version == self._version:
                self._entries[key] = value
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value


class Snapshot:
    """The kept figures as of one read of the data version (None: compute everything)."""

    def __init__(self, cache: FigureCache, version: int | None) -> None:
        self.cache = cache
        self.version = version

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The figures for `key` (a tuple naming what is computed and for whom); computed on a miss.
        Today's date is part of the key, for figures that depend on it."""
        if self.version is None:
            return compute()
        return self.cache.get(self.version, (date.today(), key), compute)


def init_app(app: Flask) -> None:
    """The figures kept by this app (the Session events above are registered on import)."""
    app.extensions["portal.datacache"] = FigureCache()


def snapshot(db: Session) -> Snapshot:
    """Read the data version once (before anything it covers is read)."""
    cache = current_app.extensions.get("portal.datacache")
    if cache is None:
        cache = current_app.extensions.setdefault("portal.datacache", FigureCache())
    if db.connection().info.get(PENDING):
        return Snapshot(cache, None)
    return Snapshot(cache, db.scalar(select(DataVersion.version).where(DataVersion.name == NAME)))
